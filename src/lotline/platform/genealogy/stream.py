"""Background traces of any size: the walk streamed level by level in bounded memory.

``walk_stream`` reports each reached item once, in pieces, with visited and level marks (bytes
per item id) instead of sets or lists of the subgraph; on PostgreSQL a level of several pieces
is read by two reader connections of the walk's own, and dense pieces as index range scans.
The trace of an ordinary request (``walk.trace``) and the id-list helpers it shares live in
``genealogy.walk``; other domains reach both through ``genealogy.service``.
"""

from __future__ import annotations

import functools
import json
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import compress, cycle
from operator import itemgetter
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lotline.platform.genealogy.models import Edge
from lotline.platform.genealogy.walk import _ID_CHUNK, Direction, _driver_sql, _ids_in, _starts


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
            fresh = sorted(set(compress(ids, _marks_of(unseen, ids))))
        except IndexError:  # an id beyond the marks (max() only then: it costs a pass)
            grow = max(max(ids) + 1 - len(unseen), len(unseen) // 2, 1 << 16)
            unseen.extend(b"\x01" * grow)
            level.extend(bytes(grow))
            fresh = sorted(set(compress(ids, _marks_of(unseen, ids))))
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


def _marks_of(marks: bytearray, ids: list[int]) -> Sequence[int]:
    """The marks of ``ids``, in their order: one ``itemgetter`` call, which indexes the marks in
    C (about half the time of ``map(marks.__getitem__, ids)``, a method call per id)."""
    if len(ids) == 1:
        return (marks[ids[0]],)  # itemgetter of one index returns the value, not a tuple
    marks_at: tuple[int, ...] = itemgetter(*ids)(marks)
    return marks_at


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


_PARALLEL_READS = True  # PostgreSQL: readers read the levels of several pieces (tests turn it off)
_READERS = 2  # reader connections per walk, each with its own thread


class _Reader:
    """PostgreSQL: a connection of its own that reads pieces of a level in a thread of its own
    (psycopg releases the GIL while it waits). A walk opens ``_READERS`` of them and sends its
    pieces to them in turn, each reader with one piece queued behind the one it reads: the
    server's index reads, the walk's main cost, run on two backends at once and never wait
    while the walk's thread picks new items out of a piece already read.

    A reader reads in a REPEATABLE READ, READ ONLY transaction on the snapshot that the
    session's transaction exported when the walk needed it (``pg_export_snapshot``): the
    committed data the walk started from, the same for every reader (the session's own pieces,
    read before, see what its transaction sees: under READ COMMITTED, what is committed at each
    statement; the visited marks report each item once either way). The session's connection
    stays free for the caller between parts (``export_trace_csv`` reads the item rows of a part
    on it). A transaction that has written anything keeps to its own connection, since no other
    transaction sees its writes."""

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
    def open(cls, conn: sa.Connection) -> list[_Reader]:
        """The readers of this walk, or none: not PostgreSQL, inside a savepoint (no snapshot is
        exported from a subtransaction), or in a transaction that has written."""
        if conn.dialect.name != "postgresql" or not _PARALLEL_READS or conn.in_nested_transaction():
            return []
        snapshot = conn.exec_driver_sql(
            "SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN pg_export_snapshot() END"
        ).scalar()
        readers: list[_Reader] = []
        if snapshot is not None:
            try:
                for _ in range(_READERS):
                    readers.append(cls(conn.engine, snapshot))
            except BaseException:
                for reader in readers:
                    reader.close()
                raise
        return readers

    def far_ends(self, direction: Direction, piece: _Piece) -> Future[list[int]]:
        return self.pool.submit(_piece_ends, self.conn, direction, piece)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)  # a piece being read finishes first
        self.conn.rollback()
        self.conn.close()


def _level_ends(
    conn: sa.Connection,
    readers: list[_Reader],
    direction: Direction,
    pieces: Iterator[_Piece],
) -> Iterator[list[int]]:
    """The far ends of each piece of one level, in order. With readers, the pieces go to them
    in turn, two per reader ahead of the one yielded (one it reads, one queued behind it), so a
    reader starts its next piece as soon as it is done with one: the far ends of at most
    ``2 * len(readers)`` pieces wait to be picked over."""
    if not readers:
        for piece in pieces:
            yield _piece_ends(conn, direction, piece)
        return
    sent: deque[Future[list[int]]] = deque()
    turn = cycle(readers)
    for piece in pieces:
        sent.append(next(turn).far_ends(direction, piece))
        if len(sent) == 2 * len(readers):
            yield sent.popleft().result()
    while sent:
        yield sent.popleft().result()


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
    the level that reached it) and the far ends of at most ``2 * _READERS + 1`` pieces, never
    the subgraph. Each item is reported once, in the part that first reaches it; ``edges``
    counts the live edges scanned. On PostgreSQL the levels of several pieces are read by
    reader connections (``_Reader``), opened when the walk first reaches such a level; the
    session's connection stays free for the caller."""
    conn = session.connection()
    seen = _Seen()
    first = seen.new(_starts(conn, organisation_id, start_ids), _level_code(0))
    yield WalkPart(0, first, 0)
    count, low, high, level = len(first), first[0] if first else 0, first[-1] if first else 0, 0
    spans = {_level_code(0): (low, high)}  # level code -> the ids of the last level marked so
    readers: list[_Reader] = []
    asked = False
    try:
        while count:
            code, level = _level_code(level), level + 1
            following = _level_code(level)
            if following in spans:  # 254 levels on
                seen.forget(following, *spans.pop(following))
            if not asked and count > chunk:
                asked, readers = True, _Reader.open(conn)
            marks = seen.level
            pieces = (
                _piece(conn, marks, code, span) for span in _pieces(marks, code, low, high, count, chunk)
            )
            count, low, high = 0, len(marks), 0
            for ends in _level_ends(conn, readers, direction, pieces):
                new = seen.new(ends, following)
                if new:
                    count += len(new)
                    low, high = min(low, new[0]), max(high, new[-1])
                yield WalkPart(level, new, len(ends))
            spans[following] = (low, high)
    finally:
        for reader in readers:
            reader.close()
