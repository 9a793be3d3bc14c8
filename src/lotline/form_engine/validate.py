"""Validating submissions against a compiled form.

``compile_form(definition)`` upgrades and checks a definition once and returns a
``FormValidator``; compiled forms are cached by content, never by key or version (so two
tenants' forms with the same key never collide and an edited draft is never served stale).
The platform should hold the validator of a published version and call ``validate`` on it;
``validate_submission(definition, payload)`` is the one-call convenience: it finds the cached
validator through a digest of the definition, which costs a serialisation of the definition
(roughly a ``json.loads`` of the payload) on every call.

A ``Result`` carries ``data`` (normalised values of the valid, visible fields), ``problems``
(blocking, every one found, each with its path), ``notices`` (non-blocking: hidden values
ignored, measurement warnings, out-of-spec values that are recorded, expired lots) and
``trace`` (the trace bindings resolved against the data: role, path, value, quantity, unit).

Form-level ``rules`` run after the fields; a rule whose fields are missing or invalid is skipped
(the field's own problem already says what is wrong), and a failing rule is ``rule_failed``
with the designer's message, at the rule's ``field`` (or the form root).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import marshal
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import logic
from .definition import check_definition
from .fields.base import Run, localize
from .problems import DEFAULT_LOCALE, Problem, ProblemsError
from .scope import Scope
from .upgrades import upgrade_definition

CACHE_SIZE = 512


@dataclass(frozen=True)
class Result:
    """The outcome of validating one submission."""

    data: dict[str, Any]
    problems: list[Problem]
    notices: list[Problem] = field(default_factory=list)
    trace: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise ``ProblemsError`` with every problem if there is any."""
        if self.problems:
            raise ProblemsError(self.problems)

    def to_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "data": self.data,
            "problems": [problem.to_dict(locale) for problem in self.problems],
            "notices": [problem.to_dict(locale) for problem in self.notices],
            "trace": self.trace,
        }


@dataclass(frozen=True)
class _Rule:
    key: str
    when: Any
    check: Any
    field: str | None
    message: Mapping[str, str]
    reads: frozenset[str]


class FormValidator:
    """A checked, compiled form definition. Build it with ``compile_form``."""

    def __init__(self, definition: Mapping[str, Any], fingerprint: str) -> None:
        self.definition = definition
        self.fingerprint = fingerprint
        self.key: str = definition["key"]
        self.version: int | None = definition.get("version")
        self.root = Scope(definition["fields"], item_scope=False)
        self.rules = [
            _Rule(
                rule["key"],
                rule.get("when"),
                rule["assert"],
                rule.get("field"),
                rule["message"],
                frozenset(logic.referenced_vars([rule.get("when"), rule["assert"]])),
            )
            for rule in definition.get("rules", [])
        ]
        self._rendered: dict[str, dict[str, Any]] = {}

    def validate(self, payload: Any, *, now: dt.datetime | None = None) -> Result:
        """Validate one submission; ``now`` (aware; naive means UTC) anchors "future" and
        "expired" checks."""
        if now is None:
            now = dt.datetime.now(dt.UTC)
        elif now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        run = Run(now)
        data = self.root.validate(payload, (), run, None)
        if data is None:
            data = {}
        if self.rules:
            self._apply_rules(data, run)
        # Bindings of a rejected submission would be half a story: none are reported.
        return Result(data, run.problems, run.notices, [] if run.problems else run.trace)

    def _apply_rules(self, data: dict[str, Any], run: Run) -> None:
        for rule in self.rules:
            if any(logic.lookup(data, name) is None for name in rule.reads):
                continue
            try:
                applies = rule.when is None or logic.truthy(rule.when, data)
                holds = not applies or logic.truthy(rule.check, data)
            except Exception:  # a designer's expression that fails counts as failed
                holds = False
            if not holds:
                path = (rule.field,) if rule.field else ()
                run.problems.append(
                    Problem(path, "rule_failed", {"rule": rule.key, "text": dict(rule.message)})
                )

    def render(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        """``{"schema", "uiSchema"}`` for react-jsonschema-form, texts in ``locale``."""
        if locale not in self._rendered:
            from .render import render_form

            self._rendered[locale] = render_form(self, locale)
        return copy.deepcopy(self._rendered[locale])

    def data_schema(self) -> dict[str, Any]:
        """JSON Schema (2020-12) of ``Result.data`` for a successful submission."""
        schema = self.root.data_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = localize(self.definition.get("title"), "en")
        return schema

    def bindings(self) -> list[dict[str, Any]]:
        """The declared trace bindings: role, field path (``lots[].lot``), type, quantity."""
        found: list[dict[str, Any]] = []
        for top in self.root.fields:
            scopes = [("", top)]
            items = getattr(top, "items", None)
            if isinstance(items, Scope):
                scopes += [(f"{top.key}[].", sub) for sub in items.fields]
            for prefix, fld in scopes:
                if fld.trace:
                    entry = {"role": fld.trace["role"], "field": prefix + fld.key, "type": fld.type_name}
                    if "kind" in fld.spec:
                        entry["kind"] = fld.spec["kind"]
                    if fld.trace.get("quantity"):
                        entry["quantity"] = prefix + fld.trace["quantity"]
                    found.append(entry)
        return found


def fingerprint(definition: Mapping[str, Any]) -> str:
    """A stable content hash of a definition (key order and whitespace do not matter)."""
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class _ValidatorCache:
    """Bounded LRU of compiled validators.

    Looked up first by the ``marshal`` bytes of the definition as given (the fastest
    serialisation; equal bytes imply equal content, while equal content in another key order
    merely misses; the bytes themselves are the key, so the dict's own hash and comparison decide
    and no digest can collide) and then by the canonical ``fingerprint``, so reordered copies
    share one compiled validator.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.by_digest: OrderedDict[bytes, FormValidator] = OrderedDict()
        self.by_fingerprint: OrderedDict[str, FormValidator] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, table: OrderedDict[Any, FormValidator], key: Any) -> FormValidator | None:
        with self.lock:
            found = table.get(key)
            if found is not None:
                table.move_to_end(key)
            return found

    def put(self, table: OrderedDict[Any, FormValidator], key: Any, value: FormValidator) -> None:
        with self.lock:
            table[key] = value
            while len(table) > self.size:
                table.popitem(last=False)


_cache = _ValidatorCache(CACHE_SIZE)


def _digest(definition: Mapping[str, Any]) -> bytes | None:
    """The definition's ``marshal`` bytes, or None if marshal cannot write it."""
    try:
        return marshal.dumps(definition if isinstance(definition, dict) else dict(definition))
    except ValueError:  # something marshal cannot write (a custom Mapping inside)
        return None


def compile_form(definition: Mapping[str, Any]) -> FormValidator:
    """Upgrade, check and compile ``definition`` (cached by content); ``ProblemsError``
    (code ``definition_invalid``) lists every problem of an invalid definition."""
    if not isinstance(definition, Mapping):
        raise ProblemsError([Problem((), "definition_not_an_object", {})], code="definition_invalid")
    digest = _digest(definition)
    if digest is not None:
        cached = _cache.get(_cache.by_digest, digest)
        if cached is not None:
            return cached
    key = fingerprint(definition)
    validator = _cache.get(_cache.by_fingerprint, key)
    if validator is None:
        upgraded = upgrade_definition(definition)
        problems = check_definition(upgraded)
        if problems:
            raise ProblemsError(problems, code="definition_invalid")
        validator = FormValidator(upgraded, key)
        _cache.put(_cache.by_fingerprint, key, validator)
    if digest is not None:
        _cache.put(_cache.by_digest, digest, validator)
    return validator


def validate_submission(
    definition: Mapping[str, Any], payload: Any, *, now: dt.datetime | None = None
) -> Result:
    """Compile (cached) and validate in one call. See ``FormValidator.validate``."""
    return compile_form(definition).validate(payload, now=now)


def data_schema(definition: Mapping[str, Any]) -> dict[str, Any]:
    """JSON Schema of the normalised data a valid submission of ``definition`` produces."""
    return compile_form(definition).data_schema()
