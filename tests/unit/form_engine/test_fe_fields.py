"""Every field type, table-driven: what it accepts, what it makes of it, and what it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from fe_forms import GS1_VECTOR, NOW, field, form, options

from lotline.form_engine import FIELD_TYPES, Result, validate_submission


def submit(spec: dict[str, Any], raw: Any) -> Result:
    return validate_submission(form(spec), {spec["key"]: raw}, now=NOW)


SELECT = {"options": options("ok", "scrap", "rework")}
SPEC = {"lsl": 9.95, "warn_low": 9.97, "target": 10.0, "warn_high": 10.03, "usl": 10.05}

ACCEPTED: list[tuple[str, dict[str, Any], Any, Any]] = [
    ("text", {}, "  Line 3 ", "Line 3"),
    ("text", {}, 4711, "4711"),
    ("text", {"pattern": r"[A-Z]{2}-\d+"}, "AB-12", "AB-12"),
    ("text", {}, "ＡＢ１２", "AB12"),
    ("number", {}, "12,5", 12.5),
    ("number", {"decimals": 2}, "12.50", 12.5),
    ("number", {"min": 0, "max": 100}, 100, 100.0),
    ("number", {}, "1 234,5", 1234.5),
    ("integer", {}, "12", 12),
    ("integer", {}, "12.0", 12),
    ("integer", {"min": 1}, 3, 3),
    ("boolean", {}, "是", True),
    ("boolean", {}, "no", False),
    ("boolean", {"must_be_true": True}, "yes", True),
    ("select", SELECT, "scrap", "scrap"),
    ("select", {"options": options("1", "2")}, 2, "2"),
    ("multi_select", SELECT, ["ok", "rework"], ["ok", "rework"]),
    ("multi_select", SELECT, "ok", ["ok"]),
    ("date", {}, "2026/11/28", "2026-11-28"),
    ("date", {"min": "2026-01-01", "max": "2026-12-31", "not_future": True}, "2026-11-28",
     "2026-11-28"),
    ("datetime", {}, "2026-11-28 08:30:00+08:00", "2026-11-28T08:30:00+08:00"),
    ("datetime", {"not_future": True}, "2026-11-28T01:33:00Z", "2026-11-28T01:33:00+00:00"),
    ("photo", {}, "upload_01", [{"id": "upload_01"}]),
    ("photo", {}, [{"id": "u1", "media_type": "image/jpeg"}],
     [{"id": "u1", "media_type": "image/jpeg"}]),
    ("attachment", {"accept": ["application/pdf"]}, [{"id": "cert-7", "media_type": "application/pdf"}],
     [{"id": "cert-7", "media_type": "application/pdf"}]),
    ("signature", {"meaning": "approved"}, "sig_01", {"signature_id": "sig_01", "meaning": "approved"}),
    ("signature", {"meaning": "verified", "signer_role": "quality"}, {"signature_id": "sig_02"},
     {"signature_id": "sig_02", "meaning": "verified", "signer_role": "quality"}),
]


@pytest.mark.parametrize(("type_", "opts", "raw", "expected"), ACCEPTED)
def test_accepted_values_are_normalised(type_: str, opts: dict[str, Any], raw: Any, expected: Any) -> None:
    result = submit(field("f", type_, **opts), raw)
    assert result.problems == []
    assert result.data == {"f": expected}


REFUSED: list[tuple[str, dict[str, Any], Any, str, dict[str, Any] | None]] = [
    ("text", {"min_length": 3}, "ab", "too_short", {"min_length": 3, "length": 2}),
    ("text", {"max_length": 3}, "abcd", "too_long", {"max_length": 3, "length": 4}),
    ("text", {"pattern": r"[A-Z]{2}-\d+"}, "ab-12", "pattern_mismatch", None),
    ("text", {}, {"a": 1}, "wrong_type", {"expected": "string"}),
    ("number", {}, "12.5kg", "not_a_number", {"value": "12.5kg"}),
    ("number", {}, "1,250", "number_ambiguous", None),
    ("number", {"decimals": 1}, "12.55", "too_many_decimals", {"decimals": 1, "value": "12.55"}),
    ("number", {"min": 0}, "-1", "too_small", {"min": 0.0, "value": -1.0}),
    ("number", {"max": 10}, 10.5, "too_large", {"max": 10.0, "value": 10.5}),
    ("number", {}, True, "not_a_number", {"value": True}),
    ("integer", {}, "12.5", "not_an_integer", {"value": "12.5"}),
    ("integer", {}, "zwölf", "not_a_number", {"value": "zwölf"}),
    ("integer", {"max": 5}, 6, "too_large", {"max": 5.0, "value": 6.0}),
    ("boolean", {}, "maybe", "not_a_boolean", {"value": "maybe"}),
    ("boolean", {"must_be_true": True}, "否", "must_be_true", {}),
    ("select", SELECT, "OK", "not_an_option",
     {"value": "OK", "allowed": ["ok", "scrap", "rework"], "allowed_text": "ok, scrap, rework"}),
    ("select", SELECT, ["ok"], "wrong_type", {"expected": "string"}),
    ("multi_select", SELECT, {"ok": True}, "not_a_list", {}),
    ("multi_select", {**SELECT, "max_items": 1}, ["ok", "scrap"], "too_many_items",
     {"max_items": 1, "count": 2}),
    ("multi_select", {**SELECT, "min_items": 2}, ["ok"], "too_few_items", {"min_items": 2, "count": 1}),
    ("date", {}, "28/11/2026", "not_a_date", {"value": "28/11/2026"}),
    ("date", {}, "2026-02-30", "not_a_date", {"value": "2026-02-30"}),
    ("date", {"min": "2026-12-01"}, "2026-11-28", "date_too_early", None),
    ("date", {"max": "2026-11-01"}, "2026-11-28", "date_too_late", None),
    ("date", {"not_future": True}, "2026-11-29", "in_future", {"value": "2026-11-29"}),
    ("datetime", {}, "2026-11-28T08:30:00", "datetime_missing_offset", None),
    ("datetime", {}, "yesterday", "not_a_datetime", None),
    ("datetime", {"not_future": True}, "2026-11-28T10:00:00+08:00", "in_future", None),
    ("photo", {}, [{"id": "u1", "media_type": "application/pdf"}], "attachment_type_not_allowed", None),
    ("photo", {"max_items": 1}, ["u1", "u2"], "too_many_items", {"max_items": 1, "count": 2}),
    ("attachment", {}, 42, "not_a_list", {}),
    ("signature", {"meaning": "approved"}, {"signature_id": 5}, "bad_signature_ref", {}),
    ("signature", {"meaning": "approved"}, "has spaces", "bad_signature_ref", {}),
]


@pytest.mark.parametrize(("type_", "opts", "raw", "code", "params"), REFUSED)
def test_refused_values_give_one_problem_at_the_field(
    type_: str, opts: dict[str, Any], raw: Any, code: str, params: dict[str, Any] | None
) -> None:
    result = submit(field("f", type_, **opts), raw)
    assert [(p.path[:1], p.code) for p in result.problems] == [(("f",), code)]
    if params is not None:
        assert dict(result.problems[0].params) == params
    assert "f" not in result.data


def test_the_catalogue_is_a_registry_of_named_types() -> None:
    from lotline.form_engine import register_field_type

    assert all(cls.type_name == name for name, cls in FIELD_TYPES.items())
    with pytest.raises(ValueError, match="taken"):
        register_field_type(FIELD_TYPES["text"])


def test_every_field_type_is_covered_by_these_tables() -> None:
    covered = {row[0] for row in ACCEPTED} | {"scan", "measurement", "group", "computed"}
    assert covered == set(FIELD_TYPES)


def test_list_items_are_reported_at_their_index() -> None:
    result = submit(field("f", "multi_select", **SELECT), ["ok", "nope", "ok"])
    assert [(p.path, p.code) for p in result.problems] == [
        (("f", 1), "not_an_option"), (("f", 2), "duplicate_value")]
    photos = submit(field("f", "photo"), ["good_1", "bad id", {"id": "x", "evil": 1}])
    assert [(p.path, p.code) for p in photos.problems] == [
        (("f", 1), "bad_attachment_ref"), (("f", 2), "bad_attachment_ref")]


@pytest.mark.parametrize(
    ("raw", "code", "en", "zh"),
    [
        ("", "required", "f is required.", "f 为必填项。"),
        ("abc", "not_a_number", "'abc' is not a number.", "“abc”不是有效的数字。"),
        ("1,250", "number_ambiguous", "'1,250' is ambiguous: write 1250 or 1.250.",
         "“1,250”有歧义：请写成 1250 或 1.250。"),
        ("150", "too_large", "Must be at most 100.0 (got 150.0).", "不能大于 100.0（当前为 150.0）。"),
    ],
)
def test_messages_in_english_and_chinese(raw: str, code: str, en: str, zh: str) -> None:
    result = submit(field("f", "number", required=True, max=100), raw)
    problem = result.problems[0]
    assert problem.code == code
    assert (problem.message("en"), problem.message("zh-CN")) == (en, zh)
    assert problem.to_dict("zh-CN")["message"] == zh


# -- scan --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("opts", "raw", "expected"),
    [
        ({"kind": "item"}, GS1_VECTOR, {"gtin": "09506000134352", "lot": "ABC123", "kind": "item"}),
        ({"kind": "item", "require_lot": True}, "(01)09506000134352(10)L7", {"lot": "L7"}),
        ({"kind": "serial"}, GS1_VECTOR, {"serial": "SN0001"}),
        ({"kind": "serial"}, "(8004)0614141ASSET42", {"giai": "0614141ASSET42"}),
        ({"kind": "container"}, "00106141411234567897", {"sscc": "106141411234567897"}),
        ({"kind": "location"}, "(414)0614141000005", {"gln": "0614141000005"}),
        ({"kind": "equipment", "pattern": r"EQ-\d{4}"}, "EQ-0042", {"code": "EQ-0042"}),
        ({"kind": "operator", "formats": ["internal"]}, "OP-7", {"format": "internal"}),
        ({"kind": "material"}, "https://id.gs1.org/01/09506000134352/10/M1", {"lot": "M1"}),
        ({"kind": "item"}, "(01)09506000134352(17)251231(10)OLD", {"expiry": "2025-12-31"}),
    ],
)
def test_scan_fields_accept(opts: dict[str, Any], raw: str, expected: dict[str, Any]) -> None:
    result = submit(field("f", "scan", **opts), raw)
    assert result.problems == []
    assert {key: result.data["f"][key] for key in expected} == expected


def test_an_expired_lot_is_a_notice_unless_rejected() -> None:
    raw = "(01)09506000134352(17)251231(10)OLD"
    allowed = submit(field("f", "scan", kind="item"), raw)
    assert [(p.code, dict(p.params)) for p in allowed.notices] == [
        ("scan_expired", {"expiry": "2025-12-31", "value": "(01)09506000134352(10)OLD"})]
    refused = submit(field("f", "scan", kind="item", reject_expired=True), raw)
    assert [p.code for p in refused.problems] == ["scan_expired"]
    assert refused.problems[0].message("zh-CN") == "(01)09506000134352(10)OLD 已于 2025-12-31 过期。"


@pytest.mark.parametrize(
    ("opts", "raw", "code"),
    [
        ({"kind": "item", "formats": ["gs1"]}, "https://id.gs1.org/01/09506000134352",
         "scan_format_not_allowed"),
        ({"kind": "item", "formats": ["gs1", "digital_link"]}, "LOT-77", "gs1_unknown_ai"),
        ({"kind": "item"}, "00106141411234567897", "scan_wrong_kind"),
        ({"kind": "container"}, GS1_VECTOR, "scan_wrong_kind"),
        ({"kind": "location"}, GS1_VECTOR, "scan_wrong_kind"),
        ({"kind": "equipment"}, GS1_VECTOR, "scan_wrong_kind"),
        ({"kind": "operator"}, GS1_VECTOR, "scan_wrong_kind"),
        ({"kind": "serial"}, "(01)09506000134352(10)L7", "scan_missing_serial"),
        ({"kind": "item", "require_lot": True}, "(01)09506000134352(21)S1", "scan_missing_lot"),
        ({"kind": "item", "require_serial": True}, "(01)09506000134352(10)L7", "scan_missing_serial"),
        ({"kind": "equipment", "pattern": r"EQ-\d{4}"}, "EQ-42", "scan_pattern_mismatch"),
        ({"kind": "item"}, "01095060001343531726123110ABC123", "gs1_bad_check_digit"),
        ({"kind": "item"}, "01095060001343521726133210ABC123", "gs1_bad_date"),
        ({"kind": "item"}, ["x"], "wrong_type"),
        ({"kind": "item"}, "L" * 501, "too_long"),  # what the rendered schema allows: 500
    ],
)
def test_scan_fields_refuse(opts: dict[str, Any], raw: Any, code: str) -> None:
    result = submit(field("f", "scan", **opts), raw)
    assert [(p.path, p.code) for p in result.problems] == [(("f",), code)]


def test_scan_wrong_kind_names_the_kind_in_both_languages() -> None:
    problem = submit(field("f", "scan", kind="container"), GS1_VECTOR).problems[0]
    assert problem.message("en") == (
        "This barcode ((01)09506000134352(21)SN0001) does not identify a container (SSCC).")
    assert problem.message("zh-CN") == "该条码（(01)09506000134352(21)SN0001）不是容器（SSCC）条码。"


# -- measurement -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "result", "notice"),
    [("10.00", "pass", None), ("10,02", "pass", None), ("10.03", "pass", None),
     ("9.97", "pass", None), ("10.05", "warn", "measurement_warning"),
     ("9.95", "warn", "measurement_warning"), ("10.04", "warn", "measurement_warning"),
     ("9.96", "warn", "measurement_warning"), ("10.06", "fail", "out_of_spec"),
     ({"value": "9.90", "unit": "mm"}, "fail", "out_of_spec"), (10, "pass", None)],
)
def test_measurements_are_judged_against_inclusive_limits(raw: Any, result: str, notice: str | None) -> None:
    outcome = submit(field("f", "measurement", unit="mm", spec=SPEC), raw)
    assert outcome.problems == []
    assert outcome.data["f"]["result"] == result
    assert outcome.data["f"]["unit"] == "mm"
    assert (outcome.data["f"]["lsl"], outcome.data["f"]["usl"]) == (9.95, 10.05)
    assert [p.code for p in outcome.notices] == ([notice] if notice else [])


@pytest.mark.parametrize(
    ("spec", "raw", "result"),
    [({"usl": 0.8}, "0.8", "pass"), ({"usl": 0.8}, "0.81", "fail"), ({"lsl": 2}, "1.99", "fail"),
     ({"lsl": 9.95, "usl": 10.05}, "10.05", "pass"), ({"lsl": 9.95, "usl": 10.05}, "9.95", "pass"),
     ({"lsl": 9.95, "usl": 10.05}, "10.0500001", "fail"), ({}, "123", None)],
)
def test_one_sided_and_limitless_measurements(spec: dict[str, Any], raw: str, result: str | None) -> None:
    outcome = submit(field("f", "measurement", unit="µm", spec=spec), raw)
    assert outcome.data["f"]["result"] == result


@pytest.mark.parametrize(
    ("opts", "raw", "code"),
    [
        ({"reject_out_of_spec": True}, "10.2", "out_of_spec"),
        ({}, {"value": "10", "unit": "cm"}, "unit_mismatch"),
        ({}, {"value": ""}, "required"),
        ({"decimals": 2}, "10.001", "too_many_decimals"),
        ({"plausible_max": 50}, "100", "too_large"),
        ({"plausible_min": 1}, "0.1", "too_small"),
        ({}, "ten", "not_a_number"),
    ],
)
def test_measurement_refusals(opts: dict[str, Any], raw: Any, code: str) -> None:
    outcome = submit(field("f", "measurement", unit="mm", spec=SPEC, **opts), raw)
    assert [(p.path, p.code) for p in outcome.problems] == [(("f",), code)]


def test_out_of_spec_message_in_chinese() -> None:
    outcome = submit(field("f", "measurement", unit="mm", spec=SPEC, reject_out_of_spec=True), "10.2")
    assert outcome.problems[0].message("zh-CN") == "10.2 mm 超出规格范围（9.95 … 10.05）。"


def test_unknown_keys_in_a_measurement_object_are_named() -> None:
    outcome = submit(field("f", "measurement", unit="mm"), {"value": 1, "units": "mm"})
    assert [(p.path, p.code) for p in outcome.problems] == [(("f", "units"), "unknown_field")]
