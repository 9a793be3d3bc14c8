"""The data paths a form produces, for conditions written elsewhere (flow transitions, reports).

Derived from the normalised data schema, so a path exists here exactly when the validator can
produce it: ``qty``, ``lot``, ``lot.gtin``, ``lots``, ``lots.code`` (items of a repeating group
are addressed by the group's key), ``torque.result``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .validate import data_schema


def field_paths(definition: Mapping[str, Any]) -> frozenset[str]:
    """Every dotted path of the form's normalised data (raises ``ProblemsError`` if invalid)."""
    return frozenset(_walk(data_schema(definition), ""))


def _walk(schema: Mapping[str, Any], prefix: str) -> Iterator[str]:
    if schema.get("type") == "array" and isinstance(schema.get("items"), Mapping):
        yield from _walk(schema["items"], prefix)
        return
    for key, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}.{key}" if prefix else key
        yield path
        if isinstance(sub, Mapping):
            yield from _walk(sub, path)
