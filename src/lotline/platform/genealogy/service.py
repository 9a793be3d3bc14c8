"""Genealogy: items, identifier search, backward/forward trace, mass balance, recall scope.

Traces walk the edge table with one recursive CTE (``UNION``, so each item is produced once,
never once per path, and cycles end by themselves), skip edges voided by corrections, and stop
at a size limit. The subgraph (items, edges, events) is then read with plain indexed joins.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from lotline.form_engine.problems import register_messages
from lotline.platform.audit import service as audit_service
from lotline.platform.db import transaction
from lotline.platform.errors import NotFoundError
from lotline.platform.genealogy.models import Edge, Event, EventResource, Item, ItemEvent

Direction = Literal["backward", "forward"]
DEFAULT_MAX_ITEMS = 50_000

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


def find_items(
    session: Session, organisation_id: int, scan: dict[str, Any], *, for_update: bool = False
) -> list[Item]:
    """Items matching a normalised scan (form engine ``ScanResult``/dict): SSCC, GTIN + serial,
    GTIN + lot, then the plain code (internal lot/serial, VIN, supplier lot).

    ``for_update`` locks the rows until the transaction ends (capture consumes them: two
    stations consuming the same lot at once queue instead of both taking what remains).
    """
    query = select(Item).where(Item.organisation_id == organisation_id)
    if for_update:  # and re-read them: another transaction may have just changed them
        query = query.with_for_update().execution_options(populate_existing=True)
    sscc, gtin, serial, lot = scan.get("sscc"), scan.get("gtin"), scan.get("serial"), scan.get("lot")
    if sscc:
        return list(session.scalars(query.where(or_(Item.sscc == sscc, Item.code == sscc))))
    if gtin and serial:
        return list(session.scalars(query.where(Item.gtin == gtin, Item.serial == serial)))
    if gtin and lot:
        return list(session.scalars(query.where(Item.gtin == gtin, Item.lot == lot)))
    code = scan.get("code") or scan.get("raw")
    if not code:
        return []
    found = list(session.scalars(query.where(Item.code == code)))
    if not found:
        found = list(session.scalars(query.where(or_(Item.serial == code, Item.supplier_lot == code))))
    return found


def _walk(organisation_id: int, start_ids: Sequence[int], direction: Direction) -> Any:
    """The recursive CTE of item ids reachable from ``start_ids`` (start items included)."""
    near, far = (
        (Edge.to_item_id, Edge.from_item_id)
        if direction == "backward"
        else (Edge.from_item_id, Edge.to_item_id)
    )
    seeds: Select[Any] = select(Item.id.label("item_id")).where(
        Item.organisation_id == organisation_id, Item.id.in_(list(start_ids))
    )
    walk = seeds.cte("walk", recursive=True)
    step = (
        select(far.label("item_id"))
        .join(walk, near == walk.c.item_id)
        .where(Edge.voided_by_record_id.is_(None))
    )
    return walk.union(step)


# --- id lists as one parameter -------------------------------------------------------------------
# A trace passes thousands of ids between its steps. Each list is ONE bound parameter (SQLite:
# a JSON array read by json_each; PostgreSQL: an array compared with = ANY), so statements stay
# cached, no dialect limit on parameters applies, and nothing is built per id.

_ID_CHUNK = 20_000


def _ids_in(column: Any, dialect: str, name: str = "ids") -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.BigInteger)))
    values = sa.func.json_each(sa.bindparam(name, type_=sa.String)).table_valued("value")
    return column.in_(select(values.c.value))


def _ids_value(ids: Sequence[int], dialect: str) -> Any:
    if dialect == "postgresql":
        return list(ids)
    return "[" + ",".join(map(str, ids)) + "]"


def _chunks(ids: Sequence[int], size: int = _ID_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


EDGE_COLUMNS = (
    Edge.id,
    Edge.from_item_id,
    Edge.to_item_id,
    Edge.relation,
    Edge.quantity,
    Edge.uom,
    Edge.record_id,
    Edge.event_id,
)
ITEM_COLUMNS = tuple(c for c in Item.__table__.c if c.name != "attributes")  # what the answer shows
EVENT_COLUMNS = tuple(Event.__table__.c)


@functools.cache
def _edge_step(direction: Direction, dialect: str) -> Select[Any]:
    """(edge id, near, far) of the live edges whose near end is in ``:ids``: one level of a walk,
    answered from the covering live-edge index alone (its columns and the rowid / heap tid)."""
    near, far = (
        (Edge.to_item_id, Edge.from_item_id)
        if direction == "backward"
        else (Edge.from_item_id, Edge.to_item_id)
    )
    return select(Edge.id, near, far).where(_ids_in(near, dialect), Edge.voided_by_record_id.is_(None))


@functools.cache
def _edge_ends(direction: Direction, dialect: str) -> Select[Any]:
    """(near, far) of the live edges whose near end is in ``:ids``: an index-only scan of the
    live-edge index on both databases."""
    near, far = (
        (Edge.to_item_id, Edge.from_item_id)
        if direction == "backward"
        else (Edge.from_item_id, Edge.to_item_id)
    )
    return select(near, far).where(_ids_in(near, dialect), Edge.voided_by_record_id.is_(None))


@functools.cache
def _edge_rows(dialect: str) -> Select[Any]:
    return select(*EDGE_COLUMNS).where(_ids_in(Edge.id, dialect))


@functools.cache
def _driver_sql(statement: Select[Any], dialect: sa.Dialect) -> str:
    return str(statement.compile(dialect=dialect))


def _id_rows(conn: sa.Connection, statement: Select[Any], ids: Sequence[int]) -> list[Any]:
    """Rows of integers for a statement whose one parameter is ``:ids``, on the DB-API cursor:
    such rows need no result processing, and the result layer would triple their cost."""
    dialect = conn.dialect
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        if dialect.name == "sqlite":
            cursor.execute(_driver_sql(statement, dialect), (_ids_value(ids, "sqlite"),))
        else:
            cursor.execute(_driver_sql(statement, dialect), {"ids": list(ids)})
        return cursor.fetchall()
    finally:
        cursor.close()


@functools.cache
def _item_rows(dialect: str, columns: tuple[Any, ...] = ITEM_COLUMNS) -> Select[Any]:
    return select(*columns).where(_ids_in(Item.id, dialect))


@functools.cache
def _start_rows(dialect: str) -> Select[Any]:
    # by primary key only: with the organisation in the WHERE clause, SQLite (no ANALYZE) prefers
    # the (organisation_id, code) index and reads every item of the organisation
    return select(Item.id, Item.organisation_id).where(_ids_in(Item.id, dialect))


def _starts(conn: sa.Connection, organisation_id: int, start_ids: Sequence[int]) -> list[int]:
    """The start ids that are items of this organisation, ascending."""
    rows = _id_rows(conn, _start_rows(conn.dialect.name), sorted(set(start_ids)))
    return sorted(item_id for item_id, organisation in rows if organisation == organisation_id)


@dataclass
class Trace:
    direction: Direction
    start: list[int]
    items: list[Any]  # item rows (attribute access like Item: id, code, kind, status, ...)
    edges: list[Any]  # live edge rows inside the subgraph
    depth: dict[int, int]
    truncated: bool = False
    events: list[tuple[Any, int]] = field(default_factory=list)  # (event row, item id)


def _level_walk(
    conn: sa.Connection,
    organisation_id: int,
    start_ids: Sequence[int],
    direction: Direction,
    max_items: int,
    max_depth: int | None,
) -> tuple[dict[int, int], list[int], bool]:
    """Breadth first, one indexed statement per level: (item -> depth, edge ids, truncated).

    Limits apply inside the walk: it stops at ``max_items`` items (nearest first) and at
    ``max_depth`` levels, so a huge trace costs what its first ``max_items`` items cost. The
    edge ids are those of the live edges between the items kept."""
    depth: dict[int, int] = dict.fromkeys(_starts(conn, organisation_id, start_ids), 0)
    step = _edge_step(direction, conn.dialect.name)
    edges: list[tuple[int, int]] = []  # (edge id, far item)
    frontier = list(depth)
    level, truncated = 0, False
    while frontier:
        last = max_depth is not None and level >= max_depth  # only: is anything further?
        level += 1
        following: list[int] = []
        for part in _chunks(frontier):
            for edge_id, _near, far in _id_rows(conn, step, part):
                if far in depth:
                    edges.append((edge_id, far))
                elif last or len(depth) >= max_items:
                    truncated = True
                else:
                    depth[far] = level
                    following.append(far)
                    edges.append((edge_id, far))
        frontier = [] if last else following
    return depth, [edge_id for edge_id, far in edges if far in depth], truncated


def trace(
    session: Session,
    organisation_id: int,
    start_ids: Sequence[int],
    direction: Direction,
    *,
    max_items: int = DEFAULT_MAX_ITEMS,
    max_depth: int | None = None,
    with_events: bool = True,
) -> Trace:
    """Everything ``start_ids`` came from (backward) or went into (forward): the items (start
    items first, then by distance), the live edges between them and, ``with_events``, the events
    on this subgraph (see ``subgraph_events``). Rows are plain Core rows, read with one indexed
    statement per level of the walk plus one for the items and one for the edges."""
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "postgresql" and max_depth is None:  # one round trip walks, one reads edges
        return _trace_server_side(
            session, conn, organisation_id, start_ids, direction, max_items, with_events
        )
    depth, edge_ids, truncated = _level_walk(
        conn, organisation_id, start_ids, direction, max_items, max_depth
    )
    order = list(depth)  # breadth first: starts, then level by level
    by_id: dict[int, Any] = {}
    for part in _chunks(order):
        for row in conn.execute(_item_rows(dialect), {"ids": _ids_value(part, dialect)}):
            by_id[row.id] = row
    items = [by_id[i] for i in order if i in by_id]
    edges: list[Any] = []
    for part in _chunks(sorted(edge_ids)):
        edges.extend(conn.execute(_edge_rows(dialect), {"ids": _ids_value(part, dialect)}))
    result = Trace(direction, list(start_ids), items, edges, depth, truncated)
    if with_events:
        result.events = subgraph_events(session, order, edges)
    return result


@functools.cache
def _walk_items_statement(direction: Direction) -> Select[Any]:
    """PostgreSQL: the items of the walk in one statement, the walk stopping at ``:limit`` rows
    (the recursive CTE is evaluated only as far as the LIMIT fetches from it)."""
    from sqlalchemy.dialects.postgresql import ARRAY

    near, far = (
        (Edge.to_item_id, Edge.from_item_id)
        if direction == "backward"
        else (Edge.from_item_id, Edge.to_item_id)
    )
    seeds = select(Item.id.label("item_id")).where(
        Item.organisation_id == sa.bindparam("org"),
        Item.id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.BigInteger))),
    )
    walk = seeds.cte("walk", recursive=True)
    walk = walk.union(
        select(far.label("item_id"))
        .join(walk, near == walk.c.item_id)
        .where(Edge.voided_by_record_id.is_(None))
    )
    reached = select(walk.c.item_id).limit(sa.bindparam("limit")).subquery()
    return select(*ITEM_COLUMNS).join(reached, Item.id == reached.c.item_id)


@functools.cache
def _subgraph_edges_statement(direction: Direction) -> Select[Any]:
    near = Edge.to_item_id if direction == "backward" else Edge.from_item_id
    return select(*EDGE_COLUMNS).where(_ids_in(near, "postgresql"), Edge.voided_by_record_id.is_(None))


def _trace_server_side(
    session: Session,
    conn: sa.Connection,
    organisation_id: int,
    start_ids: Sequence[int],
    direction: Direction,
    max_items: int,
    with_events: bool,
) -> Trace:
    """PostgreSQL, no depth limit: two round trips (walk + items, then edges) instead of one per
    level; depths come from a breadth-first pass over the edges read."""
    params = {"org": organisation_id, "ids": sorted(set(start_ids)), "limit": max_items + 1}
    by_id = {row.id: row for row in conn.execute(_walk_items_statement(direction), params)}
    starts = [i for i in sorted(set(start_ids)) if i in by_id]
    far_key = "from_item_id" if direction == "backward" else "to_item_id"
    edges = [
        e
        for e in conn.execute(_subgraph_edges_statement(direction), {"ids": list(by_id)})
        if getattr(e, far_key) in by_id
    ]
    depth = _depths(starts, edges, direction)
    truncated = len(by_id) > max_items
    if truncated:  # the farthest item goes
        keep = sorted(depth, key=lambda i: (depth[i], i))[:max_items]
        depth = {i: depth[i] for i in keep}
        edges = [e for e in edges if e.from_item_id in depth and e.to_item_id in depth]
    order = sorted(depth, key=lambda i: (depth[i], i))
    result = Trace(direction, list(start_ids), [by_id[i] for i in order], edges, depth, truncated)
    if with_events:
        result.events = subgraph_events(session, order, edges)
    return result


def _depths(start_ids: Iterable[int], edges: Sequence[Any], direction: Direction) -> dict[int, int]:
    """Shortest number of steps from the start to each item (breadth first over the subgraph)."""
    neighbours: dict[int, list[int]] = {}
    for edge in edges:
        a, b = (
            (edge.to_item_id, edge.from_item_id)
            if direction == "backward"
            else (edge.from_item_id, edge.to_item_id)
        )
        neighbours.setdefault(a, []).append(b)
    depth = dict.fromkeys(start_ids, 0)
    queue = deque(depth)
    while queue:
        current = queue.popleft()
        for nxt in neighbours.get(current, ()):
            if nxt not in depth:
                depth[nxt] = depth[current] + 1
                queue.append(nxt)
    return depth


SUBGRAPH_ROLES = ("output", "subject", "parent")


@functools.cache
def _pairs_by_role(dialect: str) -> Select[Any]:
    """(event, item) for the items in ``:ids`` in the subgraph roles (covering index)."""
    # a literal IN list: an index condition on both databases (an OR of roles is only a filter
    # on PostgreSQL, which then reads every event of a hub lot to keep its few own ones)
    roles = sa.text("item_event.role IN (" + ", ".join(f"'{role}'" for role in SUBGRAPH_ROLES) + ")")
    return select(ItemEvent.event_id, ItemEvent.item_id).where(_ids_in(ItemEvent.item_id, dialect), roles)


@functools.cache
def _pairs_by_event(dialect: str) -> Select[Any]:
    """(event, item) for the events in ``:ids`` (primary key order: event, item)."""
    return select(ItemEvent.event_id, ItemEvent.item_id).where(_ids_in(ItemEvent.event_id, dialect))


@functools.cache
def _event_rows(dialect: str) -> Select[Any]:
    return select(*EVENT_COLUMNS).where(_ids_in(Event.id, dialect))


def subgraph_events(session: Session, item_ids: Sequence[int], edges: Sequence[Any]) -> list[tuple[Any, int]]:
    """The events of a trace's subgraph, each with the subgraph item it is about, by time:

    * the events that made, were about or packed a subgraph item (roles output, subject,
      parent): its receipt or creation, inspections, holds, packing, shipping;
    * the events of the subgraph's edges (the consumption or packing that links two of its
      items).

    Not the events where a subgraph item was consumed into something outside the subgraph: a
    hub lot consumed into 100,000 units would otherwise bring 100,000 events into the trace of
    each unit. Bounded by the subgraph: at most its edges' events plus its items' own events.
    Each event row is read (and its JSON decoded) once, however many items it names."""
    if not item_ids:
        return []
    conn = session.connection()
    dialect = conn.dialect.name
    inside = set(item_ids)
    pairs: set[tuple[int, int]] = set()
    for part in _chunks(sorted(inside)):
        pairs.update(map(tuple, _id_rows(conn, _pairs_by_role(dialect), part)))  # type: ignore[arg-type]
    edge_events = sorted({e.event_id for e in edges if e.event_id is not None})
    for part in _chunks(edge_events):
        pairs.update(
            (ev, item) for ev, item in _id_rows(conn, _pairs_by_event(dialect), part) if item in inside
        )
    events: dict[int, Any] = {}
    for part in _chunks(sorted({ev for ev, _item in pairs})):
        for row in conn.execute(_event_rows(dialect), {"ids": _ids_value(part, dialect)}):
            events[row.id] = row
    ordered = sorted(
        ((events[ev], item) for ev, item in pairs if ev in events),
        key=lambda pair: (pair[0].event_time, pair[0].id, pair[1]),
    )
    return ordered


def item_events(session: Session, item_ids: Sequence[int]) -> list[tuple[Event, int]]:
    """Every event of these items (their whole history), oldest first."""
    if not item_ids:
        return []
    rows = session.execute(
        select(Event, ItemEvent.item_id)
        .join(ItemEvent, ItemEvent.event_id == Event.id)
        .where(ItemEvent.item_id.in_(list(item_ids)))
        .order_by(Event.event_time, Event.id)
    )
    return [(event, item_id) for event, item_id in rows]


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
        for part in _chunks(ids, 1000):
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
    (not consumed/shipped/scrapped), shipped items, and the shipments and customers they reached."""
    forward = trace(session, organisation_id, start_ids, "forward", with_events=False)
    has_children = {e.from_item_id for e in forward.edges if e.relation != "contained"}
    finished = [i for i in forward.items if i.id not in has_children and i.kind != "container"]
    stock = [i for i in forward.items if i.status not in ("consumed", "shipped", "scrapped")]
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


def _shipments(session: Session, organisation_id: int, item_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for part in _chunks(item_ids, 1000):
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


EXPORT_COLUMNS = (
    "item_id",
    "code",
    "kind",
    "material",
    "gtin",
    "lot",
    "serial",
    "sscc",
    "quantity",
    "remaining",
    "uom",
    "status",
    "expiry",
)


def _cell(value: Any) -> Any:
    """CSV cells that a spreadsheet would run as formulas are quoted with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass
class WalkPart:
    """One piece of a streamed walk: the items first reached in it and the edges it scanned."""

    level: int
    items: list[int]
    edges: int


class _Seen:
    """Visited marks for a walk of any size: one byte per item id (1 MB per million ids), not a
    Python set of ints (~70 MB per million)."""

    def __init__(self) -> None:
        self.marks = bytearray()

    def add_new(self, ids: Iterable[int], out: list[int]) -> None:
        marks = self.marks
        for item_id in ids:
            if item_id >= len(marks):
                marks.extend(bytes(max(item_id + 1 - len(marks), len(marks) // 2, 1 << 16)))
            if not marks[item_id]:
                marks[item_id] = 1
                out.append(item_id)


def walk_stream(
    session: Session,
    organisation_id: int,
    start_ids: Sequence[int],
    direction: Direction,
    *,
    chunk: int = _ID_CHUNK,
) -> Iterator[WalkPart]:
    """The whole walk of any size, breadth first, in pieces of at most ``chunk`` frontier items:
    for background traces. Each level is read with one statement per chunk over the covering
    live-edge index (ids only); memory is the visited marks plus one level's frontier, never
    the subgraph. Each item is reported once, in the part that first reaches it."""
    conn = session.connection()
    dialect = conn.dialect.name
    found = _starts(conn, organisation_id, start_ids)
    seen = _Seen()
    first: list[int] = []
    seen.add_new(found, first)
    yield WalkPart(0, first, 0)
    step = _edge_ends(direction, dialect)
    frontier, level = first, 0
    while frontier:
        level += 1
        following: list[int] = []
        for part in _chunks(frontier, chunk):
            new: list[int] = []
            rows = _id_rows(conn, step, part)
            seen.add_new((row[1] for row in rows), new)
            following.extend(new)
            yield WalkPart(level, new, len(rows))
        frontier = following


def export_trace_csv(
    session: Session, organisation_id: int, item_ids: Sequence[int], direction: Direction, path: Any
) -> int:
    """Stream every item of a trace into a CSV file (level by level, items fetched in chunks);
    returns rows. Memory: the walk's visited marks and one chunk of rows."""
    import csv
    from pathlib import Path

    conn = session.connection()
    dialect = conn.dialect.name
    query = _item_rows(
        dialect,
        (
            Item.id,
            Item.code,
            Item.kind,
            Item.material_code,
            Item.gtin,
            Item.lot,
            Item.serial,
            Item.sscc,
            Item.quantity,
            Item.remaining,
            Item.uom,
            Item.status,
            Item.expiry,
        ),
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for part in walk_stream(session, organisation_id, item_ids, direction):
            if not part.items:
                continue
            for row in conn.execute(query, {"ids": _ids_value(sorted(part.items), dialect)}):
                writer.writerow([_cell(v) for v in row])
                rows += 1
    return rows


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
