"""Definition checks: the meta-schema, the format version and one example per semantic check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fe_forms import GS1_VECTOR, NOW, field, form, options, receipt_form, text
from jsonschema import Draft202012Validator

from lotline.form_engine import (
    FIELD_TYPES,
    ProblemsError,
    check_definition,
    compile_form,
    meta_schema,
)
from lotline.form_engine.fields import COMMON_OPTIONS


def codes_at(doc: Any) -> list[tuple[tuple[Any, ...], str]]:
    return [(p.path, p.code) for p in check_definition(doc)]


def test_the_sample_forms_are_valid() -> None:
    assert check_definition(receipt_form()) == []


def test_the_documented_example_is_valid_and_validates_a_scan() -> None:
    example = json.loads((Path(__file__).parent / "example_goods_receipt.json").read_text("utf-8"))
    assert check_definition(example) == []
    result = compile_form(example).validate(
        {"lot": GS1_VECTOR, "qty": "0", "diameter": "10,04", "decision": "accept"}, now=NOW)
    assert [(p.path, p.code) for p in result.problems] == [(("qty",), "rule_failed")]
    assert result.problems[0].message("zh-CN") == "收货数量必须大于 0。"
    assert result.data["diameter"]["result"] == "warn"


def test_the_meta_schema_is_a_valid_2020_12_schema() -> None:
    Draft202012Validator.check_schema(meta_schema())
    assert meta_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_meta_schema_and_field_registry_agree() -> None:
    defs = meta_schema()["$defs"]
    assert set(defs["common"]["properties"]["type"]["enum"]) == set(FIELD_TYPES)
    assert set(defs["common"]["properties"]) == COMMON_OPTIONS
    for name, cls in FIELD_TYPES.items():
        assert set(defs[f"{name}_field"]["properties"]) == cls.options, name


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ([], [((), "definition_not_an_object")]),
        ({**form(field("a", "text")), "format_version": 2},
         [(("format_version",), "format_version_unsupported")]),
        ({key: value for key, value in form(field("a", "text")).items() if key != "format_version"},
         [(("format_version",), "format_version_outdated")]),
        ({**form(field("a", "text")), "format_version": "1"},
         [(("format_version",), "format_version_unsupported")]),
    ],
)
def test_format_version(doc: Any, expected: list[Any]) -> None:
    assert codes_at(doc) == expected


META_CASES: list[tuple[dict[str, Any], tuple[Any, ...], str]] = [
    ({"fields": [{"key": "a", "type": "text"}]}, ("fields", 0, "label"), "def_missing_property"),
    ({"fields": [field("a", "select")]}, ("fields", 0, "options"), "def_missing_property"),
    ({"fields": [field("a", "text", label={"en": "A"})]}, ("fields", 0, "label", "zh-CN"),
     "def_missing_property"),
    ({"fields": [field("a", "text", colour="red")]}, ("fields", 0, "colour"), "def_unknown_property"),
    ({"fields": [field("a", "scan", kind="item", decimals=2)]}, ("fields", 0, "decimals"),
     "def_unknown_property"),
    ({"owner": "me"}, ("owner",), "def_unknown_property"),
    ({"fields": [field("a", "text", required="yes")]}, ("fields", 0, "required"), "def_wrong_type"),
    ({"fields": [field("a", "colour")]}, ("fields", 0, "type"), "def_not_allowed_value"),
    ({"fields": [field("a", "scan", kind="pallet")]}, ("fields", 0, "kind"), "def_not_allowed_value"),
    ({"fields": [field("Bad Key", "text")]}, ("fields", 0, "key"), "def_pattern"),
    ({"fields": [field("a", "number", decimals=11)]}, ("fields", 0, "decimals"), "def_out_of_range"),
    ({"fields": []}, ("fields",), "def_out_of_range"),
    ({"fields": [field("a", "scan", kind="item", formats=["gs1", "gs1"])]}, ("fields", 0, "formats"),
     "def_invalid"),
    ({"fields": [field("g", "group", fields=[{"key": "x", "type": "text"}])]},
     ("fields", 0, "fields", 0, "label"), "def_missing_property"),
]


@pytest.mark.parametrize(("change", "path", "code"), META_CASES)
def test_meta_schema_problems_carry_their_path(
    change: dict[str, Any], path: tuple[Any, ...], code: str
) -> None:
    doc = {**form(field("ok", "text")), **change}
    assert (path, code) in codes_at(doc)


def test_a_problem_message_from_the_meta_schema_in_chinese() -> None:
    problem = check_definition({**form(field("a", "text", colour="red"))})[0]
    assert problem.message("zh-CN") == "未知属性“colour”。"
    assert problem.to_dict()["field"] == "fields[0].colour"


SEMANTIC_CASES: list[tuple[list[dict[str, Any]], dict[str, Any], tuple[Any, ...], str]] = [
    ([field("a", "text"), field("a", "number")], {}, ("fields", 1, "key"), "duplicate_key"),
    ([field("item", "text")], {}, ("fields", 0, "key"), "reserved_key"),
    ([field("a", "text", section="nowhere")], {}, ("fields", 0, "section"), "unknown_section"),
    ([field("a", "text")], {"sections": [{"key": "s", "title": text("S")}] * 2},
     ("sections", 1, "key"), "duplicate_section"),
    ([field("g", "group", fields=[field("h", "group", fields=[field("x", "text")])])], {},
     ("fields", 0, "fields", 0, "type"), "nested_group"),
    ([field("a", "number", widget="textarea")], {}, ("fields", 0, "widget"), "widget_not_allowed"),
    ([field("a", "select", options=options("x", "y"), default="z")], {}, ("fields", 0, "default"),
     "default_invalid"),
    ([field("a", "number", min=5, default=1)], {}, ("fields", 0, "default"), "default_invalid"),
    ([field("a", "computed", expression=1, required=True)], {}, ("fields", 0, "required"),
     "option_not_applicable"),
    ([field("g", "group", fields=[field("x", "text", section="s")])],
     {"sections": [{"key": "s", "title": text("S")}]}, ("fields", 0, "fields", 0, "section"),
     "option_not_applicable"),
    ([field("a", "text"), field("b", "text", visible_when={"==": [{"var": "nope"}, 1]})], {},
     ("fields", 1, "visible_when"), "rule_unknown_field"),
    ([field("g", "group", fields=[field("x", "text"),
                                  field("y", "text", required_when={"var": "item.nope"})])], {},
     ("fields", 0, "fields", 1, "required_when"), "rule_unknown_field"),
    ([field("a", "text"), field("b", "text", visible_when={"and": [{"frobnicate": [1]}]})], {},
     ("fields", 1, "visible_when", "and", 0), "rule_unknown_operator"),
    ([field("a", "text"), field("b", "text", visible_when={"var": {"x": 1}})], {},
     ("fields", 1, "visible_when", "var"), "rule_bad_var"),
    ([field("a", "text"), field("b", "text", visible_when={"==": [1, 1], "!=": [1, 2]})], {},
     ("fields", 1, "visible_when"), "rule_operator_count"),
    ([field("a", "text", visible_when={"var": "b"}), field("b", "text", visible_when={"var": "a"})],
     {}, ("fields",), "rule_cycle"),
    ([field("a", "computed", expression={"+": [{"var": "a"}, 1]})], {}, ("fields",), "rule_cycle"),
    ([field("a", "text")],
     {"rules": [{"key": "r", "assert": True, "message": text("m")},
                {"key": "r", "assert": True, "message": text("m")}]},
     ("rules", 1, "key"), "duplicate_rule_key"),
    ([field("a", "text")], {"rules": [{"key": "r", "assert": {"var": "zz"}, "message": text("m")}]},
     ("rules", 0, "assert"), "rule_unknown_field"),
    ([field("a", "text")], {"rules": [{"key": "r", "assert": True, "field": "zz", "message": text("m")}]},
     ("rules", 0, "field"), "unknown_field_ref"),
    ([field("g", "group", unique_by=["lot"], fields=[field("x", "text")])], {},
     ("fields", 0, "unique_by", 0), "unknown_field_ref"),
    ([field("s", "scan", kind="item", trace={"role": "input", "quantity": "qty"})], {},
     ("fields", 0, "trace", "quantity"), "unknown_field_ref"),
    ([field("s", "scan", kind="item", trace={"role": "input", "quantity": "note"}),
      field("note", "text")], {}, ("fields", 0, "trace", "quantity"), "binding_bad_quantity"),
    ([field("s", "scan", kind="operator", trace={"role": "operator", "quantity": "q"}),
      field("q", "number")], {}, ("fields", 0, "trace", "quantity"), "binding_quantity_not_applicable"),
    ([field("t", "text", trace={"role": "input"})], {}, ("fields", 0, "trace", "role"),
     "binding_type_mismatch"),
    ([field("s", "scan", kind="operator", trace={"role": "input"})], {},
     ("fields", 0, "trace", "role"), "binding_type_mismatch"),
    ([field("s", "scan", kind="item", trace={"role": "container"})], {},
     ("fields", 0, "trace", "role"), "binding_type_mismatch"),
    ([field("a", "number", min=5, max=1)], {}, ("fields", 0, "min"), "range_inverted"),
    ([field("a", "text", min_length=5, max_length=1)], {}, ("fields", 0, "min_length"),
     "range_inverted"),
    ([field("a", "multi_select", options=options("x"), min_items=3, max_items=2)], {},
     ("fields", 0, "min_items"), "range_inverted"),
    ([field("a", "date", min="2026-12-01", max="2026-01-01")], {}, ("fields", 0, "min"),
     "range_inverted"),
    ([field("a", "date", min="2026-02-30")], {}, ("fields", 0, "min"), "bad_option_value"),
    ([field("a", "measurement", unit="mm", spec={"lsl": 10.1, "target": 10.0, "usl": 10.2})], {},
     ("fields", 0, "spec"), "spec_limits_order"),
    ([field("a", "measurement", unit="mm", spec={"lsl": 9, "warn_low": 8, "usl": 11})], {},
     ("fields", 0, "spec"), "spec_limits_order"),
    ([field("a", "select", options=[*options("x", "y"), *options("x")])], {},
     ("fields", 0, "options", 2, "value"), "duplicate_option"),
    ([field("a", "text", pattern="([A-Z")], {}, ("fields", 0, "pattern"), "bad_pattern"),
    ([field("a", "scan", kind="equipment", pattern="EQ-(")], {}, ("fields", 0, "pattern"),
     "bad_pattern"),
]


@pytest.mark.parametrize(("fields", "extra", "path", "code"), SEMANTIC_CASES)
def test_each_semantic_check_reports_its_path(
    fields: list[dict[str, Any]], extra: dict[str, Any], path: tuple[Any, ...], code: str
) -> None:
    found = codes_at(form(*fields, **extra))
    assert (path, code) in found, found


def test_every_semantic_code_has_an_example() -> None:
    from lotline.form_engine.messages import DEFINITION_MESSAGES

    exercised = {case[3] for case in SEMANTIC_CASES} | {case[2] for case in META_CASES} | {
        "definition_not_an_object", "format_version_unsupported", "format_version_outdated",
        "definition_invalid", "def_missing_property"}
    assert set(DEFINITION_MESSAGES) <= exercised


def test_cycle_names_the_fields() -> None:
    doc = form(field("a", "text", visible_when={"var": "b"}),
               field("b", "text", visible_when={"var": "a"}), field("c", "text"))
    problem = next(p for p in check_definition(doc) if p.code == "rule_cycle")
    assert problem.params["fields"] == ["a", "b"]
    assert problem.message("zh-CN") == "字段之间存在循环依赖：a → b。"


def test_every_problem_is_reported_not_just_the_first() -> None:
    doc = form(
        field("a", "text", colour="red"),
        field("a", "number", min=3, max=1),
        field("c", "text", visible_when={"var": "ghost"}),
        rules=[{"key": "r", "assert": {"var": "phantom"}, "message": text("m")}],
    )
    assert codes_at(doc) == [
        (("fields", 0, "colour"), "def_unknown_property"),
        (("fields", 1, "key"), "duplicate_key"),
        (("fields", 1, "min"), "range_inverted"),
        (("fields", 2, "visible_when"), "rule_unknown_field"),
        (("rules", 0, "assert"), "rule_unknown_field"),
    ]


def test_a_broken_field_still_counts_as_known_for_rules() -> None:
    doc = form(field("a", "text", colour="red"), field("b", "text", visible_when={"var": "a"}))
    assert codes_at(doc) == [(("fields", 0, "colour"), "def_unknown_property")]


def test_group_item_rules_read_item_and_root_values() -> None:
    doc = form(
        field("line", "text"),
        field("lots", "group", fields=[
            field("lot", "scan", kind="item"),
            field("qty", "number", required_when={"and": [{"var": "item.lot"}, {"var": "line"}]}),
        ]),
    )
    assert check_definition(doc) == []


def test_compile_form_raises_every_problem_at_once() -> None:
    doc = form(field("a", "text"), field("a", "text"), field("b", "number", min=2, max=1))
    with pytest.raises(ProblemsError) as caught:
        compile_form(doc)
    assert caught.value.code == "definition_invalid"
    assert [p.code for p in caught.value.problems] == ["duplicate_key", "range_inverted"]
