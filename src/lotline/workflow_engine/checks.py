"""Static checks a flow must pass before it is published: ``check_flow``.

Every problem carries the path of the offending part of the flow document. The checks, in the
order they run (codes in ``messages.py``):

1. structure: meta-schema (``flow.schema_*``, ``flow.format_version``), duplicate ids, references
   to unknown nodes. When any is found the other checks do not run (they need a sound graph).
2. graph: anytime nodes inside the graph, end nodes with exits, parallel transitions with
   conditions, mixed or one-branch splits, several defaults, nodes with **no way out** (every
   outgoing transition is conditional and none is ``default``: if all conditions are false the
   token cannot leave), skippable nodes with nothing to skip along, bad ``on_exhausted``,
   **unreachable** nodes (from the start nodes), nodes that **cannot reach an end**, rework
   **loops without an exit** or **without a maximum count** (``max_repeats`` on one of their
   nodes, or a loop condition reading ``counts.*``), **joins without a matching split** (no split
   whose every branch reaches the join) and splits that no join matches (their tokens would never
   merge).
3. forms and conditions: **missing or unpublished forms**; conditions that are malformed or read
   **unknown names** (not a field of the source node's form, nor a known ``item.*``,
   ``result.*``, ``results.<node>.*`` or ``counts.<node>`` name); action ``*_field`` parameters
   naming fields the form does not have.
4. registered checks (``register_check``): later issues add regulation checks here, e.g. FSMA 204
   key data elements no form field captures. A check is ``fn(flow, forms) -> Iterable[Problem]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, overload

from lotline.form_engine.logic import check_rule, referenced_vars
from lotline.form_engine.problems import Path, Problem
from lotline.workflow_engine import graph as g
from lotline.workflow_engine.definition import (
    ITEM_FACTS,
    RESULT_KEYS,
    Flow,
    FormInfo,
    FormRef,
    Node,
    load_flow,
    structural_problems,
)

Forms = Mapping[FormRef, FormInfo] | Mapping[tuple[str, int], FormInfo]
Check = Callable[[Flow, Mapping[tuple[str, int], FormInfo]], Iterable[Problem]]

_REGISTRY: dict[str, Check] = {}


@overload
def register_check(fn: Check, *, name: str | None = None) -> Check: ...


@overload
def register_check(fn: None = None, *, name: str | None = None) -> Callable[[Check], Check]: ...


def register_check(fn: Check | None = None, *, name: str | None = None) -> Check | Callable[[Check], Check]:
    """Add an extra static check (usable as ``@register_check`` or ``register_check(fn)``).

    The check receives the parsed ``Flow`` and the forms mapping and returns problems whose codes
    it registered with ``register_messages``. Registering the same name again replaces it.
    """

    def add(check: Check) -> Check:
        _REGISTRY[name or str(getattr(check, "__name__", repr(check)))] = check
        return check

    return add(fn) if fn is not None else add


def unregister_check(name: str) -> None:
    _REGISTRY.pop(name, None)


def registered_checks() -> dict[str, Check]:
    return dict(_REGISTRY)


def check_flow(
    definition: Mapping[str, Any],
    forms: Forms,
    *,
    extra_checks: Iterable[Check] = (),
) -> list[Problem]:
    """Every problem that should stop ``definition`` from being published, with its path.

    ``forms`` maps ``(form key, version)`` to ``FormInfo`` for every form the caller knows; a
    node whose form is absent gets ``flow.form_missing``. ``extra_checks`` run after the
    registered ones (handy for one-off checks in tests or per-tenant rules).
    """
    problems = structural_problems(definition)
    if problems:
        return problems
    flow = load_flow(definition)
    form_map: dict[tuple[str, int], FormInfo] = {(k[0], k[1]): v for k, v in forms.items()}
    problems.extend(_graph_problems(flow))
    problems.extend(_form_problems(flow, form_map))
    problems.extend(_condition_problems(flow, form_map))
    for check_name, check in [*_REGISTRY.items(), *((repr(c), c) for c in extra_checks)]:
        try:
            problems.extend(check(flow, form_map))
        except Exception as error:  # a broken plug-in must not hide the other problems
            problems.append(Problem((), "flow.check_failed", {"check": check_name, "error": repr(error)}))
    return problems


# --- graph -------------------------------------------------------------------------------------


def _graph_problems(flow: Flow) -> Iterator[Problem]:
    yield from _local_problems(flow)
    seq = g.sequence_graph(flow)
    sequence_nodes = [n for n in flow.nodes.values() if not n.anytime]
    reached = g.reachable(seq, flow.start)
    for node in sequence_nodes:
        if node.id not in reached:
            yield Problem(node.path, "flow.unreachable", {"node": node.id})
    stuck: set[str] = set()
    for members in g.loops(g.sequence_graph(flow, with_exhausted=False)):
        yield from _loop_problems(flow, members, stuck)
    back = g.reverse(seq)
    reaches_end = g.reachable(back, flow.end)
    into_stuck_loop = g.reachable(back, stuck)  # reported once, as the loop
    for node in sequence_nodes:
        if node.id not in reaches_end and node.id not in into_stuck_loop:
            yield Problem(node.path, "flow.no_path_to_end", {"node": node.id})
    yield from _parallel_problems(flow)


def _local_problems(flow: Flow) -> Iterator[Problem]:
    touched = {t.source for t in flow.transitions} | {t.target for t in flow.transitions}
    for node in flow.nodes.values():
        outgoing = flow.outgoing[node.id]
        if node.anytime and (node.id in touched or node.id in flow.start or node.id in flow.end):
            yield Problem((*node.path, "anytime"), "flow.anytime_in_graph", {"node": node.id})
        if node.id in flow.end:
            for t in outgoing:
                yield Problem((*t.path, "from"), "flow.end_has_transitions", {"node": node.id})
            continue
        parallel = [t for t in outgoing if t.parallel]
        for t in parallel:
            if t.conditional or t.default:
                yield Problem((*t.path, "parallel"), "flow.parallel_with_condition", {"transition": t.id})
        if parallel and len(parallel) != len(outgoing):
            yield Problem(node.path, "flow.mixed_split", {"node": node.id})
        if len(parallel) == 1:
            yield Problem(node.path, "flow.single_branch_split", {"node": node.id})
        defaults = [t for t in outgoing if t.default]
        for t in defaults[1:]:
            yield Problem((*t.path, "default"), "flow.multiple_defaults", {"node": node.id})
        if outgoing and not parallel and all(t.conditional and not t.default for t in outgoing):
            yield Problem(node.path, "flow.no_way_out", {"node": node.id})
        rules = node.rules
        if rules.skippable and not node.anytime and flow.skip_route(node.id) is None:
            yield Problem(
                (*node.path, "rules", "skippable"), "flow.skippable_without_route", {"node": node.id}
            )
        if rules.on_exhausted is not None:
            path: Path = (*node.path, "rules", "on_exhausted")
            if rules.max_repeats is None:
                yield Problem(path, "flow.on_exhausted_without_limit", {"node": node.id})
            target = flow.nodes[rules.on_exhausted]
            if target.id == node.id or target.anytime or node.anytime:
                yield Problem(path, "flow.on_exhausted_invalid", {"node": node.id, "target": target.id})


def _loop_problems(flow: Flow, members: set[str], stuck: set[str]) -> Iterator[Problem]:
    ordered = sorted(members, key=lambda n: flow.nodes[n].index)
    first = flow.nodes[ordered[0]]
    params = {"nodes": ", ".join(ordered)}
    inside = [t for t in flow.transitions if t.source in members]
    exits = any(t.target not in members for t in inside) or any(
        flow.nodes[n].rules.on_exhausted not in (None, *members) for n in members
    )
    if not exits:
        stuck.update(members)
        yield Problem(first.path, "flow.loop_without_exit", params)
    bounded = any(flow.nodes[n].rules.max_repeats is not None for n in members) or any(
        any(v == "counts" or v.startswith("counts.") for v in referenced_vars(t.condition))
        for t in inside
        if t.target in members and t.conditional
    )
    if not bounded:
        yield Problem(first.path, "flow.loop_unbounded", params)


def _parallel_problems(flow: Flow) -> Iterator[Problem]:
    for join_id, split in flow.join_splits.items():
        if split is None:
            join = flow.nodes[join_id]
            yield Problem((*join.path, "join"), "flow.join_without_split", {"node": join_id})
    matched = set(flow.join_splits.values())
    for node in flow.nodes.values():
        if len(flow.branches(node.id)) >= 2 and node.id not in matched:
            yield Problem(node.path, "flow.split_without_join", {"node": node.id})


# --- forms and conditions ----------------------------------------------------------------------


def _form_problems(flow: Flow, forms: Mapping[tuple[str, int], FormInfo]) -> Iterator[Problem]:
    for node in flow.nodes.values():
        info = forms.get((node.form.key, node.form.version))
        params = {"node": node.id, "form": node.form.key, "version": node.form.version}
        if info is None:
            yield Problem((*node.path, "form"), "flow.form_missing", params)
        elif not info.published:
            yield Problem((*node.path, "form"), "flow.form_unpublished", params)


def _condition_problems(flow: Flow, forms: Mapping[tuple[str, int], FormInfo]) -> Iterator[Problem]:
    node_ids = frozenset(flow.nodes)

    def fields_of(node: Node) -> frozenset[str] | None:
        info = forms.get((node.form.key, node.form.version))
        return None if info is None else info.fields  # unknown form: reported once, above

    for node in flow.nodes.values():
        fields = fields_of(node)
        for j, action in enumerate(node.actions):
            yield from _action_problems(action, (*node.path, "actions", j), fields, node_ids)
    for t in flow.transitions:
        fields = fields_of(flow.nodes[t.source])
        if t.conditional:
            yield from _rule_problems(t.condition, (*t.path, "condition"), fields, node_ids)
        for j, action in enumerate(t.actions):
            yield from _action_problems(action, (*t.path, "actions", j), fields, node_ids)


def _action_problems(
    action: Mapping[str, Any], path: Path, fields: frozenset[str] | None, node_ids: frozenset[str]
) -> Iterator[Problem]:
    if "when" in action:
        yield from _rule_problems(action["when"], (*path, "when"), fields, node_ids)
    if fields is None:
        return
    for param, value in action.items():
        if param.endswith("_field") and not _is_field(str(value), fields):
            yield Problem((*path, param), "flow.action_unknown_field", {"name": value})


def _rule_problems(
    rule: Any, path: Path, fields: frozenset[str] | None, node_ids: frozenset[str]
) -> Iterator[Problem]:
    shape = check_rule(rule)
    for rp in shape:
        yield Problem(
            (*path, *rp.path), "flow.condition_invalid", {"reason": rp.code, "operator": rp.operator}
        )
    if shape:
        return
    for var in sorted(referenced_vars(rule)):
        if not known_var(var, fields, node_ids):
            yield Problem(path, "flow.condition_unknown_var", {"var": var})


def known_var(var: str, fields: frozenset[str] | None, node_ids: frozenset[str]) -> bool:
    """Whether a condition may read ``var`` (see the module docstring for the namespaces).

    ``fields`` None means the form is unknown (already reported), so ``data.*`` is accepted.
    """
    head, *rest = var.split(".")
    if not rest:
        return head in ("data", "item", "result", "results", "counts")
    if head == "data":
        return fields is None or _is_field(".".join(rest), fields)
    if head == "item":
        return rest[0] in ITEM_FACTS and (len(rest) == 1 or rest[0] == "attributes")
    if head == "result":
        return rest[0] in RESULT_KEYS
    if head == "results":
        return rest[0] in node_ids and (len(rest) == 1 or rest[1] in RESULT_KEYS)
    if head == "counts":
        return rest[0] in node_ids and len(rest) == 1
    return False


def _is_field(name: str, fields: frozenset[str]) -> bool:
    """``name`` or one of its dotted prefixes is a form field (``lots.0.qty`` -> ``lots``)."""
    parts = name.split(".")
    return any(".".join(parts[:k]) in fields for k in range(1, len(parts) + 1))
