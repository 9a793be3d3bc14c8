"""Reading what tablets send: numbers, booleans, dates and date-times (table-driven)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from lotline.form_engine.coerce import (
    Invalid,
    decimals_of,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12.5", "12.5"),
        ("12,5", "12.5"),
        (" 12.5 ", "12.5"),
        ("-3", "-3"),
        ("+4", "4"),
        ("−7,25", "-7.25"),  # U+2212 minus sign
        ("1e-3", "0.001"),
        ("1,234.5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1,234,567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("1 234,5", "1234.5"),
        ("1'234.5", "1234.5"),
        ("0,125", "0.125"),
        (",5", "0.5"),
        ("１２．５", "12.5"),  # full-width digits from a Chinese IME
        ("１２，５", "12.5"),
        (12, "12"),
        (12.5, "12.5"),
        (0.1, "0.1"),
    ],
)
def test_numbers_people_write_are_read(raw: Any, expected: str) -> None:
    assert parse_decimal(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw",
    ["abc", "12.5.3", "1,2,3", "1,234,5", "12a", ".", "", "   ", "nan", "inf", "1e999999",
     True, None, [1], {"v": 1}, float("nan"), "1' 000", "12-5"],
)
def test_non_numbers_are_not_a_number_with_the_value(raw: Any) -> None:
    with pytest.raises(Invalid) as caught:
        parse_decimal(raw)
    assert caught.value.code == "not_a_number"
    assert "value" in caught.value.params


def test_a_single_comma_before_three_digits_is_ambiguous_not_guessed() -> None:
    with pytest.raises(Invalid) as caught:
        parse_decimal("1,250")
    assert caught.value.code == "number_ambiguous"
    assert caught.value.params == {"value": "1,250", "as_thousands": "1250", "as_decimal": "1.250"}


@pytest.mark.parametrize(("number", "places"), [("12.50", 1), ("12", 0), ("1E+2", 0), ("0.001", 3)])
def test_decimal_places_count_significant_digits(number: str, places: int) -> None:
    assert decimals_of(Decimal(number)) == places


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("true", True), ("TRUE", True), ("yes", True), ("Y", True),
     ("1", True), ("on", True), ("是", True), ("对", True), ("✓", True), (1, True),
     ("false", False), ("no", False), ("0", False), ("off", False), ("否", False),
     ("错", False), ("×", False), (0, False), (" No ", False)],
)
def test_booleans_in_both_languages(raw: Any, expected: bool) -> None:
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", 2, None, "", [], "真的"])
def test_non_booleans(raw: Any) -> None:
    with pytest.raises(Invalid) as caught:
        parse_bool(raw)
    assert caught.value.code == "not_a_boolean"


@pytest.mark.parametrize(
    "raw", ["2026-11-28", "2026/11/28", "2026.11.28", "20261128", "2026年11月28日", "2026-11-28 ",
            "２０２６-１１-２８"],
)
def test_unambiguous_dates(raw: str) -> None:
    assert parse_date(raw) == dt.date(2026, 11, 28)


@pytest.mark.parametrize("raw", ["28/11/2026", "11/28/2026", "2026-02-30", "2026-13-01", "tomorrow",
                                 "2026-11-28T08:00:00+08:00", 20261128, None])
def test_ambiguous_or_impossible_dates_are_refused(raw: Any) -> None:
    with pytest.raises(Invalid) as caught:
        parse_date(raw)
    assert caught.value.code == "not_a_date"


@pytest.mark.parametrize(
    ("raw", "offset_minutes"),
    [("2026-11-28T08:30:00+08:00", 480), ("2026-11-28 08:30:00+0800", 480),
     ("2026-11-28T08:30+08", 480), ("2026-11-28T00:30:00Z", 0), ("2026-11-28T00:30:00z", 0),
     ("2026-11-27T19:30:00.250-05:00", -300)],
)
def test_datetimes_keep_their_offset(raw: str, offset_minutes: int) -> None:
    value = parse_datetime(raw)
    assert value.utcoffset() == dt.timedelta(minutes=offset_minutes)
    assert value.astimezone(dt.UTC).replace(microsecond=0) == dt.datetime(2026, 11, 28, 0, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("raw", ["2026-11-28T08:30:00", "2026-11-28 08:30"])
def test_datetimes_without_offset_are_refused_precisely(raw: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_datetime(raw)
    assert caught.value.code == "datetime_missing_offset"
    assert caught.value.params == {"value": raw}


@pytest.mark.parametrize("raw", ["2026-11-28", "2026-02-30T08:00:00Z", "2026-11-28T25:00:00Z",
                                 "2026-11-28T08:00:00+19:00", "now", 1764290000])
def test_non_datetimes(raw: Any) -> None:
    with pytest.raises(Invalid) as caught:
        parse_datetime(raw)
    assert caught.value.code == "not_a_datetime"
