"""From the form engine's trace bindings to items: which lots/units a record consumes, creates,
packs into, and which equipment, locations and documents it names; with the error-proofing
that needs the database (holds, quarantine, expiry, remaining quantity, duplicates)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Path, Problem
from lotline.platform.genealogy import service as genealogy
from lotline.platform.genealogy.models import Edge, Item


@dataclass
class Input:
    path: Path
    item: Item
    quantity: Decimal | None
    unit: str | None
    status: str  # as the rules see it: a correction gives back what its original consumed


@dataclass
class Output:
    path: Path
    scan: dict[str, Any]
    quantity: Decimal | None
    unit: str | None


@dataclass
class Named:
    """A binding that names something by code: equipment, location, operator, document."""

    path: Path
    role: str
    code: str


@dataclass
class Resolved:
    inputs: list[Input] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    containers: list[Output] = field(default_factory=list)
    named: list[Named] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def material_facts(self) -> Iterator[dict[str, Any]]:
        """What the workflow engine checks for consumed materials (order = ``inputs``)."""
        for entry in self.inputs:
            item = entry.item
            yield {
                "material": item.material_code,
                "lot": item.code,
                "status": entry.status,
                "expiry": item.expiry.isoformat() if item.expiry else None,
                "quantity": float(entry.quantity) if entry.quantity is not None else None,
            }

    def map_problem(self, problem: Problem) -> Problem:
        """Engine problems about ``materials[i]`` point at the scan field that named the lot."""
        if len(problem.path) >= 2 and problem.path[0] == "materials" and isinstance(problem.path[1], int):
            index = problem.path[1]
            if index < len(self.inputs):
                return Problem(self.inputs[index].path, problem.code, problem.params)
        return problem

    def codes(self, role: str) -> list[str]:
        return [n.code for n in self.named if n.role == role]


def _scan(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {"code": str(value), "raw": str(value)}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Mapping):  # a measurement-like {"value": ...}
        value = value.get("value")
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def resolve_bindings(
    session: Session,
    organisation_id: int,
    bindings: Sequence[Mapping[str, Any]],
    event_time: datetime,
    ignore_record: int | None = None,
) -> Resolved:
    """Every binding resolved; ``problems`` lists every refusal with its ``payload.…`` path.

    ``ignore_record``: a correction's original, whose consumption no longer counts.
    """
    resolved = Resolved()
    taken: dict[int, Decimal] = {}
    inputs = [b for b in bindings if b["role"] == "input"]
    # every consumed lot found (and locked) in one query
    found = iter(
        genealogy.find_items_each(
            session, organisation_id, [_scan(b.get("value")) for b in inputs], for_update=True
        )
    )
    for binding in bindings:
        path: Path = ("payload", *binding["path"])
        role = binding["role"]
        value = binding.get("value")
        if role == "input":
            _input(
                session,
                resolved,
                path,
                value,
                next(found),
                binding,
                event_time.date(),
                taken,
                ignore_record,
            )
        elif role == "output":
            resolved.outputs.append(
                Output(path, _scan(value), _decimal(binding.get("quantity")), binding.get("unit"))
            )
        elif role == "container":
            resolved.containers.append(Output(path, _scan(value), None, None))
        elif role in ("equipment", "location", "operator", "document"):
            scan = _scan(value)
            resolved.named.append(Named(path, role, str(scan.get("code") or scan.get("raw") or value)))
    return resolved


def _input(
    session: Session,
    resolved: Resolved,
    path: Path,
    value: Any,
    candidates: Sequence[Item],
    binding: Mapping[str, Any],
    today: date,
    taken: dict[int, Decimal],
    ignore_record: int | None,
) -> None:
    scan = _scan(value)
    code = scan.get("code") or scan.get("raw")
    if not candidates:
        resolved.problems.append(Problem(path, "item_not_found", {"code": code}))
        return
    if len(candidates) > 1:
        resolved.problems.append(Problem(path, "item_ambiguous", {"code": code, "count": len(candidates)}))
        return
    item = candidates[0]
    quantity = _decimal(binding.get("quantity"))
    given_back = _consumed_by(session, item.id, ignore_record) if ignore_record is not None else Decimal(0)
    problem = _usable(item, quantity, today, taken, given_back)
    if problem is not None:
        code_, params = problem
        resolved.problems.append(Problem(path, code_, {"code": item.code, **params}))
        return
    if quantity is not None:
        taken[item.id] = taken.get(item.id, Decimal(0)) + quantity
    status = "released" if item.status == "consumed" and given_back > 0 else item.status
    resolved.inputs.append(Input(path, item, quantity, binding.get("unit") or item.uom, status))


def _usable(
    item: Item, quantity: Decimal | None, today: date, taken: dict[int, Decimal], given_back: Decimal
) -> tuple[str, dict[str, Any]] | None:
    if item.status == "hold":
        return "lot_on_hold", {}
    if item.status == "quarantine":
        return "lot_quarantined", {}
    if item.expiry is not None and item.expiry < today:
        return "lot_expired", {"expiry": item.expiry.isoformat()}
    remaining = item.remaining + given_back if item.remaining is not None else None
    if item.status in ("consumed", "shipped", "scrapped") and not (given_back and remaining):
        return "item_not_available", {"status": item.status}
    if quantity is not None and remaining is not None:
        already = taken.get(item.id, Decimal(0))
        if quantity + already > remaining:
            return "quantity_exceeds_remaining", {
                "remaining": _plain(remaining - already),
                "quantity": _plain(quantity),
                "uom": item.uom or "",
            }
    return None


def _consumed_by(session: Session, item_id: int, record_id: int) -> Decimal:
    rows = session.scalars(
        select(Edge.quantity).where(
            Edge.from_item_id == item_id,
            Edge.record_id == record_id,
            Edge.relation == "consumed",
            Edge.voided_by_record_id.is_(None),
        )
    )
    return sum((q for q in rows if q is not None), Decimal(0))


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
