"""The renderer contract: the schema and uiSchema react-jsonschema-form shows."""

from __future__ import annotations

from typing import Any

import pytest
from fe_forms import NOW, field, form, options, receipt_form, receipt_payload
from jsonschema import Draft7Validator, Draft202012Validator

from lotline.form_engine import render, validate_submission


def test_titles_and_options_are_in_the_requested_locale() -> None:
    zh = render(receipt_form(), "zh-CN")
    en = render(receipt_form(), "en")
    assert zh["schema"]["title"] == "测试表单"
    assert en["schema"]["properties"]["decision"]["title"] == "Decision"
    assert zh["schema"]["properties"]["decision"]["title"] == "Decision（中文）"
    assert zh["schema"]["properties"]["decision"]["oneOf"] == [
        {"const": "accept", "title": "Accept（中文）"}, {"const": "reject", "title": "Reject（中文）"}]
    sections = zh["uiSchema"]["ui:options"]["sections"]
    assert [(s["key"], s["title"]) for s in sections] == [
        (None, None), ("material", "物料"), ("inspection", "检验")]


def test_order_follows_sections_then_definition_order() -> None:
    ui = render(receipt_form(), "en")["uiSchema"]
    assert ui["ui:order"] == ["received_at", "inspector", "approval", "supplier_lot", "quantity",
                              "pallet", "decision", "reject_reason", "diameter", "photos"]


def test_widgets_and_options_for_custom_fields() -> None:
    ui = render(receipt_form(), "en")["uiSchema"]
    assert ui["supplier_lot"]["ui:widget"] == "scan"
    assert ui["supplier_lot"]["ui:options"]["kind"] == "item"
    assert ui["diameter"]["ui:widget"] == "measurement"
    assert ui["diameter"]["ui:options"] == {
        "unit": "mm", "decimals": 3, "lsl": 9.95, "warn_low": 9.97, "target": 10.0,
        "warn_high": 10.03, "usl": 10.05, "trace": {"role": "measurement"}}
    assert ui["approval"]["ui:widget"] == "signature"
    assert ui["approval"]["ui:options"] == {"meaning": "approved", "signerRole": "quality"}
    assert ui["photos"]["ui:widget"] == "photo"
    assert ui["photos"]["ui:options"]["requiredWhen"] == {"==": [{"var": "decision"}, "reject"]}
    assert ui["reject_reason"]["ui:options"]["visibleWhen"] == {"==": [{"var": "decision"}, "reject"]}
    assert ui["quantity"]["ui:options"] == {"unit": "kg", "decimals": 3}


def test_help_placeholder_widget_override_and_readonly() -> None:
    doc = form(
        field("note", "text", widget="textarea", help={"en": "Say why", "zh-CN": "说明原因"},
              placeholder={"en": "Reason", "zh-CN": "原因"}),
        field("ok", "select", widget="radio", options=options("y", "n")),
        field("double", "computed", expression={"*": [{"var": "n"}, 2]}),
        field("n", "integer", default=2),
    )
    rendered = render(doc, "zh-CN")
    ui, props = rendered["uiSchema"], rendered["schema"]["properties"]
    assert ui["note"] == {"ui:widget": "textarea", "ui:help": "说明原因", "ui:placeholder": "原因"}
    assert ui["ok"]["ui:widget"] == "radio"
    assert ui["double"]["ui:readonly"] is True and props["double"]["readOnly"] is True
    assert props["n"]["default"] == 2


def test_required_lists_only_unconditional_fields() -> None:
    schema = render(receipt_form(), "en")["schema"]
    assert schema["required"] == ["supplier_lot", "quantity", "received_at", "decision"]
    assert schema["additionalProperties"] is False


def test_groups_render_as_arrays_of_objects() -> None:
    doc = form(field("lots", "group", min_items=1, max_items=5, unique_by=["lot"], fields=[
        field("lot", "scan", kind="item", required=True), field("qty", "number", min=0)]))
    rendered = render(doc, "en")
    lots = rendered["schema"]["properties"]["lots"]
    assert lots["type"] == "array" and (lots["minItems"], lots["maxItems"]) == (1, 5)
    assert lots["items"]["required"] == ["lot"]
    assert lots["items"]["properties"]["qty"]["minimum"] == 0
    assert rendered["uiSchema"]["lots"]["items"]["lot"]["ui:widget"] == "scan"
    assert rendered["uiSchema"]["lots"]["ui:options"]["uniqueBy"] == ["lot"]


@pytest.mark.parametrize("validator", [Draft7Validator, Draft202012Validator])
def test_the_rendered_schema_is_valid_for_rjsf_validators(validator: Any) -> None:
    schema = render(receipt_form(), "en")["schema"]
    validator.check_schema(schema)


def test_what_the_browser_sends_for_a_valid_form_passes_both_sides() -> None:
    """A browser payload valid against the rendered schema is accepted by the server."""
    schema = render(receipt_form(), "en")["schema"]
    browser = receipt_payload(quantity=12.5, diameter=10.01)
    assert list(Draft202012Validator(schema).iter_errors(browser)) == []
    assert validate_submission(receipt_form(), browser, now=NOW).ok


def test_render_returns_a_copy() -> None:
    first = render(receipt_form(), "en")
    first["schema"]["title"] = "changed"
    assert render(receipt_form(), "en")["schema"]["title"] == "Test form"
