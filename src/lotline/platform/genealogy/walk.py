"""The trace walk: backward (where from) and forward (where used) over the live edges.

A trace walks level by level, each level's item ids passed as one parameter over the covering
live-edge index (on PostgreSQL without a depth limit, one recursive ``UNION`` query that stops at
the size limit); every item is produced once, never once per path, and cycles end by
themselves. Edges voided by corrections are skipped. The subgraph's items, edges and events are
read as Core rows. ``walk_stream`` walks traces of any size in bounded memory for background
jobs. Other domains reach this through ``genealogy.service``.
"""

from __future__ import annotations

import functools
import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import compress
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lotline.platform.genealogy.models import Edge, Event, Item, ItemEvent

Direction = Literal["backward", "forward"]
DEFAULT_MAX_ITEMS = 50_000


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
#
# On PostgreSQL the array travels as its text ('{1,2,3}', cast to bigint[] by the server): psycopg
# adapts a Python list of ints element by element (~1.7 us per id, 0.6 s for a 350,000-item
# level); a str is sent as it is. The planner sees the values and estimates the selectivity of
# every element (~1.5 us each, 30 ms for 20,000 ids), which buys plans that use the values: the
# item_event roles stay an index condition beside the ids (see _pairs_by_role). ``opaque=True``
# puts the array behind an InitPlan instead, planned once without looking at it: for statements
# whose only index condition is the ids (the walk's steps), which plan the same either way.

_ID_CHUNK = 20_000


def _ids_in(column: Any, dialect: str, name: str = "ids", *, opaque: bool = False) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        text: Any = sa.cast(sa.bindparam(name, type_=sa.Text), sa.Text)
        if opaque:
            text = select(text).scalar_subquery()
        return column == sa.any_(sa.cast(text, ARRAY(sa.BigInteger)))
    values = sa.func.json_each(sa.bindparam(name, type_=sa.String)).table_valued("value")
    return column.in_(select(values.c.value))


def ids_value(ids: Sequence[int], dialect: str) -> str:
    """The one parameter for ``_ids_in``: a JSON array (SQLite) or an array literal (PostgreSQL)."""
    listed = ",".join(map(str, ids))
    return "[" + listed + "]" if dialect == "sqlite" else "{" + listed + "}"


def chunks(ids: Sequence[int], size: int = _ID_CHUNK) -> Iterable[Sequence[int]]:
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
            cursor.execute(_driver_sql(statement, dialect), (ids_value(ids, "sqlite"),))
        else:
            cursor.execute(_driver_sql(statement, dialect), {"ids": ids_value(ids, dialect.name)})
        return cursor.fetchall()
    finally:
        cursor.close()


@functools.cache
def item_rows(dialect: str, columns: tuple[Any, ...] = ITEM_COLUMNS) -> Select[Any]:
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
        for part in chunks(frontier):
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
    for part in chunks(order):
        for row in conn.execute(item_rows(dialect), {"ids": ids_value(part, dialect)}).all():
            by_id[row.id] = row
    items = [by_id[i] for i in order if i in by_id]
    edges: list[Any] = []
    for part in chunks(sorted(edge_ids)):
        edges.extend(conn.execute(_edge_rows(dialect), {"ids": ids_value(part, dialect)}).all())
    result = Trace(direction, list(start_ids), items, edges, depth, truncated)
    if with_events:
        result.events = subgraph_events(session, order, edges)
    return result


@functools.cache
def _walk_items_statement(direction: Direction) -> Select[Any]:
    """PostgreSQL: the items of the walk in one statement, the walk stopping at ``:limit`` rows
    (the recursive CTE is evaluated only as far as the LIMIT fetches from it).

    The items are read by primary key, ``id = ANY(ARRAY(walk))``: the walk's ids are gathered
    first and each is one index probe. Joined to the CTE instead, the planner (which guesses
    ~1,000 rows for any recursive CTE) merge-joins along the whole item primary key from the
    smallest id up to the largest the walk reached: a forward trace of a raw lot of 50 items
    read 28,000 items at 100 k items (19 ms instead of 0.7 ms), and more the larger the table."""
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
    reached = select(walk.c.item_id).limit(sa.bindparam("limit")).scalar_subquery()
    return select(*ITEM_COLUMNS).where(Item.id == sa.any_(sa.func.array(reached)))


@functools.cache
def _subgraph_edges_statement(direction: Direction) -> Select[Any]:
    near = Edge.to_item_id if direction == "backward" else Edge.from_item_id
    return select(*EDGE_COLUMNS).where(
        _ids_in(near, "postgresql", opaque=True), Edge.voided_by_record_id.is_(None)
    )


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
    by_id = {row.id: row for row in conn.execute(_walk_items_statement(direction), params).all()}
    starts = [i for i in sorted(set(start_ids)) if i in by_id]
    far_key = "from_item_id" if direction == "backward" else "to_item_id"
    rows = conn.execute(_subgraph_edges_statement(direction), {"ids": ids_value(list(by_id), "postgresql")})
    far = list(rows.keys()).index(far_key)
    edges = [e for e in rows.all() if e[far] in by_id]
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
    """Shortest number of steps from the start to each item (breadth first over the subgraph).
    ``edges`` are rows of EDGE_COLUMNS, read by position: a Row's attribute lookup by name made
    this pass twice as slow (~2 ms of a PostgreSQL forward trace of a raw lot at 1 M items)."""
    near, far = (2, 1) if direction == "backward" else (1, 2)  # EDGE_COLUMNS: id, from, to, ...
    neighbours: dict[int, list[int]] = {}
    for edge in edges:
        neighbours.setdefault(edge[near], []).append(edge[far])
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
    for part in chunks(sorted(inside)):
        pairs.update(map(tuple, _id_rows(conn, _pairs_by_role(dialect), part)))  # type: ignore[arg-type]
    edge_events = sorted({e.event_id for e in edges if e.event_id is not None})
    for part in chunks(edge_events):
        pairs.update(
            (ev, item) for ev, item in _id_rows(conn, _pairs_by_event(dialect), part) if item in inside
        )
    events: dict[int, Any] = {}
    for part in chunks(sorted({ev for ev, _item in pairs})):
        for row in conn.execute(_event_rows(dialect), {"ids": ids_value(part, dialect)}).all():
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


@dataclass
class WalkPart:
    """One piece of a streamed walk: the items first reached in it and the edges it scanned."""

    level: int
    items: list[int]
    edges: int


class _Seen:
    """Visited marks for a walk of any size: one byte per item id (1 MB per million ids), not a
    Python set of ints (~70 MB per million). A byte is 1 while its item is NOT yet reached, so a
    level's ids are filtered in C (``itertools.compress`` over the marks), not one by one in a
    Python loop.

    ``level`` holds, per item id, the code of the level that reached it (``_level_code``; 0:
    not reached): a level's frontier is read back from it in ascending order, in C, and on
    PostgreSQL a dense piece of it is sent as it is (``_far_ends_in_range_statement``). No list
    of the frontier is kept, and it needs no sorting."""

    def __init__(self) -> None:
        self.unseen = bytearray()
        self.level = bytearray()

    def new(self, ids: list[int], code: int = 1) -> list[int]:
        """The ids not seen before, each once, ascending; from now on they are seen, reached by
        the level of this ``code``."""
        if not ids:
            return []
        unseen, level = self.unseen, self.level
        try:
            fresh = sorted(set(compress(ids, map(unseen.__getitem__, ids))))
        except IndexError:  # an id beyond the marks (max() only then: it costs a pass)
            grow = max(max(ids) + 1 - len(unseen), len(unseen) // 2, 1 << 16)
            unseen.extend(b"\x01" * grow)
            level.extend(bytes(grow))
            fresh = sorted(set(compress(ids, map(unseen.__getitem__, ids))))
        for item_id in fresh:
            unseen[item_id] = 0
            level[item_id] = code
        return fresh

    def forget(self, code: int, low: int, high: int) -> None:
        """Clears the level marks of ``code`` between ``low`` and ``high`` (the ids of the level
        that had it), before a level 254 further on takes the code."""
        table = bytearray(range(256))
        table[code] = 0
        self.level[low : high + 1] = self.level[low : high + 1].translate(table)


def _level_code(level: int) -> int:
    """Levels are marked 1 to 254 in turn (0: not reached); a code is cleared before reuse."""
    return level % 254 + 1


@functools.cache
def _only(code: int) -> bytes:
    """A translation table: ``code`` -> 1, any other byte -> 0."""
    return bytes(int(byte == code) for byte in range(256))


def _marked(marks: bytearray, code: int, start: int, stop: int, count: int) -> list[int]:
    """The ids in [start, stop) whose mark is ``code``, ascending: a dense range in one pass in
    C (its marks translated to 0/1 and compressed against the range), a sparse one by ``find``."""
    if stop - start <= 16 * count:
        return list(compress(range(start, stop), marks[start:stop].translate(_only(code))))
    found, find = [], marks.find
    at = find(code, start, stop)
    while at >= 0:
        found.append(at)
        at = find(code, at + 1, stop)
    return found


def _pieces(
    marks: bytearray, code: int, low: int, high: int, count: int, chunk: int
) -> Iterator[tuple[int, int, int]]:
    """[start, stop) ranges of ids, ascending, each holding 1 to ``chunk`` of the ``count``
    frontier ids marked ``code`` between ``low`` and ``high``, counted in C (``bytearray.count``)."""
    end = high + 1
    width = max(1, (end - low) * chunk // max(count, 1))
    start = low
    while start < end:
        stop = min(start + width, end)
        found = marks.count(code, start, stop)
        while found > chunk:
            width = max(1, width // 2)
            stop = min(start + width, end)
            found = marks.count(code, start, stop)
        if found:
            yield start, stop, found
        if found <= chunk // 2:
            width *= 2
        start = stop


@functools.cache
def _far_ends_statement(direction: Direction, dialect: str) -> Select[Any]:
    """The far ends of the live edges whose near end is in ``:ids``, aggregated into ONE value
    (SQLite: a JSON array; PostgreSQL: a bigint[]): one row to fetch, decoded in C
    (``json.loads``, psycopg's binary array loader), instead of a tuple per edge. SQLite walks
    the JSON array of sorted ids (json_each joined, not ``IN``: no temporary index of the ids
    first) and seeks the covering live-edge index once per id; PostgreSQL gets the ids
    ``opaque`` (20,000 ids per statement would otherwise cost 30 ms of planning each)."""
    near, far = (
        (Edge.to_item_id, Edge.from_item_id)
        if direction == "backward"
        else (Edge.from_item_id, Edge.to_item_id)
    )
    live = Edge.voided_by_record_id.is_(None)
    if dialect == "postgresql":
        return select(sa.func.array_agg(far)).where(_ids_in(near, dialect, opaque=True), live)
    values = sa.func.json_each(sa.bindparam("ids", type_=sa.String)).table_valued("value")
    return (
        select(sa.func.json_group_array(far))
        .select_from(values.join(Edge, near == values.c.value))
        .where(live)
    )


def _far_ends(conn: sa.Connection, direction: Direction, ids: list[int]) -> list[int]:
    """One level step for ``ids`` (Python ints, ascending): the far end of each live edge."""
    dialect = conn.dialect
    raw = conn.connection.dbapi_connection
    assert raw is not None
    sql = _driver_sql(_far_ends_statement(direction, dialect.name), dialect)
    listed = str(ids)  # "[1, 2, 3]", built in C (ids are Python ints)
    cursor = raw.cursor()
    try:
        if dialect.name == "sqlite":
            cursor.execute(sql, (listed,))
        else:  # psycopg: the array back in binary, loaded in C
            options = {"binary": True} if dialect.driver == "psycopg" else {}
            cursor.execute(sql, {"ids": "{" + listed[1:-1] + "}"}, **options)
        row = cursor.fetchone()  # one row: the aggregate (NULL on PostgreSQL when no edge)
        assert row is not None
        value = row[0]
        ends: list[int] = json.loads(value) if dialect.name == "sqlite" else (value or [])
        return ends
    finally:
        cursor.close()


@functools.cache
def _far_ends_in_range_statement(direction: Direction) -> Select[Any]:
    """PostgreSQL: the far ends of the live edges whose near end lies in [:lo, :hi) and is marked
    ``:code`` in ``:marks`` (the level marks of that range, one byte per id, sent as they are):
    ONE range scan of the covering index instead of one B-tree descent per id (~2 us each).
    It reads every index entry of the range, so it pays only where the frontier is dense (see
    ``_DENSE``). The bounds are behind InitPlans: with their values the planner expects the
    whole range and plans a parallel scan, which here costs more processes, not less time."""
    near, far = (
        (Edge.to_item_id, Edge.from_item_id)
        if direction == "backward"
        else (Edge.from_item_id, Edge.to_item_id)
    )
    low = sa.cast(sa.bindparam("lo", type_=sa.Integer), sa.Integer)
    high = sa.cast(sa.bindparam("hi", type_=sa.Integer), sa.Integer)
    marks = sa.cast(sa.bindparam("marks", type_=sa.LargeBinary), sa.LargeBinary)
    return select(sa.func.array_agg(far)).where(
        near >= select(low).scalar_subquery(),
        near < select(high).scalar_subquery(),
        sa.func.get_byte(marks, near - low) == sa.cast(sa.bindparam("code", type_=sa.Integer), sa.Integer),
        Edge.voided_by_record_id.is_(None),
    )


# PostgreSQL reads a piece by range where its ids are at least one in _DENSE of the range's ids:
# at 1 M items a range scan of a piece of 20,000 ids costs what their descents cost at about one
# id in four (the hub's last two levels: one in three; its first three: one in 15 to 40)
_DENSE = 4


class _Piece(NamedTuple):
    """A piece of a level to read: its ids, or (PostgreSQL, dense) its range and marks."""

    ids: list[int] | None
    start: int
    stop: int
    code: int
    marks: bytes | None


def _piece(conn: sa.Connection, marks: bytearray, code: int, span: tuple[int, int, int]) -> _Piece:
    """Built in the walk's thread (the marks change as the level is picked over), read in any."""
    start, stop, count = span
    if conn.dialect.name == "postgresql" and stop - start <= _DENSE * count:
        return _Piece(None, start, stop, code, bytes(marks[start:stop]))
    return _Piece(_marked(marks, code, start, stop, count), start, stop, code, None)


def _piece_ends(conn: sa.Connection, direction: Direction, piece: _Piece) -> list[int]:
    if piece.ids is not None:
        return _far_ends(conn, direction, piece.ids)
    raw = conn.connection.dbapi_connection
    assert raw is not None
    sql = _driver_sql(_far_ends_in_range_statement(direction), conn.dialect)
    cursor = raw.cursor()
    try:
        options = {"binary": True} if conn.dialect.driver == "psycopg" else {}
        values = {"lo": piece.start, "hi": piece.stop, "marks": piece.marks, "code": piece.code}
        cursor.execute(sql, values, **options)
        row = cursor.fetchone()
        assert row is not None
        return row[0] or []
    finally:
        cursor.close()


_PARALLEL_READS = True  # PostgreSQL: a second connection reads half of each level (tests turn it off)


class _SecondReader:
    """PostgreSQL: a second connection that reads every other piece of a level in a thread of
    its own, while the session's connection reads the pieces between (psycopg releases the GIL
    while it waits): the server's index reads, the walk's main cost, run on two backends at
    once, and the picking of new items overlaps them.

    It reads in a REPEATABLE READ, READ ONLY transaction on the snapshot that the session's
    transaction exported when the walk needed it (``pg_export_snapshot``): the committed data
    the walk started from (the session's own pieces see what its transaction sees: under READ
    COMMITTED, what is committed at each statement; the visited marks report each item once
    either way). A transaction that has written anything keeps to one connection, since no
    other transaction sees its writes."""

    def __init__(self, engine: sa.Engine, snapshot: str) -> None:
        self.conn = engine.connect().execution_options(isolation_level="REPEATABLE READ")
        try:
            self.conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            self.conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
        except BaseException:
            self.conn.close()
            raise
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="walk-reader")

    @classmethod
    def open(cls, conn: sa.Connection) -> _SecondReader | None:
        """A reader for this walk, or None: not PostgreSQL, inside a savepoint (no snapshot is
        exported from a subtransaction), or in a transaction that has written."""
        if conn.dialect.name != "postgresql" or not _PARALLEL_READS or conn.in_nested_transaction():
            return None
        snapshot = conn.exec_driver_sql(
            "SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN pg_export_snapshot() END"
        ).scalar()
        return None if snapshot is None else cls(conn.engine, snapshot)

    def far_ends(self, direction: Direction, piece: _Piece) -> Future[list[int]]:
        return self.pool.submit(_piece_ends, self.conn, direction, piece)

    def close(self) -> None:
        self.pool.shutdown(wait=True)  # a piece still being read finishes first
        self.conn.rollback()
        self.conn.close()


def _level_ends(
    conn: sa.Connection,
    reader: _SecondReader | None,
    direction: Direction,
    pieces: Iterator[_Piece],
) -> Iterator[list[int]]:
    """The far ends of each piece of one level, in order: with a second reader, every other
    piece is read by it, each sent as soon as its connection is free, so that it reads piece
    i + 3 while piece i + 1 is picked over and piece i + 2 read by the session's connection."""
    if reader is None:
        for piece in pieces:
            yield _piece_ends(conn, direction, piece)
        return
    mine, theirs = next(pieces, None), next(pieces, None)
    pending = reader.far_ends(direction, theirs) if theirs is not None else None
    while mine is not None:
        yield _piece_ends(conn, direction, mine)
        if pending is None:
            return
        ends = pending.result()
        mine = next(pieces, None)
        theirs = next(pieces, None) if mine is not None else None
        pending = reader.far_ends(direction, theirs) if theirs is not None else None
        yield ends


def walk_stream(
    session: Session,
    organisation_id: int,
    start_ids: Sequence[int],
    direction: Direction,
    *,
    chunk: int = _ID_CHUNK,
) -> Iterator[WalkPart]:
    """The whole walk of any size, breadth first, in pieces of at most ``chunk`` frontier items:
    for background traces. Each piece is one statement over the covering live-edge index that
    returns the far ends of its edges as one aggregated value; the new items are picked in C
    against the visited marks. A level's pieces are ranges of ids, ascending, read back from
    the level marks (``_pieces``); on PostgreSQL a dense piece is one range scan filtered by
    its marks, a sparse one its ids. Memory is the marks (two bytes per item id: visited, and
    the level that reached it) and the far ends of at most three pieces, never the subgraph.
    Each item is reported once, in the part that first reaches it; ``edges`` counts the live
    edges scanned. On PostgreSQL a level of several pieces is read over two connections
    (``_SecondReader``), opened when the walk first reaches such a level."""
    conn = session.connection()
    seen = _Seen()
    first = seen.new(_starts(conn, organisation_id, start_ids), _level_code(0))
    yield WalkPart(0, first, 0)
    count, low, high, level = len(first), first[0] if first else 0, first[-1] if first else 0, 0
    spans = {_level_code(0): (low, high)}  # level code -> the ids of the last level marked so
    reader: _SecondReader | None = None
    asked = False
    try:
        while count:
            code, level = _level_code(level), level + 1
            following = _level_code(level)
            if following in spans:  # 254 levels on
                seen.forget(following, *spans.pop(following))
            if not asked and count > chunk:
                asked, reader = True, _SecondReader.open(conn)
            marks = seen.level
            pieces = (
                _piece(conn, marks, code, span) for span in _pieces(marks, code, low, high, count, chunk)
            )
            count, low, high = 0, len(marks), 0
            for ends in _level_ends(conn, reader, direction, pieces):
                new = seen.new(ends, following)
                if new:
                    count += len(new)
                    low, high = min(low, new[0]), max(high, new[-1])
                yield WalkPart(level, new, len(ends))
            spans[following] = (low, high)
    finally:
        if reader is not None:
            reader.close()
