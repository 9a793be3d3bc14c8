"""Plain value fields: text, number, integer, boolean, date, datetime.

==========  ==========================================  ===========================================
type        options                                     problem codes
==========  ==========================================  ===========================================
text        min_length, max_length (default 2000),      wrong_type, too_short, too_long,
            pattern (full match), default               pattern_mismatch
number      unit, decimals (max places), min, max,      not_a_number, number_ambiguous,
            default                                     too_many_decimals, too_small, too_large
integer     unit, min, max, default                     not_a_number, not_an_integer, too_small,
                                                        too_large
boolean     must_be_true (checklists), default          not_a_boolean, must_be_true
date        min, max (ISO dates), not_future, default   not_a_date, date_too_early,
                                                        date_too_late, in_future
datetime    not_future (5 min clock-skew tolerance)     not_a_datetime, datetime_missing_offset,
                                                        in_future
==========  ==========================================  ===========================================

Normalised values: text -> str (trimmed, NFKC); number -> float; integer -> int; boolean ->
bool; date -> ``"YYYY-MM-DD"``; datetime -> ISO 8601 string keeping the sender's offset.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from typing import Any

from ..coerce import (
    Invalid,
    normalise_text,
    parse_bool,
    parse_date,
    read_datetime,
    read_number,
)
from ..problems import Path, Problem
from .base import FieldType, Run, range_problem, register_field_type

DEFAULT_MAX_TEXT = 2000
CLOCK_SKEW = dt.timedelta(minutes=5)
_MAX_SAFE_INTEGER = 2.0**53  # integers beyond this do not survive JSON in a browser


def compile_pattern(pattern: Any) -> re.Pattern[str] | None:
    """The compiled option, or ``None`` if unset or broken (``bad_pattern`` reports it)."""
    if not isinstance(pattern, str) or not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None


def pattern_problems(path: Path, pattern: Any) -> Iterator[Problem]:
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            yield Problem(path, "bad_pattern", {"pattern": pattern, "detail": str(exc)})


@register_field_type
class TextField(FieldType):
    type_name = "text"
    options = frozenset({"min_length", "max_length", "pattern", "default"})
    widgets = ("text", "textarea")

    def setup(self) -> None:
        self.min_length = int(self.spec.get("min_length", 0))
        self.max_length = int(self.spec.get("max_length", DEFAULT_MAX_TEXT))
        self.pattern = compile_pattern(self.spec.get("pattern"))

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        yield from range_problem(path, self.spec, "min_length", "max_length")
        yield from pattern_problems((*path, "pattern"), self.spec.get("pattern"))

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise Invalid("wrong_type", expected="string")
        text = normalise_text(raw) if isinstance(raw, str) else str(raw)
        if len(text) < self.min_length:
            raise Invalid("too_short", min_length=self.min_length, length=len(text))
        if len(text) > self.max_length:
            raise Invalid("too_long", max_length=self.max_length, length=len(text))
        if self.pattern is not None and not self.pattern.fullmatch(text):
            raise Invalid("pattern_mismatch", value=text, pattern=self.pattern.pattern)
        return text

    def input_schema(self, locale: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length}
        if self.min_length:
            schema["minLength"] = self.min_length
        if self.pattern is not None:
            schema["pattern"] = f"^(?:{self.pattern.pattern})$"
        return schema

    def data_schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length}


class _NumericField(FieldType):
    value_kind = "number"
    widgets = ("updown", "text", "range")
    json_type = "number"

    def setup(self) -> None:
        self.minimum = _opt_number(self.spec.get("min"))
        self.maximum = _opt_number(self.spec.get("max"))
        self.decimals: int | None = self.spec.get("decimals")
        # The happy path's bounds as plain numbers (an absent one never decides).
        self.low = -math.inf if self.minimum is None else self.minimum
        self.high = math.inf if self.maximum is None else self.maximum
        self.max_places = math.inf if self.decimals is None else self.decimals

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        yield from range_problem(path, self.spec, "min", "max")

    def check_range(self, number: float) -> None:
        if self.minimum is not None and number < self.minimum:
            raise Invalid("too_small", min=self.minimum, value=number)
        if self.maximum is not None and number > self.maximum:
            raise Invalid("too_large", max=self.maximum, value=number)

    def input_schema(self, locale: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.json_type}
        if self.minimum is not None:
            schema["minimum"] = self.spec["min"]
        if self.maximum is not None:
            schema["maximum"] = self.spec["max"]
        return schema

    def ui_options(self, locale: str) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.unit:
            options["unit"] = self.unit
        if self.decimals is not None:
            options["decimals"] = self.decimals
        return options

    def data_schema(self) -> dict[str, Any]:
        return self.input_schema("en")


@register_field_type
class NumberField(_NumericField):
    type_name = "number"
    options = frozenset({"unit", "decimals", "min", "max", "default"})

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        number, places = read_number(raw)
        if places > self.max_places:
            raise Invalid("too_many_decimals", decimals=self.decimals, value=str(raw))
        if number < self.low or number > self.high:
            self.check_range(number)
        return number


@register_field_type
class IntegerField(_NumericField):
    type_name = "integer"
    options = frozenset({"unit", "min", "max", "default"})
    json_type = "integer"

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        if raw.__class__ is int:
            number = float(raw)
        else:
            number, places = read_number(raw)
            if places:
                raise Invalid("not_an_integer", value=raw)
        if abs(number) >= _MAX_SAFE_INTEGER:
            raise Invalid("not_an_integer", value=raw)
        if number < self.low or number > self.high:
            self.check_range(number)
        return raw if raw.__class__ is int else int(number)


@register_field_type
class BooleanField(FieldType):
    type_name = "boolean"
    options = frozenset({"must_be_true", "default"})
    widgets = ("checkbox", "radio", "select")
    value_kind = "boolean"

    def setup(self) -> None:
        self.must_be_true = bool(self.spec.get("must_be_true"))

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        value = parse_bool(raw)
        if self.must_be_true and not value:
            raise Invalid("must_be_true")
        return value

    def input_schema(self, locale: str) -> dict[str, Any]:
        if self.spec.get("must_be_true"):
            return {"type": "boolean", "const": True}
        return {"type": "boolean"}

    def data_schema(self) -> dict[str, Any]:
        return self.input_schema("en")


@register_field_type
class DateField(FieldType):
    type_name = "date"
    options = frozenset({"min", "max", "not_future", "default"})
    widgets = ("date",)
    value_kind = "date"

    def setup(self) -> None:
        self.minimum = _opt_date(self.spec.get("min"))
        self.maximum = _opt_date(self.spec.get("max"))
        self.not_future = bool(self.spec.get("not_future"))

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        for option in ("min", "max"):
            value = self.spec.get(option)
            if isinstance(value, str) and _opt_date(value) is None:
                yield Problem((*path, option), "bad_option_value", {"option": option, "value": value})
        yield from range_problem(path, self.spec, "min", "max")

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        value = parse_date(raw)
        if self.minimum is not None and value < self.minimum:
            raise Invalid("date_too_early", min=self.minimum.isoformat(), value=value.isoformat())
        if self.maximum is not None and value > self.maximum:
            raise Invalid("date_too_late", max=self.maximum.isoformat(), value=value.isoformat())
        if self.not_future and value > run.today:
            raise Invalid("in_future", value=value.isoformat())
        return value.isoformat()

    def input_schema(self, locale: str) -> dict[str, Any]:
        return {"type": "string", "format": "date"}

    def ui_options(self, locale: str) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for option in ("min", "max", "not_future"):
            if option in self.spec:
                options["notFuture" if option == "not_future" else option] = self.spec[option]
        return options

    def data_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


@register_field_type
class DateTimeField(FieldType):
    type_name = "datetime"
    options = frozenset({"not_future"})
    widgets = ("datetime",)
    value_kind = "datetime"

    def setup(self) -> None:
        self.not_future = bool(self.spec.get("not_future"))

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        value, text = read_datetime(raw)
        if self.not_future and value > run.now + CLOCK_SKEW:
            raise Invalid("in_future", value=text)
        return text

    def input_schema(self, locale: str) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}

    def data_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date-time"}


def _opt_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _opt_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
