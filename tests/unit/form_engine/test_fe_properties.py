"""Property tests: generated definitions are valid, data generated from a definition validates
(and matches its data schema), and spoiling one value yields problems at exactly that path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fe_forms import NOW, text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from lotline.form_engine import check_definition, compile_form, data_schema

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

Draw = Callable[..., Any]  # st.DrawFn or DataObject.draw
SCANS = {
    "item": ["\x1d01095060001343521726123110ABC123\x1d21SN0001", "(01)09506000134352(10)L-1",
             "]d20109506000134352\x1d10L2|21S9", "https://id.gs1.org/01/09506000134352/10/L3"],
    "container": ["00106141411234567897", "]C1(00)106141411234567897"],
    "equipment": ["EQ-0001", "EQ-0042", "(8004)0614141ASSET42"],
    "location": ["(414)0614141000005", "WH1-A-03"],
}
INVALID_SCAN = "01095060001343531726123110ABC123"  # GTIN check digit 3 instead of 2
TEXT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijk0123456789-批号零件检验"
TRUE_WORDS, FALSE_WORDS = ["true", "yes", "1", "是", "Y", True], ["false", "no", "0", "否", False]


# -- definitions --------------------------------------------------------------------------------

@st.composite
def numeric_options(draw: st.DrawFn, integer: bool) -> dict[str, Any]:
    low = draw(st.integers(-1000, 1000))
    high = draw(st.integers(low, low + 5000))
    opts: dict[str, Any] = {}
    if draw(st.booleans()):
        opts["min"] = low
    if draw(st.booleans()):
        opts["max"] = high
    if not integer and draw(st.booleans()):
        opts["decimals"] = draw(st.integers(0, 3))
    return opts


@st.composite
def field_spec(draw: st.DrawFn, key: str, in_group: bool = False) -> dict[str, Any]:
    kinds = ["text", "number", "integer", "boolean", "select", "multi_select", "date",
             "datetime", "scan", "measurement"] + ([] if in_group else ["group"])
    type_ = draw(st.sampled_from(kinds))
    spec: dict[str, Any] = {"key": key, "type": type_, "label": text(key),
                            "required": draw(st.booleans())}
    if type_ == "text":
        low = draw(st.integers(0, 5))
        spec |= {"min_length": low, "max_length": draw(st.integers(max(low, 1), 40))}
    elif type_ in ("number", "integer"):
        spec |= draw(numeric_options(type_ == "integer"))
    elif type_ in ("select", "multi_select"):
        values = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
                               min_size=1, max_size=6, unique=True))
        spec["options"] = [{"value": v, "label": text(v)} for v in values]
        if type_ == "multi_select" and draw(st.booleans()):
            spec["max_items"] = draw(st.integers(1, len(values)))
    elif type_ == "date":
        spec |= {"min": "2020-01-01", "max": "2030-12-31", "not_future": draw(st.booleans())}
    elif type_ == "datetime":
        spec["not_future"] = draw(st.booleans())
    elif type_ == "scan":
        spec["kind"] = draw(st.sampled_from(sorted(SCANS)))
    elif type_ == "measurement":
        target = draw(st.integers(1, 100))
        spec |= {"unit": "mm", "decimals": 2,
                 "spec": {"lsl": target - 1, "target": target, "usl": target + 1},
                 "plausible_min": 0, "plausible_max": 1000}
    elif type_ == "group":
        spec |= {"fields": [
            {"key": "lot", "type": "scan", "kind": "item", "label": text("Lot"), "required": True},
            draw(field_spec("qty", in_group=True)),
        ], "min_items": 0, "max_items": 4}
    return spec


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.from_regex(r"f[a-z0-9]{0,6}", fullmatch=True), min_size=1,
                         max_size=8, unique=True))
    return {"format_version": 1, "key": "generated", "title": text("Generated"),
            "fields": [draw(field_spec(key)) for key in keys]}


# -- valid raw values, the way tablets send them ----------------------------------------------

def number_text(value: Decimal, draw: Draw) -> Any:
    plain = format(value, "f")
    style = draw(st.sampled_from(["json", "dot", "comma"]))
    if style == "json":
        return float(value) if "." in plain else int(value)
    if style == "comma" and "." in plain:
        whole, fraction = plain.split(".")
        if not (len(fraction) == 3 and whole.lstrip("-0")):  # "1,250" is refused as ambiguous
            return f"{whole},{fraction}"
    return plain


def valid_raw(draw: Draw, spec: dict[str, Any]) -> Any:
    type_ = spec["type"]
    if type_ == "text":
        return draw(st.text(TEXT_ALPHABET, min_size=max(spec["min_length"], 1),
                            max_size=spec["max_length"]))
    if type_ in ("number", "integer", "measurement"):
        places = spec.get("decimals", 0) if type_ != "integer" else 0
        low = spec.get("min", spec.get("plausible_min", -10_000))
        high = spec.get("max", spec.get("plausible_max", 10_000))
        scaled = draw(st.integers(low * 10**places, high * 10**places))
        return number_text(Decimal(scaled).scaleb(-places), draw)
    if type_ == "boolean":
        return draw(st.sampled_from(TRUE_WORDS + FALSE_WORDS))
    if type_ == "select":
        return draw(st.sampled_from([o["value"] for o in spec["options"]]))
    if type_ == "multi_select":
        values = [o["value"] for o in spec["options"]]
        return draw(st.lists(st.sampled_from(values), min_size=1,
                             max_size=spec.get("max_items", len(values)), unique=True))
    if type_ == "date":
        latest = NOW.date() if spec["not_future"] else dt.date(2030, 12, 31)
        day = draw(st.dates(dt.date(2020, 1, 1), latest))
        form = draw(st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"]))
        return day.strftime(form)
    if type_ == "datetime":
        moment = draw(st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2026, 11, 27)))
        offset = draw(st.sampled_from([0, 8 * 60, -5 * 60, 5 * 60 + 30]))
        zone = dt.timezone(dt.timedelta(minutes=offset))
        return moment.replace(tzinfo=zone).isoformat(sep=draw(st.sampled_from(["T", " "])))
    if type_ == "scan":
        return draw(st.sampled_from(SCANS[spec["kind"]]))
    if type_ == "group":
        lots = draw(st.lists(st.sampled_from(SCANS["item"]), max_size=4, unique=True))
        return [{"lot": lot, "qty": valid_raw(draw, spec["fields"][1])} for lot in lots]
    raise AssertionError(type_)


INVALID_RAW: dict[str, Any] = {
    "text": {"not": "text"}, "number": "twelve", "integer": "1.5", "boolean": "maybe",
    "select": "__none__", "multi_select": ["__none__"], "date": "2026-02-30",
    "datetime": "2026-11-28T08:30:00", "scan": INVALID_SCAN, "measurement": "n/a",
}


@st.composite
def submissions(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    doc = draw(definitions())
    payload: dict[str, Any] = {}
    for spec in doc["fields"]:
        if spec["required"] or draw(st.booleans()):
            value = valid_raw(draw, spec)
            if value != [] or spec["type"] != "group" or not spec["required"]:
                payload[spec["key"]] = value
            else:
                payload[spec["key"]] = [{"lot": SCANS["item"][0],
                                         "qty": valid_raw(draw, spec["fields"][1])}]
    return doc, payload


@SETTINGS
@given(definitions())
def test_generated_definitions_are_valid(doc: dict[str, Any]) -> None:
    assert check_definition(doc) == []


@SETTINGS
@given(submissions())
def test_data_generated_from_a_definition_validates(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    doc, payload = case
    result = compile_form(doc).validate(payload, now=NOW)
    assert result.problems == []
    assert list(Draft202012Validator(data_schema(doc)).iter_errors(result.data)) == []
    for spec in doc["fields"]:
        raw = payload.get(spec["key"])
        if spec["type"] in ("number", "integer") and raw is not None:
            assert result.data[spec["key"]] == float(str(raw).replace(",", "."))
        if spec["type"] == "measurement" and raw is not None:
            value, limits = result.data[spec["key"]]["value"], spec["spec"]
            inside = limits["lsl"] <= value <= limits["usl"]
            assert result.data[spec["key"]]["result"] == ("pass" if inside else "fail")


@SETTINGS
@given(submissions(), st.data())
def test_one_spoiled_value_is_reported_at_exactly_its_path(
    case: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject
) -> None:
    doc, payload = case
    spec = data.draw(st.sampled_from(doc["fields"]))
    key = spec["key"]
    expected: tuple[Any, ...]
    if spec["type"] == "group":
        items = payload.get(key) or [{"lot": SCANS["item"][0],
                                      "qty": valid_raw(data.draw, spec["fields"][1])}]
        index = data.draw(st.integers(0, len(items) - 1))
        sub = data.draw(st.sampled_from(spec["fields"]))
        items = [dict(item) for item in items]
        items[index][sub["key"]] = INVALID_RAW[sub["type"]]
        spoiled, expected = {**payload, key: items}, (key, index, sub["key"])
    else:
        spoiled, expected = {**payload, key: INVALID_RAW[spec["type"]]}, (key,)
    problems = compile_form(doc).validate(spoiled, now=NOW).problems
    assert problems, spoiled
    assert {p.path[: len(expected)] for p in problems} == {expected}
    for problem in problems:
        assert problem.message("zh-CN") != problem.code
