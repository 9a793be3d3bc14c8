"""Bills of materials: numbered versions of what goes into a material, and which components a
step may consume (``allowed_components``, used by capture's "allowed materials" rule).

A BOM's lines may be replaced while it is being set up; a BOM in use is usually succeeded by a
new version (``create_bom`` numbers them 1, 2, 3 … per material) and retired with ``active = false``.
The current BOM of a material is its active version with the highest number that is valid on the
day asked (``valid_from`` empty or not after it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Problem, ProblemsError
from lotline.platform.db import transaction, utcnow
from lotline.platform.errors import ConflictError, NotFoundError
from lotline.platform.masterdata.models import Bom, BomLine, Material
from lotline.platform.masterdata.values import Invalid, to_decimal, to_text, to_uom

if TYPE_CHECKING:
    from lotline.platform.auth.context import Actor

MAX_QUANTITY = Decimal(10) ** 12
_MATERIAL = {"kind": "material", "kind_zh": "物料"}


def get_bom(session: Session, organisation_id: int, bom_id: int) -> Bom:
    bom = session.get(Bom, bom_id)
    if bom is None or bom.organisation_id != organisation_id:
        raise NotFoundError(
            "masterdata_not_found", {"kind": "bom", "kind_zh": "物料清单", "ref": f"#{bom_id}"}
        )
    return bom


def list_boms(
    session: Session, organisation_id: int, material_id: int | None = None, active: bool | None = None
) -> list[Bom]:
    query = select(Bom).where(Bom.organisation_id == organisation_id)
    if material_id is not None:
        query = query.where(Bom.material_id == material_id)
    if active is not None:
        query = query.where(Bom.active == active)
    return list(session.scalars(query.order_by(Bom.material_id, Bom.version)))


def current_bom(
    session: Session, organisation_id: int, product_material_id: int, at: date | None = None
) -> Bom | None:
    """The active BOM of the material with the highest version valid on ``at`` (default: today, UTC)."""
    day = at or utcnow().date()
    return session.scalar(
        select(Bom)
        .where(
            Bom.organisation_id == organisation_id,
            Bom.material_id == product_material_id,
            Bom.active.is_(True),
            or_(Bom.valid_from.is_(None), Bom.valid_from <= day),
        )
        .order_by(Bom.version.desc())
        .limit(1)
    )


def allowed_components(
    session: Session, organisation_id: int, product_material_id: int, at: date | None = None
) -> set[str]:
    """Codes of the active materials the current BOM lists (optional lines and alternatives too);
    an empty set when the material has no current BOM."""
    bom = current_bom(session, organisation_id, product_material_id, at)
    if bom is None:
        return set()
    rows = session.scalars(
        select(Material.code)
        .join(BomLine, BomLine.component_material_id == Material.id)
        .where(BomLine.bom_id == bom.id, Material.active.is_(True))
    )
    return set(rows)


# --- checks -----------------------------------------------------------------------------------


def _made_from(session: Session, organisation_id: int, except_bom: int | None) -> dict[int, set[int]]:
    """product -> components over every active BOM (but ``except_bom``)."""
    query = (
        select(Bom.material_id, BomLine.component_material_id)
        .join(BomLine, BomLine.bom_id == Bom.id)
        .where(Bom.organisation_id == organisation_id, Bom.active.is_(True))
    )
    if except_bom is not None:
        query = query.where(Bom.id != except_bom)
    graph: dict[int, set[int]] = {}
    for product, component in session.execute(query):
        graph.setdefault(product, set()).add(component)
    return graph


def _path_to(graph: Mapping[int, set[int]], start: int, goal: int) -> list[int] | None:
    """Breadth-first: the materials from ``start`` down to ``goal`` through BOMs, if any."""
    parents: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path: list[int] = []
            at: int | None = node
            while at is not None:
                path.append(at)
                at = parents[at]
            return path[::-1]
        for nxt in graph.get(node, ()):
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return None


def _clean_lines(
    session: Session,
    organisation_id: int,
    product_id: int | None,
    lines: list[Mapping[str, Any]],
    bom_id: int | None,
) -> tuple[list[BomLine], list[Problem]]:
    problems: list[Problem] = []
    if not lines:
        return [], [Problem(("lines",), "bom_empty")]
    ids = {line.get("component_material_id") for line in lines} | {product_id}
    materials = {
        m.id: m
        for m in session.scalars(
            select(Material).where(
                Material.organisation_id == organisation_id, Material.id.in_([i for i in ids if i])
            )
        )
    }
    graph = _made_from(session, organisation_id, bom_id) if product_id in materials else {}
    seen: dict[tuple[int, str | None], int] = {}
    out: list[BomLine] = []
    for index, line in enumerate(lines):
        path = ("lines", index)
        component = materials.get(line.get("component_material_id"))  # type: ignore[arg-type]
        values: dict[str, Any] = {"optional": bool(line.get("optional", False))}
        if component is None:
            params = {**_MATERIAL, "value": line.get("component_material_id")}
            problems.append(Problem((*path, "component_material_id"), "unknown_reference", params))
        for name, parse in (
            ("quantity", lambda v: to_decimal(v, None, MAX_QUANTITY, places=6, positive=True)),
            ("uom", to_uom),
            ("alternatives_group", lambda v: to_text(v, 40) or None),
        ):
            raw = line.get(name)
            if raw is None or raw == "":
                if name == "quantity":
                    problems.append(Problem((*path, name), "required"))
                continue
            try:
                values[name] = parse(raw)
            except Invalid as invalid:
                problems.append(
                    Problem((*path, name), invalid.code, {**invalid.params, "value": str(raw)[:80]})
                )
        if component is None:
            continue
        values["uom"] = values.get("uom") or component.uom
        where = (*path, "component_material_id")
        group = values.get("alternatives_group")
        if component.id == product_id:
            problems.append(Problem(where, "bom_self"))
        elif (component.id, group) in seen:
            problems.append(Problem(where, "bom_duplicate", {"value": component.code}))
        elif product_id in materials and (chain := _path_to(graph, component.id, product_id)):
            codes = [materials[i].code if i in materials else str(i) for i in chain]
            params = {
                "value": component.code,
                "product": materials[product_id].code,
                "path": " → ".join(codes),
            }
            problems.append(Problem(where, "bom_cycle", params))
        seen[(component.id, group)] = index
        out.append(BomLine(position=index, component_material_id=component.id, **values))
    return out, problems


def _flush(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError("conflict") from None


# --- writing ----------------------------------------------------------------------------------


def create_bom(session: Session, actor: Actor, values: Mapping[str, Any]) -> Bom:
    """The next BOM version of ``values["material_id"]`` with its lines (422 lists every problem)."""
    org = actor.organisation_id
    with transaction(session):
        product = session.get(Material, values.get("material_id"))
        problems: list[Problem] = []
        if product is None or product.organisation_id != org:
            problems.append(
                Problem(
                    ("material_id",), "unknown_reference", {**_MATERIAL, "value": values.get("material_id")}
                )
            )
            product = None
        lines, line_problems = _clean_lines(
            session, org, product.id if product else None, values.get("lines") or [], None
        )
        problems += line_problems
        if problems:
            raise ProblemsError(problems)
        assert product is not None
        latest = session.scalar(select(func.max(Bom.version)).where(Bom.material_id == product.id)) or 0
        bom = Bom(
            organisation_id=org,
            material_id=product.id,
            version=latest + 1,
            valid_from=values.get("valid_from"),
            note=values.get("note"),
            active=values.get("active", True),
            lines=lines,
        )
        session.add(bom)
        _flush(session)
    return bom


def update_bom(session: Session, actor: Actor, bom_id: int, values: Mapping[str, Any]) -> Bom:
    """Change ``active``, ``valid_from``, ``note`` and/or replace all ``lines``."""
    with transaction(session):
        bom = get_bom(session, actor.organisation_id, bom_id)
        if "lines" in values or values.get("active"):
            raw = values.get("lines")
            if raw is None:
                raw = [_line_values(line) for line in bom.lines]
            lines, problems = _clean_lines(session, actor.organisation_id, bom.material_id, raw, bom.id)
            if problems:
                raise ProblemsError(problems)
            if "lines" in values:
                bom.lines = lines
        for name in ("active", "valid_from", "note"):
            if name in values:
                setattr(bom, name, values[name])
        _flush(session)
    return bom


def _line_values(line: BomLine) -> dict[str, Any]:
    return {
        "component_material_id": line.component_material_id,
        "quantity": line.quantity,
        "uom": line.uom,
        "optional": line.optional,
        "alternatives_group": line.alternatives_group,
    }


def deactivate_bom(session: Session, actor: Actor, bom_id: int) -> Bom:
    with transaction(session):
        bom = get_bom(session, actor.organisation_id, bom_id)
        bom.active = False
    return bom
