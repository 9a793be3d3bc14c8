"""Static checks: one failing example per check, asserting the code and the reported path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from wf_flows import FIELDS, edge, forms_for, node, pcba_flow

from lotline.form_engine.problems import Problem, register_messages
from lotline.workflow_engine import (
    FormInfo,
    FormRef,
    check_flow,
    register_check,
    registered_checks,
    unregister_check,
)

Doc = dict[str, Any]
Found = list[tuple[str, tuple[Any, ...]]]


def found(doc: Doc, forms: Any = None) -> Found:
    problems = check_flow(doc, forms_for(doc) if forms is None else forms)
    for problem in problems:  # every reported problem renders in both locales
        assert problem.message("en") != problem.code and problem.message("zh-CN")
    return [(p.code, p.path) for p in problems]


def test_the_reference_flow_has_no_problems() -> None:
    assert found(pcba_flow()) == []


def test_forms_may_be_keyed_by_form_ref() -> None:
    doc = pcba_flow()
    forms = {FormRef(k, v): info for (k, v), info in forms_for(doc).items()}
    assert check_flow(doc, forms) == []


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


def _add_edge(*args: Any, **kw: Any) -> Callable[[Doc], None]:
    return lambda doc: doc["transitions"].append(edge(*args, **kw))


def _add_node(node_id: str, *edges: tuple[str, str]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        doc["nodes"].append(node(node_id))
        for i, (a, b) in enumerate(edges):
            doc["transitions"].append(edge(f"x{i}", a, b))
    return mutate


def _both(*mutations: Callable[[Doc], None]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        for m in mutations:
            m(doc)
    return mutate


N = "nodes"
T = "transitions"
CASES: list[tuple[str, Callable[[Doc], None], Found]] = [
    ("format version", _set(("format_version",), 2),
     [("flow.format_version", ("format_version",))]),
    ("required property", _delete((N, 2, "epcis")), [("flow.schema_required", (N, 2))]),
    ("unknown property", _set((N, 2, "colour"), "red"),
     [("flow.schema_unknown_property", (N, 2, "colour"))]),
    ("unknown node type", _set((N, 2, "type"), "paint"), [("flow.schema_not_allowed", (N, 2, "type"))]),
    ("wrong type", _set((N, 5, "rules", "max_repeats"), "two"),
     [("flow.schema_type", (N, 5, "rules", "max_repeats"))]),
    ("CBV uri as other vocabulary", _set((N, 2, "epcis", "bizStep"), "urn:epcglobal:cbv:bizstep:x"),
     [("flow.schema_invalid", (N, 2, "epcis", "bizStep"))]),
    ("transformation event with an action", _set((N, 1, "epcis", "action"), "ADD"),
     [("flow.schema_invalid", (N, 1, "epcis"))]),
    ("object event without action", _delete((N, 2, "epcis", "action")),
     [("flow.schema_required", (N, 2, "epcis"))]),
    ("unknown action parameter", _set((N, 8, "actions", 0, "colour"), "red"),
     [("flow.schema_unknown_property", (N, 8, "actions", 0, "colour"))]),
    ("status scope on a consume action", _set((N, 1, "actions", 0, "scope"), "created"),
     [("flow.schema_unknown_property", (N, 1, "actions", 0, "scope"))]),
    ("duplicate transition id", _set((T, 9, "id"), "t_pack"), [("flow.duplicate_id", (T, 9, "id"))]),
    ("unknown target", _set((T, 9, "to"), "shipping"), [("flow.unknown_node", (T, 9, "to"))]),
    ("unknown start", _set(("start",), ["recieve"]), [("flow.unknown_node", ("start", 0))]),
    ("unknown exhausted route", _set((N, 5, "rules", "on_exhausted"), "bin"),
     [("flow.unknown_node", (N, 5, "rules", "on_exhausted"))]),
    ("unreachable node", _add_node("orphan", ("orphan", "ship")), [("flow.unreachable", (N, 12))]),
    ("dead end", _add_node("dead", ("pack", "dead")), [("flow.no_path_to_end", (N, 12))]),
    ("no way out", _both(_delete((T, 6, "default")),
                         _set((T, 6, "condition"), {"==": [{"var": "result.passed"}, True]})),
     [("flow.no_way_out", (N, 4))]),
    ("two defaults", _add_edge("t_pass2", "final_test", "pack", default=True),
     [("flow.multiple_defaults", (T, 10, "default"))]),
    ("end with exits", _add_edge("t_more", "ship", "scrap"),
     [("flow.end_has_transitions", (T, 10, "from"))]),
    ("anytime node in the graph", _add_edge("t_h", "pack", "hold"),
     [("flow.anytime_in_graph", (N, 10, "anytime"))]),
    ("conditional parallel", _set((T, 1, "condition"), {"var": "result.passed"}),
     [("flow.parallel_with_condition", (T, 1, "parallel"))]),
    ("mixed split", _add_edge("t_x", "smt", "pack"), [("flow.mixed_split", (N, 1))]),
    ("one-branch split", _set((T, 2, "parallel"), False),
     [("flow.mixed_split", (N, 1)), ("flow.single_branch_split", (N, 1))]),
    ("join without split", _set((N, 0, "join"), True), [("flow.join_without_split", (N, 0, "join"))]),
    ("split without join", _set((N, 4, "join"), False), [("flow.split_without_join", (N, 1))]),
    ("loop without exit", _both(_set((T, 6, "to"), "rework"), _delete((N, 5, "rules", "on_exhausted"))),
     [("flow.unreachable", (N, 6)), ("flow.unreachable", (N, 7)), ("flow.unreachable", (N, 8)),
      ("flow.unreachable", (N, 9)), ("flow.loop_without_exit", (N, 4))]),
    ("loop without maximum", _both(_delete((N, 5, "rules")), _add_edge("t_s", "rework", "scrap")),
     [("flow.loop_unbounded", (N, 4))]),
    ("exhausted route without limit", _set((N, 5, "rules"), {"on_exhausted": "scrap"}),
     [("flow.on_exhausted_without_limit", (N, 5, "rules", "on_exhausted")),
      ("flow.loop_unbounded", (N, 4))]),
    ("exhausted route to itself", _set((N, 5, "rules", "on_exhausted"), "rework"),
     [("flow.on_exhausted_invalid", (N, 5, "rules", "on_exhausted")), ("flow.unreachable", (N, 9))]),
    ("skippable split", _set((N, 1, "rules", "skippable"), True),
     [("flow.skippable_without_route", (N, 1, "rules", "skippable"))]),
    ("malformed condition", _set((T, 5, "condition"), {"and": [{"frob": 1}]}),
     [("flow.condition_invalid", (T, 5, "condition", "and", 0))]),
    ("condition on an unknown form field", _set((T, 5, "condition"), {"var": "data.colour"}),
     [("flow.condition_unknown_var", (T, 5, "condition"))]),
    ("condition without a namespace", _set((T, 5, "condition"), {"var": "voltage"}),
     [("flow.condition_unknown_var", (T, 5, "condition"))]),
    ("condition on an unknown item fact", _set((T, 5, "condition"), {"var": "item.colour"}),
     [("flow.condition_unknown_var", (T, 5, "condition"))]),
    ("condition counting an unknown node", _set((T, 5, "condition"), {"<": [{"var": "counts.x"}, 2]}),
     [("flow.condition_unknown_var", (T, 5, "condition"))]),
    ("action condition on an unknown result", _set((N, 4, "actions", 0, "when"), {"var": "result.x"}),
     [("flow.condition_unknown_var", (N, 4, "actions", 0, "when"))]),
    ("action field missing from the form", _set((N, 1, "actions", 0, "quantity_field"), "amount"),
     [("flow.action_unknown_field", (N, 1, "actions", 0, "quantity_field"))]),
]


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_check_reports_its_path(mutate: Callable[[Doc], None], expected: Found) -> None:
    doc = pcba_flow()
    mutate(doc)
    assert found(doc) == expected


def test_known_names_are_accepted_in_conditions() -> None:
    doc = pcba_flow()
    doc["transitions"][5]["condition"] = {"and": [
        {"var": "data.lines.0.qty"}, {"var": "item.attributes.colour"}, {"var": "item.status"},
        {"var": "result.defects"}, {"var": "results.aoi.passed"}, {"<": [{"var": "counts.rework"}, 2]},
        {"missing": ["data.serial"]}, {"some": [{"var": "data.defects"}, {"==": [{"var": ""}, "D1"]}]},
    ]}
    assert found(doc) == []


def test_missing_and_unpublished_forms() -> None:
    doc = pcba_flow()
    forms = forms_for(doc)
    del forms[("f-aoi", 1)]
    forms[("f-coat", 1)] = FormInfo(FIELDS, published=False)
    problems = check_flow(doc, forms)
    assert [(p.code, p.path) for p in problems] == [
        ("flow.form_missing", (N, 2, "form")), ("flow.form_unpublished", (N, 3, "form"))]
    assert problems[0].params == {"node": "aoi", "form": "f-aoi", "version": 1}


def test_a_missing_form_does_not_also_flag_its_fields() -> None:
    doc = pcba_flow()
    doc["transitions"][5]["condition"] = {"var": "data.anything"}
    forms = forms_for(doc)
    del forms[("f-final_test", 1)]
    assert found(doc, forms) == [("flow.form_missing", (N, 4, "form"))]


def test_schema_problems_stop_the_graph_checks() -> None:
    doc = pcba_flow()
    doc["nodes"][2]["type"] = "paint"
    doc["transitions"][9]["to"] = "nowhere"  # would be reported by the structural pass
    assert [code for code, _ in found(doc)] == ["flow.schema_not_allowed"]


def test_a_registered_check_runs_and_can_be_removed() -> None:
    register_messages({"test.kde_missing": {"en": "KDE {kde} is captured by no field",
                                            "zh-CN": "没有字段采集关键数据元素 {kde}"}})
    seen: list[str] = []

    @register_check(name="fsma204-demo")
    def fsma(flow: Any, forms: Any) -> list[Problem]:
        seen.append(flow.key)
        receive = flow.nodes["receive"]
        if "tlc" not in forms[tuple(receive.form)].fields:
            return [Problem((*receive.path, "form"), "test.kde_missing", {"kde": "tlc"})]
        return []

    try:
        assert "fsma204-demo" in registered_checks()
        problems = check_flow(pcba_flow(), forms_for(pcba_flow()))
        assert [(p.code, p.path) for p in problems] == [("test.kde_missing", (N, 0, "form"))]
        assert problems[0].message("zh-CN") == "没有字段采集关键数据元素 tlc"
        assert seen == ["pcba"]
    finally:
        unregister_check("fsma204-demo")
    assert check_flow(pcba_flow(), forms_for(pcba_flow())) == []


def test_a_crashing_check_is_reported_not_raised() -> None:
    def broken(flow: Any, forms: Any) -> list[Problem]:
        raise KeyError("kde")

    problems = check_flow(pcba_flow(), forms_for(pcba_flow()), extra_checks=[broken])
    assert [(p.code, p.path) for p in problems] == [("flow.check_failed", ())]
    assert "KeyError" in problems[0].params["error"]
