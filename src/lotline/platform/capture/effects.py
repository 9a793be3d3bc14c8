"""What an accepted record writes: items it creates, edges with quantities, consumption, item
status changes, containment, the EPCIS event, quality results and nonconformances."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from lotline.form_engine.problems import Problem, ProblemsError
from lotline.platform.audit import direct
from lotline.platform.capture import outcomes
from lotline.platform.capture.models import Record
from lotline.platform.capture.resolve import Output, Resolved
from lotline.platform.errors import PermissionDeniedError
from lotline.platform.genealogy.models import Edge, Event, EventResource, Item, ItemEvent
from lotline.platform.genealogy.numbering import next_number
from lotline.platform.masterdata import service as masterdata
from lotline.workflow_engine.definition import UNAVAILABLE_STATUSES

if TYPE_CHECKING:
    from lotline.platform.auth.context import Actor


def resolve_station(session: Session, actor: Actor, code: str | None) -> Any:
    """The station the record is made at: the one named, which must be the signed-in one."""
    if actor.kind == "station" and code and actor.station and code != actor.station:
        raise PermissionDeniedError("wrong_station", {"station": code, "signed_in": actor.station})
    code = code or actor.station
    if not code:
        return None
    station = masterdata.station_ref(session, actor.organisation_id, code)
    if station is None:
        raise ProblemsError([Problem(("station",), "station_unknown", {"station": code})])
    return station


def item_facts(item: Item | None) -> dict[str, Any]:
    """The subject item as flow rules and conditions see it (``item.*``)."""
    if item is None:
        return {}
    return {
        "id": item.id,
        "code": item.code,
        "kind": item.kind,
        "material": item.material_code,
        "status": item.status,
        "quantity": float(item.remaining) if item.remaining is not None else None,
        "unit": item.uom,
        "expiry": item.expiry.isoformat() if item.expiry else None,
        "lot": item.lot,
        "serial": item.serial,
        "gtin": item.gtin,
        "supplier_lot": item.supplier_lot,
        "attributes": dict(item.attributes or {}),
    }


def digital_link(item: Item) -> str | None:
    """A GS1 Digital Link for labels, when the item has a GTIN (or an SSCC)."""
    if item.sscc:
        return f"https://id.gs1.org/00/{item.sscc}"
    if not item.gtin:
        return None
    if item.serial:
        return f"https://id.gs1.org/01/{item.gtin}/21/{item.serial}"
    if item.lot:
        return f"https://id.gs1.org/01/{item.gtin}/10/{item.lot}"
    return f"https://id.gs1.org/01/{item.gtin}"


def item_summary(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "code": item.code,
        "kind": item.kind,
        "material": item.material_code,
        "quantity": _num(item.quantity),
        "remaining": _num(item.remaining),
        "uom": item.uom,
        "status": item.status,
        "expiry": item.expiry.isoformat() if item.expiry else None,
        "gtin": item.gtin,
        "lot": item.lot,
        "serial": item.serial,
        "sscc": item.sscc,
        "supplier_lot": item.supplier_lot,
        "digital_link": digital_link(item),
    }


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@dataclass
class Outcome:
    created: list[Item] = field(default_factory=list)
    subject: Item | None = None


def apply(
    session: Session,
    actor: Actor,
    record: Record,
    node: Any,
    decision: Any,
    resolved: Resolved,
    subject: Item | None,
    subject_code: str | None,
    station: Any,
    original: Record | None,
    form_document: Mapping[str, Any],
) -> Outcome:
    direct.add(session, [record])
    reusable: frozenset[int] = frozenset()
    if original is not None:
        _undo(session, original, record)
        reusable = _correction_chain(session, original)
    outcome = Outcome(subject=subject)
    when = record.event_time.date()
    places = _places(station)
    for output in resolved.outputs:
        outcome.created.append(_new_item(session, actor, record, output, {}, node, when, reusable))
    for action in decision.actions:
        if action["type"] == "create_item":
            item = _created_by_action(
                session, actor, record, action, node, when, reusable, places, subject_code
            )
            outcome.created.append(item)
    if outcome.subject is None:  # the subject may be what this record just created (a received lot)
        outcome.subject = next((i for i in outcome.created if i.code == subject_code), None)
    targets = outcome.created or ([outcome.subject] if outcome.subject is not None else [])
    containers = [_container(session, actor, record, c) for c in resolved.containers]
    # the event first, so each edge is inserted with its event (not inserted, then updated)
    event = _event(session, record, decision.event, resolved, outcome, containers, station)
    edges: list[Edge] = []
    consumption: dict[int, tuple[Item, dict[str, Any]]] = {}  # item id -> its new values
    for entry in resolved.inputs:
        item = entry.item
        now = consumption.get(item.id, (item, {"remaining": item.remaining, "status": item.status}))[1]
        remaining = now["remaining"]
        if entry.quantity is not None and remaining is not None:
            remaining -= entry.quantity  # a lot scanned twice gives both quantities
        # a unit is built in whole; a lot when nothing remains
        consumed = item.kind == "unit" or (remaining is not None and remaining <= 0)
        status = "consumed" if consumed else now["status"]
        consumption[item.id] = (item, {"remaining": remaining, "status": status})
        for target in targets:
            if target.id != item.id:
                edges.append(
                    _edge(
                        record,
                        event,
                        item,
                        target,
                        "consumed",
                        entry.quantity if len(targets) == 1 else None,
                        entry.unit,
                    )
                )
    if node.type == "rework" and outcome.subject is not None:
        for target in outcome.created:
            edges.append(_edge(record, event, outcome.subject, target, "reworked_into", None, None))
    children = outcome.created or ([outcome.subject] if outcome.subject is not None else [])
    for container in containers:
        for child in children:
            edges.append(_edge(record, event, child, container, "contained", None, None))
    direct.update_all(session, list(consumption.values()))
    direct.add(session, edges)
    made = outcome.created + [c for c in containers if c.created_by_record_id == record.id]
    outcomes.statuses(session, record, decision.actions, outcome.subject, made)
    outcomes.quality_results(session, record, node.id, outcome.subject, form_document)
    return outcome


def _edge(
    record: Record,
    event: Event,
    source: Item,
    target: Item,
    relation: str,
    quantity: Decimal | None,
    uom: str | None,
) -> Edge:
    return Edge(
        organisation_id=record.organisation_id,
        from_item_id=source.id,
        to_item_id=target.id,
        relation=relation,
        quantity=quantity,
        uom=uom,
        record_id=record.id,
        event_id=event.id,
    )


def _places(station: Any) -> dict[str, str]:
    """Site, line and station codes for numbering rules ("" where the record has none)."""
    if station is None:
        return {"site": "", "line": "", "station": ""}
    return {"site": station.site_code, "line": station.line_code, "station": station.code}


def _correction_chain(session: Session, original: Record) -> frozenset[int]:
    """The record being corrected and every record it corrected in turn."""
    ids = {original.id}
    current = original
    while current.corrects_record_id is not None and current.corrects_record_id not in ids:
        ids.add(current.corrects_record_id)
        found = session.get(Record, current.corrects_record_id)
        if found is None:
            break
        current = found
    return frozenset(ids)


def _undo(session: Session, original: Record, correction: Record) -> None:
    """Void the original's edges and give back what it consumed (the record itself stays)."""
    for edge in session.scalars(
        select(Edge).where(Edge.record_id == original.id, Edge.voided_by_record_id.is_(None))
    ):
        direct.update(session, edge, {"voided_by_record_id": correction.id})
        if edge.relation == "consumed":
            source = session.get(Item, edge.from_item_id)
            if source is not None:
                remaining = source.remaining
                if edge.quantity is not None and remaining is not None:
                    remaining += edge.quantity
                status = "released" if source.status == "consumed" else source.status
                direct.update(session, source, {"remaining": remaining, "status": status})


def _material(session: Session, organisation_id: int, code: str | None, gtin: str | None) -> Any:
    if code:
        material = masterdata.material_ref(session, organisation_id, code=code)
        if material is None:
            raise ProblemsError([Problem(("node",), "material_unknown", {"material": code})])
        return material
    return masterdata.material_ref(session, organisation_id, gtin=gtin)


def _new_item(
    session: Session,
    actor: Actor,
    record: Record,
    output: Output,
    params: Mapping[str, Any],
    node: Any,
    when: date,
    reusable: frozenset[int],
    code: str | None = None,
) -> Item:
    scan = output.scan
    material = _material(session, actor.organisation_id, params.get("material"), scan.get("gtin"))
    kind = params.get("kind") or _kind(scan, material)
    code = (
        code
        or scan.get("serial")
        or scan.get("sscc")
        or scan.get("lot")
        or scan.get("code")
        or scan.get("raw")
    )
    scope = _scope(params.get("unique", "global"), material, None)
    existing = _item_with_code(session, actor.organisation_id, scope, code)
    if existing is not None:
        if existing.created_by_record_id in reusable:  # made by the record being corrected
            return existing
        raise ProblemsError([Problem(output.path, "duplicate_serial", {"code": code})])
    quantity = output.quantity if output.quantity is not None else (Decimal(1) if kind == "unit" else None)
    expiry = _date(scan.get("expiry"))
    if expiry is None and material is not None and getattr(material, "shelf_life_days", None):
        expiry = when + timedelta(days=material.shelf_life_days)
    item = Item(
        organisation_id=actor.organisation_id,
        site_id=record.site_id,
        code=code,
        uniqueness_scope=scope,
        kind=kind,
        material_id=material.id if material is not None else None,
        material_code=material.code if material is not None else None,
        gtin=scan.get("gtin") or (getattr(material, "gtin", None) if material is not None else None),
        lot=scan.get("lot") or (code if kind == "lot" else None),
        serial=scan.get("serial") or (code if kind == "unit" else None),
        sscc=scan.get("sscc"),
        quantity=quantity,
        remaining=quantity,
        uom=output.unit or (getattr(material, "uom", None) if material is not None else None),
        status="released",
        expiry=expiry,
        supplier_lot=scan.get("lot") if node.type == "receive" else None,
        attributes={},
        created_by_record_id=record.id,
    )
    direct.add(session, [item])
    return item


def _item_with_code(session: Session, organisation_id: int, scope: str, code: str | None) -> Item | None:
    """The item with a code in a uniqueness scope: looked for with a plain Core read (a new
    code is the usual answer: nothing to load), loaded as an object only when it exists."""
    params = {"org": organisation_id, "scope": scope, "code": code}
    found = session.connection().execute(_same_code(), params).scalar()
    return session.get(Item, found) if found is not None else None


@functools.cache
def _same_code() -> Any:
    """Built once (each new item asks it)."""
    item = Item.__table__.c
    return select(item.id).where(
        item.organisation_id == bindparam("org"),
        item.uniqueness_scope == bindparam("scope"),
        item.code == bindparam("code"),
    )


def _kind(scan: Mapping[str, Any], material: Any) -> str:
    if scan.get("sscc") or scan.get("kind") == "container":
        return "container"
    if scan.get("serial") or scan.get("kind") == "serial":
        return "unit"
    tracking = getattr(material, "tracking", None) if material is not None else None
    return "unit" if tracking == "serial" else "lot"


def _scope(unique: str, material: Any, supplier_id: int | None) -> str:
    if unique == "material" and material is not None:
        return f"material:{material.id}"
    if unique == "supplier" and supplier_id is not None:
        return f"supplier:{supplier_id}"
    return ""


def _date(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _created_by_action(
    session: Session,
    actor: Actor,
    record: Record,
    action: Mapping[str, Any],
    node: Any,
    when: date,
    reusable: frozenset[int],
    places: Mapping[str, str],
    subject_code: str | None,
) -> Item:
    params = action.get("params", {})
    values = action.get("values", {})
    identifier = values.get("identifier")
    scan = (
        dict(identifier)
        if isinstance(identifier, Mapping)
        else ({"code": str(identifier)} if identifier not in (None, "") else {})
    )
    code = None
    if not scan:
        rule = params.get("numbering")
        if rule:
            material = params.get("material") or ""
            code = next_number(
                session,
                actor.organisation_id,
                rule,
                record.event_time,
                {**places, "material": material},
            )
        else:
            code = subject_code
    quantity = values.get("quantity")
    output = Output(
        ("payload", params["identifier_field"]) if params.get("identifier_field") else ("subject",),
        scan,
        Decimal(str(quantity)) if quantity not in (None, "") else None,
        params.get("unit"),
    )
    if isinstance(quantity, Mapping):
        output.quantity = Decimal(str(quantity.get("value")))
    return _new_item(session, actor, record, output, params, node, when, reusable, code)


def _container(session: Session, actor: Actor, record: Record, output: Output) -> Item:
    scan = output.scan
    code = scan.get("sscc") or scan.get("code") or scan.get("raw")
    existing = _item_with_code(session, actor.organisation_id, "", code)
    if existing is not None:
        if existing.status in UNAVAILABLE_STATUSES:
            raise ProblemsError(
                [Problem(output.path, "item_not_available", {"code": code, "status": existing.status})]
            )
        return existing
    item = Item(
        organisation_id=actor.organisation_id,
        site_id=record.site_id,
        code=code,
        kind="container",
        sscc=scan.get("sscc"),
        status="released",
        attributes={},
        created_by_record_id=record.id,
    )
    direct.add(session, [item])
    return item


def _event(
    session: Session,
    record: Record,
    semantics: Mapping[str, Any],
    resolved: Resolved,
    outcome: Outcome,
    containers: Sequence[Item],
    station: Any,
) -> Event:
    items: list[tuple[Item, str]] = [(i.item, "input") for i in resolved.inputs]
    items += [(i, "output") for i in outcome.created]
    items += [(c, "parent") for c in containers]
    if outcome.subject is not None and outcome.subject not in outcome.created:
        items.append((outcome.subject, "subject"))
    locations = resolved.codes("location")
    event = Event(
        organisation_id=record.organisation_id,
        record_id=record.id,
        event_type=semantics.get("eventType") or "ObjectEvent",
        action=semantics.get("action"),
        biz_step=semantics.get("bizStep"),
        disposition=semantics.get("disposition"),
        event_time=record.event_time,
        event_time_zone_offset=record.event_time_zone_offset,
        read_point=station.code if station is not None else None,
        biz_location=locations[0] if locations else None,
        what={
            "inputs": [
                {"code": i.item.code, "quantity": _num(i.quantity), "uom": i.unit} for i in resolved.inputs
            ],
            "outputs": [i.code for i in outcome.created],
            "parents": [c.code for c in containers],
            "subject": outcome.subject.code if outcome.subject is not None else None,
        },
        how={
            "equipment": resolved.codes("equipment"),
            "operator": record.operator_name,
            "documents": resolved.codes("document"),
        },
        why={
            "record": record.id,
            "node": record.node,
            "correction": {"corrects": record.corrects_record_id, "reason": record.correction_reason}
            if record.corrects_record_id
            else None,
        },
    )
    direct.add(session, [event])
    direct.add(
        session,
        [
            EventResource(event_id=event.id, kind=kind, code=code)
            for kind in ("equipment", "location", "document")
            for code in dict.fromkeys(resolved.codes(kind))
        ],
    )
    seen: set[int] = set()
    links = []
    for item, role in items:
        if item.id not in seen:
            seen.add(item.id)
            links.append(ItemEvent(event_id=event.id, item_id=item.id, role=role))
    direct.add(session, links)
    return event
