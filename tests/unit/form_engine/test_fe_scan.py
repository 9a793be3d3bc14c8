"""Scan normalisation: the vectors of shared/standards/gs1-barcodes.md and scanner quirks."""

from __future__ import annotations

from typing import Any

import pytest
from fe_forms import GS1_VECTOR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotline.form_engine import Problem, normalise_scan

GTIN = "09506000134352"

# The standard's test vector as every carrier and keyboard-wedge scanner delivers it.
VECTOR_QUIRKS = [
    pytest.param(GS1_VECTOR, id="standard-vector-leading-GS"),
    pytest.param("01095060001343521726123110ABC123\x1d21SN0001", id="no-leading-GS"),
    pytest.param("]C101095060001343521726123110ABC123\x1d21SN0001", id="GS1-128-]C1"),
    pytest.param("]d201095060001343521726123110ABC123\x1d21SN0001", id="DataMatrix-]d2"),
    pytest.param("]Q301095060001343521726123110ABC123\x1d21SN0001", id="QR-]Q3"),
    pytest.param("]e001095060001343521726123110ABC123\x1d21SN0001", id="DataBar-]e0"),
    pytest.param("]d2\x1d01095060001343521726123110ABC123\x1d21SN0001", id="]d2-then-FNC1"),
    pytest.param("01095060001343521726123110ABC123|21SN0001", id="GS-replaced-by-pipe"),
    pytest.param("01095060001343521726123110ABC123~21SN0001", id="GS-replaced-by-tilde"),
    pytest.param("01095060001343521726123110ABC123^21SN0001", id="GS-replaced-by-caret"),
    pytest.param("01095060001343521726123110ABC123<GS>21SN0001", id="GS-written-as-<GS>"),
    pytest.param("01095060001343521726123110ABC123{GS}21SN0001", id="GS-written-as-{GS}"),
    pytest.param("01095060001343521726123110ABC123\x1d21SN0001\r\n", id="trailing-CR-LF"),
    pytest.param("  ]C101095060001343521726123110ABC123\x1d21SN0001\n", id="spaces-and-LF"),
    pytest.param("01095060001343521726123110ABC123\x1d21SN0001\x1d", id="trailing-GS"),
    pytest.param("01095060001343521726123121SN0001\x1d10ABC123", id="serial-first-no-final-GS"),
    pytest.param("(01)09506000134352(17)261231(10)ABC123(21)SN0001", id="human-readable"),
    pytest.param("(01) 09506000134352 (17) 261231 (10) ABC123 (21) SN0001", id="HRI-with-spaces"),
    pytest.param("https://id.gs1.org/01/09506000134352/10/ABC123/21/SN0001?17=261231", id="digital-link"),
    pytest.param(
        "https://lotline.example.cn/01/09506000134352/10/ABC123/21/SN0001?17=261231",
        id="digital-link-own-domain",
    ),
    pytest.param(
        "HTTPS://id.gs1.org/01/9506000134352/10/ABC123/21/SN0001?17=261231",
        id="digital-link-GTIN-13-upper-scheme",
    ),
]


@pytest.mark.parametrize("raw", VECTOR_QUIRKS)
def test_the_standard_vector_in_every_disguise(raw: str) -> None:
    result = normalise_scan(raw)
    assert result.ok, result.problems
    value = result.value
    assert value is not None
    assert (value["gtin"], value["lot"], value["serial"], value["expiry"]) == (
        GTIN,
        "ABC123",
        "SN0001",
        "2026-12-31",
    )
    assert value["code"] == f"(01){GTIN}(21)SN0001"
    assert value["raw"] == raw
    assert value["format"] in ("gs1", "digital_link")


def test_standard_vector_fields_in_detail() -> None:
    value = normalise_scan(GS1_VECTOR).value
    assert value == {
        "raw": GS1_VECTOR,
        "format": "gs1",
        "code": f"(01){GTIN}(21)SN0001",
        "symbology": None,
        "gtin": GTIN,
        "lot": "ABC123",
        "serial": "SN0001",
        "expiry": "2026-12-31",
        "best_before": None,
        "production_date": None,
        "sscc": None,
        "gln": None,
        "giai": None,
        "grai": None,
        "quantity": None,
        "unit": None,
        "hri": f"(01){GTIN}(17)261231(10)ABC123(21)SN0001",
        "ais": {"01": GTIN, "17": "261231", "10": "ABC123", "21": "SN0001"},
    }


def test_digital_link_keeps_the_uri_and_format() -> None:
    uri = "https://id.gs1.org/01/09506000134352/10/ABC%2F123?17=261231"
    value = normalise_scan(uri).value
    assert value is not None
    assert (value["format"], value["uri"], value["lot"]) == ("digital_link", uri, "ABC/123")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(01)09506000134352(17)261200(10)ABC123", {"expiry": "2026-12-31"}),  # DD=00: last day
        ("(01)09506000134352(17)260200", {"expiry": "2026-02-28"}),
        (
            "(01)09506000134352(15)270115(11)261101",
            {"best_before": "2027-01-15", "production_date": "2026-11-01"},
        ),
        ("]C100106141411234567897", {"sscc": "106141411234567897", "code": "(00)106141411234567897"}),
        (
            "(00)106141411234567897(02)09506000134352(37)12",
            {
                "sscc": "106141411234567897",
                "gtin": GTIN,
                "quantity": 12,
                "unit": "EA",
                "code": "(00)106141411234567897",
            },
        ),
        ("0109506000134352\x1d3103001250", {"quantity": 1.25, "unit": "kg"}),
        ("(01)09506000134352(30)40", {"quantity": 40, "unit": "EA"}),
        ("(414)0614141000005(254)DOCK-3", {"gln": "0614141000005", "code": "(414)0614141000005(254)DOCK-3"}),
        ("(8004)0614141ASSET42", {"giai": "0614141ASSET42", "code": "(8004)0614141ASSET42"}),
        ("(8003)00614141000005RT7", {"grai": "00614141000005RT7"}),
        (
            "(01)09506000134352(10)LOT7(240)PN-778(400)PO4711(91)ZONE-A",
            {"ais": {"01": GTIN, "10": "LOT7", "240": "PN-778", "400": "PO4711", "91": "ZONE-A"}},
        ),
        ("(01)09506000134352(241)CUST-PN-1", {"ais": {"01": GTIN, "241": "CUST-PN-1"}}),
        ("9506000134352", {"gtin": GTIN, "format": "gs1", "code": f"(01){GTIN}"}),  # EAN-13
        ("]E09506000134352", {"gtin": GTIN, "symbology": "]E0"}),
        ("106141411234567897", {"sscc": "106141411234567897"}),  # bare SSCC
        ("EQ-0042", {"format": "internal", "code": "EQ-0042", "gtin": None}),
        ("  OP-0042\r\n", {"format": "internal", "code": "OP-0042"}),
        ("10ABC", {"format": "internal", "code": "10ABC"}),  # no GS1 signal: an internal code
        ("09506000134353", {"format": "internal"}),  # bad check digit, no signal: internal
        ("]A0LOT-77", {"format": "internal", "code": "LOT-77", "symbology": "]A0"}),  # Code 39
        ("https://intranet.example.com/tools/42", {"format": "internal"}),
    ],
)
def test_what_each_barcode_becomes(raw: str, expected: dict[str, Any]) -> None:
    result = normalise_scan(raw)
    assert result.ok, result.problems
    value = result.value
    assert value is not None
    assert {key: value[key] for key in expected} == expected


BAD_SCANS = [
    (
        "01095060001343531726123110ABC123",
        "gs1_bad_check_digit",
        {"ai": "01", "value": "09506000134353", "expected": 2},
    ),
    (
        "]d201095060001343531726123110ABC123",
        "gs1_bad_check_digit",
        {"ai": "01", "value": "09506000134353", "expected": 2},
    ),
    (
        "00106141411234567890",
        "gs1_bad_check_digit",
        {"ai": "00", "value": "106141411234567890", "expected": 7},
    ),
    (
        "(01)09506000134353(10)ABC",
        "gs1_bad_check_digit",
        {"ai": "01", "value": "09506000134353", "expected": 2},
    ),
    (
        "https://id.gs1.org/01/09506000134353/10/ABC123",
        "gs1_bad_check_digit",
        {"ai": "01", "value": "09506000134353", "expected": 2},
    ),
    ("]E09506000134353", "gs1_bad_check_digit", {"ai": "01", "value": "09506000134353", "expected": 2}),
    ("01095060001343521726133210ABC123", "gs1_bad_date", {"ai": "17", "value": "261332"}),
    ("]C101095060001343521726023010ABC123", "gs1_bad_date", {"ai": "17", "value": "260230"}),
    ("(01)09506000134352(17)261332(10)ABC123", "gs1_bad_date", {"ai": "17", "value": "261332"}),
    ("(01)09506000134352(11)251399", "gs1_bad_date", {"ai": "11", "value": "251399"}),
    (
        "https://id.gs1.org/01/09506000134352/10/ABC123?17=261332",
        "gs1_bad_date",
        {"ai": "17", "value": "261332"},
    ),
    ("]C10109506000134", "gs1_bad_value", {"ai": "01", "value": "09506000134"}),
    ("]C1ABC-123", "gs1_unknown_ai", {"value": "ABC-123"}),
    # biip accepts a count (AI 30/37) without digits; it is no quantity
    ("]C130", "gs1_bad_value", {"ai": "30", "value": ""}),
    ("0109506000134352\x1d37\x1d10A", "gs1_bad_value", {"ai": "37", "value": ""}),
    ("(01)09506000134352(10)ABC(2X)1", "gs1_unknown_ai", {"value": "(2X)1"}),
]


@pytest.mark.parametrize(("raw", "code", "params"), BAD_SCANS)
def test_broken_gs1_is_a_specific_problem_never_a_crash(raw: str, code: str, params: dict[str, Any]) -> None:
    result = normalise_scan(raw, path=("lots", 0, "lot"))
    assert result.value is None
    assert result.problems[0] == Problem(("lots", 0, "lot"), code, params)


def test_only_the_diagnosis_of_hri_differs_for_unknown_ai() -> None:
    # biip refuses HRI with an unknown AI; the diagnosis names the AI, not the rest.
    result = normalise_scan("(01)09506000134352(999)X")
    assert [p.code for p in result.problems] == ["gs1_unknown_ai"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("09506000134353", "gs1_bad_check_digit"),
        ("10ABCé", "gs1_unknown_ai"),
        ("EQ-0042", "gs1_unknown_ai"),
        ("01095060001", "gs1_bad_value"),
        ("https://example.com/product/123", "gs1_bad_digital_link"),
    ],
)
def test_when_internal_codes_are_not_accepted_everything_must_be_gs1(raw: str, code: str) -> None:
    result = normalise_scan(raw, allow_internal=False)
    assert [p.code for p in result.problems] == [code]


def test_without_internal_codes_a_lot_only_element_string_is_gs1() -> None:
    value = normalise_scan("10ABC", allow_internal=False).value
    assert value is not None and (value["format"], value["lot"]) == ("gs1", "ABC")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "scan_empty"),
        ("  \r\n", "scan_empty"),
        (None, "wrong_type"),
        (True, "wrong_type"),
        (["x"], "wrong_type"),
    ],
)
def test_empty_or_non_text_scans(raw: Any, code: str) -> None:
    assert [p.code for p in normalise_scan(raw, path=("x",)).problems] == [code]


def test_problem_messages_in_both_languages() -> None:
    problem = normalise_scan("01095060001343521726133210ABC123").problems[0]
    assert problem.message("en") == "GS1 (17) date 261332 does not exist."
    assert problem.message("zh-CN") == "GS1 (17) 日期 261332 无效（不存在该日期）。"
    check = normalise_scan("01095060001343531726123110ABC123").problems[0]
    assert check.message("zh-CN") == "GS1 (01) 09506000134353 的校验位错误（应为 2）。"


def test_cached_results_are_copies() -> None:
    first = normalise_scan(GS1_VECTOR).value
    assert first is not None
    first["lot"] = "TAMPERED"
    first["ais"]["10"] = "TAMPERED"
    again = normalise_scan(GS1_VECTOR).value
    assert again is not None and again["lot"] == "ABC123" and again["ais"]["10"] == "ABC123"


@pytest.mark.parametrize(
    ("raw", "allow_internal", "outcome"),
    [
        # biip's system-expansion reader (``]Y`` + a digit) does int() on the third character
        ("]Ya0109506000134352", True, "internal"),
        ("]Ya0109506000134352", False, "gs1_unknown_ai"),
        # urlsplit refuses "]" or "[" in a host (an IPv6 literal) with a ValueError
        ("https://id.g]1.org/01/09506000134352/10/ABC", True, "gs1_bad_digital_link"),
        ("https://id.g]1.org/01/09506000134352/10/ABC", False, "gs1_bad_digital_link"),
        ("http://[::1/01/09506000134352", True, "gs1_bad_digital_link"),
        ("https://[shop/product/42", True, "internal"),
        ("https://[shop/product/42", False, "gs1_bad_digital_link"),
    ],
)
def test_what_biip_and_urlsplit_raise_besides_parse_error_is_no_crash(
    raw: str, allow_internal: bool, outcome: str
) -> None:
    result = normalise_scan(raw, allow_internal=allow_internal)
    found = result.value["format"] if result.value else result.problems[0].code
    assert found == outcome


SCAN_ALPHABET = "0123456789()]dCQeJYXAE|~^\x1d <>{}[]GSFNC/:?=&%.abchtps-\r\n"
SCAN_PREFIXES = [
    "",
    "]C1",
    "]d2",
    "]Q3",
    "]e0",
    "]E0",
    "]Y2",
    "]Ya",
    "(01)",
    "https://id.gs1.org/01/",
    "http://[",
    "010950600013435",
    "0109506000134352",
]
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(
    prefix=st.sampled_from(SCAN_PREFIXES),
    rest=st.text(SCAN_ALPHABET, max_size=40),
    allow_internal=st.booleans(),
)
def test_any_text_is_a_value_or_problems_never_an_exception(
    prefix: str, rest: str, allow_internal: bool
) -> None:
    result = normalise_scan(prefix + rest, path=("x",), allow_internal=allow_internal)
    assert (result.value is None) != (not result.problems)
    assert all(problem.path == ("x",) for problem in result.problems)


GS1_DATA = st.text("0123456789ABCXYZ-", min_size=1, max_size=12)


@PROPERTY_SETTINGS
@given(
    lot=GS1_DATA,
    serial=GS1_DATA,
    symbology=st.sampled_from(["", "]C1", "]d2", "]Q3"]),
    standin=st.sampled_from(["|", "~", "^", "<GS>", "{GS}", "[FNC1]"]),
    final=st.booleans(),
)
def test_a_separator_stand_in_reads_like_gs(
    lot: str, serial: str, symbology: str, standin: str, final: bool
) -> None:
    # biip is given the stand-ins only when the text has them; the result must not differ
    message = f"{symbology}0109506000134352\x1d10{lot}\x1d21{serial}" + ("\x1d" if final else "")
    with_gs = normalise_scan(message)
    with_standin = normalise_scan(message.replace("\x1d", standin))
    assert with_gs.problems == with_standin.problems
    if with_gs.value is not None:
        assert with_standin.value is not None
        assert {**with_gs.value, "raw": None} == {**with_standin.value, "raw": None}
        assert with_gs.value["lot"] == lot and with_gs.value["serial"] == serial
