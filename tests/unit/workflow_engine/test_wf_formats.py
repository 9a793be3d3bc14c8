"""Serialised formats: the flow meta-schema, named upgrades, and the instance state."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from wf_flows import OPERATOR, forms_for, pcba_flow

from lotline.form_engine.problems import ProblemsError
from lotline.workflow_engine import (
    FLOW_FORMAT_VERSION,
    FLOW_UPGRADES,
    STATE_UPGRADES,
    State,
    UpgradeRegistry,
    check_flow,
    flow_schema,
    load_flow,
    start,
    submit,
)
from lotline.workflow_engine.upgrades import Upgrade

# --- meta-schema --------------------------------------------------------------------------------


def test_meta_schema_is_a_valid_2020_12_schema_for_the_current_version() -> None:
    schema = flow_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["format_version"] == {"const": FLOW_FORMAT_VERSION}


@pytest.mark.parametrize(("biz_step", "ok"), [
    ("inspecting", True),
    ("https://example.com/vocab/reflow_soldering", True),  # own vocabulary, as EPCIS allows
    ("urn:epcglobal:cbv:bizstep:inspecting", False),  # CBV URIs must use the bare name
    ("painting", False),
])
def test_biz_step_uses_the_cbv_vocabulary_or_an_own_uri(biz_step: str, ok: bool) -> None:
    doc = pcba_flow()
    doc["nodes"][2]["epcis"]["bizStep"] = biz_step
    assert (check_flow(doc, forms_for(doc)) == []) is ok


def test_load_flow_raises_every_structural_problem_at_once() -> None:
    doc = pcba_flow()
    doc["nodes"][2]["type"] = "paint"
    doc["nodes"][3]["form"] = {"key": "f"}
    with pytest.raises(ProblemsError) as caught:
        load_flow(doc)
    assert [(p.code, p.path) for p in caught.value.problems] == [
        ("flow.schema_not_allowed", ("nodes", 2, "type")),
        ("flow.schema_required", ("nodes", 3, "form")),
    ]
    assert caught.value.problems[1].params == {"property": "version"}


def test_load_flow_indexes_nodes_and_transitions() -> None:
    flow = load_flow(pcba_flow())
    assert (flow.key, flow.version, flow.subject) == ("pcba", 1, "unit")
    assert [t.id for t in flow.outgoing["final_test"]] == ["t_fail", "t_pass"]
    assert [t.id for t in flow.branches("smt")] == ["t_aoi", "t_coat"]
    assert flow.skip_route("label") is not None and flow.skip_route("pack") is None
    assert flow.nodes["rework"].rules.max_repeats == 2


# --- named upgrades -----------------------------------------------------------------------------


def _registry() -> UpgradeRegistry:
    registry = UpgradeRegistry("flow", "format_version", current=3)

    @registry.register(1)
    def v1_to_v2_rename_rules(doc: dict[str, Any]) -> dict[str, Any]:
        for node in doc["nodes"]:
            node["checks"] = node.pop("rules", {})
        doc["format_version"] = 2
        return doc

    @registry.register(2, name="v2_to_v3_subject_object")
    def _anything(doc: dict[str, Any]) -> dict[str, Any]:
        doc["subject"] = {"kind": doc["subject"]}
        doc["format_version"] = 3
        return doc

    return registry


def test_upgrades_chain_named_steps_without_touching_the_input() -> None:
    original = pcba_flow()
    upgraded, applied = _registry().upgrade(original)
    assert applied == ["v1_to_v2_rename_rules", "v2_to_v3_subject_object"]
    assert upgraded["format_version"] == 3 and upgraded["subject"] == {"kind": "unit"}
    assert upgraded["nodes"][1]["checks"]["allowed_roles"] == ["operator"]
    assert original == pcba_flow()
    assert _registry().upgrade(upgraded) == (upgraded, [])


def test_a_missing_upgrade_is_a_problem_and_bad_steps_are_refused() -> None:
    with pytest.raises(ProblemsError) as caught:
        _registry().upgrade({"format_version": 0})
    (problem,) = caught.value.problems
    assert (problem.code, problem.params) == (
        "upgrade.missing", {"kind": "flow", "found": 0, "target": 3})
    registry = _registry()
    with pytest.raises(ValueError, match="already registered"):
        registry.register(1)(lambda doc: doc)
    liar = UpgradeRegistry("flow", "format_version", current=2)
    liar.register(1, "forgets_the_version")(lambda doc: doc)
    with pytest.raises(RuntimeError, match="forgets_the_version"):
        liar.upgrade({"format_version": 1})


def test_load_flow_applies_registered_flow_upgrades(monkeypatch: pytest.MonkeyPatch) -> None:
    def v0_to_v1_start_list(doc: dict[str, Any]) -> dict[str, Any]:
        doc["start"] = [doc.pop("start_node")]
        doc["format_version"] = 1
        return doc

    monkeypatch.setitem(FLOW_UPGRADES.steps, 0,
                        Upgrade(0, "v0_to_v1_start_list", v0_to_v1_start_list))
    old = pcba_flow()
    del old["format_version"]
    old["start_node"] = old.pop("start")[0]
    assert load_flow(old).start == ("receive",)


def test_state_from_dict_applies_registered_state_upgrades(monkeypatch: pytest.MonkeyPatch) -> None:
    def v0_to_v1_counts(doc: dict[str, Any]) -> dict[str, Any]:
        doc["nodes"] = {k: {"status": v, "completions": doc["counts"].get(k, 0), "skips": 0}
                        for k, v in doc.pop("node_status").items()}
        doc.pop("counts")
        doc["state_version"] = 1
        return doc

    monkeypatch.setitem(STATE_UPGRADES.steps, 0, Upgrade(0, "v0_to_v1_counts", v0_to_v1_counts))
    current = start(pcba_flow()).to_dict()
    old = {**current, "node_status": {k: v["status"] for k, v in current["nodes"].items()},
           "counts": {}}
    del old["nodes"], old["state_version"]
    assert State.from_dict(old) == start(pcba_flow())


# --- instance state -----------------------------------------------------------------------------


def test_state_round_trips_through_canonical_json() -> None:
    flow = load_flow(pcba_flow())
    state = start(flow)
    for node_id in ("receive", "smt", "aoi"):
        state = submit(flow, state, node_id, {"data": {"qty": 1}, "result": {"x": [1]}},
                       OPERATOR).state
    text = state.to_json()
    assert State.from_json(text) == state
    assert State.from_json(text).to_json() == text
    doc = json.loads(text)
    assert doc["state_version"] == 1 and doc["flow"] == {"key": "pcba", "version": 1}
    assert doc["tokens"] == [{"node": "coat", "stack": [
        {"split": "smt", "fire": 2, "transition": "t_coat"}]}]
    assert doc["joins"] == [{"node": "final_test", "split": "smt", "fire": 2,
                             "arrived": ["t_aoi"], "stack": []}]


def test_invalid_and_too_new_states_are_refused_with_paths() -> None:
    doc = start(pcba_flow()).to_dict()
    doc["status"] = "paused"
    doc["nodes"]["aoi"]["completions"] = -1
    with pytest.raises(ProblemsError) as caught:
        State.from_dict(doc)
    assert [(p.code, p.path) for p in caught.value.problems] == [
        ("state.invalid", ("nodes", "aoi", "completions")), ("state.invalid", ("status",))]
    with pytest.raises(ProblemsError) as newer:
        State.from_dict({**start(pcba_flow()).to_dict(), "state_version": 9})
    assert newer.value.problems[0].code == "state.version"


def test_a_node_may_tell_the_station_to_submit_a_complete_form_by_itself() -> None:
    doc = pcba_flow()
    doc["nodes"][0]["station"] = {"auto_submit": True}
    assert load_flow(doc).nodes[doc["nodes"][0]["id"]].id == doc["nodes"][0]["id"]

    doc["nodes"][0]["station"] = {"auto_submit": "yes", "beep": True}
    with pytest.raises(ProblemsError) as raised:
        load_flow(doc)
    paths = {tuple(p.path) for p in raised.value.problems}
    assert ("nodes", 0, "station", "auto_submit") in paths
    assert ("nodes", 0, "station", "beep") in paths  # an unknown option is named, not ignored
