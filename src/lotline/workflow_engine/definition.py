"""Flow definitions: the JSON format (version 1), its meta-schema, and the parsed ``Flow``.

A flow document (``schemas/flow-v1.json`` is the authority on shape)::

    {"format_version": 1, "key": "pcba", "version": 3, "subject": "unit",
     "start": ["smt"], "end": ["ship", "scrap"],
     "nodes": [{"id": "smt", "type": "process", "form": {"key": "smt", "version": 2},
                "epcis": {"eventType": "ObjectEvent", "action": "OBSERVE",
                          "bizStep": "assembling", "disposition": "in_progress"},
                "rules": {...}, "actions": [...]}, ...],
     "transitions": [{"id": "t1", "from": "smt", "to": "test"}, ...]}

Nodes
    ``id`` (no dots: ids appear in condition names such as ``counts.rework``), ``type`` (one of
    ``NODE_TYPES``), ``form`` (``{key, version}`` of the form the node collects), ``epcis``
    (eventType / action / bizStep / disposition; TransformationEvent has no action), optional
    ``rules``, ``actions``, ``join``, ``anytime`` and ``station`` (how the station app presents
    the node: ``{"auto_submit": true}`` sends a complete form after its last scan):

    - ``join: true``  the node joins the nearest parallel split that dominates it and whose every
      branch reaches it (``Flow.join_splits``, ``graph.join_matches``): a token coming out of a
      branch of that split waits there until every branch has arrived (see ``interpreter.py``).
      Any other token (e.g. one coming back from a rework loop after the join) passes the join
      like an ordinary node.
    - ``cte``  the regulated critical tracking event the node records and where each key data
      element comes from (FSMA 204; checked by ``compliance.check_fsma204``).
    - ``anytime: true``  the node is outside the sequence (typically hold / release): it may be
      submitted whenever the instance is not completed, never holds a token, and has no
      transitions.

Rules (error-proofing; all optional)
    ``allowed_roles``, ``allowed_stations`` (lists; the actor needs one of the roles, the station
    must be listed); ``allowed_materials`` (a list of material codes, or ``"bom"`` for the
    subject's bill of materials given in the context) and ``require_complete_bom``;
    ``required_item_statuses`` (subject item status must be one of them); ``allow_on_hold``
    (default: only hold and release nodes may run while the subject is on hold or quarantine);
    ``allow_expired`` (default false: an expired subject is refused); ``max_repeats`` (the node may
    be completed at most N times per instance) with ``on_exhausted`` (where the token goes instead
    when a transition would enter the node an N+1-th time; without it such a submission is
    rejected); ``skippable`` (a worker may go straight to the next step, see interpreter);
    ``signatures`` (``{"meanings": [...], "distinct_signers": bool}``).

Transitions
    ``id``, ``from``, ``to``, optional ``condition`` (JSON Logic), ``default`` and ``parallel``.
    After a node completes, its outgoing transitions are tried in document order and the first
    whose condition holds (no condition = always) is taken; a ``default`` transition is taken only
    when no other matches. If the node's transitions are ``parallel`` (unconditional), all are taken
    at once: a parallel split. Conditions read ``data.<field>`` (this submission), ``item.<fact>``
    (the subject item), ``result.<key>`` (this submission's result), ``results.<node>.<key>`` (the
    latest result of any node) and ``counts.<node>`` (completions so far, this one included).

Actions (plain data the platform performs; on nodes when they complete, on transitions when
taken; each may carry a ``when`` condition): ``create_item``, ``consume``, ``aggregate``,
``set_status``, ``hold``, ``release``, ``open_nonconformance``, ``notify``. Parameters ending in
``_field`` name a form field whose submitted value the engine copies into the emitted action.
A status action (``set_status``, ``hold``, ``release``) changes the subject's status, or with
``scope``: ``created`` the items the submission creates (finished packs into quarantine),
``forward`` the subject and every item made from it still in stock (a QA decision over a batch;
a release frees only what is in quarantine).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from lotline.form_engine.problems import Path, Problem, ProblemsError
from lotline.workflow_engine.graph import join_matches, sequence_graph
from lotline.workflow_engine.upgrades import FLOW_FORMAT_VERSION, upgrade_flow

NODE_TYPES = (
    "receive",
    "transform",
    "assemble",
    "inspect",
    "process",
    "pack",
    "ship",
    "hold",
    "release",
    "rework",
    "scrap",
)
SUBJECT_KINDS = ("work_order", "lot", "unit")
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransformationEvent", "AssociationEvent")
ACTION_TYPES = (
    "create_item",
    "consume",
    "aggregate",
    "set_status",
    "hold",
    "release",
    "open_nonconformance",
    "notify",
)
ITEM_STATUSES = ("released", "hold", "quarantine", "consumed", "shipped", "scrapped")
HOLD_STATUSES = frozenset({"hold", "quarantine"})
UNAVAILABLE_STATUSES = frozenset({"consumed", "shipped", "scrapped"})
# Node types that may run while the subject is on hold (others need ``allow_on_hold``).
HOLD_NODE_TYPES = frozenset({"hold", "release"})

# Names a condition may read besides ``data.<form field>``.
ITEM_FACTS = frozenset(
    {
        "id",
        "code",
        "kind",
        "material",
        "status",
        "quantity",
        "unit",
        "expiry",
        "lot",
        "serial",
        "gtin",
        "supplier_lot",
        "attributes",
    }
)
RESULT_KEYS = frozenset({"passed", "outcome", "defects", "failed_checks"})


class FormRef(NamedTuple):
    """The exact form version a node collects (``(key, version)``; a plain tuple works too)."""

    key: str
    version: int


@dataclass(frozen=True)
class FormInfo:
    """What static checks need to know about a form version, supplied by the caller.

    ``fields``: every field key (dotted for nested objects); ``published``: whether that version
    is published; ``meta``: anything later checks need (e.g. trace bindings for FSMA 204 KDEs).
    """

    fields: frozenset[str]
    published: bool = True
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SignatureRule:
    meanings: tuple[str, ...]
    distinct_signers: bool = False


@dataclass(frozen=True)
class Rules:
    allowed_roles: frozenset[str] | None = None
    allowed_stations: frozenset[str] | None = None
    allowed_materials: tuple[str, ...] | str | None = None  # a list, "bom", or no rule
    require_complete_bom: bool = False
    required_item_statuses: tuple[str, ...] | None = None
    allow_on_hold: bool | None = None
    allow_expired: bool = False
    max_repeats: int | None = None
    on_exhausted: str | None = None
    skippable: bool = False
    signatures: SignatureRule | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Rules:
        sig = raw.get("signatures")
        materials = raw.get("allowed_materials")
        return cls(
            allowed_roles=_opt_set(raw.get("allowed_roles")),
            allowed_stations=_opt_set(raw.get("allowed_stations")),
            allowed_materials=materials if isinstance(materials, str) else _opt_tuple(materials),
            require_complete_bom=bool(raw.get("require_complete_bom", False)),
            required_item_statuses=_opt_tuple(raw.get("required_item_statuses")),
            allow_on_hold=raw.get("allow_on_hold"),
            allow_expired=bool(raw.get("allow_expired", False)),
            max_repeats=raw.get("max_repeats"),
            on_exhausted=raw.get("on_exhausted"),
            skippable=bool(raw.get("skippable", False)),
            signatures=SignatureRule(tuple(sig["meanings"]), bool(sig.get("distinct_signers")))
            if sig
            else None,
        )


@dataclass(frozen=True)
class Node:
    id: str
    index: int  # position in ``nodes``: problems point at ("nodes", index, ...)
    type: str
    form: FormRef
    epcis: Mapping[str, Any]
    rules: Rules
    actions: tuple[Mapping[str, Any], ...]
    join: bool = False
    anytime: bool = False

    @property
    def path(self) -> Path:
        return ("nodes", self.index)


@dataclass(frozen=True)
class Transition:
    id: str
    index: int  # position in ``transitions``
    source: str
    target: str
    condition: Any = None  # None: unconditional
    default: bool = False
    parallel: bool = False
    actions: tuple[Mapping[str, Any], ...] = ()

    @property
    def path(self) -> Path:
        return ("transitions", self.index)

    @property
    def conditional(self) -> bool:
        return self.condition is not None


@dataclass(frozen=True)
class Flow:
    """A parsed, structurally valid flow (see ``load_flow``); immutable, safe to share."""

    definition: Mapping[str, Any]
    key: str | None
    version: int | None
    subject: str
    nodes: Mapping[str, Node]
    transitions: tuple[Transition, ...]
    start: tuple[str, ...]
    end: frozenset[str]
    outgoing: Mapping[str, tuple[Transition, ...]]
    # join node -> the split it joins (None: no split matches; see graph.join_matches)
    join_splits: Mapping[str, str | None] = field(default_factory=dict)

    def is_split(self, node_id: str) -> bool:
        return any(t.parallel for t in self.outgoing.get(node_id, ()))

    def branches(self, split_id: str) -> tuple[Transition, ...]:
        """The parallel transitions of a split, in document order."""
        return tuple(t for t in self.outgoing.get(split_id, ()) if t.parallel)

    def skip_route(self, node_id: str) -> Transition | None:
        """The transition a skipped node's token follows, or None if it cannot be skipped.

        Only a ``skippable`` node that is not an end node and not a parallel split can be skipped;
        the token follows its first unconditional non-default transition, else its first default
        transition (conditions cannot be evaluated without the skipped node's data).
        """
        node = self.nodes[node_id]
        if not node.rules.skippable or node_id in self.end or self.is_split(node_id):
            return None
        outgoing = self.outgoing.get(node_id, ())
        plain = [t for t in outgoing if not t.conditional and not t.default]
        defaults = [t for t in outgoing if t.default]
        candidates = plain or defaults
        return candidates[0] if candidates else None


def _opt_set(value: Any) -> frozenset[str] | None:
    return frozenset(value) if isinstance(value, list) else None


def _opt_tuple(value: Any) -> tuple[str, ...] | None:
    return tuple(value) if isinstance(value, list) else None


@cache
def flow_schema() -> Mapping[str, Any]:
    """The meta-schema of the current flow format (``schemas/flow-v1.json``)."""
    text = resources.files(__package__).joinpath(f"schemas/flow-v{FLOW_FORMAT_VERSION}.json")
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(flow_schema())


def schema_problems(document: Any) -> list[Problem]:
    """Every meta-schema violation, one Problem per error, ordered by path."""
    if isinstance(document, Mapping):
        found = document.get("format_version")
        if found != FLOW_FORMAT_VERSION:
            return [
                Problem(
                    ("format_version",),
                    "flow.format_version",
                    {"found": found, "supported": FLOW_FORMAT_VERSION},
                )
            ]
    problems = [_to_problem(err) for err in _validator().iter_errors(document)]
    return sorted(problems, key=lambda p: (tuple(map(str, p.path)), p.code))


def _to_problem(error: ValidationError) -> Problem:
    path: Path = tuple(error.absolute_path)
    if error.validator == "required":
        prop = error.message.split("'")[1] if "'" in error.message else ""
        return Problem(path, "flow.schema_required", {"property": prop})
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        extras = _extra_properties(error)
        return Problem((*path, extras[0]) if extras else path, "flow.schema_unknown_property", {})
    if error.validator in ("enum", "const"):
        return Problem(path, "flow.schema_not_allowed", {"value": json.dumps(error.instance)})
    if error.validator == "type":
        return Problem(path, "flow.schema_type", {"expected": str(error.validator_value)})
    return Problem(path, "flow.schema_invalid", {"detail": error.message})


def _extra_properties(error: ValidationError) -> list[str]:
    # "... ('a', 'b' were unexpected)" -> ["a", "b"]
    inside = error.message.rpartition("(")[2]
    return [part for i, part in enumerate(inside.split("'")) if i % 2 == 1]


def structural_problems(document: Mapping[str, Any]) -> list[Problem]:
    """Meta-schema problems, then duplicate ids and references to unknown nodes.

    Graph checks need a structurally valid document, so they run only when this list is empty.
    """
    problems = schema_problems(document)
    if problems:
        return problems
    node_ids: set[str] = set()
    for i, raw in enumerate(document["nodes"]):
        if raw["id"] in node_ids:
            problems.append(Problem(("nodes", i, "id"), "flow.duplicate_id", {"id": raw["id"]}))
        node_ids.add(raw["id"])
    transition_ids: set[str] = set()
    for i, raw in enumerate(document.get("transitions", [])):
        if raw["id"] in transition_ids:
            problems.append(Problem(("transitions", i, "id"), "flow.duplicate_id", {"id": raw["id"]}))
        transition_ids.add(raw["id"])
        for end in ("from", "to"):
            if raw[end] not in node_ids:
                problems.append(Problem(("transitions", i, end), "flow.unknown_node", {"node": raw[end]}))
    for key in ("start", "end"):
        for i, node_id in enumerate(document[key]):
            if node_id not in node_ids:
                problems.append(Problem((key, i), "flow.unknown_node", {"node": node_id}))
    for i, raw in enumerate(document["nodes"]):
        target = raw.get("rules", {}).get("on_exhausted")
        if target is not None and target not in node_ids:
            problems.append(
                Problem(("nodes", i, "rules", "on_exhausted"), "flow.unknown_node", {"node": target})
            )
    return problems


def load_flow(document: Mapping[str, Any]) -> Flow:
    """Upgrade (named steps), validate the structure and parse a flow document.

    Raises ``ProblemsError`` with every structural problem. Graph and form problems (reported by
    ``check_flow``) do not stop loading: a published flow passed them already.
    """
    upgraded, _applied = upgrade_flow(document)
    problems = structural_problems(upgraded)
    if problems:
        raise ProblemsError(problems, code="flow_invalid")
    nodes = {
        raw["id"]: Node(
            id=raw["id"],
            index=i,
            type=raw["type"],
            form=FormRef(raw["form"]["key"], raw["form"]["version"]),
            epcis=dict(raw["epcis"]),
            rules=Rules.from_dict(raw.get("rules", {})),
            actions=tuple(raw.get("actions", ())),
            join=bool(raw.get("join", False)),
            anytime=bool(raw.get("anytime", False)),
        )
        for i, raw in enumerate(upgraded["nodes"])
    }
    transitions = tuple(
        Transition(
            id=raw["id"],
            index=i,
            source=raw["from"],
            target=raw["to"],
            condition=raw.get("condition"),
            default=bool(raw.get("default", False)),
            parallel=bool(raw.get("parallel", False)),
            actions=tuple(raw.get("actions", ())),
        )
        for i, raw in enumerate(upgraded.get("transitions", []))
    )
    outgoing: dict[str, list[Transition]] = {node_id: [] for node_id in nodes}
    for transition in transitions:
        outgoing[transition.source].append(transition)
    flow = Flow(
        definition=upgraded,
        key=upgraded.get("key"),
        version=upgraded.get("version"),
        subject=upgraded["subject"],
        nodes=nodes,
        transitions=transitions,
        start=tuple(upgraded["start"]),
        end=frozenset(upgraded["end"]),
        outgoing={k: tuple(v) for k, v in outgoing.items()},
    )
    return replace(flow, join_splits=join_matches(flow, sequence_graph(flow)))


def as_flow(flow: Flow | Mapping[str, Any]) -> Flow:
    """Accept a parsed ``Flow`` or a flow document."""
    return flow if isinstance(flow, Flow) else load_flow(flow)
