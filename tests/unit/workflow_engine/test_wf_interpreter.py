"""The interpreter over hand-written flows: sequence, rework, parallel, conditions, holds, rules."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest
from wf_flows import FAILED, OPERATOR, edge, forms_for, node, pcba_flow

from lotline.workflow_engine import (
    Decision,
    ReplayError,
    State,
    Step,
    check_flow,
    enabled,
    load_flow,
    replay,
    start,
    submit,
)

QUALITY = {**OPERATOR, "actor": "q1", "roles": ["quality"]}
OK = {"data": {"qty": 1, "serial": "SN1"}, "result": {"passed": True}}
FAIL = {"data": {"defects": ["D7"]}, "result": {"passed": False}}


class Unit:
    """Drives one instance and keeps the accepted steps, checking round-trip and replay."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.flow = load_flow(document or pcba_flow())
        self.state = start(self.flow)
        self.steps: list[Step] = []

    def submit(self, node_id: str, sub: dict[str, Any] | None = None,
               ctx: dict[str, Any] | None = None) -> Decision:
        ctx = OPERATOR if ctx is None else ctx
        decision = submit(self.flow, self.state, node_id, OK if sub is None else sub, ctx)
        if decision.accepted:
            self.state = decision.state
            self.steps.append(Step.from_dict({"node": node_id, "submission": sub or OK,
                                              "context": ctx}))
            assert State.from_json(self.state.to_json()) == self.state
            assert replay(self.flow, self.steps) == self.state
        else:
            assert decision.state is self.state
        return decision

    def ok(self, *node_ids: str, sub: dict[str, Any] | None = None,
           ctx: dict[str, Any] | None = None) -> Decision:
        decision = None
        for node_id in node_ids:
            decision = self.submit(node_id, sub, ctx)
            assert decision.accepted, (node_id, [p.message() for p in decision.problems])
        assert decision is not None
        return decision

    def status(self, ctx: dict[str, Any] | None = None) -> dict[str, Any]:
        return {s.node: s for s in enabled(self.flow, self.state, OPERATOR if ctx is None else ctx)}

    def enabled_ids(self, ctx: dict[str, Any] | None = None) -> set[str]:
        return {k for k, v in self.status(ctx).items() if v.enabled}


def codes(decision: Decision) -> list[str]:
    return [p.code for p in decision.problems]


# --- sequence -------------------------------------------------------------------------------------


def test_start_enables_only_the_start_node_and_anytime_hold() -> None:
    unit = Unit()
    assert unit.state.status == "ready"
    assert unit.enabled_ids() == {"receive", "hold"}


def test_pack_before_final_test_is_rejected_naming_the_expected_step() -> None:
    unit = Unit()
    unit.ok("receive", "smt", "aoi", "coat")
    decision = unit.submit("pack")
    assert not decision.accepted
    (problem,) = decision.problems
    assert problem.code == "step.out_of_sequence"
    assert problem.path == ("node",)
    assert problem.params["expected_nodes"] == ["final_test"]
    assert "final_test" in problem.message("en")
    assert problem.message("zh-CN").startswith("工序顺序错误：应先完成 final_test")


def test_done_step_cannot_be_repeated_out_of_a_loop() -> None:
    unit = Unit()
    unit.ok("receive")
    assert codes(unit.submit("receive")) == ["step.out_of_sequence"]


def test_unknown_node_is_rejected() -> None:
    decision = Unit().submit("nope")
    assert codes(decision) == ["step.unknown_node"]


def test_a_full_pass_emits_actions_and_completes_the_instance() -> None:
    unit = Unit()
    receive = unit.ok("receive")
    assert receive.actions[0] == {
        "type": "create_item", "node": "receive", "transition": None, "seq": 1,
        "params": {"kind": "unit", "identifier_field": "serial"}, "values": {"identifier": "SN1"},
    }
    assert receive.event == {"eventType": "ObjectEvent", "action": "ADD",
                             "bizStep": "receiving", "disposition": "active"}
    smt = unit.ok("smt")
    (consume,) = smt.actions
    assert consume["type"] == "consume" and consume["values"] == {"quantity": 1}
    assert consume["materials"] == OPERATOR["materials"]
    unit.ok("aoi", "coat", "final_test", "pack", "label")
    done = unit.ok("ship")
    assert done.completed and unit.state.status == "completed"
    assert [a["params"] for a in done.actions] == [{"status": "shipped"}]
    assert unit.state.tokens == ()
    assert unit.enabled_ids() == set()
    assert codes(unit.submit("hold")) == ["step.instance_completed"]
    json.dumps(done.to_dict("zh-CN"))  # the whole decision is plain JSON


# --- parallel split / join ------------------------------------------------------------------------


def test_split_enables_both_branches_and_join_waits_for_the_other() -> None:
    unit = Unit()
    split = unit.ok("receive", "smt")
    assert {t.id for t in split.transitions} == {"t_aoi", "t_coat"}
    assert unit.enabled_ids() >= {"aoi", "coat"}
    unit.ok("coat")
    status = unit.status()
    assert status["final_test"].status == "waiting_join"
    (reason,) = status["final_test"].reasons
    assert reason.code == "step.join_waiting" and reason.params["missing_nodes"] == ["aoi"]
    assert codes(unit.submit("final_test")) == ["step.join_waiting"]
    unit.ok("aoi")
    assert unit.status()["final_test"].status == "enabled"
    assert unit.state.joins == () and unit.state.tokens[0].stack == ()


# --- conditions and rework loop -------------------------------------------------------------------


def test_failed_inspection_routes_to_rework_and_back() -> None:
    unit = Unit()
    unit.ok("receive", "smt", "aoi", "coat")
    failed = unit.ok("final_test", sub=FAIL)
    assert [t.to_dict() for t in failed.transitions] == [
        {"id": "t_fail", "from": "final_test", "to": "rework", "rerouted_from": None, "skip": False}
    ]
    assert [a["type"] for a in failed.actions] == ["open_nonconformance", "notify"]
    assert failed.actions[0]["values"] == {"defects": ["D7"]}
    assert unit.enabled_ids() == {"rework", "hold"}
    unit.ok("rework")
    passed = unit.ok("final_test")
    assert [t.id for t in passed.transitions] == ["t_pass"]
    assert [a["type"] for a in passed.actions] == []  # the nonconformance action has a when
    assert unit.state.nodes["final_test"].completions == 2


def test_rework_limit_routes_to_scrap_then_scrap_ends() -> None:
    unit = Unit()
    unit.ok("receive", "smt", "aoi", "coat")
    for _ in range(2):
        unit.ok("final_test", sub=FAIL)
        unit.ok("rework")
    third = unit.ok("final_test", sub=FAIL)
    (taken,) = third.transitions
    assert (taken.target, taken.rerouted_from) == ("scrap", "rework")
    assert unit.enabled_ids() == {"scrap", "hold"}
    assert codes(unit.submit("rework")) == ["step.out_of_sequence", "step.repeats_exhausted"]
    assert unit.ok("scrap").completed


def test_rework_limit_without_exhausted_route_rejects() -> None:
    doc = pcba_flow()
    del doc["nodes"][5]["rules"]["on_exhausted"]
    unit = Unit(doc)
    unit.ok("receive", "smt", "aoi", "coat")
    for _ in range(2):
        unit.ok("final_test", sub=FAIL)
        unit.ok("rework")
    decision = unit.submit("final_test", FAIL)
    assert codes(decision) == ["step.repeats_exhausted"]
    assert decision.problems[0].params == {"node": "rework", "max": 2}


def test_conditions_read_submitted_data_item_facts_and_counts() -> None:
    doc = _line("a", "b", "c")
    doc["nodes"].append(node("x"))
    doc["end"].append("x")
    doc["transitions"] = [
        edge("big", "a", "x", condition={">": [{"var": "data.qty"}, 10]}),
        edge("red", "a", "x", condition={"==": [{"var": "item.material"}, "RED"]}),
        edge("next", "a", "b", default=True),
        edge("bc", "b", "c"),
    ]
    flow = load_flow(doc)
    state = start(flow)
    assert _first_target(flow, state, {"data": {"qty": 11}}, OPERATOR) == "x"
    assert _first_target(flow, state, {"data": {"qty": 3}}, OPERATOR) == "b"
    red = {**OPERATOR, "item": {"status": "released", "material": "RED"}}
    assert _first_target(flow, state, {"data": {"qty": 3}}, red) == "x"


def test_transitions_with_no_match_and_no_default_reject_the_submission() -> None:
    doc = _line("a", "b")
    doc["transitions"][0]["condition"] = {"==": [{"var": "data.qty"}, 1]}
    flow = load_flow(doc)
    decision = submit(flow, start(flow), "a", {"data": {"qty": 2}}, OPERATOR)
    assert codes(decision) == ["step.no_transition"]


# --- holds ----------------------------------------------------------------------------------------


def test_subject_on_hold_enables_only_hold_and_release_with_reason() -> None:
    unit = Unit()
    unit.ok("receive", "smt", "aoi", "coat")
    held = {**QUALITY, "item": {"status": "hold"}}
    status = unit.status(held)
    assert {k for k, v in status.items() if v.enabled} == {"hold", "release"}
    (reason,) = status["final_test"].reasons
    assert reason.code == "step.subject_on_hold" and reason.path == ("item", "status")
    assert reason.message("en") == "The item is on hold; only hold and release steps are possible"
    assert codes(unit.submit("final_test", OK, held)) == ["step.subject_on_hold"]


def test_hold_anytime_emits_hold_action_and_does_not_move_tokens() -> None:
    unit = Unit()
    unit.ok("receive")
    before = unit.state.tokens
    decision = unit.ok("hold", sub={"data": {"reason": "suspect solder"}})
    assert decision.actions[0]["type"] == "hold"
    assert decision.actions[0]["values"] == {"reason": "suspect solder"}
    assert unit.state.tokens == before and decision.transitions == ()


def test_release_needs_hold_role_and_two_distinct_signatures() -> None:
    unit = Unit()
    held = {**QUALITY, "item": {"status": "quarantine"}}
    assert codes(unit.submit("release", {"signatures": []}, held)) == [
        "step.signature_missing", "step.signature_missing"]
    same = {"signatures": [{"signer": "q1", "meaning": "approved"},
                           {"signer": "q1", "meaning": "reviewed"}]}
    assert codes(unit.submit("release", same, held)) == ["step.signers_not_distinct"]
    assert codes(unit.submit("release", same, {**OPERATOR, "item": {"status": "released"}})) == [
        "step.role_not_allowed", "step.subject_not_on_hold", "step.signers_not_distinct"]
    two = {"signatures": [{"signer": "q1", "meaning": "approved"},
                          {"signer": "q2", "meaning": "reviewed"}]}
    assert unit.ok("release", sub=two, ctx=held).actions[0]["type"] == "release"


# --- error-proofing rules -------------------------------------------------------------------------


def test_roles_and_stations() -> None:
    unit = Unit()
    unit.ok("receive")
    wrong = {**OPERATOR, "roles": ["quality"], "station": "PACK-1"}
    decision = unit.submit("smt", OK, wrong)
    assert codes(decision) == ["step.role_not_allowed", "step.station_not_allowed"]
    assert [p.path for p in decision.problems] == [("roles",), ("station",)]
    assert decision.problems[1].message("zh-CN") == (
        "工位 PACK-1 不能执行此工序；允许的工位：SMT-1, SMT-2")
    reasons = unit.status(wrong)["smt"].reasons
    assert [p.code for p in reasons] == ["step.role_not_allowed", "step.station_not_allowed"]


def test_allowed_materials_from_the_bom_and_material_status() -> None:
    unit = Unit()
    unit.ok("receive")
    ctx = {**OPERATOR, "materials": [
        {"material": "RES-10K", "lot": "L1", "status": "released"},
        {"material": "GLUE", "lot": "L2", "status": "released"},
        {"material": "CAP-1U", "lot": "L3", "status": "quarantine"},
        {"material": "CAP-1U", "lot": "L4", "status": "consumed"},
        {"material": "CAP-1U", "lot": "L5", "expiry": "2025-05-31"},
    ]}
    decision = unit.submit("smt", OK, ctx)
    assert [(p.code, p.path) for p in decision.problems] == [
        ("step.material_not_allowed", ("materials", 1, "material")),
        ("step.material_on_hold", ("materials", 2, "status")),
        ("step.material_unavailable", ("materials", 3, "status")),
        ("step.material_expired", ("materials", 4, "expiry")),
    ]
    assert codes(unit.submit("smt", OK, {**OPERATOR, "bom": None})) == ["step.bom_missing"]


def test_material_list_and_complete_bom() -> None:
    doc = _line("a", "b")
    doc["nodes"][0]["rules"] = {"allowed_materials": ["M1", "M2"]}
    doc["nodes"][1]["rules"] = {"allowed_materials": "bom", "require_complete_bom": True}
    flow = load_flow(doc)
    ctx = {**OPERATOR, "bom": ["M1", "M2"], "materials": [{"material": "M3"}]}
    first = submit(flow, start(flow), "a", {}, ctx)
    assert codes(first) == ["step.material_not_allowed"]
    assert first.problems[0].params == {"material": "M3", "allowed": "M1, M2"}
    state = submit(flow, start(flow), "a", {}, {**ctx, "materials": [{"material": "M1"}]}).state
    partial = submit(flow, state, "b", {}, {**ctx, "materials": [{"material": "M1"}]})
    assert [(p.code, p.params) for p in partial.problems] == [
        ("step.material_missing", {"material": "M2"})]


def test_item_status_and_expiry() -> None:
    unit = Unit()
    unit.ok("receive", "smt", "aoi", "coat", "final_test")
    consumed = {**OPERATOR, "item": {"status": "consumed"}}
    assert codes(unit.submit("pack", OK, consumed)) == ["step.item_status_not_allowed"]
    expired = {**OPERATOR, "item": {"status": "released", "expiry": "2025-05-31"}}
    decision = unit.submit("pack", OK, expired)
    assert codes(decision) == ["step.item_expired"]
    assert decision.problems[0].path == ("item", "expiry")
    no_clock = {**OPERATOR, "now": None, "item": {"status": "released", "expiry": "2025-06-01"}}
    assert codes(unit.submit("pack", OK, no_clock)) == ["step.context_missing"]
    same_day = {**OPERATOR, "item": {"status": "released", "expiry": "2025-06-01"}}
    assert unit.submit("pack", OK, same_day).accepted


def test_skippable_step_can_be_passed_over() -> None:
    unit = Unit()
    unit.ok("receive", "smt", "aoi", "coat", "final_test", "pack")
    status = unit.status()
    assert status["ship"].enabled and status["ship"].skips == ("label",)
    decision = unit.ok("ship")
    assert decision.skipped == ("label",)
    assert [(t.id, t.skip) for t in decision.transitions] == [("t_label", True)]
    assert unit.state.nodes["label"].status == "skipped"
    assert unit.state.nodes["label"].skips == 1
    assert unit.state.status == "completed"


def test_chained_skips_and_non_skippable_steps() -> None:
    doc = _line("a", "b", "c", "d")
    for i in (1, 2):
        doc["nodes"][i]["rules"] = {"skippable": True}
    unit = Unit(doc)
    unit.ok("a")
    assert unit.status()["d"].skips == ("b", "c")
    assert unit.ok("d").skipped == ("b", "c")
    strict = Unit(_line("a", "b", "c"))
    strict.ok("a")
    assert codes(strict.submit("c")) == ["step.out_of_sequence"]


def test_max_repeats_on_an_anytime_node() -> None:
    doc = _line("a", "b")
    doc["nodes"].append(node("sample", "inspect", anytime=True, rules={"max_repeats": 2}))
    unit = Unit(doc)
    unit.ok("sample", "sample")
    decision = unit.submit("sample")
    assert codes(decision) == ["step.repeats_exhausted"]
    assert decision.problems[0].message("zh-CN") == "工序“sample”已执行 2 次，达到最大次数"
    assert unit.state.status == "ready"  # anytime steps do not start the sequence


def test_alternative_start_nodes() -> None:
    doc = _line("buy", "use")
    doc["nodes"].append(node("make"))
    doc["start"] = ["buy", "make"]
    doc["transitions"].append(edge("mu", "make", "use"))
    unit = Unit(doc)
    assert unit.enabled_ids() == {"buy", "make"}
    unit.ok("make")
    assert unit.state.nodes["buy"].status == "pending"
    assert codes(unit.submit("buy")) == ["step.out_of_sequence"]


def test_end_node_cancels_other_tokens() -> None:
    doc = pcba_flow()
    doc["transitions"].append(edge("t_scrap", "aoi", "scrap",
                                   condition={"==": [{"var": "result.passed"}, False]}))
    doc["transitions"].insert(3, doc["transitions"].pop())  # before t_aoi_done
    unit = Unit(doc)
    unit.ok("receive", "smt")
    unit.ok("aoi", sub=FAIL)
    assert unit.ok("scrap").completed
    assert unit.state.nodes["coat"].status == "cancelled"


def test_flow_mismatch_and_replay_errors() -> None:
    unit = Unit()
    other = pcba_flow()
    other["version"] = 2
    decision = submit(load_flow(other), unit.state, "receive", OK, OPERATOR)
    assert codes(decision) == ["step.flow_mismatch"]
    with pytest.raises(ReplayError) as caught:
        replay(unit.flow, [{"node": "receive"}, {"node": "pack"}])
    assert caught.value.index == 1
    assert caught.value.problems[0].path == ("steps", 1, "node")


def test_replay_ignores_rules_unless_asked() -> None:
    steps = [{"node": "receive", "context": {}}, {"node": "smt", "context": {"roles": ["x"]}}]
    assert replay(pcba_flow(), steps).nodes["smt"].completions == 1
    with pytest.raises(ReplayError) as caught:
        replay(pcba_flow(), steps, enforce_rules=True)
    assert "step.role_not_allowed" in [p.code for p in caught.value.problems]


def test_submit_does_not_mutate_its_inputs() -> None:
    unit = Unit()
    sub = copy.deepcopy(OK)
    ctx = copy.deepcopy(OPERATOR)
    before = unit.state.to_json()
    submit(unit.flow, unit.state, "receive", sub, ctx)
    assert unit.state.to_json() == before and sub == OK and ctx == OPERATOR


# --- helpers --------------------------------------------------------------------------------------


def _line(*ids: str) -> dict[str, Any]:
    return {
        "format_version": 1, "subject": "lot", "start": [ids[0]], "end": [ids[-1]],
        "nodes": [node(i) for i in ids],
        "transitions": [edge(f"{a}-{b}", a, b) for a, b in itertools.pairwise(ids)],
    }


def _first_target(flow: Any, state: State, sub: dict[str, Any], ctx: dict[str, Any]) -> str:
    decision = submit(flow, state, "a", sub, ctx)
    assert decision.accepted, decision.problems
    return decision.transitions[0].target



def test_serialised_state_and_plain_role_string_are_accepted() -> None:
    unit = Unit()
    unit.ok("receive")
    stored = json.loads(unit.state.to_json())
    ctx = {**OPERATOR, "roles": "operator"}
    assert {s.node for s in enabled(unit.flow, stored, ctx) if s.enabled} == {"smt", "hold"}
    assert submit(unit.flow, stored, "smt", OK, ctx).accepted


def test_nested_parallel_with_rework_back_into_the_inner_join() -> None:
    """a -> s1 => (b | s2 => (c | d) -> j2 <-fail-> r) -> j1 -> ship.

    j2 joins s2 (not s1, although s1's branches reach it too), and a unit coming back from
    rework passes j2 instead of waiting for s1's other branch."""
    doc = _line("a", "s1")
    doc["nodes"] += [node(i) for i in ("b", "s2", "c", "d", "j2", "r", "j1", "ship", "scrap")]
    for join_id in ("j1", "j2"):
        doc["nodes"][[n["id"] for n in doc["nodes"]].index(join_id)]["join"] = True
    doc["nodes"][-4]["rules"] = {"max_repeats": 1, "on_exhausted": "scrap"}  # r
    doc["end"] = ["ship", "scrap"]
    doc["transitions"] += [
        edge("s1b", "s1", "b", parallel=True), edge("s1s2", "s1", "s2", parallel=True),
        edge("s2c", "s2", "c", parallel=True), edge("s2d", "s2", "d", parallel=True),
        edge("cj", "c", "j2"), edge("dj", "d", "j2"),
        edge("fail", "j2", "r", condition=FAILED), edge("on", "j2", "j1", default=True),
        edge("back", "r", "j2"), edge("bj", "b", "j1"), edge("out", "j1", "ship"),
    ]
    assert check_flow(doc, forms_for(doc)) == []
    unit = Unit(doc)
    assert unit.flow.join_splits == {"j2": "s2", "j1": "s1"}
    unit.ok("a", "s1", "s2", "c", "d")
    assert unit.state.nodes["j2"].status == "enabled"
    unit.ok("j2", sub=FAIL)
    unit.ok("r")
    assert unit.state.nodes["j2"].status == "enabled"  # passed through, not waiting for b
    unit.ok("j2")
    assert unit.status()["j1"].reasons[0].params["missing_nodes"] == ["b"]
    unit.ok("b", "j1", "ship")
    assert unit.state.status == "completed"
