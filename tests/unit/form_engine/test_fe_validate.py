"""Validating whole submissions: every problem, hidden fields, rules, groups, computed values,
trace bindings and the compiled-validator cache."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fe_forms import NOW, field, form, options, receipt_form, receipt_payload, text
from jsonschema import Draft202012Validator

from lotline.form_engine import ProblemsError, compile_form, data_schema, validate_submission


def problems_of(doc: dict[str, Any], payload: Any) -> list[tuple[tuple[Any, ...], str]]:
    return [(p.path, p.code) for p in validate_submission(doc, payload, now=NOW).problems]


def test_a_valid_receipt_is_normalised() -> None:
    result = validate_submission(receipt_form(), receipt_payload(), now=NOW)
    assert result.ok, result.problems
    data = result.data
    assert data["supplier_lot"]["code"] == "(01)09506000134352(21)SN0001"
    assert data["quantity"] == 12.5
    assert data["pallet"]["sscc"] == "106141411234567897"
    assert data["received_at"] == "2026-11-28T08:30:00+08:00"
    assert data["diameter"]["result"] == "pass"
    assert data["inspector"]["code"] == "OP-0042"
    assert data["approval"] == {"signature_id": "sig_01HZX", "meaning": "approved",
                                "signer_role": "quality"}
    assert list(data) == ["supplier_lot", "quantity", "pallet", "received_at", "decision",
                          "diameter", "inspector", "approval"]
    assert result.notices == []


def test_trace_bindings_are_resolved() -> None:
    result = validate_submission(receipt_form(), receipt_payload(), now=NOW)
    summary = [(t["role"], t["path"], t["value"].get("code"),
                t.get("quantity"), t.get("unit")) for t in result.trace]
    assert summary == [
        ("input", ["supplier_lot"], "(01)09506000134352(21)SN0001", 12.5, "kg"),
        ("container", ["pallet"], "(00)106141411234567897", None, None),
        ("measurement", ["diameter"], None, None, None),
        ("operator", ["inspector"], "OP-0042", None, None),
    ]
    assert compile_form(receipt_form()).bindings() == [
        {"role": "input", "field": "supplier_lot", "type": "scan", "kind": "item",
         "quantity": "quantity"},
        {"role": "container", "field": "pallet", "type": "scan", "kind": "container"},
        {"role": "measurement", "field": "diameter", "type": "measurement"},
        {"role": "operator", "field": "inspector", "type": "scan", "kind": "operator"},
    ]


def test_every_problem_is_collected_with_its_path() -> None:
    payload = receipt_payload(
        supplier_lot="01095060001343531726123110ABC123",  # bad check digit
        quantity="12.3456",  # too many decimals
        pallet=None,
        received_at="2026-11-28 08:30",  # no offset
        decision="maybe",
        diameter="ten",
        inspector="OP-42",
        approval="",
        colour="blue",
    )
    assert problems_of(receipt_form(), payload) == [
        (("colour",), "unknown_field"),
        (("supplier_lot",), "gs1_bad_check_digit"),
        (("quantity",), "too_many_decimals"),
        (("received_at",), "datetime_missing_offset"),
        (("decision",), "not_an_option"),
        (("diameter",), "not_a_number"),
        (("inspector",), "scan_pattern_mismatch"),
    ]


def test_missing_required_fields_are_each_reported() -> None:
    assert problems_of(receipt_form(), {}) == [
        (("supplier_lot",), "required"), (("quantity",), "required"),
        (("received_at",), "required"), (("decision",), "required"),
    ]


@pytest.mark.parametrize("payload", [[], "text", None, 42])
def test_a_payload_that_is_not_an_object(payload: Any) -> None:
    assert problems_of(receipt_form(), payload) == [((), "not_an_object")]


def test_hidden_fields_are_ignored_with_a_notice() -> None:
    result = validate_submission(receipt_form(), receipt_payload(reject_reason="dented"), now=NOW)
    assert result.ok
    assert "reject_reason" not in result.data
    assert [(p.path, p.code) for p in result.notices] == [(("reject_reason",), "hidden_value_ignored")]
    assert result.notices[0].message("zh-CN") == "该字段当前隐藏，提交的值已被忽略。"


def test_visible_and_conditionally_required_fields() -> None:
    rejected = receipt_payload(decision="reject")
    assert problems_of(receipt_form(), rejected) == [
        (("reject_reason",), "required"), (("photos",), "required")]
    fixed = receipt_payload(decision="reject", reject_reason="dented", photos=["p1"])
    result = validate_submission(receipt_form(), fixed, now=NOW)
    assert result.ok and result.data["reject_reason"] == "dented"


def test_rules_can_read_parts_of_a_scan_and_a_measurement_result() -> None:
    doc = form(
        field("lot", "scan", kind="item"),
        field("diameter", "measurement", unit="mm", spec={"lsl": 9.9, "usl": 10.1}),
        field("deviation_note", "text",
              required_when={"==": [{"var": "diameter.result"}, "fail"]}),
        field("supplier_cert", "attachment",
              visible_when={"==": [{"var": "lot.gtin"}, "09506000134352"]}),
    )
    failing = {"lot": "(01)09506000134352(10)A", "diameter": "10.2"}
    assert problems_of(doc, failing) == [(("deviation_note",), "required")]
    other = validate_submission(doc, {"lot": "LOT-1", "diameter": "10", "supplier_cert": ["c1"]},
                                now=NOW)
    assert other.ok and "supplier_cert" not in other.data


def test_a_rule_that_raises_leaves_the_field_visible() -> None:
    doc = form(field("a", "number"), field("b", "text", visible_when={"/": [1, {"var": "a"}]}))
    result = validate_submission(doc, {"a": 0, "b": "kept"}, now=NOW)
    assert result.data == {"a": 0.0, "b": "kept"}


def test_fields_are_evaluated_after_the_fields_their_rules_read() -> None:
    doc = form(
        field("note", "text", visible_when={"==": [{"var": "kind"}, "other"]}),
        field("kind", "select", options=options("std", "other")),
    )
    result = validate_submission(doc, {"note": "special", "kind": "other"}, now=NOW)
    assert result.data == {"note": "special", "kind": "other"}


# -- computed values and form rules -----------------------------------------------------------

WEIGHING = form(
    field("gross", "number", unit="kg"),
    field("tare", "number", unit="kg"),
    field("net", "computed", unit="kg", decimals=2,
          expression={"-": [{"var": "gross"}, {"var": "tare"}]}),
    field("per_unit", "computed", expression={"/": [{"var": "net"}, {"var": "units"}]}),
    field("units", "integer"),
    rules=[{"key": "tare_below_gross", "assert": {"<": [{"var": "tare"}, {"var": "gross"}]},
            "field": "tare", "message": text("Tare must be below gross.", "皮重必须小于毛重。")}],
)


def test_computed_values_are_computed_by_the_server() -> None:
    result = validate_submission(WEIGHING, {"gross": "12,5", "tare": "0.25", "units": "5"}, now=NOW)
    assert result.data == {"gross": 12.5, "tare": 0.25, "net": 12.25, "per_unit": 2.45, "units": 5}


@pytest.mark.parametrize(("sent", "ok"), [(12.25, True), ("12,25", True), (12.249, True), (13, False),
                                          ("x", False)])
def test_a_client_may_send_a_computed_value_only_if_it_matches(sent: Any, ok: bool) -> None:
    result = validate_submission(WEIGHING, {"gross": 12.5, "tare": 0.25, "net": sent}, now=NOW)
    assert result.ok is ok
    if not ok:
        assert [(p.path, p.code) for p in result.problems] == [(("net",), "computed_mismatch")]
        assert result.problems[0].params["computed"] == 12.25


def test_computed_value_is_absent_when_an_input_is_missing() -> None:
    result = validate_submission(WEIGHING, {"gross": 12.5}, now=NOW)
    assert result.ok and result.data == {"gross": 12.5}


def test_computed_failure_is_reported() -> None:
    result = validate_submission(WEIGHING, {"gross": 12.5, "tare": 0.5, "units": 0}, now=NOW)
    assert [(p.path, p.code) for p in result.problems] == [(("per_unit",), "computed_failed")]


def test_form_rules_report_the_designers_message() -> None:
    result = validate_submission(WEIGHING, {"gross": 1, "tare": 2}, now=NOW)
    assert [(p.path, p.code) for p in result.problems] == [(("tare",), "rule_failed")]
    problem = result.problems[0]
    assert problem.params["rule"] == "tare_below_gross"
    assert (problem.message("en"), problem.message("zh-CN")) == (
        "Tare must be below gross.", "皮重必须小于毛重。")


@pytest.mark.parametrize("payload", [{"gross": 1}, {"gross": 1, "tare": "x"}])
def test_form_rules_skip_missing_or_invalid_inputs(payload: dict[str, Any]) -> None:
    codes = [p.code for p in validate_submission(WEIGHING, payload, now=NOW).problems]
    assert "rule_failed" not in codes


# -- repeating groups -------------------------------------------------------------------------

CONSUMPTION = form(
    field("line", "select", options=options("l1", "l2"), required=True),
    field("lots", "group", required=True, min_items=1, max_items=3, unique_by=["lot"], fields=[
        field("lot", "scan", kind="item", required=True, trace={"role": "input", "quantity": "qty"}),
        field("qty", "number", unit="kg", min=0, required=True),
        field("reason", "text", required_when={"==": [{"var": "line"}, "l2"]}),
        field("double", "computed", expression={"*": [{"var": "item.qty"}, 2]}),
    ]),
    field("total", "computed", expression={
        "reduce": [{"var": "lots"}, {"+": [{"var": "accumulator"}, {"var": "current.qty"}]}, 0]}),
)


def lots(*pairs: tuple[str, Any]) -> list[dict[str, Any]]:
    return [{"lot": f"(01)09506000134352(10){lot}", "qty": qty} for lot, qty in pairs]


def test_group_items_are_validated_and_bound() -> None:
    result = validate_submission(CONSUMPTION, {"line": "l1", "lots": lots(("A", "1,5"), ("B", 2))},
                                 now=NOW)
    assert result.ok, result.problems
    assert [(item["lot"]["lot"], item["qty"], item["double"]) for item in result.data["lots"]] == [
        ("A", 1.5, 3.0), ("B", 2.0, 4.0)]
    assert result.data["total"] == 3.5
    assert [(t["path"], t["quantity"], t["unit"]) for t in result.trace] == [
        (["lots", 0, "lot"], 1.5, "kg"), (["lots", 1, "lot"], 2.0, "kg")]


def test_group_problems_carry_item_paths() -> None:
    payload = {"line": "l2", "lots": [
        {"lot": "(01)09506000134352(10)A", "qty": "-1", "reason": "r"},
        {"lot": "(01)09506000134352(10)B", "qty": 1, "colour": "red"},
        {"lot": "(01)09506000134352(10)A", "qty": 1, "reason": "r"},
        "not an item",
    ]}
    assert problems_of(CONSUMPTION, payload) == [
        (("lots",), "too_many_items"),
        (("lots", 0, "qty"), "too_small"),
        (("lots", 1, "colour"), "unknown_field"),
        (("lots", 1, "reason"), "required"),
        (("lots", 3), "not_an_object"),
        (("lots", 2, "lot"), "duplicate_item"),
    ]


def test_duplicate_item_message() -> None:
    payload = {"line": "l1", "lots": lots(("A", 1), ("A", 2))}
    problem = validate_submission(CONSUMPTION, payload, now=NOW).problems[0]
    assert problem.message("en") == "Same as entry 1 ((01)09506000134352(10)A)."
    assert problem.message("zh-CN") == "与第 1 项重复（(01)09506000134352(10)A）。"


@pytest.mark.parametrize(("value", "code"), [([], "required"), ({"lot": "x"}, "not_a_list")])
def test_group_shape(value: Any, code: str) -> None:
    assert problems_of(CONSUMPTION, {"line": "l1", "lots": value}) == [(("lots",), code)]


def test_no_trace_for_a_rejected_submission() -> None:
    result = validate_submission(CONSUMPTION, {"line": "l1", "lots": lots(("A", 1), ("A", 1))},
                                 now=NOW)
    assert not result.ok and result.trace == []


# -- compiled validators, results, data schema ------------------------------------------------

def test_validators_are_compiled_once_per_content() -> None:
    first = compile_form(receipt_form())
    assert compile_form(copy.deepcopy(receipt_form())) is first
    reordered = dict(reversed(list(receipt_form().items())))
    assert compile_form(reordered) is first
    changed = receipt_form()
    changed["title"] = text("Other", "其他")
    assert compile_form(changed) is not first
    assert compile_form(changed).fingerprint != first.fingerprint


def test_a_compiled_validator_is_not_affected_by_later_edits_of_the_document() -> None:
    doc = form(field("a", "text"))
    validator = compile_form(doc)
    doc["fields"][0]["type"] = "number"
    assert validator.validate({"a": "x"}, now=NOW).ok
    assert not compile_form(doc).validate({"a": "x"}, now=NOW).ok


def test_now_anchors_future_checks() -> None:
    payload = receipt_payload(received_at="2026-11-28T12:00:00+08:00")
    assert (("received_at",), "in_future") in problems_of(receipt_form(), payload)
    later = dt.datetime(2026, 11, 28, 5, 0)  # naive: read as UTC, i.e. 13:00 at +08:00
    assert validate_submission(receipt_form(), payload, now=later).ok


def test_the_payload_is_not_modified() -> None:
    payload = receipt_payload(quantity=" 12,5 ")
    before = copy.deepcopy(payload)
    validate_submission(receipt_form(), payload, now=NOW)
    assert payload == before


def test_result_serialisation_and_raising() -> None:
    result = validate_submission(receipt_form(), receipt_payload(decision="maybe"), now=NOW)
    body = result.to_dict("zh-CN")
    assert body["ok"] is False
    assert body["problems"][0]["field"] == "decision"
    assert body["problems"][0]["message"] == "“maybe”不是可选项（可选：accept, reject）。"
    with pytest.raises(ProblemsError) as caught:
        result.raise_for_problems()
    assert [p.code for p in caught.value.problems] == ["not_an_option"]


@pytest.mark.parametrize(
    ("doc", "payload"),
    [(receipt_form(), receipt_payload()),
     (receipt_form(), receipt_payload(decision="reject", reject_reason="dented", photos=["p1", "p2"])),
     (WEIGHING, {"gross": 3, "tare": 1, "units": 2}),
     (CONSUMPTION, {"line": "l1", "lots": lots(("A", 1), ("B", "2,5"))})],
)
def test_normalised_data_matches_the_published_data_schema(doc: dict[str, Any], payload: Any) -> None:
    result = validate_submission(doc, payload, now=NOW)
    assert result.ok, result.problems
    schema = data_schema(doc)
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(result.data)) == []
