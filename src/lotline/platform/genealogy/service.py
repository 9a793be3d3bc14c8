"""Genealogy: items, identifier search, backward/forward trace, mass balance, recall scope,
multi-dimensional queries and trace export. The domain's one entry point: the walk itself lives
in ``genealogy.walk`` (a request's trace) and ``genealogy.stream`` (background traces of any
size) and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from lotline.form_engine.problems import register_messages
from lotline.platform.audit import service as audit_service
from lotline.platform.db import transaction
from lotline.platform.errors import NotFoundError
from lotline.platform.genealogy.export import EXPORT_COLUMNS as EXPORT_COLUMNS
from lotline.platform.genealogy.export import export_trace_csv as export_trace_csv
from lotline.platform.genealogy.models import Edge, Event, EventResource, Item, ItemEvent
from lotline.platform.genealogy.stream import WalkPart as WalkPart
from lotline.platform.genealogy.stream import walk_stream as walk_stream
from lotline.platform.genealogy.walk import DEFAULT_MAX_ITEMS as DEFAULT_MAX_ITEMS
from lotline.platform.genealogy.walk import Direction as Direction
from lotline.platform.genealogy.walk import Trace as Trace
from lotline.platform.genealogy.walk import chunks
from lotline.platform.genealogy.walk import item_events as item_events
from lotline.platform.genealogy.walk import subgraph_events as subgraph_events
from lotline.platform.genealogy.walk import trace as trace

register_messages(
    {
        "item_not_found": {"en": "No item {code}.", "zh-CN": "找不到物料批次/单件 {code}。"},
        "station_unknown": {"en": "There is no station {station}.", "zh-CN": "不存在工位 {station}。"},
        "trace_too_large": {
            "en": "The trace reaches more than {limit} items; run it as a background trace.",
            "zh-CN": "追溯范围超过 {limit} 个物料，请以后台任务方式运行。",
        },
    }
)


def get_item(session: Session, organisation_id: int, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None or item.organisation_id != organisation_id:
        raise NotFoundError("item_not_found", {"code": item_id})
    return item


def events_of(
    session: Session, organisation_id: int, item_id: int, *, limit: int = 500, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """An item's whole history a page at a time: the events it took part in, oldest first, each
    with its role (input, output, subject, parent, child), and how many there are."""
    get_item(session, organisation_id, item_id)
    mine = ItemEvent.item_id == item_id
    total = int(session.scalar(select(func.count()).select_from(ItemEvent).where(mine)) or 0)
    rows = session.execute(
        select(Event, ItemEvent.role)
        .join(ItemEvent, ItemEvent.event_id == Event.id)
        .where(mine)
        .order_by(Event.event_time, Event.id, ItemEvent.role)
        .limit(limit)
        .offset(offset)
    )
    columns = [c.key for c in Event.__table__.columns]
    page = [
        {**{key: getattr(event, key) for key in columns}, "item_id": item_id, "role": role}
        for event, role in rows
    ]
    return page, total


def find_items(
    session: Session, organisation_id: int, scan: dict[str, Any], *, for_update: bool = False
) -> list[Item]:
    """Items matching a normalised scan (form engine ``ScanResult``/dict): SSCC, GTIN + serial,
    GTIN + lot, then the plain code (internal lot/serial, VIN, supplier lot).

    ``for_update`` locks the rows until the transaction ends (capture consumes them: two
    stations consuming the same lot at once queue instead of both taking what remains).
    """
    return find_items_each(session, organisation_id, [scan], for_update=for_update)[0]


_ITEM = Item.__table__.c  # plain columns: conditions on them cost less than on ORM attributes


def _never(_item: Item) -> bool:
    return False


def _scan_rule(scan: Mapping[str, Any], fallback: bool) -> tuple[list[Any], Callable[[Item], bool]]:
    """The SQL conditions (each served by an index) that find a scan's items, and the same test
    in Python. ``fallback``: the second look for a plain code that is no item's code: items with
    that serial or supplier lot (nothing for other scans)."""
    sscc, gtin, serial, lot = scan.get("sscc"), scan.get("gtin"), scan.get("serial"), scan.get("lot")
    code = scan.get("code") or scan.get("raw")
    if sscc:
        rule: tuple[list[Any], Callable[[Item], bool]] = (
            [_ITEM.sscc == sscc, _ITEM.code == sscc],
            lambda i: sscc in (i.sscc, i.code),
        )
    elif gtin and serial:
        rule = (
            [and_(_ITEM.gtin == gtin, _ITEM.serial == serial)],
            lambda i: (i.gtin, i.serial) == (gtin, serial),
        )
    elif gtin and lot:
        rule = [and_(_ITEM.gtin == gtin, _ITEM.lot == lot)], lambda i: (i.gtin, i.lot) == (gtin, lot)
    elif code and fallback:
        found = [_ITEM.serial == code, _ITEM.supplier_lot == code]
        return found, lambda i: code in (i.serial, i.supplier_lot)
    elif code:
        rule = [_ITEM.code == code], lambda i: i.code == code
    else:
        rule = [], _never
    return ([], _never) if fallback else rule


def find_items_each(
    session: Session, organisation_id: int, scans: Sequence[Mapping[str, Any]], *, for_update: bool = False
) -> list[list[Item]]:
    """``find_items`` for several scans at once (one query; a second only for plain codes that
    are no item's code): for each scan, its items, by id."""
    result: list[list[Item]] = [[] for _ in scans]
    for fallback in (False, True):
        rules = {n: _scan_rule(scan, fallback) for n, scan in enumerate(scans) if not result[n]}
        conditions = [c for found, _match in rules.values() for c in found]
        if not conditions:
            continue
        # the organisation inside each alternative: SQLite then serves each from its own index
        query = select(Item).where(
            or_(*(and_(_ITEM.organisation_id == organisation_id, c) for c in conditions))
        )
        if for_update:  # and re-read them: another transaction may have just changed them
            query = query.with_for_update().execution_options(populate_existing=True)
        items = list(session.scalars(query.order_by(Item.id)))
        for n, (_found, match) in rules.items():
            result[n] = [item for item in items if match(item)]
    return result


@dataclass(frozen=True)
class MassBalance:
    item_id: int
    uom: str | None
    received_or_produced: Decimal
    consumed: Decimal
    shipped: Decimal
    scrapped: Decimal
    remaining: Decimal
    difference: Decimal  # received - consumed - shipped - scrapped - remaining; 0 when balanced


def mass_balance(session: Session, organisation_id: int, item_id: int) -> MassBalance:
    """Quantity in vs out for a lot: what it started with against where it went."""
    item = get_item(session, organisation_id, item_id)
    consumed = session.scalar(
        select(func.coalesce(func.sum(Edge.quantity), 0)).where(
            Edge.from_item_id == item.id, Edge.relation == "consumed", Edge.voided_by_record_id.is_(None)
        )
    )
    start = item.quantity or Decimal(0)
    remaining = item.remaining if item.remaining is not None else start
    shipped = remaining if item.status == "shipped" else Decimal(0)
    scrapped = remaining if item.status == "scrapped" else Decimal(0)
    left = Decimal(0) if item.status in ("shipped", "scrapped") else remaining
    consumed = Decimal(consumed or 0)
    return MassBalance(
        item.id,
        item.uom,
        start,
        consumed,
        shipped,
        scrapped,
        left,
        start - consumed - shipped - scrapped - left,
    )


def set_status(session: Session, items: Sequence[Any], status: str, *, reason: str | None = None) -> int:
    """Put items (objects or trace rows) into ``status`` (e.g. hold for a recall scope) in one
    transaction; each change goes through the ORM, so each is audited, with ``reason``."""
    with transaction(session):
        audit_service.set_reason(session, reason)
        changed = 0
        ids = [i.id for i in items]
        loaded: list[Item] = []
        for part in chunks(ids, 1000):
            loaded.extend(session.scalars(select(Item).where(Item.id.in_(list(part)))))
        for item in sorted(loaded, key=lambda i: i.id):
            if item.status not in ("consumed", "shipped", "scrapped") and item.status != status:
                item.status = status
                changed += 1
    return changed


def search(session: Session, organisation_id: int, text: str) -> list[Item]:
    """Anything a user pastes or scans: lot code, serial, VIN, SSCC, GS1 string, Digital Link."""
    from lotline import form_engine

    text = text.strip()
    if not text:
        return []
    scanned = form_engine.normalise_scan(text)
    scan = scanned.to_dict() if hasattr(scanned, "to_dict") else dict(getattr(scanned, "value", None) or {})
    found = find_items(session, organisation_id, scan) if scan else []
    if not found:
        found = find_items(session, organisation_id, {"code": text})
    return found


@dataclass
class RecallScope:
    start: list[int]
    finished: list[Item]
    stock: list[Item]
    shipped: list[Item]
    affected: list[Item]
    truncated: bool
    #: One row per shipping event of a shipped item: who it went to and when.
    shipments: list[dict[str, Any]] = field(default_factory=list)
    #: Each customer (location code, name) with how many of the scope's items reached it.
    customers: list[dict[str, Any]] = field(default_factory=list)


def recall_scope(session: Session, organisation_id: int, start_ids: Sequence[int]) -> RecallScope:
    """Forward from suspect lots: the finished items (nothing made from them), stock still on hand
    (not consumed/shipped/scrapped; a case or pallet only while it holds some of the scope's stock),
    shipped items, and the shipments and customers they reached."""
    forward = trace(session, organisation_id, start_ids, "forward", with_events=False)
    has_children = {e.from_item_id for e in forward.edges if e.relation != "contained"}
    finished = [i for i in forward.items if i.id not in has_children and i.kind != "container"]
    stock = _stock_on_hand(forward)
    shipped = [i for i in forward.items if i.status == "shipped"]
    shipments = _shipments(session, organisation_id, [i.id for i in shipped])
    return RecallScope(
        list(start_ids),
        finished,
        stock,
        shipped,
        forward.items,
        forward.truncated,
        shipments,
        _customers(session, organisation_id, shipments),
    )


def _stock_on_hand(forward: Trace) -> list[Any]:
    """Lots and units not consumed, shipped or scrapped, and the cases and pallets (nested too)
    that still hold some of them."""
    ended = ("consumed", "shipped", "scrapped")
    on_hand = {i.id for i in forward.items if i.status not in ended}
    live = {i.id for i in forward.items if i.id in on_hand and i.kind != "container"}
    packed = [(e.from_item_id, e.to_item_id) for e in forward.edges if e.relation == "contained"]
    grew = True
    while grew:
        more = {parent for child, parent in packed if child in live and parent in on_hand} - live
        live |= more
        grew = bool(more)
    return [i for i in forward.items if i.id in live]


def _shipments(session: Session, organisation_id: int, item_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for part in chunks(item_ids, 1000):
        query = (
            select(ItemEvent.item_id, Event.event_time, EventResource.code)
            .join(Event, Event.id == ItemEvent.event_id)
            .join(EventResource, EventResource.event_id == Event.id)
            .where(
                Event.organisation_id == organisation_id,
                Event.biz_step == "shipping",
                EventResource.kind == "location",
                ItemEvent.item_id.in_(list(part)),
            )
        )
        rows.extend(
            {"item_id": item_id, "shipped_at": at, "customer": code}
            for item_id, at, code in session.execute(query)
        )
    return sorted(rows, key=lambda row: (row["customer"], row["shipped_at"], row["item_id"]))


def _customers(
    session: Session, organisation_id: int, shipments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    from lotline.platform.masterdata import service as masterdata

    items: dict[str, set[int]] = {}
    for row in shipments:
        items.setdefault(row["customer"], set()).add(row["item_id"])
    out = []
    for code, ids in sorted(items.items()):
        location = masterdata.get_location_by_code(session, organisation_id, code)
        out.append(
            {
                "code": code,
                "name": location.name if location is not None else None,
                "business_name": getattr(location, "business_name", None),
                "items": len(ids),
            }
        )
    return out


@dataclass(frozen=True)
class Touch:
    item: Item
    event: Event


def touched(
    session: Session,
    organisation_id: int,
    *,
    station_id: int | None = None,
    operator_id: int | None = None,
    equipment: str | None = None,
    location: str | None = None,
    biz_step: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> list[Touch]:
    """Every item an event touched, filtered by station, operator, equipment, location, step and
    time window (e.g. "everything torque tool TQ-7 touched on the night shift")."""
    from lotline.platform.capture.models import Record

    query = (
        select(Item, Event)
        .join(ItemEvent, ItemEvent.item_id == Item.id)
        .join(Event, Event.id == ItemEvent.event_id)
        .join(Record, Record.id == Event.record_id)
        .where(Event.organisation_id == organisation_id)
    )
    if station_id is not None:
        query = query.where(Record.station_id == station_id)
    if operator_id is not None:
        query = query.where(Record.operator_id == operator_id)
    for kind, code in (("equipment", equipment), ("location", location)):
        if code:
            query = query.where(
                Event.id.in_(
                    select(EventResource.event_id).where(
                        EventResource.kind == kind, EventResource.code == code
                    )
                )
            )
    if biz_step:
        query = query.where(Event.biz_step == biz_step)
    if since is not None:
        query = query.where(Event.event_time >= since)
    if until is not None:
        query = query.where(Event.event_time < until)
    rows = session.execute(query.order_by(Event.event_time, Event.id, Item.id).limit(limit))
    return [Touch(item, event) for item, event in rows]


def made_from_supplier_lot(session: Session, organisation_id: int, supplier_lot: str) -> Trace:
    """Every item made from any lot received under this supplier lot number (forward)."""
    starts = list(
        session.scalars(
            select(Item.id).where(Item.organisation_id == organisation_id, Item.supplier_lot == supplier_lot)
        )
    )
    return trace(session, organisation_id, starts, "forward", with_events=False)


def shipped_to(session: Session, organisation_id: int, location: str) -> list[Item]:
    """Everything shipped to a customer location: the shipped items and what they contain."""
    shipped_ids = (
        select(ItemEvent.item_id)
        .join(Event, Event.id == ItemEvent.event_id)
        .where(
            Event.organisation_id == organisation_id,
            Event.biz_step == "shipping",
            Event.id.in_(
                select(EventResource.event_id).where(
                    EventResource.kind == "location", EventResource.code == location
                )
            ),
        )
    )
    starts = list(session.scalars(shipped_ids.distinct()))
    if not starts:
        return []
    contents = trace(session, organisation_id, starts, "backward", with_events=False)
    contained = {e.from_item_id for e in contents.edges if e.relation == "contained"} | set(starts)
    return [i for i in contents.items if i.id in contained]


def touched_by_codes(
    session: Session,
    organisation_id: int,
    *,
    station: str | None = None,
    operator: str | None = None,
    step: str | None = None,
    **filters: Any,
) -> list[Touch]:
    """``touched`` with the station code and operator user name a person types."""
    from lotline.platform.auth import service as auth_service
    from lotline.platform.masterdata import service as masterdata

    station_id = operator_id = None
    if station:
        found = masterdata.get_station_by_code(session, organisation_id, station)
        if found is None:
            raise NotFoundError("station_unknown", {"station": station})
        station_id = found.id
    if operator:
        user = auth_service.find_user(session, organisation_id, operator)
        if user is None:
            raise NotFoundError("user_not_found")
        operator_id = user.id
    return touched(
        session, organisation_id, station_id=station_id, operator_id=operator_id, biz_step=step, **filters
    )


def request_trace_export(
    session: Session, organisation_id: int, user_id: int, item_id: int, direction: Direction
) -> Any:
    """Queue a background trace export; the task's id is what the user polls and downloads."""
    from lotline.platform.genealogy import jobs
    from lotline.platform.system import service as system_service

    get_item(session, organisation_id, item_id)
    params = {
        "organisation_id": organisation_id,
        "user_id": user_id,
        "item_ids": [item_id],
        "direction": direction,
    }
    return system_service.create_task(session, "trace_export", params, jobs.run_trace_export)
