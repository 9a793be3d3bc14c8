"""Turning what tablets send (mostly strings) into typed values, the way an operator expects.

Every parser returns the typed value or raises ``Invalid(code, **params)``; the field type turns
that into a ``Problem`` at the field's path. Text is NFKC-normalised first, so full-width digits
and punctuation from a Chinese input method (``１２，５``) read like their ASCII forms.

Numbers (``parse_decimal``)
    ``12.5``, ``-3``, ``+4``, ``1e-3``, ``12,5`` (decimal comma), ``1,234.5`` / ``1.234,5`` (the
    last separator is the decimal mark, the other groups thousands), ``1 234,5`` and ``1'234.5``
    (space / apostrophe grouping). Grouping must come in threes. ``1,250`` is refused as
    ``number_ambiguous`` (1250 or 1.25?) instead of guessing; ``0,125`` is 0.125. Booleans, NaN
    and infinities are ``not_a_number``.
Booleans (``parse_bool``)
    true/false, yes/no, y/n, 1/0, on/off, 是/否, 对/错, 真/假, √/×, ✓/✗ (case-insensitive).
Dates (``parse_date``)
    ``2026-11-28``, ``2026/11/28``, ``2026.11.28``, ``20261128``, ``2026年11月28日``. Day-first
    and month-first forms are refused (``28/11/2026`` vs ``11/28/2026`` cannot be told apart).
Date-times (``parse_datetime``)
    ISO 8601 with ``T`` or a space and a zone offset (``Z``, ``+08:00``, ``+0800``, ``+08``);
    without an offset: ``datetime_missing_offset`` (a record's event time needs its zone).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import cache
from math import isfinite
from typing import Any

_TRUE = frozenset({"true", "t", "yes", "y", "1", "on", "是", "对", "真", "√", "✓", "✔"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off", "否", "错", "假", "×", "✗", "✘"})
_MAX_NUMBER_TEXT = 64

_NUMBER_BODY = re.compile(r"[0-9.,' ]+")
_PLAIN = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"\d{1,3}(?:X\d{3})+")
_DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?",
    re.IGNORECASE,
)
# The shapes of _DATETIME that ``datetime.fromisoformat`` reads to the same value (JavaScript's
# ``toISOString`` and ISO 8601 with a ``±HH:MM`` offset in _DATETIME's range).
_ISO_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3}|\.\d{6})?(?:Z|[+-](?:0\d|1[0-8]):[0-5]\d)", re.ASCII
)


class Invalid(Exception):
    """One value could not be read; carries a problem code and its parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def normalise_text(raw: str) -> str:
    """NFKC (full-width to ASCII, compatibility forms) and trimmed."""
    return unicodedata.normalize("NFKC", raw).strip() if not raw.isascii() else raw.strip()


def parse_decimal(raw: Any) -> Decimal:
    """A finite ``Decimal`` from a JSON number or a number written the way people write them."""
    if isinstance(raw, bool):
        raise Invalid("not_a_number", value=raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(_finite(raw, raw)))
    number = Decimal(number_text(raw))
    if abs(number.adjusted()) > 300:
        raise Invalid("not_a_number", value=raw)
    return number


def read_number(raw: Any) -> tuple[float, int]:
    """(value, significant decimal places) of a number as sent; the fast path for number and
    measurement fields. Floats order decimal inputs of up to 15 significant digits exactly."""
    cls = raw.__class__
    if cls is str:
        text = _plain_number(raw)
        if text is not None:  # only digits and a point: finite, no exponent
            return float(text), len(text.partition(".")[2].rstrip("0"))
        text = number_text(raw)
        value = _finite(float(text), raw)
        if "e" in text or "E" in text:
            return value, decimals_of(Decimal(text))
        return value, len(text.partition(".")[2].rstrip("0"))
    if cls is float:
        text = repr(_finite(raw, raw))
        if "e" in text:
            return raw, decimals_of(Decimal(text))
        return raw, len(text.partition(".")[2].rstrip("0"))
    if isinstance(raw, bool):
        raise Invalid("not_a_number", value=raw)
    if isinstance(raw, int):
        return _finite(float(raw), raw), 0
    if isinstance(raw, float):
        return _finite(raw, raw), decimals_of(Decimal(repr(raw)))
    raise Invalid("not_a_number", value=raw)


def _finite(value: float, raw: Any) -> float:
    if not isfinite(value):
        raise Invalid("not_a_number", value=str(raw))
    return value


def _plain_number(raw: str) -> str | None:
    """The canonical text of the common cases, ASCII digits with a decimal point (``12.5``,
    ``-3``, ``.5``) or a decimal comma (``12,5``, ``0,125``; not the ambiguous ``1,250``);
    ``None`` for anything else (``number_text`` then reads it)."""
    if len(raw) > _MAX_NUMBER_TEXT:
        return None
    plain = raw.strip()
    if not plain.isascii():
        return None
    body = plain[1:] if plain[:1] in ("+", "-") else plain
    if body.replace(".", "", 1).isdigit():
        return plain
    whole, comma, fraction = body.partition(",")
    if (
        comma
        and fraction.isdigit()
        and (whole.isdigit() or not whole)
        and (len(fraction) != 3 or not whole.strip("0"))
    ):
        return plain.replace(",", ".")
    return None


def number_text(raw: Any) -> str:
    """The canonical text (``-1234.5``) of a number written as text; ``Invalid`` otherwise."""
    if not isinstance(raw, str) or len(raw) > _MAX_NUMBER_TEXT:
        raise Invalid("not_a_number", value=raw)
    plain = _plain_number(raw)
    if plain is not None:
        return plain
    text = normalise_text(raw).replace("\u2212", "-")
    if not text:
        raise Invalid("not_a_number", value=raw)
    sign = ""
    if text[0] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:].lstrip()
    canonical = sign + _canonical(text, raw)
    try:
        Decimal(canonical)
    except InvalidOperation:
        raise Invalid("not_a_number", value=raw) from None
    return canonical


def _canonical(text: str, raw: str) -> str:
    if _PLAIN.fullmatch(text):
        return text
    if not _NUMBER_BODY.fullmatch(text):
        raise Invalid("not_a_number", value=raw)
    marks = [c for c in text if c in ".,"]
    decimal_mark = None
    if marks:
        last = marks[-1]
        # The last mark is the decimal separator if it occurs only once; otherwise every mark
        # groups thousands ("1,234,567").
        if marks.count(last) == 1:
            decimal_mark = last
    if decimal_mark is None:
        integer, fraction = text, ""
    else:
        integer, fraction = text.rsplit(decimal_mark, 1)
        if not fraction.isdigit():
            raise Invalid("not_a_number", value=raw)
    group_marks = {c for c in integer if not c.isdigit()}
    if len(group_marks) > 1:
        raise Invalid("not_a_number", value=raw)
    if group_marks:
        grouped = integer.replace(next(iter(group_marks)), "X")
        if not _GROUPED.fullmatch(grouped):
            raise Invalid("not_a_number", value=raw)
        integer = grouped.replace("X", "")
    elif decimal_mark == "," and len(fraction) == 3 and integer.lstrip("0") != "" and "." not in text:
        raise Invalid(
            "number_ambiguous",
            value=raw,
            as_thousands=f"{integer}{fraction}",
            as_decimal=f"{integer}.{fraction}",
        )
    if not integer and not fraction:
        raise Invalid("not_a_number", value=raw)
    return f"{integer or '0'}.{fraction}" if fraction else integer


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = normalise_text(raw).lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise Invalid("not_a_boolean", value=raw)


def parse_date(raw: Any) -> dt.date:
    if not isinstance(raw, str):
        raise Invalid("not_a_date", value=raw)
    text = normalise_text(raw)
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    raise Invalid("not_a_date", value=raw)


def parse_datetime(raw: Any) -> dt.datetime:
    return read_datetime(raw)[0]


def read_datetime(raw: Any) -> tuple[dt.datetime, str]:
    """``parse_datetime`` and the ``iso_datetime`` text of the value, which is the text as sent
    when that already is it (seconds and a ``±HH:MM`` offset, other than ``-00:00``)."""
    if not isinstance(raw, str):
        raise Invalid("not_a_datetime", value=raw)
    text = normalise_text(raw)
    if _ISO_SHAPE.fullmatch(text):  # what tablets send: the standard library reads it as we would
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise Invalid("not_a_datetime", value=raw) from None
        if len(text) == 25 and not text.endswith("-00:00"):  # no fraction, an offset
            return value, text
        return value, iso_datetime(value)
    value = _parse_datetime_text(text, raw)
    return value, iso_datetime(value)


def _parse_datetime_text(text: str, raw: str) -> dt.datetime:
    match = _DATETIME.fullmatch(text)
    if not match:
        raise Invalid("not_a_datetime", value=raw)
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if not zulu and not sign:
        raise Invalid("datetime_missing_offset", value=raw)
    if zulu:
        zone = dt.UTC
    else:
        if int(off_h) > 18 or int(off_m or 0) > 59:
            raise Invalid("not_a_datetime", value=raw)
        minutes = int(off_h) * 60 + int(off_m or 0)
        zone = _zone(-minutes if sign == "-" else minutes)
    micro = int((fraction or "0").ljust(6, "0")[:6])
    try:
        return dt.datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=zone
        )
    except ValueError:
        raise Invalid("not_a_datetime", value=raw) from None


def exceeds_decimals(number: Decimal, places: int) -> bool:
    """Whether ``number`` has more than ``places`` significant decimal places."""
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -places:  # the common case: no counting
        return False
    return decimals_of(number) > places


@cache
def _zone(minutes: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(minutes=minutes))


def decimals_of(number: Decimal) -> int:
    """Significant decimal places: ``12.50`` -> 1, ``12`` -> 0, ``1E+2`` -> 0."""
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    places, index = -exponent, len(digits) - 1
    while places and index >= 0 and digits[index] == 0:  # trailing zeros do not count
        places, index = places - 1, index - 1
    return places


def iso_datetime(value: dt.datetime) -> str:
    """Seconds, or microseconds when there are any (what ``isoformat``'s default "auto" does)."""
    return value.isoformat()
