"""The repeating ``group``: a list of items, each with the same sub-fields.

Typical use: the lots consumed by a step, each scanned with a quantity. Options: ``fields``
(the sub-fields; groups cannot nest), ``min_items``, ``max_items``, ``unique_by`` (sub-field keys
whose combined values must differ between items: scanning the same lot twice is a mistake; scans
compare by their identity ``code``). Rules of sub-fields read the item as ``item.<key>``.

Problem codes: ``not_a_list``, ``too_few_items``, ``too_many_items``, ``duplicate_item`` (at the
later item's first ``unique_by`` field; params value, first_number = 1-based position of the
earlier item) and every sub-field code at ``<group>[<index>].<key>``.
Normalised value: a list of item dicts.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from ..coerce import Invalid
from ..problems import Path, Problem
from .base import INVALID, FieldType, Run, count_schema, register_field_type

if TYPE_CHECKING:
    from ..scope import Scope


@register_field_type
class GroupField(FieldType):
    type_name = "group"
    options = frozenset({"fields", "min_items", "max_items", "unique_by"})
    value_kind = "group"
    list_valued = True
    items: Scope

    def setup(self) -> None:
        from ..scope import Scope  # the scope module builds fields: import it late

        self.items = Scope(self.spec.get("fields", []), item_scope=True)
        self.unique_by = tuple(self.spec.get("unique_by", ()))
        # ``check_count``'s bounds (an absent one never decides).
        self.min_items = self.spec.get("min_items", 0)
        self.max_items = self.spec.get("max_items", math.inf)

    def rule_refs(self) -> set[str]:
        refs = super().rule_refs()
        for field in self.items.fields:
            refs |= {name for name in field.rule_refs() if name.split(".")[0] != "item"}
        return refs

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        if not isinstance(raw, list):
            raise Invalid("not_a_list")
        problems = run.problems
        before = len(problems)
        count = len(raw)
        if count < self.min_items:
            problems.append(Problem(path, "too_few_items", {"min_items": self.min_items, "count": count}))
        elif count > self.max_items:
            problems.append(Problem(path, "too_many_items", {"max_items": self.max_items, "count": count}))
        validate = self.items.validate
        items = [validate(item, (*path, index), run, ctx) for index, item in enumerate(raw)]
        if self.unique_by:
            self._check_unique(items, path, run)
        if len(problems) > before:
            return INVALID
        return items

    def _check_unique(self, items: list[dict[str, Any] | None], path: Path, run: Run) -> None:
        seen: dict[Any, int] = {}
        unique_by = self.unique_by
        for index, item in enumerate(items):
            if item is None:
                continue
            try:
                parts = tuple([_identity(item[key]) for key in unique_by])
            except KeyError:  # a part is missing (its own problem says why)
                continue
            identity: Any = parts
            for part in parts:
                if not isinstance(part, _SCALARS):
                    identity = json.dumps(parts, sort_keys=True, default=str)
                    break
            first = seen.get(identity)
            if first is not None:
                shown = " / ".join(str(part) for part in parts)
                run.problems.append(
                    Problem(
                        (*path, index, unique_by[0]),
                        "duplicate_item",
                        {"value": shown, "first_number": first + 1},
                    )
                )
            else:
                seen[identity] = index

    def input_schema(self, locale: str) -> dict[str, Any]:
        item_schema, _ = self.items.render(locale)
        schema: dict[str, Any] = {"type": "array", "items": item_schema}
        count_schema(schema, self.spec)
        return schema

    def render(self, locale: str) -> tuple[dict[str, Any], dict[str, Any]]:
        schema, ui = super().render(locale)
        _, item_ui = self.items.render(locale)
        ui["items"] = item_ui
        options = ui.setdefault("ui:options", {})
        options["orderable"] = False
        if self.unique_by:
            options["uniqueBy"] = list(self.unique_by)
        return schema, ui

    def data_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.items.data_schema()}
        count_schema(schema, self.spec)
        return schema


_SCALARS = (str, int, float, bool)


def _identity(value: Any) -> Any:
    if isinstance(value, dict):
        if "code" in value:
            return value["code"]
        if "value" in value:
            return value["value"]
    return value
