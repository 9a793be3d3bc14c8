"""Choice fields: ``select`` (one value) and ``multi_select`` (a list of values).

Options: ``options`` = ``[{"value": "ok", "label": {"en": "OK", "zh-CN": "合格"}}, ...]`` (values
unique), ``default``; ``multi_select`` adds ``min_items`` / ``max_items``. A number sent for a
select whose option values are digits is read as its text (``1`` -> ``"1"``).

Problem codes: ``not_an_option`` (value, allowed), ``wrong_type``; multi_select also
``not_a_list``, ``duplicate_value``, ``too_few_items``, ``too_many_items``.
Normalised value: the option value (``str``) or a list of them in the order sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..coerce import Invalid, normalise_text
from ..problems import Path, Problem
from .base import (
    INVALID,
    FieldType,
    Run,
    check_count,
    count_schema,
    localize,
    range_problem,
    register_field_type,
)


class _ChoiceField(FieldType):
    value_kind = "choice"

    def setup(self) -> None:
        self.choices = [option["value"] for option in self.spec.get("options", [])]
        self.allowed = frozenset(self.choices)

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        seen: set[str] = set()
        for index, option in enumerate(self.spec.get("options", [])):
            value = option.get("value") if isinstance(option, dict) else None
            if value in seen:
                yield Problem((*path, "options", index, "value"), "duplicate_option", {"value": value})
            if isinstance(value, str):
                seen.add(value)

    def choose(self, raw: Any) -> str:
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise Invalid("wrong_type", expected="string")
        value = normalise_text(raw) if isinstance(raw, str) else str(raw)
        if value not in self.allowed:
            raise Invalid(
                "not_an_option", value=value, allowed=self.choices, allowed_text=", ".join(self.choices)
            )
        return value

    def one_of(self, locale: str) -> list[dict[str, Any]]:
        return [
            {"const": option["value"], "title": localize(option["label"], locale)}
            for option in self.spec.get("options", [])
        ]


@register_field_type
class SelectField(_ChoiceField):
    type_name = "select"
    options = frozenset({"options", "default"})
    widgets = ("select", "radio")

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        return self.choose(raw)

    def input_schema(self, locale: str) -> dict[str, Any]:
        return {"type": "string", "oneOf": self.one_of(locale)}

    def data_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


@register_field_type
class MultiSelectField(_ChoiceField):
    type_name = "multi_select"
    options = frozenset({"options", "min_items", "max_items", "default"})
    widgets = ("checkboxes", "select")
    list_valued = True

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        yield from super().definition_problems(path)
        yield from range_problem(path, self.spec, "min_items", "max_items")

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        items = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else None
        if items is None:
            raise Invalid("not_a_list")
        chosen: list[str] = []
        failed = False
        for index, item in enumerate(items):
            try:
                value = self.choose(item)
            except Invalid as exc:
                run.problems.append(Problem((*path, index), exc.code, exc.params))
                failed = True
                continue
            if value in chosen:
                run.problems.append(Problem((*path, index), "duplicate_value", {"value": value}))
                failed = True
                continue
            chosen.append(value)
        if failed:
            return INVALID
        check_count(len(chosen), self.spec)
        return chosen

    def input_schema(self, locale: str) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "oneOf": self.one_of(locale)},
        }
        count_schema(schema, self.spec)
        return schema

    def data_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "enum": list(self.choices)},
        }
        count_schema(schema, self.spec)
        return schema
