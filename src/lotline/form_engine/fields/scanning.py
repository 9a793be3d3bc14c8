"""The ``scan`` field: a barcode, RFID or typed code, normalised by ``form_engine.scan``.

Options
    ``kind`` (required): ``item`` (lot or unit of a product), ``serial`` (one serialised unit),
    ``material``, ``equipment``, ``operator`` (badge), ``location``, ``container`` (case/pallet).
    ``formats``: which of ``gs1``, ``digital_link``, ``internal`` are accepted (default all).
    ``pattern``: regular expression an internal code must fully match (e.g. ``EQ-\\d{4}``).
    ``require_lot`` / ``require_serial``: a GS1 code must carry AI 10 / AI 21.
    ``reject_expired``: an expiry (AI 17) before today is a problem; otherwise only a notice.

What a GS1 code must identify for each kind (otherwise ``scan_wrong_kind``): item, material ->
GTIN (01/02); serial -> GTIN + serial (21) or GIAI (8004); container -> SSCC (00) or GRAI
(8003); equipment -> GIAI (8004) or GRAI (8003); location -> GLN (414); operator -> GSRN
(8017/8018). Internal codes are accepted for every kind when ``formats`` allows them.

Problem codes: the ``scan`` module's codes plus ``scan_format_not_allowed``, ``scan_wrong_kind``,
``scan_missing_lot``, ``scan_missing_serial``, ``scan_pattern_mismatch``, ``scan_expired``.
Normalised value: the structured scan dict (see ``form_engine.scan``) plus ``"kind"``.

Each scan field remembers (bounded LRU, ``ACCEPTED_CACHE_SIZE``) the scans it accepted, with
every check that does not depend on the day already passed; a remembered scan costs a copy of
its value and the expiry check against the submission's day. Rejected scans are not
remembered as such: they are checked again and reported with their path every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ..coerce import Invalid
from ..problems import Path, Problem
from ..scan import SCAN_FORMATS, scan_value
from .base import INVALID, FieldType, Run, register_field_type
from .simple import compile_pattern, pattern_problems

# Scans a field remembers having accepted (``ScanField._accepted``).
ACCEPTED_CACHE_SIZE = 256
MAX_SCAN_LENGTH = 500  # characters: far above any barcode, the same limit as the rendered schema
SCAN_KINDS = ("item", "serial", "material", "equipment", "operator", "location", "container")

# kind -> (keys of the scan value, any of which identifies that kind) and its label.
_KIND_KEYS: dict[str, tuple[str, ...]] = {
    "item": ("gtin",),
    "material": ("gtin",),
    "serial": ("serial", "giai"),
    "container": ("sscc", "grai"),
    "equipment": ("giai", "grai"),
    "location": ("gln",),
    "operator": (),  # GSRN (8017/8018) has no field of its own in the scan value
}
KIND_LABELS: dict[str, dict[str, str]] = {
    "item": {"en": "an item or lot (GTIN)", "zh-CN": "物料批次或产品（GTIN）"},
    "material": {"en": "a material (GTIN)", "zh-CN": "物料（GTIN）"},
    "serial": {"en": "a serialised unit (GTIN + serial)", "zh-CN": "序列化单件（GTIN + 序列号）"},
    "container": {"en": "a container (SSCC)", "zh-CN": "容器（SSCC）"},
    "equipment": {"en": "equipment (GIAI/GRAI)", "zh-CN": "设备（GIAI/GRAI）"},
    "location": {"en": "a location (GLN)", "zh-CN": "库位/地点（GLN）"},
    "operator": {"en": "an operator badge (GSRN)", "zh-CN": "操作员工牌（GSRN）"},
}


@register_field_type
class ScanField(FieldType):
    type_name = "scan"
    options = frozenset({"kind", "formats", "pattern", "require_lot", "require_serial", "reject_expired"})
    widgets = ("scan",)
    value_kind = "scan"

    def setup(self) -> None:
        self.kind: str = self.spec.get("kind", "item")
        self.formats = tuple(self.spec.get("formats") or SCAN_FORMATS)
        self.allow_internal = "internal" in self.formats
        self.pattern = compile_pattern(self.spec.get("pattern"))
        self.require_lot = bool(self.spec.get("require_lot"))
        self.require_serial = bool(self.spec.get("require_serial")) or self.kind == "serial"
        self.reject_expired = bool(self.spec.get("reject_expired"))
        # Per field (the checks depend on its options), bounded, thread-safe.
        self._accepted = lru_cache(maxsize=ACCEPTED_CACHE_SIZE)(self._accept)

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        yield from pattern_problems((*path, "pattern"), self.spec.get("pattern"))

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        if raw.__class__ is str:
            if len(raw) > MAX_SCAN_LENGTH:
                raise Invalid("too_long", max_length=MAX_SCAN_LENGTH, length=len(raw))
            accepted = self._accepted(raw)
            if accepted is not None:
                again = accepted.copy()
                again["ais"] = accepted["ais"].copy()
                self._check_expiry(again, run, path)
                return again
        value, problems = scan_value(raw, path, self.allow_internal)
        if value is None:
            run.problems.extend(problems)
            return INVALID
        self._check_identity(value)
        value["kind"] = self.kind
        self._check_expiry(value, run, path)
        return value

    def _accept(self, raw: str) -> dict[str, Any] | None:
        """The value of a scan this field accepts whatever the day, or None (a problem, which
        ``coerce`` then reports with its path). Cached per field by ``_accepted``: a lot label
        is scanned again and again; the cached value is only ever handed out as a copy."""
        value, _ = scan_value(raw, (), self.allow_internal)
        if value is None:
            return None
        try:
            self._check_identity(value)
        except Invalid:
            return None
        value["kind"] = self.kind
        return value

    def _check_identity(self, value: dict[str, Any]) -> None:
        """The checks of a scan value that do not depend on the day; ``Invalid`` if one fails."""
        fmt = value["format"]
        if fmt not in self.formats:
            raise Invalid(
                "scan_format_not_allowed",
                format=fmt,
                allowed=list(self.formats),
                allowed_text=", ".join(self.formats),
            )
        if fmt == "internal":
            if self.pattern is not None and not self.pattern.fullmatch(value["code"]):
                raise Invalid("scan_pattern_mismatch", value=value["code"], pattern=self.pattern.pattern)
            return
        ais = value["ais"]
        if self.kind == "serial":
            if not (value["giai"] or (value["gtin"] and value["serial"])):
                raise Invalid("scan_missing_serial", value=value["code"])
        elif self.kind == "operator":
            if not (ais.get("8017") or ais.get("8018")):
                raise Invalid(
                    "scan_wrong_kind", kind=self.kind, kind_label=KIND_LABELS[self.kind], value=value["code"]
                )
        elif not any(value[key] for key in _KIND_KEYS[self.kind]):
            raise Invalid(
                "scan_wrong_kind", kind=self.kind, kind_label=KIND_LABELS[self.kind], value=value["code"]
            )
        if self.require_lot and not value["lot"]:
            raise Invalid("scan_missing_lot", value=value["code"])
        if self.require_serial and not (value["serial"] or value["giai"]):
            raise Invalid("scan_missing_serial", value=value["code"])

    def _check_expiry(self, value: dict[str, Any], run: Run, path: Path) -> None:
        """An expiry (AI 17) before today: ``scan_expired``, blocking or a notice."""
        expiry = value["expiry"]
        if expiry is not None and expiry < run.today_iso:
            if self.reject_expired:
                raise Invalid("scan_expired", expiry=expiry, value=value["code"])
            run.notices.append(Problem(path, "scan_expired", {"expiry": expiry, "value": value["code"]}))

    def input_schema(self, locale: str) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": MAX_SCAN_LENGTH}

    def ui_options(self, locale: str) -> dict[str, Any]:
        options: dict[str, Any] = {"kind": self.kind, "formats": list(self.formats)}
        if self.pattern is not None:
            options["pattern"] = self.pattern.pattern
        return options

    def data_schema(self) -> dict[str, Any]:
        nullable_string = {"type": ["string", "null"]}
        return {
            "type": "object",
            "required": ["raw", "format", "code", "kind"],
            "properties": {
                "raw": {"type": "string"},
                "format": {"enum": list(SCAN_FORMATS)},
                "code": {"type": "string"},
                "kind": {"enum": list(SCAN_KINDS)},
                "symbology": nullable_string,
                **{
                    key: nullable_string
                    for key in ("gtin", "lot", "serial", "sscc", "gln", "giai", "grai", "unit", "hri")
                },
                **{
                    key: {"type": ["string", "null"], "format": "date"}
                    for key in ("expiry", "best_before", "production_date")
                },
                "quantity": {"type": ["number", "null"]},
                "ais": {"type": "object", "additionalProperties": {"type": "string"}},
                "uri": {"type": "string"},
            },
            "additionalProperties": False,
        }
