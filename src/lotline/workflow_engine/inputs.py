"""What the platform hands the interpreter: the ``Context`` of a step and the ``Submission``.

Both are frozen dataclasses with ``to_dict``/``from_dict`` so the platform can store them with
the record and ``replay`` can rebuild the state from records. Plain mappings with the same keys are
accepted wherever a ``Context`` or ``Submission`` is.

Context (who, where, what, when)::

    {"actor": "u17", "roles": ["operator"], "station": "ST-03",
     "item": {"id": "…", "status": "released", "material": "PCBA-1", "expiry": "2026-01-31"},
     "materials": [{"material": "RES-10K", "lot": "L123", "status": "released",
                    "expiry": "2025-12-31", "quantity": 4}],
     "bom": ["RES-10K", "CAP-1U"], "now": "2025-06-01T08:30:00+08:00"}

``item`` holds the subject item's facts (conditions read them as ``item.*``); ``materials`` are
the items consumed by this submission (already resolved from scans by the platform); ``bom`` the
material codes of the subject's bill of materials; ``now`` an ISO 8601 time with offset.

Submission (what the worker entered, normalised by the form engine)::

    {"data": {"serial": "SN1", "voltage": 4.98},
     "result": {"passed": false, "outcome": "fail", "defects": ["D12"], "failed_checks": ["voltage"]},
     "signatures": [{"signer": "u17", "meaning": "performed"}, {"signer": "u3", "meaning": "approved"}]}

``result`` is the node's outcome (the platform computes ``passed``/``failed_checks`` from the
form's spec limits); conditions read it as ``result.*`` and later as ``results.<node>.*``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Context:
    actor: str | None = None
    roles: tuple[str, ...] = ()
    station: str | None = None
    item: Mapping[str, Any] = field(default_factory=dict)
    materials: tuple[Mapping[str, Any], ...] = ()
    bom: tuple[str, ...] | None = None
    now: str | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> Context:
        raw = raw or {}
        now = raw.get("now")
        if isinstance(now, (datetime, date)):
            now = now.isoformat()
        bom = raw.get("bom")
        return cls(
            actor=raw.get("actor"),
            roles=(roles,) if isinstance(roles := raw.get("roles") or (), str) else tuple(roles),
            station=raw.get("station"),
            item=copy.deepcopy(dict(raw.get("item") or {})),
            materials=tuple(copy.deepcopy(dict(m)) for m in raw.get("materials") or ()),
            bom=None if bom is None else tuple(bom),
            now=now,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "roles": list(self.roles),
            "station": self.station,
            "item": copy.deepcopy(dict(self.item)),
            "materials": [copy.deepcopy(dict(m)) for m in self.materials],
            "bom": None if self.bom is None else list(self.bom),
            "now": self.now,
        }


@dataclass(frozen=True)
class Submission:
    data: Mapping[str, Any] = field(default_factory=dict)
    result: Mapping[str, Any] = field(default_factory=dict)
    signatures: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> Submission:
        raw = raw or {}
        return cls(
            data=copy.deepcopy(dict(raw.get("data") or {})),
            result=copy.deepcopy(dict(raw.get("result") or {})),
            signatures=tuple(dict(s) for s in raw.get("signatures") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "data": copy.deepcopy(dict(self.data)),
            "result": copy.deepcopy(dict(self.result)),
            "signatures": [dict(s) for s in self.signatures],
        }


@dataclass(frozen=True)
class Step:
    """One accepted submission as stored with its record: enough to ``replay`` it."""

    node: str
    submission: Submission = field(default_factory=Submission)
    context: Context = field(default_factory=Context)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Step:
        return cls(
            node=raw["node"],
            submission=Submission.from_dict(raw.get("submission")),
            context=Context.from_dict(raw.get("context")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "submission": self.submission.to_dict(),
            "context": self.context.to_dict(),
        }


def as_context(value: Context | Mapping[str, Any] | None) -> Context:
    return value if isinstance(value, Context) else Context.from_dict(value)


def as_submission(value: Submission | Mapping[str, Any] | None) -> Submission:
    return value if isinstance(value, Submission) else Submission.from_dict(value)


def as_step(value: Step | Mapping[str, Any]) -> Step:
    return value if isinstance(value, Step) else Step.from_dict(value)
