"""Error-proofing rules of a node, checked against the context and the submission.

``context_problems`` covers what is known before the worker submits anything (roles, station,
holds, item status, expiry), so ``enabled`` can explain why a step is not possible now.
``submission_problems`` covers what only the submission tells (consumed materials, signatures).
Paths point into the context (``("roles",)``, ``("item", "status")``, ``("materials", 2,
"material")``) or the submission (``("signatures",)``).

Hold semantics: while the subject item's status is ``hold`` or ``quarantine`` only nodes of type
hold or release (or with ``allow_on_hold: true``) may run. An ``anytime`` release node needs the
subject to be on hold. Consumed materials on hold / quarantine, already consumed / shipped /
scrapped, or expired are always refused, whatever the node's rules.

Times: ``now`` and expiries are ISO 8601. A date-only expiry is usable through that whole day (in
the time zone of ``now``); a naive date-time is taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lotline.form_engine.problems import Path, Problem
from lotline.workflow_engine.definition import (
    HOLD_NODE_TYPES,
    HOLD_STATUSES,
    UNAVAILABLE_STATUSES,
    Node,
)
from lotline.workflow_engine.inputs import Context, Submission


def _join(values: Any) -> str:
    return ", ".join(sorted(str(v) for v in values)) or "-"


def allowed_on_hold(node: Node) -> bool:
    if node.rules.allow_on_hold is not None:
        return node.rules.allow_on_hold
    return node.type in HOLD_NODE_TYPES


def context_problems(node: Node, ctx: Context) -> list[Problem]:
    rules = node.rules
    problems: list[Problem] = []
    if rules.allowed_roles is not None and not rules.allowed_roles & set(ctx.roles):
        problems.append(
            Problem(
                ("roles",),
                "step.role_not_allowed",
                {"roles": _join(ctx.roles), "allowed": _join(rules.allowed_roles)},
            )
        )
    if rules.allowed_stations is not None and ctx.station not in rules.allowed_stations:
        problems.append(
            Problem(
                ("station",),
                "step.station_not_allowed",
                {"station": ctx.station or "-", "allowed": _join(rules.allowed_stations)},
            )
        )
    status = ctx.item.get("status")
    if status in HOLD_STATUSES and not allowed_on_hold(node):
        problems.append(Problem(("item", "status"), "step.subject_on_hold", {"status": status}))
    if node.anytime and node.type == "release" and status not in HOLD_STATUSES:
        problems.append(Problem(("item", "status"), "step.subject_not_on_hold", {"status": status or "-"}))
    if rules.required_item_statuses is not None:
        if status is None:
            problems.append(Problem(("item", "status"), "step.context_missing", {"name": "item.status"}))
        elif status not in rules.required_item_statuses:
            problems.append(
                Problem(
                    ("item", "status"),
                    "step.item_status_not_allowed",
                    {"status": status, "allowed": _join(rules.required_item_statuses)},
                )
            )
    expiry = ctx.item.get("expiry")
    if expiry and not rules.allow_expired:
        problems.extend(_expiry_problems(expiry, ctx, ("item", "expiry"), "step.item_expired", {}))
    return problems


def submission_problems(node: Node, submission: Submission, ctx: Context) -> list[Problem]:
    return [*_material_problems(node, ctx), *_signature_problems(node, submission)]


def _material_problems(node: Node, ctx: Context) -> list[Problem]:
    rules = node.rules
    problems: list[Problem] = []
    allowed: set[str] | None = None
    if rules.allowed_materials == "bom":
        if ctx.bom is None:
            problems.append(Problem(("bom",), "step.bom_missing", {}))
        else:
            allowed = set(ctx.bom)
    elif rules.allowed_materials is not None:
        allowed = set(rules.allowed_materials)
    consumed: set[str] = set()
    for i, material in enumerate(ctx.materials):
        code = str(material.get("material", ""))
        consumed.add(code)
        params = {"material": code, "lot": material.get("lot") or material.get("id") or "-"}
        if allowed is not None and code not in allowed:
            problems.append(
                Problem(
                    ("materials", i, "material"),
                    "step.material_not_allowed",
                    {"material": code, "allowed": _join(allowed)},
                )
            )
        status = material.get("status")
        if status in HOLD_STATUSES:
            problems.append(
                Problem(("materials", i, "status"), "step.material_on_hold", {**params, "status": status})
            )
        elif status in UNAVAILABLE_STATUSES:
            problems.append(
                Problem(("materials", i, "status"), "step.material_unavailable", {**params, "status": status})
            )
        if material.get("expiry"):
            problems.extend(
                _expiry_problems(
                    material["expiry"], ctx, ("materials", i, "expiry"), "step.material_expired", params
                )
            )
    if rules.require_complete_bom and ctx.bom is not None:
        for code in ctx.bom:
            if code not in consumed:
                problems.append(Problem(("materials",), "step.material_missing", {"material": code}))
    return problems


def _signature_problems(node: Node, submission: Submission) -> list[Problem]:
    rule = node.rules.signatures
    if rule is None:
        return []
    problems: list[Problem] = []
    signers: list[str] = []
    for meaning in rule.meanings:
        found = [s.get("signer") for s in submission.signatures if s.get("meaning") == meaning]
        if not found or not found[0]:
            problems.append(Problem(("signatures",), "step.signature_missing", {"meaning": meaning}))
        else:
            signers.append(str(found[0]))
    if rule.distinct_signers and len(set(signers)) < len(signers):
        problems.append(
            Problem(("signatures",), "step.signers_not_distinct", {"signers": ", ".join(signers)})
        )
    return problems


def _expiry_problems(
    expiry: Any, ctx: Context, path: Path, code: str, params: dict[str, Any]
) -> list[Problem]:
    if ctx.now is None:
        return [Problem(("now",), "step.context_missing", {"name": "now"})]
    now = parse_moment(ctx.now)
    if not isinstance(now, datetime):
        return [Problem(("now",), "step.bad_input", {"value": repr(ctx.now)})]
    limit = parse_moment(expiry)
    if limit is None:
        return [Problem(path, "step.bad_input", {"value": repr(expiry)})]
    expired = now.date() > limit if not isinstance(limit, datetime) else now > limit
    return [Problem(path, code, {**params, "expiry": str(expiry)})] if expired else []


def parse_moment(value: Any) -> date | datetime | None:
    """ISO 8601 date or date-time (naive -> UTC); None if it cannot be read."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
