"""Lotline's form engine: a pure library (no web, database or job imports).

A *form definition* is a JSON document an administrator designs (format described by
``schemas/form-definition.v1.json``)::

    {"format_version": 1, "key": "goods_receipt", "title": {"en": "Goods receipt", "zh-CN": "收货"},
     "sections": [{"key": "material", "title": {"en": "Material", "zh-CN": "物料"}}],
     "fields": [
       {"key": "lot", "type": "scan", "kind": "item", "require_lot": true, "required": true,
        "label": {...}, "section": "material", "trace": {"role": "input", "quantity": "qty"}},
       {"key": "qty", "type": "number", "unit": "kg", "decimals": 3, "min": 0, "required": true,
        "label": {...}, "section": "material"},
       {"key": "diameter", "type": "measurement", "unit": "mm", "label": {...},
        "spec": {"lsl": 9.95, "warn_low": 9.97, "target": 10.0, "warn_high": 10.03, "usl": 10.05}},
       {"key": "decision", "type": "select", "required": true, "label": {...},
        "options": [{"value": "accept", "label": {...}}, {"value": "reject", "label": {...}}]},
       {"key": "reason", "type": "text", "required": true, "label": {...},
        "visible_when": {"==": [{"var": "decision"}, "reject"]}},
       {"key": "approval", "type": "signature", "meaning": "approved", "label": {...}}],
     "rules": [{"key": "no_zero_receipt", "assert": {">": [{"var": "qty"}, 0]}, "field": "qty",
                "message": {"en": "A receipt needs a quantity above 0.", "zh-CN": "收货数量必须大于 0。"}}]}

Public API
    ``check_definition(doc) -> list[Problem]``: every problem, with paths.
    ``upgrade_definition(doc) -> dict``: old formats to ``FORMAT_VERSION`` (named upgrades).
    ``compile_form(doc) -> FormValidator``: checked and compiled once, cached by content.
    ``FormValidator.validate(payload, now=None) -> Result`` / ``validate_submission(doc,
    payload, now=None)``: normalised data, every problem, notices and trace bindings.
    ``normalise_scan(raw, path=(), allow_internal=True) -> ScanResult``: barcodes via biip.
    ``render(doc, locale) -> {"schema", "uiSchema"}``: the react-jsonschema-form contract.
    ``data_schema(doc)``: JSON Schema of the normalised data.
    ``FIELD_TYPES`` / ``register_field_type``: the field catalogue (see ``fields``).

Decisions a caller should know
    * Every problem is collected; nothing stops at the first. Each is a ``Problem(path, code,
      params)`` whose code has an English and a Chinese message (``messages.py``);
      ``ProblemsError`` carries a list of them.
    * ``None``, blank strings and (for list fields) ``[]`` mean "not provided".
    * A field hidden by ``visible_when`` is ignored: its value is dropped with a
      ``hidden_value_ignored`` notice, never validated, never stored.
    * Keys the form does not define are ``unknown_field`` problems.
    * Computed fields are computed here; a client value that differs is ``computed_mismatch``.
    * ``Result.notices`` are non-blocking (measurement warnings, recorded out-of-spec values,
      expired lots, hidden values); ``Result.trace`` lists resolved trace bindings only when the
      submission is accepted.
"""

from __future__ import annotations

from . import messages as _messages  # noqa: F401  (registers the message catalogue)
from .definition import FORMAT_VERSION, check_definition, meta_schema
from .fields import FIELD_TYPES, FieldType, register_field_type
from .problems import Problem, ProblemsError, format_path, pick_locale
from .render import render
from .scan import SCAN_FORMATS, ScanResult, normalise_scan
from .upgrades import UPGRADES, upgrade_definition
from .validate import (
    FormValidator,
    Result,
    compile_form,
    data_schema,
    fingerprint,
    validate_submission,
)

__all__ = [
    "FIELD_TYPES",
    "FORMAT_VERSION",
    "SCAN_FORMATS",
    "UPGRADES",
    "FieldType",
    "FormValidator",
    "Problem",
    "ProblemsError",
    "Result",
    "ScanResult",
    "check_definition",
    "compile_form",
    "data_schema",
    "fingerprint",
    "format_path",
    "meta_schema",
    "normalise_scan",
    "pick_locale",
    "register_field_type",
    "render",
    "upgrade_definition",
    "validate_submission",
]
