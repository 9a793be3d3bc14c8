"""The state of one flow instance: plain, versioned, JSON-serialisable data.

The interpreter never mutates a ``State``; every call returns a new one. ``State.to_dict()`` and
``State.from_dict()`` round-trip exactly (``schemas/state-v1.json`` describes the format), so the
platform can store the state next to the instance and rebuild it from records with ``replay``.

Serialised form (``state_version`` 1)::

    {"state_version": 1, "flow": {"key": "pcba", "version": 3}, "status": "running", "seq": 4,
     "tokens": [{"node": "aoi", "stack": [{"split": "smt", "fire": 2, "transition": "t_aoi"}]}],
     "joins":  [{"node": "pack", "split": "smt", "fire": 2, "arrived": ["t_label"], "stack": []}],
     "nodes":  {"smt": {"status": "done", "completions": 1, "skips": 0}, ...},
     "results": {"test": {"passed": false, "defects": ["D12"]}}}

Instance status (``State.status``)
    ``ready``      just started; every start node holds a token (alternative entry points). The
                   first submission at one of them chooses it and withdraws the others.
    ``running``    at least one step was done; tokens move along transitions.
    ``completed``  an end node was completed: no tokens remain and nothing more can be submitted.

    ready -> running (first sequence step submitted or skipped) -> completed (an end node done).
    Submissions at ``anytime`` nodes never change the instance status.

Tokens
    A token marks where the subject is. ``stack`` lists the parallel branches the token is inside,
    innermost last: ``{"split": node, "fire": seq, "transition": branch}``; ``fire`` is the
    ``seq`` of the submission that fired the split, so two passes through one split never mix.
    ``joins`` lists, per join node and split firing, the branches that have arrived so far.

Node status (``State.nodes[id].status``), with every transition between them
    ``pending``       no token has reached the node yet.
                      -> enabled (a token arrives) | waiting_join (a join receives its first branch)
                      -> done (an ``anytime`` node is submitted)
    ``enabled``       the node holds one or more tokens; a submission may complete it.
                      -> done (submitted) | skipped (a later step was submitted and this
                      skippable node passed over) | cancelled (the instance ended elsewhere)
                      | pending (a start alternative that was not chosen)
    ``waiting_join``  a join holding some, not all, branches of a parallel split.
                      -> enabled (the last branch arrives) | cancelled (the instance ended)
    ``done``          the latest visit was completed by a submission.
                      -> enabled | waiting_join (entered again, e.g. by a rework loop)
    ``skipped``       the latest visit was skipped.  -> enabled | waiting_join (entered again)
    ``cancelled``     the node held a token (or waited) when the instance completed.  (final)

    ``completions`` counts submissions (``max_repeats`` applies to it), ``skips`` counts skips.
``results``
    The latest ``result`` submitted at each node (what ``results.<node>.*`` conditions read).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from lotline.form_engine.problems import Problem, ProblemsError
from lotline.workflow_engine.upgrades import STATE_UPGRADES, STATE_VERSION

READY, RUNNING, COMPLETED = "ready", "running", "completed"
INSTANCE_STATUSES = (READY, RUNNING, COMPLETED)

PENDING, ENABLED, WAITING_JOIN = "pending", "enabled", "waiting_join"
DONE, SKIPPED, CANCELLED = "done", "skipped", "cancelled"
NODE_STATUSES = (PENDING, ENABLED, WAITING_JOIN, DONE, SKIPPED, CANCELLED)


@dataclass(frozen=True)
class Branch:
    """One level of parallelism: the token came out of ``split`` along ``transition``."""

    split: str
    fire: int
    transition: str

    def to_dict(self) -> dict[str, Any]:
        return {"split": self.split, "fire": self.fire, "transition": self.transition}


@dataclass(frozen=True)
class Token:
    node: str
    stack: tuple[Branch, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "stack": [b.to_dict() for b in self.stack]}


@dataclass(frozen=True)
class JoinWait:
    """Branches of one split firing that have reached join ``node`` so far."""

    node: str
    split: str
    fire: int
    arrived: tuple[str, ...]
    stack: tuple[Branch, ...]  # the stack the merged token continues with

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "split": self.split,
            "fire": self.fire,
            "arrived": list(self.arrived),
            "stack": [b.to_dict() for b in self.stack],
        }


@dataclass(frozen=True)
class NodeRecord:
    status: str = PENDING
    completions: int = 0
    skips: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "completions": self.completions, "skips": self.skips}


@dataclass(frozen=True)
class State:
    status: str
    seq: int
    tokens: tuple[Token, ...]
    joins: tuple[JoinWait, ...]
    nodes: Mapping[str, NodeRecord]
    results: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    flow_key: str | None = None
    flow_version: int | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Completions per node (what ``counts.<node>`` conditions read)."""
        return {node_id: record.completions for node_id, record in self.nodes.items()}

    def token_nodes(self) -> list[str]:
        """Nodes holding a token, in token order, without duplicates."""
        return list(dict.fromkeys(token.node for token in self.tokens))

    def to_dict(self) -> dict[str, Any]:
        flow = None
        if self.flow_key is not None or self.flow_version is not None:
            flow = {"key": self.flow_key, "version": self.flow_version}
        return {
            "state_version": STATE_VERSION,
            "flow": flow,
            "status": self.status,
            "seq": self.seq,
            "tokens": [t.to_dict() for t in self.tokens],
            "joins": [j.to_dict() for j in self.joins],
            "nodes": {k: v.to_dict() for k, v in sorted(self.nodes.items())},
            "results": json.loads(json.dumps(self.results, sort_keys=True)),
        }

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, compact): equal states give equal strings."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> State:
        """Upgrade (named steps) and validate a serialised state; ``ProblemsError`` if invalid."""
        found = STATE_UPGRADES.version_of(document)
        if found > STATE_VERSION:
            raise ProblemsError(
                [Problem(("state_version",), "state.version", {"found": found, "supported": STATE_VERSION})],
                code="state_invalid",
            )
        doc, _applied = STATE_UPGRADES.upgrade(document)
        errors = sorted(_state_validator().iter_errors(doc), key=lambda e: list(map(str, e.path)))
        if errors:
            raise ProblemsError(
                [Problem(tuple(e.absolute_path), "state.invalid", {"detail": e.message}) for e in errors],
                code="state_invalid",
            )
        flow = doc["flow"] or {}
        return cls(
            status=doc["status"],
            seq=doc["seq"],
            tokens=tuple(Token(t["node"], _stack(t["stack"])) for t in doc["tokens"]),
            joins=tuple(
                JoinWait(j["node"], j["split"], j["fire"], tuple(j["arrived"]), _stack(j["stack"]))
                for j in doc["joins"]
            ),
            nodes={k: NodeRecord(v["status"], v["completions"], v["skips"]) for k, v in doc["nodes"].items()},
            results={k: dict(v) for k, v in doc["results"].items()},
            flow_key=flow.get("key"),
            flow_version=flow.get("version"),
        )

    @classmethod
    def from_json(cls, text: str) -> State:
        return cls.from_dict(json.loads(text))


def _stack(raw: list[dict[str, Any]]) -> tuple[Branch, ...]:
    return tuple(Branch(b["split"], b["fire"], b["transition"]) for b in raw)


@cache
def _state_validator() -> Draft202012Validator:
    text = resources.files(__package__).joinpath(f"schemas/state-v{STATE_VERSION}.json")
    return Draft202012Validator(json.loads(text.read_text(encoding="utf-8")))
