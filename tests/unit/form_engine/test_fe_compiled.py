"""What a compiled form prepares once and reuses (accepted scans per field, prebuilt measurement
and signature values) never leaks between submissions, fields or definitions."""

from __future__ import annotations

import copy
import datetime as dt

from fe_forms import NOW, field, form

from lotline.form_engine import compile_form

LOT = "(01)09506000134352(17)261231(10)LOT-7"  # expires 2026-12-31
NO_LOT = "(01)09506000134352(21)SN-7"


def test_a_returned_value_can_be_changed_without_touching_the_next_submission() -> None:
    validator = compile_form(
        form(
            field("lot", "scan", kind="item", require_lot=True),
            field("torque", "measurement", unit="N·m", spec={"lsl": 1, "usl": 2}),
            field("approval", "signature", meaning="approved", signer_role="quality"),
        )
    )
    payload = {"lot": LOT, "torque": "1.5", "approval": "sig_1"}
    first = validator.validate(payload, now=NOW).data
    expected = copy.deepcopy(first)
    first["lot"]["ais"]["10"] = "CHANGED"
    for value in first.values():
        value["kind"] = value["unit"] = value["meaning"] = "CHANGED"
    second = validator.validate(payload, now=NOW).data
    assert second == expected
    assert second["lot"]["ais"]["10"] == "LOT-7"
    assert second["lot"] is not first["lot"] and second["lot"]["ais"] is not first["lot"]["ais"]


def test_each_field_judges_a_scan_it_has_seen_by_its_own_options() -> None:
    validator = compile_form(
        form(
            field("any_item", "scan", kind="item"),
            field("with_lot", "scan", kind="item", require_lot=True),
            field("unit", "scan", kind="serial"),
        )
    )
    for _ in range(2):  # the second time, every field answers from what it remembers
        result = validator.validate({"any_item": NO_LOT, "with_lot": NO_LOT, "unit": NO_LOT}, now=NOW)
        assert [(p.path, p.code) for p in result.problems] == [(("with_lot",), "scan_missing_lot")]
        assert result.data["any_item"]["kind"] == "item" and result.data["unit"]["kind"] == "serial"
        result = validator.validate({"any_item": LOT, "with_lot": LOT, "unit": LOT}, now=NOW)
        assert [(p.path, p.code) for p in result.problems] == [(("unit",), "scan_missing_serial")]


def test_another_definition_does_not_inherit_a_verdict() -> None:
    lenient = compile_form(form(field("code", "scan", kind="equipment")))
    strict = compile_form(form(field("code", "scan", kind="equipment", pattern=r"EQ-\d{4}")))
    assert lenient.validate({"code": "EQ-7"}, now=NOW).ok
    assert [p.code for p in strict.validate({"code": "EQ-7"}, now=NOW).problems] == ["scan_pattern_mismatch"]
    assert lenient.validate({"code": "EQ-7"}, now=NOW).ok


def test_a_remembered_scan_is_still_judged_against_each_submissions_day() -> None:
    noticed = compile_form(form(field("lot", "scan", kind="item")))
    rejecting = compile_form(form(field("lot", "scan", kind="item", reject_expired=True)))
    later = dt.datetime(2027, 1, 5, tzinfo=dt.UTC)
    for validator in (noticed, rejecting):
        assert validator.validate({"lot": LOT}, now=NOW).notices == []
    assert [p.code for p in noticed.validate({"lot": LOT}, now=later).notices] == ["scan_expired"]
    assert [p.code for p in rejecting.validate({"lot": LOT}, now=later).problems] == ["scan_expired"]
    assert noticed.validate({"lot": LOT}, now=NOW).notices == []
    assert rejecting.validate({"lot": LOT}, now=NOW).ok


def test_a_rejected_scan_is_reported_with_its_path_every_time() -> None:
    validator = compile_form(form(field("lots", "group", fields=[field("lot", "scan", kind="item")])))
    bad = "01095060001343531726123110ABC123"  # GTIN check digit 3 instead of 2
    for index in (0, 1):
        result = validator.validate({"lots": [{"lot": LOT}] * index + [{"lot": bad}]}, now=NOW)
        assert [(p.path, p.code) for p in result.problems] == [
            (("lots", index, "lot"), "gs1_bad_check_digit")
        ]
