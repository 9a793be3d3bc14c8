"""The field-type protocol and its registry.

A field type is a small class registered under its ``type`` name. It is built once per compiled
form from the field's definition object and then, for every submission, turns the raw value a
tablet sent into the normalised value (``coerce``). It also answers for the definition checks
(``definition_problems``) and for the renderer (``input_schema``, ``ui_schema``) and declares
the JSON Schema of the value it produces (``data_schema``), so all four views of a field live in
one place and cannot drift apart.

Options every field accepts (``COMMON_OPTIONS``): ``key``, ``type``, ``label`` {en, zh-CN},
``help``, ``placeholder``, ``section``, ``required``, ``required_when`` and ``visible_when``
(JSON Logic), ``widget`` (one of the type's ``widgets``) and ``trace`` (the trace binding).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Final

from .. import logic
from ..coerce import Invalid
from ..problems import Path, Problem

COMMON_OPTIONS: Final = frozenset(
    {
        "key",
        "type",
        "label",
        "help",
        "placeholder",
        "section",
        "required",
        "required_when",
        "visible_when",
        "widget",
        "trace",
    }
)


class _Invalid:
    """Sentinel: the value was rejected and the problems were already recorded."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()


class Run:
    """The state of one validation run: problems (blocking), notices, trace entries and time."""

    __slots__ = ("notices", "now", "problems", "today", "today_iso", "trace")

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.today = now.date()
        self.today_iso = self.today.isoformat()
        self.problems: list[Problem] = []
        self.notices: list[Problem] = []
        self.trace: list[dict[str, Any]] = []


def localize(text: Mapping[str, str] | None, locale: str) -> str | None:
    """The text in ``locale``, falling back to English."""
    if not text:
        return None
    return text.get(locale) or text.get("en")


class FieldType:
    """Base class of every field type. Subclasses set the class attributes and override hooks."""

    type_name: ClassVar[str] = ""
    #: Definition keys this type accepts besides ``COMMON_OPTIONS`` (checked against the
    #: meta-schema by a test).
    options: ClassVar[frozenset[str]] = frozenset()
    #: ``ui:widget`` names this type can use; the first is the default. Empty: no widget.
    widgets: ClassVar[tuple[str, ...]] = ()
    #: What the normalised value is, for trace-binding and quantity checks.
    value_kind: str = "text"
    #: ``None``, a blank string and (for list-valued types) ``[]`` count as "not provided".
    list_valued: ClassVar[bool] = False
    #: Computed fields are evaluated even when nothing was sent.
    always_coerce: ClassVar[bool] = False

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.key: str = spec["key"]
        self.label: Mapping[str, str] = spec.get("label") or {}
        self.required = bool(spec.get("required", False))
        self.visible_when: Any = spec.get("visible_when")
        self.required_when: Any = spec.get("required_when")
        self.trace: Mapping[str, Any] | None = spec.get("trace")
        self.unit: str | None = spec.get("unit")
        self.setup()

    def setup(self) -> None:
        """Precompute whatever ``coerce`` needs (runs once per compiled form)."""

    # -- definition time --------------------------------------------------------------------

    def rules(self) -> Iterator[tuple[str, Any]]:
        """(option name, JSON Logic rule) pairs this field evaluates."""
        if "visible_when" in self.spec:
            yield "visible_when", self.visible_when
        if "required_when" in self.spec:
            yield "required_when", self.required_when

    def rule_refs(self) -> set[str]:
        """Every variable this field's rules read (dotted names)."""
        refs: set[str] = set()
        for _, rule in self.rules():
            refs |= logic.referenced_vars(rule)
        return refs

    def definition_problems(self, path: Path) -> Iterator[Problem]:
        """Semantic problems in this field's own options; ``path`` is the field's place."""
        return iter(())

    # -- submission time --------------------------------------------------------------------

    def coerce(self, raw: Any, path: Path, run: Run, ctx: dict[str, Any]) -> Any:
        """Return the normalised value; raise ``coerce.Invalid`` for a single problem, or record
        problems in ``run.problems`` and return ``INVALID``."""
        raise NotImplementedError

    # -- schemas ----------------------------------------------------------------------------

    def input_schema(self, locale: str) -> dict[str, Any]:
        """JSON Schema of what the browser sends for this field (without title/default)."""
        raise NotImplementedError

    def ui_options(self, locale: str) -> dict[str, Any]:
        """Type-specific ``ui:options`` for the renderer."""
        return {}

    def data_schema(self) -> dict[str, Any]:
        """JSON Schema of the normalised value this field produces."""
        raise NotImplementedError

    def render(self, locale: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(schema, uiSchema) of this field for react-jsonschema-form."""
        schema: dict[str, Any] = {"title": localize(self.label, locale)}
        schema.update(self.input_schema(locale))
        if "default" in self.spec:
            schema["default"] = self.spec["default"]
        ui: dict[str, Any] = {}
        widget = self.spec.get("widget") or (self.widgets[0] if self.widgets else None)
        if widget:
            ui["ui:widget"] = widget
        help_text = localize(self.spec.get("help"), locale)
        if help_text:
            ui["ui:help"] = help_text
        placeholder = localize(self.spec.get("placeholder"), locale)
        if placeholder:
            ui["ui:placeholder"] = placeholder
        options = self.ui_options(locale)
        if self.visible_when is not None:
            options["visibleWhen"] = self.visible_when
        if self.required_when is not None:
            options["requiredWhen"] = self.required_when
        if self.trace:
            options["trace"] = dict(self.trace)
        if options:
            ui["ui:options"] = options
        return schema, ui


FIELD_TYPES: dict[str, type[FieldType]] = {}


def register_field_type(cls: type[FieldType]) -> type[FieldType]:
    """Class decorator: make ``cls`` available under ``cls.type_name``."""
    if not cls.type_name or cls.type_name in FIELD_TYPES:
        raise ValueError(f"field type name {cls.type_name!r} is empty or taken")
    FIELD_TYPES[cls.type_name] = cls
    return cls


def build_field(spec: Mapping[str, Any]) -> FieldType:
    """Instantiate the registered type of a (meta-schema valid) field definition."""
    return FIELD_TYPES[spec["type"]](spec)


def range_problem(path: Path, spec: Mapping[str, Any], low: str, high: str) -> Iterator[Problem]:
    """``range_inverted`` when both options are set and ``low > high``."""
    lo: Any = spec.get(low)
    hi: Any = spec.get(high)
    numbers = isinstance(lo, (int, float)) and isinstance(hi, (int, float))
    if (numbers or (isinstance(lo, str) and isinstance(hi, str))) and lo > hi:
        yield Problem(
            (*path, low), "range_inverted", {"low_name": low, "low": lo, "high_name": high, "high": hi}
        )


def check_count(count: int, spec: Mapping[str, Any]) -> None:
    """``too_few_items`` / ``too_many_items`` against ``min_items`` / ``max_items``."""
    if "min_items" in spec and count < spec["min_items"]:
        raise Invalid("too_few_items", min_items=spec["min_items"], count=count)
    if "max_items" in spec and count > spec["max_items"]:
        raise Invalid("too_many_items", max_items=spec["max_items"], count=count)


def count_schema(schema: dict[str, Any], spec: Mapping[str, Any]) -> None:
    """Copy ``min_items`` / ``max_items`` into a JSON Schema array as minItems / maxItems."""
    if "min_items" in spec:
        schema["minItems"] = spec["min_items"]
    if "max_items" in spec:
        schema["maxItems"] = spec["max_items"]
