"""The renderer contract: what react-jsonschema-form (rjsf) needs to show a form.

``render(definition, locale)`` returns ``{"schema": ..., "uiSchema": ...}``, generated from the
same compiled field objects the server validates with, so the browser shows exactly the fields,
options, limits and labels the server checks.

schema
    An object schema (keywords common to JSON Schema draft-07 and 2020-12, which rjsf's ajv
    validator understands): ``title``/``description`` in the locale, one property per field
    with its localised ``title``, ``type``, limits (``minimum``, ``maxLength``, ``minItems``...),
    selects as ``oneOf: [{"const", "title"}]``, groups as arrays of objects,
    ``additionalProperties: false``, and ``required`` for fields required unconditionally.
uiSchema
    ``ui:order``; per field ``ui:widget`` (standard rjsf widgets, or Lotline's custom ``scan``,
    ``measurement``, ``signature``, ``photo``, ``attachment``, ``computed``), ``ui:help``,
    ``ui:placeholder``, ``ui:readonly`` (computed) and ``ui:options`` with what the custom
    widgets need (``unit``, ``decimals``, spec limits, scan ``kind``/``formats``, signature
    ``meaning``, ``accept``) plus ``visibleWhen`` / ``requiredWhen`` / ``expression`` as JSON
    Logic for the browser to evaluate with json-logic-js (inside a group, ``item.<key>`` is the
    current item). The root's ``ui:options.sections`` lists sections with localised titles
    and their fields, in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .fields.base import localize
from .problems import DEFAULT_LOCALE

if TYPE_CHECKING:
    from .validate import FormValidator


def render(definition: Mapping[str, Any], locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """``{"schema", "uiSchema"}`` of a form definition for rjsf, texts in ``locale``."""
    from .validate import compile_form

    return compile_form(definition).render(locale)


def render_form(form: FormValidator, locale: str) -> dict[str, Any]:
    doc = form.definition
    schema, ui = form.root.render(locale)
    out_schema: dict[str, Any] = {"title": localize(doc["title"], locale)}
    description = localize(doc.get("description"), locale)
    if description:
        out_schema["description"] = description
    out_schema.update(schema)

    sections = doc.get("sections") or []
    if sections:
        members: dict[str | None, list[str]] = {None: []}
        members.update({section["key"]: [] for section in sections})
        for spec in doc["fields"]:
            members[spec.get("section")].append(spec["key"])
        ui["ui:order"] = members[None] + [key for s in sections for key in members[s["key"]]]
        options: dict[str, Any] = {"sections": []}
        if members[None]:
            options["sections"].append({"key": None, "title": None, "fields": members[None]})
        for section in sections:
            entry = {
                "key": section["key"],
                "title": localize(section["title"], locale),
                "fields": members[section["key"]],
            }
            help_text = localize(section.get("help"), locale)
            if help_text:
                entry["help"] = help_text
            options["sections"].append(entry)
        ui["ui:options"] = options
    return {"schema": out_schema, "uiSchema": ui}
