"""Turn declared node / transition actions into the plain-data actions the platform performs.

Emitted action (one per declared action whose ``when`` holds)::

    {"type": "consume", "node": "assemble", "transition": null, "seq": 7,
     "params": {"quantity_field": "qty"},          # as declared, minus type and when
     "values": {"quantity": 4},                    # each *_field param resolved from the data
     "materials": [{"material": "RES-10K", "lot": "L123", ...}]}   # consume / aggregate only

``node`` is the node completed (or, for a transition action, the transition's source) and
``transition`` the transition id (None for node actions). ``seq`` is the submission's sequence
number in the instance, so the platform can make the effects idempotent. Order: the actions of
transitions followed because steps were skipped, then the node's actions, then the actions of the
transitions taken out of it, each in document order.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from lotline.form_engine.logic import lookup as _lookup
from lotline.form_engine.logic import truthy
from lotline.form_engine.problems import Problem
from lotline.workflow_engine.inputs import Context

_MATERIAL_ACTIONS = frozenset({"consume", "aggregate"})


def emit(
    declared: Sequence[Mapping[str, Any]],
    *,
    node: str,
    transition: str | None,
    seq: int,
    cond: Mapping[str, Any],
    ctx: Context,
) -> tuple[list[dict[str, Any]], list[Problem]]:
    emitted: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for j, action in enumerate(declared):
        if "when" in action:
            try:
                if not truthy(action["when"], cond):
                    continue
            except Exception as error:  # the library raises plain exceptions on bad operands
                where = f"{transition or node} action {j}"
                problems.append(
                    Problem(("node",), "step.condition_error", {"where": where, "error": str(error)})
                )
                continue
        params = {k: copy.deepcopy(v) for k, v in action.items() if k not in ("type", "when")}
        out: dict[str, Any] = {
            "type": action["type"],
            "node": node,
            "transition": transition,
            "seq": seq,
            "params": params,
            "values": {
                k[: -len("_field")]: lookup(cond.get("data", {}), str(v))
                for k, v in params.items()
                if k.endswith("_field")
            },
        }
        if action["type"] in _MATERIAL_ACTIONS:
            out["materials"] = [copy.deepcopy(dict(m)) for m in ctx.materials]
        emitted.append(out)
    return emitted, problems


def lookup(data: Any, dotted: str) -> Any:
    """``lookup({"a": [{"b": 1}]}, "a.0.b") == 1``; None when any step is missing (a copy)."""
    return copy.deepcopy(_lookup(data, dotted))
