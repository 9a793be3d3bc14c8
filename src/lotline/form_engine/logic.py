"""Conditions written as JSON Logic, evaluated by the maintained ``panzi-json-logic`` library.

Both engines use this module: form rules (visible / required when ...) and flow transitions.
We never interpret JSON Logic ourselves; we only check a rule's shape before publishing and list
the variables it reads, so static checks can name unknown fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from json_logic import jsonLogic
from json_logic.builtins import BUILTINS, to_bool

# Operators handled inside json_logic.apply itself rather than through BUILTINS.
_CONTROL_OPERATORS = frozenset({"if", "?:", "and", "or", "filter", "reduce", "map", "all", "some", "none"})
# Operators whose second argument is evaluated against each list element, not the record.
_SCOPED_OPERATORS = frozenset({"filter", "reduce", "map", "all", "some", "none"})

KNOWN_OPERATORS = frozenset(BUILTINS) | _CONTROL_OPERATORS


@dataclass(frozen=True)
class RuleProblem:
    """A problem in a rule's shape, with the JSON path inside the rule (a tuple of keys/indices)."""

    path: tuple[str | int, ...]
    code: str
    operator: str


def evaluate(rule: Any, data: Mapping[str, Any] | None) -> Any:
    """Evaluate ``rule`` against ``data`` and return the JSON Logic result."""
    return jsonLogic(rule, dict(data or {}))


def truthy(rule: Any, data: Mapping[str, Any] | None) -> bool:
    """Evaluate ``rule`` and apply JSON Logic truthiness (``[]`` and ``"0"`` rules included)."""
    return bool(to_bool(evaluate(rule, data)))


def evaluate_dict(rule: Any, data: dict[str, Any]) -> Any:
    """``evaluate`` on a ``dict`` the caller owns, without the defensive copy (the library only
    reads the data): the validation hot path."""
    return jsonLogic(rule, data)


def truthy_dict(rule: Any, data: dict[str, Any]) -> bool:
    """``truthy`` on a ``dict`` the caller owns, without the defensive copy."""
    return bool(to_bool(jsonLogic(rule, data)))


def check_rule(rule: Any) -> list[RuleProblem]:
    """Every unknown operator or malformed ``var`` in ``rule``, each with its path."""
    return list(_walk_problems(rule, ()))


def _walk_problems(rule: Any, path: tuple[str | int, ...]) -> Iterator[RuleProblem]:
    if isinstance(rule, list):
        for index, item in enumerate(rule):
            yield from _walk_problems(item, (*path, index))
        return
    if not isinstance(rule, dict):
        return
    if len(rule) != 1:
        yield RuleProblem(path, "rule_operator_count", ",".join(sorted(map(str, rule))))
        return
    op, args = next(iter(rule.items()))
    if op not in KNOWN_OPERATORS:
        yield RuleProblem(path, "rule_unknown_operator", op)
        return
    if op == "var":
        key = args[0] if isinstance(args, list) and args else args
        if not isinstance(key, (str, int)) and key is not None:
            yield RuleProblem((*path, op), "rule_bad_var", op)
        return
    yield from _walk_problems(args, (*path, op))


def referenced_vars(rule: Any) -> set[str]:
    """Dotted names of the record variables ``rule`` reads (``var`` and ``missing``).

    Variables read inside ``map``/``filter``/``all``/``some``/``none``/``reduce`` sub-rules refer
    to list elements, not to the record, and are not reported.
    """
    found: set[str] = set()
    _collect_vars(rule, found)
    return found


def _collect_vars(rule: Any, found: set[str]) -> None:
    if isinstance(rule, list):
        for item in rule:
            _collect_vars(item, found)
        return
    if not isinstance(rule, dict) or len(rule) != 1:
        return
    op, args = next(iter(rule.items()))
    if op == "var":
        key = args[0] if isinstance(args, list) and args else args
        if isinstance(key, (str, int)) and str(key) != "":
            found.add(str(key))
        return
    if op in ("missing", "missing_some"):
        names = args if op == "missing" else (args[1] if isinstance(args, list) and len(args) > 1 else [])
        for name in names if isinstance(names, list) else [names]:
            if isinstance(name, str):
                found.add(name)
        return
    if op in _SCOPED_OPERATORS and isinstance(args, list) and args:
        _collect_vars(args[0], found)
        return
    _collect_vars(args, found)


def lookup(data: Any, dotted: str) -> Any:
    """The value at a dotted path (``"lots.0.qty"``), as JSON Logic's ``var`` reads it; None when
    any step is missing."""
    return lookup_parts(data, dotted.split("."))


def lookup_parts(data: Any, parts: Sequence[str]) -> Any:
    """``lookup`` of a path already split at its dots (split once, when a form is compiled)."""
    value: Any = data
    for part in parts:
        if value.__class__ is dict or isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value
