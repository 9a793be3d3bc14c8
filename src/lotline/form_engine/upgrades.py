"""Named, ordered upgrades between definition format versions.

Published definitions are immutable and stored forever, so the library never rejects an old
format it knows: ``upgrade_definition`` applies ``UPGRADES[n]`` (format n -> n+1) one step at a
time up to ``FORMAT_VERSION``. Each upgrade is a plain, named function on a copy of the
document; adding format 2 means writing ``upgrade_v1_to_v2`` and registering it under ``1``.

Format 0 is the unversioned prototype format (documents without ``format_version``): fields
were named by ``name``, labels and option labels were single strings, select options could be
plain strings, and some types had other names (``float``, ``checkbox``, ``barcode``, ``choice``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from .definition import FORMAT_VERSION
from .problems import Problem, ProblemsError

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]

_V0_TYPES = {
    "float": "number",
    "int": "integer",
    "checkbox": "boolean",
    "barcode": "scan",
    "choice": "select",
    "datetime-local": "datetime",
}
_V0_TEXTS = ("label", "title", "help", "placeholder", "description")


def upgrade_v0_to_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """Prototype documents -> format 1 (keys, bilingual texts, option objects, type names)."""
    if "name" in doc and "key" not in doc:
        doc["key"] = doc.pop("name")
    _bilingual(doc)
    for section in doc.get("sections", []):
        if isinstance(section, dict):
            _bilingual(section)
    doc["fields"] = [_field_v0(field) for field in doc.get("fields", [])]
    return doc


def _field_v0(field: Any) -> Any:
    if not isinstance(field, dict):
        return field
    if "name" in field and "key" not in field:
        field["key"] = field.pop("name")
    field["type"] = _V0_TYPES.get(field.get("type", ""), field.get("type"))
    if field["type"] == "scan":
        field.setdefault("kind", "item")
    _bilingual(field)
    if isinstance(field.get("options"), list):
        field["options"] = [
            {"value": option, "label": {"en": option, "zh-CN": option}}
            if isinstance(option, str)
            else _bilingual(option)
            for option in field["options"]
        ]
    if isinstance(field.get("fields"), list):
        field["fields"] = [_field_v0(sub) for sub in field["fields"]]
    return field


def _bilingual(node: Any) -> Any:
    if isinstance(node, dict):
        for name in _V0_TEXTS:
            if isinstance(node.get(name), str):
                node[name] = {"en": node[name], "zh-CN": node[name]}
    return node


UPGRADES: dict[int, Upgrade] = {0: upgrade_v0_to_v1}


def upgrade_definition(
    doc: Mapping[str, Any],
    *,
    upgrades: Mapping[int, Upgrade] | None = None,
    target: int = FORMAT_VERSION,
) -> dict[str, Any]:
    """A copy of ``doc`` upgraded to format ``target`` (unchanged copy if already there).

    Raises ``ProblemsError`` (``format_version_unsupported``) for a newer or unknown version or
    a missing upgrade step.
    """
    steps = UPGRADES if upgrades is None else upgrades
    version = doc.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version > target:
        raise _unsupported(version, target)
    upgraded = copy.deepcopy(dict(doc))
    while version < target:
        step = steps.get(version)
        if step is None:
            raise _unsupported(version, target)
        upgraded = step(upgraded)
        version += 1
        upgraded["format_version"] = version
    return upgraded


def _unsupported(version: Any, target: int) -> ProblemsError:
    problem = Problem(
        ("format_version",), "format_version_unsupported", {"version": version, "current": target}
    )
    return ProblemsError([problem], code="definition_invalid")
