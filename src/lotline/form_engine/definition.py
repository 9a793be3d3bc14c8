"""Checking a form definition before it is published: the meta-schema, then the meaning.

``check_definition(doc)`` returns every problem, each with its path inside the document:

* meta-schema (``schemas/form-definition.v1.json``, JSON Schema 2020-12): ``def_missing_property``,
  ``def_unknown_property``, ``def_wrong_type``, ``def_not_allowed_value``, ``def_pattern``,
  ``def_out_of_range``, ``def_invalid``;
* the format version: ``definition_not_an_object``, ``format_version_outdated`` (run
  ``upgrade_definition``), ``format_version_unsupported``;
* semantic checks: ``duplicate_key``, ``reserved_key`` (``item``), ``duplicate_section``,
  ``unknown_section``, ``nested_group``, ``widget_not_allowed``, ``default_invalid``,
  ``option_not_applicable``, ``rule_unknown_field`` / ``rule_unknown_operator`` /
  ``rule_bad_var`` / ``rule_operator_count`` (JSON Logic), ``rule_cycle``, ``duplicate_rule_key``,
  ``unknown_field_ref`` (``unique_by``, a rule's ``field``, a binding's ``quantity``),
  ``binding_type_mismatch``, ``binding_bad_quantity``, ``binding_quantity_not_applicable``, and
  each field type's own (``range_inverted``, ``spec_limits_order``, ``duplicate_option``,
  ``bad_pattern``, ``bad_option_value``).

A field with a meta-schema problem is not checked semantically (its options cannot be trusted),
but its key still counts, so rules that read it are not reported as unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import logic
from .coerce import Invalid
from .fields import FIELD_TYPES, FieldType, build_field
from .fields.base import INVALID, Run
from .problems import Path, Problem
from .scope import ITEM, dependency_order

FORMAT_VERSION = 1
META_SCHEMA_FILE = "form-definition.v1.json"

# trace role -> {field type: allowed scan kinds (None: any)}
BINDING_TYPES: dict[str, dict[str, frozenset[str] | None]] = {
    "input": {"scan": frozenset({"item", "serial", "material", "container"})},
    "output": {"scan": frozenset({"item", "serial", "material", "container"})},
    "container": {"scan": frozenset({"container"})},
    "equipment": {"scan": frozenset({"equipment"}), "select": None},
    "operator": {"scan": frozenset({"operator"})},
    "location": {"scan": frozenset({"location"}), "select": None},
    "measurement": {"measurement": None, "number": None, "integer": None},
    "document": {"text": None, "scan": None, "attachment": None, "photo": None},
}
QUANTITY_ROLES = frozenset({"input", "output", "container"})
_NOT_FOR_COMPUTED = ("required", "required_when", "placeholder")


@cache
def meta_schema() -> dict[str, Any]:
    """The meta-schema every definition of the current format must satisfy."""
    text = resources.files(__package__).joinpath("schemas", META_SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _meta_validator() -> Draft202012Validator:
    return Draft202012Validator(meta_schema())


def check_definition(doc: Any) -> list[Problem]:
    """Every problem in a form definition (empty list: publishable)."""
    if not isinstance(doc, dict):
        return [Problem((), "definition_not_an_object", {})]
    version = doc.get("format_version")
    if version != FORMAT_VERSION:
        outdated = isinstance(version, int) and not isinstance(version, bool) and version < 1
        code = "format_version_outdated" if outdated or version is None else "format_version_unsupported"
        return [Problem(("format_version",), code, {"version": version, "current": FORMAT_VERSION})]
    problems = _meta_problems(doc)
    checker = _SemanticChecker(doc, {p.path for p in problems})
    return problems + checker.run()


# -- meta-schema ----------------------------------------------------------------------------


def _meta_problems(doc: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[Path, str]] = set()
    for error in _meta_validator().iter_errors(doc):
        for problem in _from_schema_error(error):
            marker = (problem.path, problem.code)
            if marker not in seen:
                seen.add(marker)
                problems.append(problem)
    problems.sort(key=lambda p: [(1, 0, part) if isinstance(part, str) else (0, part, "") for part in p.path])
    return problems


def _from_schema_error(error: ValidationError) -> Iterator[Problem]:
    path: Path = tuple(error.absolute_path)
    keyword: Any = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    if keyword == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield Problem((*path, name), "def_missing_property", {"property": name})
    elif keyword in ("additionalProperties", "unevaluatedProperties"):
        allowed = _declared_properties(error.schema)
        for name in instance:
            if name not in allowed:
                yield Problem((*path, name), "def_unknown_property", {"property": name})
    elif keyword == "type":
        names = expected if isinstance(expected, list) else [expected]
        yield Problem(path, "def_wrong_type", {"expected": " | ".join(names)})
    elif keyword in ("enum", "const"):
        allowed_values = expected if keyword == "enum" else [expected]
        yield Problem(
            path,
            "def_not_allowed_value",
            {"value": instance, "allowed_text": ", ".join(map(str, allowed_values))},
        )
    elif keyword == "pattern":
        yield Problem(path, "def_pattern", {"value": instance, "pattern": expected})
    elif keyword in ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum"):
        yield Problem(path, "def_out_of_range", {"limit_name": keyword, "limit": expected})
    else:
        yield Problem(path, "def_invalid", {"detail": error.message})


def _declared_properties(schema: Any) -> set[str]:
    """Property names a schema object declares, following local ``$ref``s."""
    names: set[str] = set()
    while isinstance(schema, dict):
        names |= set(schema.get("properties", {}))
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            break
        schema = meta_schema()["$defs"].get(ref.rsplit("/", 1)[1])
    return names


# -- semantic checks ------------------------------------------------------------------------


class _SemanticChecker:
    def __init__(self, doc: Mapping[str, Any], broken: set[Path]) -> None:
        self.doc = doc
        self.broken = broken
        self.problems: list[Problem] = []
        self.root_keys = _keys(doc.get("fields"))
        self.sections: set[str] = set()

    def run(self) -> list[Problem]:
        self._check_sections()
        fields = self.doc.get("fields")
        if isinstance(fields, list):
            self._check_scope(fields, ("fields",), item_scope=False)
        self._check_rules()
        return self.problems

    def add(self, path: Path, code: str, **params: Any) -> None:
        self.problems.append(Problem(path, code, params))

    def is_broken(self, path: Path) -> bool:
        size = len(path)
        return any(broken[:size] == path for broken in self.broken)

    def _check_sections(self) -> None:
        sections = self.doc.get("sections")
        for index, section in enumerate(sections if isinstance(sections, list) else []):
            key = section.get("key") if isinstance(section, dict) else None
            if isinstance(key, str):
                if key in self.sections:
                    self.add(("sections", index, "key"), "duplicate_section", section=key)
                self.sections.add(key)

    def _check_scope(self, specs: Sequence[Any], path: Path, *, item_scope: bool) -> None:
        keys = _keys(specs)
        seen: set[str] = set()
        built: list[tuple[Path, FieldType]] = []
        for index, spec in enumerate(specs):
            field_path = (*path, index)
            if not isinstance(spec, dict):
                continue
            key = spec.get("key")
            if isinstance(key, str):
                if key in seen:
                    self.add((*field_path, "key"), "duplicate_key", key=key)
                seen.add(key)
                if key == ITEM:
                    self.add((*field_path, "key"), "reserved_key", key=key)
            if spec.get("type") == "group":
                self._check_group(spec, field_path, item_scope=item_scope)
            if self.is_broken(field_path) or spec.get("type") not in FIELD_TYPES:
                continue
            if spec.get("type") == "group" and item_scope:
                continue
            field = build_field(spec)
            built.append((field_path, field))
            self.problems.extend(field.definition_problems(field_path))
            self._check_common(field, field_path, item_scope=item_scope)
            self._check_field_rules(field, field_path, keys, item_scope=item_scope)
            self._check_binding(field, field_path, specs)
        _, cycle = dependency_order([field for _, field in built], item_scope=item_scope)
        if cycle:
            self.add(path, "rule_cycle", fields=cycle, fields_text=" → ".join(cycle))

    def _check_group(self, spec: Mapping[str, Any], path: Path, *, item_scope: bool) -> None:
        if item_scope:
            self.add((*path, "type"), "nested_group")
            return
        sub_specs = spec.get("fields")
        if not isinstance(sub_specs, list):
            return
        self._check_scope(sub_specs, (*path, "fields"), item_scope=True)
        sub_keys = _keys(sub_specs)
        unique_by = spec.get("unique_by")
        for index, name in enumerate(unique_by if isinstance(unique_by, list) else []):
            if isinstance(name, str) and name not in sub_keys:
                self.add((*path, "unique_by", index), "unknown_field_ref", name=name)

    def _check_common(self, field: FieldType, path: Path, *, item_scope: bool) -> None:
        spec = field.spec
        widget = spec.get("widget")
        if widget is not None and widget not in field.widgets:
            self.add(
                (*path, "widget"),
                "widget_not_allowed",
                widget=widget,
                type=field.type_name,
                allowed_text=", ".join(field.widgets) or "-",
            )
        section = spec.get("section")
        if section is not None:
            if item_scope:
                self.add((*path, "section"), "option_not_applicable", option="section", type=field.type_name)
            elif section not in self.sections:
                self.add((*path, "section"), "unknown_section", section=section)
        if field.always_coerce:
            for option in _NOT_FOR_COMPUTED:
                if option in spec:
                    self.add((*path, option), "option_not_applicable", option=option, type=field.type_name)
        if "default" in spec:
            reason = _default_problem(field, spec["default"])
            if reason:
                self.add((*path, "default"), "default_invalid", reason=reason)

    def _check_field_rules(self, field: FieldType, path: Path, keys: set[str], *, item_scope: bool) -> None:
        for option, rule in field.rules():
            self._check_rule(rule, (*path, option), keys, item_scope=item_scope)

    def _check_rule(self, rule: Any, path: Path, keys: set[str], *, item_scope: bool) -> None:
        for issue in logic.check_rule(rule):
            self.add(path + issue.path, issue.code, operator=issue.operator)
        for name in sorted(logic.referenced_vars(rule)):
            parts = name.split(".")
            if item_scope and parts[0] == ITEM:
                known = len(parts) > 1 and parts[1] in keys
            else:
                known = parts[0] in self.root_keys
            if not known:
                self.add(path, "rule_unknown_field", name=name)

    def _check_binding(self, field: FieldType, path: Path, siblings: Sequence[Any]) -> None:
        binding = field.trace
        if not binding:
            return
        role = binding.get("role")
        allowed = BINDING_TYPES.get(str(role), {})
        kinds = allowed.get(field.type_name, frozenset())
        kind = field.spec.get("kind")
        if field.type_name not in allowed or (kinds is not None and kind not in kinds):
            choices = [f"{name}({'/'.join(sorted(k))})" if k else name for name, k in allowed.items()]
            self.add(
                (*path, "trace", "role"),
                "binding_type_mismatch",
                role=role,
                type=field.type_name if kind is None else f"{field.type_name}({kind})",
                allowed_text=", ".join(choices),
            )
        quantity = binding.get("quantity")
        if quantity is None:
            return
        if role not in QUANTITY_ROLES:
            self.add((*path, "trace", "quantity"), "binding_quantity_not_applicable", role=role)
            return
        target = next((s for s in siblings if isinstance(s, dict) and s.get("key") == quantity), None)
        if target is None:
            self.add((*path, "trace", "quantity"), "unknown_field_ref", name=quantity)
        elif target.get("type") not in ("number", "integer") and not (
            target.get("type") == "computed" and target.get("value_type", "number") in ("number", "integer")
        ):
            self.add((*path, "trace", "quantity"), "binding_bad_quantity", name=quantity)

    def _check_rules(self) -> None:
        rules = self.doc.get("rules")
        seen: set[str] = set()
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            path: Path = ("rules", index)
            if not isinstance(rule, dict):
                continue
            key = rule.get("key")
            if isinstance(key, str):
                if key in seen:
                    self.add((*path, "key"), "duplicate_rule_key", key=key)
                seen.add(key)
            for option in ("when", "assert"):
                if option in rule:
                    self._check_rule(rule[option], (*path, option), self.root_keys, item_scope=False)
            target = rule.get("field")
            if isinstance(target, str) and target not in self.root_keys:
                self.add((*path, "field"), "unknown_field_ref", name=target)


def _keys(specs: Any) -> set[str]:
    if not isinstance(specs, list):
        return set()
    return {spec["key"] for spec in specs if isinstance(spec, dict) and isinstance(spec.get("key"), str)}


def _default_problem(field: FieldType, default: Any) -> str | None:
    run = Run(dt.datetime.now(dt.UTC))
    try:
        value = field.coerce(default, (), run, {})
    except Invalid as exc:
        return exc.code
    if value is INVALID and run.problems:
        return run.problems[0].code
    return None
