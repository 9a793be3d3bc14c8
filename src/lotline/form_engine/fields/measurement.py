"""The ``measurement`` field: a measured value judged against spec limits.

Options: ``unit`` (required), ``decimals`` (max places accepted), ``spec`` = {``lsl``, ``target``,
``usl``, ``warn_low``, ``warn_high``} (any subset; must satisfy
LSL <= warn_low <= target <= warn_high <= USL), ``plausible_min`` / ``plausible_max`` (values
outside are typing errors, rejected), ``reject_out_of_spec`` (a failing value blocks the
submission instead of being recorded as ``fail``), ``characteristic`` (master-data reference).

Accepted input: a number, a numeric string (see ``coerce``), or ``{"value": ..., "unit": ...}``
(the unit must equal the field's unit; there is no unit conversion).

Result: ``fail`` outside [LSL, USL]; ``warn`` inside the spec but outside
[warn_low, warn_high]; ``pass`` otherwise; ``None`` when the field has no limits at all. Limits
are inclusive (10.05 is inside USL 10.05).

Problem codes: ``not_a_number``, ``number_ambiguous``, ``too_many_decimals``, ``unit_mismatch``,
``too_small`` / ``too_large`` (plausibility), ``out_of_spec`` (blocking only with
``reject_out_of_spec``; otherwise a notice, like ``measurement_warning``).
Normalised value: ``{"value", "unit", "result", "lsl", "target", "usl"[, "warn_low",
"warn_high"]}``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from ..coerce import Invalid, normalise_text, read_number
from ..problems import Path, Problem
from .base import INVALID, FieldType, Run, range_problem, register_field_type

_INF = float("inf")
LIMIT_ORDER = ("lsl", "warn_low", "target", "warn_high", "usl")
RESULTS = ("pass", "warn", "fail")


@register_field_type
class MeasurementField(FieldType):
    type_name = "measurement"
    options = frozenset(
        {"unit", "decimals", "spec", "plausible_min", "plausible_max", "reject_out_of_spec", "characteristic"}
    )
    widgets = ("measurement",)
    value_kind = "measurement"

    def setup(self) -> None:
        spec = self.spec.get("spec") or {}
        self.limits = {name: spec[name] for name in LIMIT_ORDER if name in spec}
        self.numbers = {name: float(value) for name, value in self.limits.items()}
        self.decimals: int | None = self.spec.get("decimals")
        self.plausible_min = self.spec.get("plausible_min")
        self.plausible_max = self.spec.get("plausible_max")
        self.unit_text = normalise_text(self.unit or "")
        self.limits_text = _limits_text(self.limits)
        self.warn_text = _limits_text(self.limits, warn=True)
        self.reject_out_of_spec = bool(self.spec.get("reject_out_of_spec"))
        # ``judge``'s bounds as plain floats (an absent limit never decides).
        numbers = self.numbers
        self.bounds = (
            numbers.get("lsl", -_INF),
            numbers.get("usl", _INF),
            numbers.get("warn_low", -_INF),
            numbers.get("warn_high", _INF),
        )
        # The normalised value with its fixed parts filled in, in its key order.
        self.template: dict[str, Any] = {
            "value": None,
            "unit": self.unit,
            "result": None,
            "lsl": self.limits.get("lsl"),
            "target": self.limits.get("target"),
            "usl": self.limits.get("usl"),
        }
        for name in ("warn_low", "warn_high"):
            if name in self.limits:
                self.template[name] = self.limits[name]

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        present = [(name, self.limits[name]) for name in LIMIT_ORDER if name in self.limits]
        for (low_name, low), (high_name, high) in itertools.pairwise(present):
            if low > high:
                yield Problem(
                    (*path, "spec"),
                    "spec_limits_order",
                    {"low_name": low_name, "low": low, "high_name": high_name, "high": high},
                )
        yield from range_problem(path, self.spec, "plausible_min", "plausible_max")

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        sent = raw
        if isinstance(raw, dict):
            unknown = sorted(set(raw) - {"value", "unit"})
            if unknown:
                run.problems.extend(Problem((*path, key), "unknown_field", {"key": key}) for key in unknown)
                return INVALID
            unit = raw.get("unit")
            if unit is not None and normalise_text(str(unit)) != self.unit_text:
                raise Invalid("unit_mismatch", unit=unit, expected=self.unit)
            sent = raw.get("value")
            if sent is None or (isinstance(sent, str) and not sent.strip()):
                raise Invalid("required")
        value, places = read_number(sent)
        if self.decimals is not None and places > self.decimals:
            raise Invalid("too_many_decimals", decimals=self.decimals, value=str(sent))
        if self.plausible_min is not None and value < self.plausible_min:
            raise Invalid("too_small", min=self.plausible_min, value=value)
        if self.plausible_max is not None and value > self.plausible_max:
            raise Invalid("too_large", max=self.plausible_max, value=value)
        result = self.judge(value)
        if result == "fail":
            params = {"value": value, "unit": self.unit, "limits": self.limits_text}
            if self.reject_out_of_spec:
                raise Invalid("out_of_spec", **params)
            run.notices.append(Problem(path, "out_of_spec", params))
        elif result == "warn":
            run.notices.append(
                Problem(
                    path, "measurement_warning", {"value": value, "unit": self.unit, "limits": self.warn_text}
                )
            )
        out = self.template.copy()
        out["value"] = value
        out["result"] = result
        return out

    def judge(self, value: float) -> str | None:
        """``pass`` / ``warn`` / ``fail`` for a value, or ``None`` without any limit. Limits are
        inclusive; as floats they order decimal inputs of up to 15 significant digits exactly."""
        if not self.numbers:
            return None
        lsl, usl, warn_low, warn_high = self.bounds
        if value < lsl or value > usl:
            return "fail"
        if value < warn_low or value > warn_high:
            return "warn"
        return "pass"

    def input_schema(self, locale: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if self.plausible_min is not None:
            schema["minimum"] = self.plausible_min
        if self.plausible_max is not None:
            schema["maximum"] = self.plausible_max
        return schema

    def ui_options(self, locale: str) -> dict[str, Any]:
        options: dict[str, Any] = {"unit": self.unit, **self.limits}
        if self.decimals is not None:
            options["decimals"] = self.decimals
        if self.spec.get("reject_out_of_spec"):
            options["rejectOutOfSpec"] = True
        return options

    def data_schema(self) -> dict[str, Any]:
        limit = {"type": ["number", "null"]}
        return {
            "type": "object",
            "required": ["value", "unit", "result"],
            "properties": {
                "value": {"type": "number"},
                "unit": {"type": "string"},
                "result": {"enum": [*RESULTS, None]},
                **{name: limit for name in LIMIT_ORDER},
            },
            "additionalProperties": False,
        }


def _limits_text(limits: dict[str, Any], *, warn: bool = False) -> str:
    low = limits.get("warn_low" if warn else "lsl")
    high = limits.get("warn_high" if warn else "usl")
    if low is not None and high is not None:
        return f"{low} … {high}"
    if low is not None:
        return f"≥ {low}"
    if high is not None:
        return f"≤ {high}"
    return ""
