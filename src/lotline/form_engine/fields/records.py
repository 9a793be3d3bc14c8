"""Fields that reference other records or are derived: photo, attachment, signature, computed.

``photo`` / ``attachment``
    Options: ``min_items``, ``max_items``, ``accept`` (media types, ``image/*`` wildcards; photo
    defaults to ``["image/*"]``). Value sent: a list of references (a single one is accepted
    too); a reference is an upload id string or ``{"id", "media_type"?, "name"?, "sha256"?}``.
    The platform stores uploads and resolves the ids; this library checks shape and, when the
    media type is given, that it is accepted. Codes: ``bad_attachment_ref``,
    ``attachment_type_not_allowed``, ``too_few_items``, ``too_many_items``, ``not_a_list``.
    Normalised: ``[{"id": ..., "media_type"?: ..., ...}]``.
``signature``
    Options: ``meaning`` (required: authored, reviewed, approved, verified, responsible) and
    ``signer_role``. Value sent: the id of an e-signature the platform created after
    re-authenticating the signer (string or ``{"signature_id": ...}``); the platform checks the
    id, the signer and the meaning. Code: ``bad_signature_ref``.
    Normalised: ``{"signature_id", "meaning"[, "signer_role"]}``.
``computed``
    Options: ``expression`` (JSON Logic over the record, required), ``value_type`` (number,
    integer, text, boolean; default number), ``decimals`` (rounding), ``unit``. The server
    computes the value from the validated data; a client may send it (to show it), but a
    different value is ``computed_mismatch``. If an input it reads is missing, the value is
    absent. An evaluation error is ``computed_failed``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from .. import logic
from ..coerce import Invalid, parse_bool, parse_decimal
from ..problems import Path, Problem
from .base import (
    INVALID,
    FieldType,
    Run,
    check_count,
    count_schema,
    range_problem,
    register_field_type,
)

SIGNATURE_MEANINGS = ("authored", "reviewed", "approved", "verified", "responsible")
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}")
_REF_KEYS = frozenset({"id", "media_type", "name", "sha256", "size"})
_MEDIA_TYPE = re.compile(r"[a-z0-9.+-]+/[a-z0-9.+*-]+")


@register_field_type
class AttachmentField(FieldType):
    type_name = "attachment"
    options = frozenset({"min_items", "max_items", "accept"})
    widgets = ("attachment",)
    value_kind = "attachment"
    list_valued = True
    default_accept: tuple[str, ...] = ()

    def setup(self) -> None:
        self.accept = tuple(self.spec.get("accept") or self.default_accept)

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        yield from range_problem(path, self.spec, "min_items", "max_items")

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        items = raw if isinstance(raw, list) else [raw] if isinstance(raw, (str, dict)) else None
        if items is None:
            raise Invalid("not_a_list")
        refs: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            try:
                refs.append(self._ref(item))
            except Invalid as exc:
                run.problems.append(Problem((*path, index), exc.code, exc.params))
        if len(refs) != len(items):
            return INVALID
        check_count(len(refs), self.spec)
        return refs

    def _ref(self, item: Any) -> dict[str, Any]:
        ref = {"id": item} if isinstance(item, str) else item
        if (
            not isinstance(ref, dict)
            or set(ref) - _REF_KEYS
            or not isinstance(ref.get("id"), str)
            or not _REF.fullmatch(ref["id"])
        ):
            raise Invalid("bad_attachment_ref", value=item if isinstance(item, str) else None)
        media_type = ref.get("media_type")
        if media_type is not None:
            if not isinstance(media_type, str) or not _MEDIA_TYPE.fullmatch(media_type.lower()):
                raise Invalid("bad_attachment_ref", value=ref["id"])
            if self.accept and not any(fnmatchcase(media_type.lower(), pattern) for pattern in self.accept):
                raise Invalid(
                    "attachment_type_not_allowed",
                    media_type=media_type,
                    accept=list(self.accept),
                    accept_text=", ".join(self.accept),
                )
        return dict(ref)

    def input_schema(self, locale: str) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}
        count_schema(schema, self.spec)
        return schema

    def ui_options(self, locale: str) -> dict[str, Any]:
        return {"accept": list(self.accept)} if self.accept else {}

    def data_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "array",
            "items": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
        }
        count_schema(schema, self.spec)
        return schema


@register_field_type
class PhotoField(AttachmentField):
    type_name = "photo"
    widgets = ("photo",)
    default_accept = ("image/*",)


@register_field_type
class SignatureField(FieldType):
    type_name = "signature"
    options = frozenset({"meaning", "signer_role"})
    widgets = ("signature",)
    value_kind = "signature"

    def setup(self) -> None:
        # The normalised value with its fixed parts filled in, in its key order.
        self.template: dict[str, Any] = {"signature_id": None, "meaning": self.spec.get("meaning")}
        if self.spec.get("signer_role"):
            self.template["signer_role"] = self.spec["signer_role"]

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        ref = raw.get("signature_id") if isinstance(raw, dict) and len(raw) == 1 else raw
        if not isinstance(ref, str) or not _REF.fullmatch(ref):
            raise Invalid("bad_signature_ref")
        value = self.template.copy()
        value["signature_id"] = ref
        return value

    def input_schema(self, locale: str) -> dict[str, Any]:
        return {"type": "string", "minLength": 1}

    def ui_options(self, locale: str) -> dict[str, Any]:
        options = {"meaning": self.spec.get("meaning")}
        if self.spec.get("signer_role"):
            options["signerRole"] = self.spec["signer_role"]
        return options

    def data_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["signature_id", "meaning"],
            "properties": {
                "signature_id": {"type": "string"},
                "meaning": {"enum": list(SIGNATURE_MEANINGS)},
                "signer_role": {"type": "string"},
            },
            "additionalProperties": False,
        }


@register_field_type
class ComputedField(FieldType):
    type_name = "computed"
    options = frozenset({"expression", "value_type", "decimals", "unit"})
    widgets = ("computed",)
    always_coerce = True

    def setup(self) -> None:
        self.expression = self.spec.get("expression")
        self.value_type: str = self.spec.get("value_type", "number")
        self.decimals: int | None = self.spec.get("decimals")
        self.reads = sorted(logic.referenced_vars(self.expression))
        self.read_parts = [tuple(name.split(".")) for name in self.reads]
        self.value_kind = "number" if self.value_type in ("number", "integer") else self.value_type

    def rules(self) -> Iterator[tuple[str, Any]]:
        yield from super().rules()
        yield "expression", self.expression

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        computed = self.compute(ctx)
        if computed is INVALID:
            raise Invalid("computed_failed")
        if raw is not None and not (isinstance(raw, str) and not raw.strip()):
            try:
                sent = self.cast(raw)
            except (Invalid, ValueError, TypeError):
                sent = raw
            if not self.same(sent, computed):
                raise Invalid("computed_mismatch", sent=raw, computed=computed)
        return computed

    def compute(self, ctx: dict[str, Any]) -> Any:
        """The value from ``ctx``; ``None`` if an input is missing, ``INVALID`` on error."""
        for parts in self.read_parts:
            if logic.lookup_parts(ctx, parts) is None:
                return None
        try:
            return self.cast(logic.evaluate_dict(self.expression, ctx))
        except (Invalid, ArithmeticError, TypeError, ValueError):
            return INVALID

    def cast(self, value: Any) -> Any:
        if value is None:
            return None
        if value.__class__ is float and self.value_type == "number":
            # What the Decimal route below gives: a finite float's repr reads back exactly.
            if value != value or value in (_INF, -_INF):
                raise Invalid("not_a_number", value=str(value))
            return value if self.decimals is None else round(value, self.decimals)
        if self.value_type == "text":
            return str(value)
        if self.value_type == "boolean":
            return parse_bool(value) if isinstance(value, str) else bool(value)
        number = parse_decimal(value)
        if self.value_type == "integer":
            return int(number.to_integral_value())
        if self.decimals is not None:
            return round(float(number), self.decimals)
        return float(number)

    def same(self, sent: Any, computed: Any) -> bool:
        if isinstance(sent, bool) or isinstance(computed, bool):
            return sent is computed
        if isinstance(sent, float | int) and isinstance(computed, float | int):
            difference = abs(float(sent) - float(computed))
            if self.decimals is not None:
                return difference <= 0.5 * 10.0**-self.decimals
            return difference <= 1e-9 * max(1.0, abs(float(computed)))
        return bool(sent == computed)

    def input_schema(self, locale: str) -> dict[str, Any]:
        return {"type": _JSON_TYPES[self.value_type], "readOnly": True}

    def ui_options(self, locale: str) -> dict[str, Any]:
        options: dict[str, Any] = {"expression": self.expression}
        if self.unit:
            options["unit"] = self.unit
        if self.decimals is not None:
            options["decimals"] = self.decimals
        return options

    def render(self, locale: str) -> tuple[dict[str, Any], dict[str, Any]]:
        schema, ui = super().render(locale)
        ui["ui:readonly"] = True
        return schema, ui

    def data_schema(self) -> dict[str, Any]:
        return {"type": [_JSON_TYPES[self.value_type], "null"]}


_INF = float("inf")
_JSON_TYPES = {"number": "number", "integer": "integer", "text": "string", "boolean": "boolean"}
