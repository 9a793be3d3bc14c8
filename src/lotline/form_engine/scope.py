"""A scope is a list of fields validated together: the form's top level, or one item of a
repeating group.

Rules (``visible_when``, ``required_when``, computed ``expression``) read the scope's values by
key. Inside a group item they read the item's values as ``item.<key>`` and the top level by key,
so ``{"var": "item.qty"}`` is this item's quantity and ``{"var": "line"}`` the form's line.
Fields are evaluated in dependency order (a field after every field its rules read), so a rule
only ever sees values that are final: validated, visible, computed. A field hidden by its
``visible_when`` is dropped: its value is neither validated nor kept, and a
``hidden_value_ignored`` notice says so (rjsf keeps stale values of fields that become hidden,
so rejecting them would punish the operator for the browser's behaviour).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from . import logic
from .coerce import Invalid
from .fields.base import INVALID, FieldType, Run, build_field
from .problems import Path, Problem

ITEM = "item"


def _holds(rule: Any, ctx: dict[str, Any], on_error: bool) -> bool:
    """JSON Logic truthiness; a designer's rule that raises (e.g. division by zero) counts as
    ``on_error`` (visible / not required), so a bad rule never hides data or blocks a record."""
    try:
        return logic.truthy_dict(rule, ctx)
    except Exception:  # any failure inside a user-written expression
        return on_error


def field_dependencies(field: FieldType, keys: set[str], *, item_scope: bool) -> set[str]:
    """Keys of sibling fields that ``field``'s rules read."""
    deps: set[str] = set()
    for name in field.rule_refs():
        parts = name.split(".")
        if item_scope:
            if parts[0] == ITEM and len(parts) > 1 and parts[1] in keys:
                deps.add(parts[1])
        elif parts[0] in keys:
            deps.add(parts[0])
    return deps


def dependency_order(fields: Sequence[FieldType], *, item_scope: bool) -> tuple[list[FieldType], list[str]]:
    """Fields ordered so each follows the fields it reads (definition order otherwise), and the
    keys left in a dependency cycle (empty if there is none)."""
    keys = {field.key for field in fields}
    deps = {field.key: field_dependencies(field, keys, item_scope=item_scope) for field in fields}
    ordered: list[FieldType] = []
    placed: set[str] = set()
    remaining = list(fields)
    while remaining:
        ready = [field for field in remaining if deps[field.key] <= placed]
        if not ready:
            return ordered + remaining, [field.key for field in remaining]
        first = ready[0]
        ordered.append(first)
        placed.add(first.key)
        remaining.remove(first)
    return ordered, []


def _trace_entry(
    field: FieldType, by_key: Mapping[str, FieldType]
) -> tuple[str, str, str | None, str | None]:
    binding = field.trace
    assert binding is not None
    quantity_key = binding.get("quantity") or None
    unit = None
    if quantity_key is not None:
        quantity_field = by_key.get(quantity_key)
        unit = binding.get("unit") or (quantity_field.unit if quantity_field is not None else None)
    return field.key, binding["role"], quantity_key, unit


class Scope:
    """Compiled fields of one scope; ``validate`` fills a ``Run`` and returns the data."""

    def __init__(self, specs: Sequence[Mapping[str, Any]], *, item_scope: bool) -> None:
        self.fields = [build_field(spec) for spec in specs]
        self.by_key = {field.key: field for field in self.fields}
        self.item_scope = item_scope
        self.order, _ = dependency_order(self.fields, item_scope=item_scope)
        self.bound = [field for field in self.fields if field.trace]
        self.reordered = [field.key for field in self.order] != [f.key for f in self.fields]
        self.keys = frozenset(self.by_key)
        self.keys_in_order = [field.key for field in self.fields]
        self.has_rules = any(
            field.visible_when is not None or field.required_when is not None or field.always_coerce
            for field in self.fields
        )
        # What the validation loop reads of each field, in evaluation order (compiled once).
        self.plan = [
            (
                field.key,
                (field.key,),
                field.visible_when,
                field.required_when,
                field.always_coerce,
                field.list_valued,
                field.required,
                field.coerce,
            )
            for field in self.order
        ]
        # The trace bindings: (key, role, quantity key or None, unit of the quantity or None).
        self.trace_plan = [_trace_entry(field, self.by_key) for field in self.bound]

    def validate(
        self, payload: Any, path: Path, run: Run, outer: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Normalised values of the valid, visible fields; problems go to ``run``."""
        if not isinstance(payload, dict):
            run.problems.append(Problem(path, "not_an_object", {}))
            return None
        problems = run.problems
        if not payload.keys() <= self.keys:
            problems.extend(
                Problem((*path, key), "unknown_field", {"key": key})
                for key in payload
                if key not in self.keys
            )
        data: dict[str, Any] = {}
        if outer is None or not self.has_rules:
            ctx = data
        else:
            ctx = dict(outer)
            ctx[ITEM] = data
        get = payload.get
        for key, own_path, visible_when, required_when, always, list_valued, required, coerce in self.plan:
            raw = get(key)
            if raw is None:
                missing = True
            elif raw.__class__ is str:
                missing = not raw.strip()
            else:
                missing = list_valued and raw == []
            field_path = own_path if not path else (*path, key)
            if visible_when is not None and not _holds(visible_when, ctx, True):
                if not missing:
                    run.notices.append(Problem(field_path, "hidden_value_ignored", {}))
                continue
            if missing and not always:
                if required or (required_when is not None and _holds(required_when, ctx, False)):
                    problems.append(Problem(field_path, "required", {}))
                continue
            try:
                value = coerce(raw, field_path, run, ctx)
            except Invalid as exc:
                problems.append(Problem(field_path, exc.code, exc.params))
                continue
            if value is not INVALID and value is not None:
                data[key] = value
        if self.reordered:
            data = {key: data[key] for key in self.keys_in_order if key in data}
        if self.trace_plan:
            self._trace(data, path, run)
        return data

    def _trace(self, data: dict[str, Any], path: Path, run: Run) -> None:
        append = run.trace.append
        for key, role, quantity_key, unit in self.trace_plan:
            value = data.get(key)
            if value is None:  # absent: validated values are never None
                continue
            entry: dict[str, Any] = {
                "role": role,
                "path": [*path, key] if path else [key],
                "field": key,
                "value": value,
            }
            if quantity_key is not None:
                quantity = data.get(quantity_key)
                if quantity is not None:
                    entry["quantity"] = quantity
                    if unit:
                        entry["unit"] = unit
            append(entry)

    # -- schemas ----------------------------------------------------------------------------

    def render(self, locale: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(object schema, uiSchema) for react-jsonschema-form."""
        properties: dict[str, Any] = {}
        ui: dict[str, Any] = {}
        for field in self.fields:
            properties[field.key], field_ui = field.render(locale)
            if field_ui:
                ui[field.key] = field_ui
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        required = self.static_required()
        if required:
            schema["required"] = required
        ui["ui:order"] = [field.key for field in self.fields]
        return schema, ui

    def data_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {field.key: field.data_schema() for field in self.fields},
            "additionalProperties": False,
        }
        required = self.static_required()
        if required:
            schema["required"] = required
        return schema

    def static_required(self) -> list[str]:
        """Fields required whatever the other values are (conditional ones are left out)."""
        return [
            field.key
            for field in self.fields
            if field.required and field.visible_when is None and not field.always_coerce
        ]
