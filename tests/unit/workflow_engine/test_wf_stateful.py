"""Hypothesis stateful test: random valid flows, random submissions.

Flows are generated from structured blocks (step, sequence, parallel split/join optionally with
rework back into the join, exclusive choice, rework loop with a limit and a scrap exit), nested up
to three levels, with random roles
and skippable steps, plus anytime hold / release nodes. Every generated flow must pass
``check_flow``. The machine then submits at enabled nodes and at arbitrary nodes with random data
and contexts, and checks after every step:

- ``enabled`` and ``submit`` agree (a node reported enabled accepts the submission, any other
  rejects it with registered problem codes and leaves the state untouched);
- the state is internally consistent (see ``check_state``) and never stuck while running;
- the state round-trips through JSON, and replaying the accepted steps (themselves round-tripped
  through JSON) reproduces the live state.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from wf_flows import edge, forms_for, node

from lotline.form_engine.problems import known_codes
from lotline.workflow_engine import (
    INSTANCE_STATUSES,
    NODE_STATUSES,
    Flow,
    State,
    Step,
    check_flow,
    enabled,
    load_flow,
    replay,
    start,
    submit,
)

FIELDS = frozenset({"ok", "qty"})
ROLES = ("operator", "quality")
EVERYONE = {"roles": list(ROLES), "item": {"status": "released"}}


class _Builder:
    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.nodes: list[dict[str, Any]] = []
        self.transitions: list[dict[str, Any]] = []
        self.uses_scrap = False

    def add(self, node_type: str = "process", **extra: Any) -> dict[str, Any]:
        doc = node(f"n{len(self.nodes)}", node_type, **extra)
        roles = self.draw(st.sampled_from([None, None, ["operator"], ["quality"], list(ROLES)]))
        if roles:
            doc["rules"] = {"allowed_roles": roles}
        self.nodes.append(doc)
        return doc

    def link(self, source: str, target: str, **extra: Any) -> None:
        self.transitions.append(edge(f"t{len(self.transitions)}", source, target, **extra))

    def block(self, depth: int) -> tuple[str, list[str]]:
        """Add one block; return its entry node and the exit nodes the caller links onwards."""
        kinds = ["step", "sequence", "parallel", "choice", "loop"] if depth > 0 else ["step"]
        kind = self.draw(st.sampled_from(kinds))
        if kind == "step":
            doc = self.add(self.draw(st.sampled_from(["process", "inspect", "pack"])))
            if self.draw(st.booleans()):
                doc.setdefault("rules", {})["skippable"] = True
            return doc["id"], [doc["id"]]
        if kind == "sequence":
            parts = [self.block(depth - 1) for _ in range(self.draw(st.integers(2, 3)))]
            for (_, exits), (entry, _) in itertools.pairwise(parts):
                for exit_id in exits:
                    self.link(exit_id, entry)
            return parts[0][0], parts[-1][1]
        if kind == "parallel":
            split = self.add()["id"]
            join = self.add("assemble", join=True)["id"]
            for _ in range(self.draw(st.integers(2, 3))):
                entry, exits = self.block(depth - 1)
                self.link(split, entry, parallel=True)
                for exit_id in exits:
                    self.link(exit_id, join)
            if self.draw(st.booleans()):  # rework straight back into the join
                rework = self.add("rework")
                rework.setdefault("rules", {}).update(
                    max_repeats=self.draw(st.integers(1, 2)), on_exhausted="scrap")
                self.uses_scrap = True
                self.link(join, rework["id"], condition={"==": [{"var": "data.ok"}, False]})
                self.link(rework["id"], join)
            return split, [join]
        if kind == "choice":
            decide = self.add("inspect")["id"]
            branches = self.draw(st.integers(2, 3))
            all_exits: list[str] = []
            for i in range(branches):
                entry, exits = self.block(depth - 1)
                if i == branches - 1:
                    self.link(decide, entry, default=True)
                else:
                    self.link(decide, entry, condition={"==": [{"var": "data.qty"}, i]})
                all_exits.extend(exits)
            return decide, all_exits
        test = self.add("inspect")["id"]
        entry, exits = self.block(depth - 1)
        body = next(n for n in self.nodes if n["id"] == entry)
        rules = body.setdefault("rules", {})
        rules.pop("skippable", None)
        rules.update(max_repeats=self.draw(st.integers(1, 2)), on_exhausted="scrap")
        self.uses_scrap = True
        self.link(test, entry, condition={"==": [{"var": "data.ok"}, False]})
        for exit_id in exits:
            self.link(exit_id, test)
        return test, [test]


@st.composite
def flows(draw: Any) -> dict[str, Any]:
    b = _Builder(draw)
    entry, exits = b.block(draw(st.integers(1, 3)))
    b.nodes.append(node("ship", "ship"))
    for exit_id in exits:
        b.link(exit_id, "ship")
    end = ["ship"]
    if b.uses_scrap:
        b.nodes.append(node("scrap", "scrap"))
        end.append("scrap")
    b.nodes.append(node("hold", "hold", anytime=True))
    b.nodes.append(node("release", "release", anytime=True, rules={"allowed_roles": ["quality"]}))
    return {"format_version": 1, "key": "random", "version": 1, "subject": "unit",
            "start": [entry], "end": end, "nodes": b.nodes, "transitions": b.transitions}


contexts = st.fixed_dictionaries({
    "actor": st.sampled_from(["u1", "u2"]),
    "roles": st.lists(st.sampled_from(ROLES), unique=True),
    "item": st.fixed_dictionaries({"status": st.sampled_from(["released"] * 4 + ["hold"])}),
})
submissions = st.fixed_dictionaries({
    "data": st.fixed_dictionaries({"ok": st.sampled_from([True, False, False]),
                                   "qty": st.integers(0, 3)}),
    "result": st.fixed_dictionaries({"passed": st.booleans()}),
})


def check_state(flow: Flow, state: State) -> None:
    """Invariants every reachable state satisfies."""
    assert state.status in INSTANCE_STATUSES
    assert set(state.nodes) == set(flow.nodes)
    token_nodes = {t.node for t in state.tokens}
    join_nodes = {w.node for w in state.joins}
    for node_id, record in state.nodes.items():
        assert record.status in NODE_STATUSES
        assert (record.status == "enabled") == (node_id in token_nodes), node_id
        assert (record.status == "waiting_join") == (node_id in join_nodes - token_nodes), node_id
        limit = flow.nodes[node_id].rules.max_repeats
        assert limit is None or record.completions <= limit
        assert record.completions > 0 or node_id not in state.results
        assert record.status != "done" or record.completions > 0, node_id
        assert record.status != "skipped" or record.skips > 0, node_id
        assert record.status != "pending" or record.completions == record.skips == 0, node_id
        assert record.status != "cancelled" or state.status == "completed", node_id
    for token in state.tokens:
        assert not flow.nodes[token.node].anytime
        for branch in token.stack:
            assert branch.transition in {t.id for t in flow.branches(branch.split)}
            assert 0 < branch.fire <= state.seq
    for wait in state.joins:
        needed = {t.id for t in flow.branches(wait.split)}
        assert flow.nodes[wait.node].join
        assert wait.arrived and set(wait.arrived) < needed
    if state.status != "ready":
        check_threads(flow, state)
    assert state.seq == sum(r.completions for r in state.nodes.values())
    assert len(state.tokens) <= len(flow.nodes)
    if state.status == "completed":
        assert not state.tokens and not state.joins
        assert any(state.nodes[e].status == "done" for e in flow.end)
    else:
        assert state.tokens  # never stuck: some token can move
        sequence = [s for s in enabled(flow, state, EVERYONE) if s.enabled and not s.anytime]
        assert sequence, "a running instance must have an enabled step"
    if state.status == "ready":
        assert all(state.nodes[n].completions == 0 for n in flow.nodes if not flow.nodes[n].anytime)


def check_threads(flow: Flow, state: State) -> None:
    """Structured flows have one thread of control per branch path.

    A token's stack names the branches it is inside. No two tokens share a stack; no token is
    outside a split (its stack a prefix of another's) while that split's branches still run; a
    join waiting for a split firing has no token left in the branches that arrived, and at least
    one live token in every branch still missing.
    """
    stacks = [t.stack for t in state.tokens]
    assert len(set(stacks)) == len(stacks), stacks
    for a in stacks:
        for b in stacks:
            assert not (len(a) < len(b) and b[: len(a)] == a), (a, b)
    for wait in state.joins:
        for stack in stacks:
            assert stack != wait.stack[: len(stack)], (wait, stack)
        for branch in flow.branches(wait.split):
            inside = [s for s in stacks
                      if any((b.split, b.fire, b.transition) == (wait.split, wait.fire, branch.id)
                             for b in s)]
            assert bool(inside) != (branch.id in wait.arrived), (wait, branch.id)


class FlowMachine(RuleBasedStateMachine):
    @initialize(doc=flows())
    def begin(self, doc: dict[str, Any]) -> None:
        assert check_flow(doc, forms_for(doc, FIELDS)) == []
        self.flow = load_flow(doc)
        self.state = start(self.flow)
        self.steps: list[Step] = []

    def _submit(self, node_id: str, sub: dict[str, Any], ctx: dict[str, Any]) -> None:
        statuses = {s.node: s for s in enabled(self.flow, self.state, ctx)}
        expected = node_id in statuses and statuses[node_id].enabled
        before = self.state
        decision = submit(self.flow, before, node_id, sub, ctx)
        assert decision.accepted == expected, (node_id, decision.problems)
        json.dumps(decision.to_dict())
        if decision.accepted:
            assert decision.problems == ()
            assert decision.state.seq == before.seq + 1
            assert decision.skipped == statuses[node_id].skips
            self.state = decision.state
            self.steps.append(Step.from_dict({"node": node_id, "submission": sub, "context": ctx}))
        else:
            assert decision.state is before and decision.problems
            assert {p.code for p in decision.problems} <= known_codes()

    @rule(data=st.data(), sub=submissions, ctx=contexts)
    def submit_an_enabled_step(self, data: Any, sub: dict[str, Any], ctx: dict[str, Any]) -> None:
        ready = [s.node for s in enabled(self.flow, self.state, ctx) if s.enabled]
        if ready:
            self._submit(data.draw(st.sampled_from(ready)), sub, ctx)

    @rule(data=st.data(), sub=submissions, ctx=contexts)
    def submit_anywhere(self, data: Any, sub: dict[str, Any], ctx: dict[str, Any]) -> None:
        self._submit(data.draw(st.sampled_from([*self.flow.nodes, "ghost"])), sub, ctx)

    @invariant()
    def state_is_consistent_serialisable_and_replayable(self) -> None:
        check_state(self.flow, self.state)
        assert State.from_json(self.state.to_json()) == self.state
        stored = [json.loads(json.dumps(step.to_dict())) for step in self.steps]
        assert replay(self.flow, stored) == self.state


FlowMachine.TestCase.settings = settings(
    max_examples=75, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestFlowMachine = FlowMachine.TestCase

