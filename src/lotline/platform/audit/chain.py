"""The hash chains: canonical form, appending entries, and verifying every stream.

An entry's hash is ``sha256(prev_hash + canonical_json(entry))`` where the canonical JSON has
sorted keys, no whitespace, UTF-8, and the time as ISO 8601 UTC with microseconds (``…Z``). The
fields hashed are ``HASHED_FIELDS``: everything an entry says, including its stream and its
number in that stream, but not its storage id.

Entries live in ``STREAMS`` independent chains (``audit_stream`` rows). A transaction's first
audited write locks one free stream row (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so concurrent
writers take different streams and never wait for each other) and keeps it until it commits or
rolls back; every entry it writes continues that stream: ``seq`` = previous + 1, ``prev_hash`` =
previous hash, and the stream row's head moves to the new last entry in the same transaction. A
rollback undoes entries and head together, so a stream never has a gap.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lotline.platform import canonical
from lotline.platform.audit.models import GENESIS_HASH, AuditEntry, AuditStream

HASHED_FIELDS = (
    "stream",
    "seq",
    "at",
    "utc_offset",
    "organisation_id",
    "actor_id",
    "actor_username",
    "actor_name",
    "actor_kind",
    "action",
    "object_type",
    "object_id",
    "changes",
    "reason",
    "details",
    "client",
    "station",
    "request_id",
)

_ENTRY = AuditEntry.__table__
_STREAM = AuditStream.__table__
_STREAM_KEY = "lotline.audit.stream"

# Benchmark switches (bench/audit_chain.py only; no configuration reaches them). Unchained: entries
# are written without a stream lock, link or hash, to measure what the chain costs. Single stream:
# every writer shares stream 1, the design this module replaces.
_BENCH_UNCHAINED = False
_BENCH_SINGLE_STREAM = False


class AuditStreamsMissing(RuntimeError):
    """The audit_stream rows are gone: the database was not migrated by ``lotline db upgrade``."""


def format_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> bytes:
    """The project's canonical JSON (``lotline.platform.canonical``) as UTF-8 bytes. Values must
    already be plain JSON (see capture.plain), so hashes never depend on a default formatter."""
    return canonical.canonical_json(value).encode()


def entry_hash(prev_hash: str, entry: Mapping[str, Any]) -> str:
    body = {key: entry.get(key) for key in HASHED_FIELDS}
    body["at"] = format_utc(body["at"])
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(body)).hexdigest()


# --- appending --------------------------------------------------------------------------------


@dataclass
class _Held:
    """The stream a transaction writes: locked until the transaction ends; head cached meanwhile."""

    transaction: Any
    stream: int
    seq: int
    head: str
    fresh: bool = True  # False after a savepoint ended: re-read the head (rows may be gone)


def _pick_stream(conn: sa.Connection) -> Any:
    """Lock one stream row for this transaction and return (id, seq, head_hash)."""
    statements = _stream_statements()
    if conn.dialect.name == "postgresql":
        if _BENCH_SINGLE_STREAM:
            return conn.execute(statements["first"]).first()
        row = conn.execute(statements["free"]).first()
        if row is None:  # more writers than streams: queue behind a random one
            row = conn.execute(statements["any"]).first()
        return row
    return conn.execute(statements["touch"]).first()


@functools.cache
def _stream_statements() -> dict[str, Any]:
    """Built once (a statement object reused skips SQLAlchemy's per-call cache-key work)."""
    columns = sa.select(_STREAM.c.id, _STREAM.c.seq, _STREAM.c.head_hash)
    any_stream = columns.order_by(sa.func.random()).limit(1)
    # SQLite: one writer at a time. A no-op UPDATE takes the write lock before the head is read.
    chosen = sa.select(_STREAM.c.id).order_by(sa.func.random()).limit(1).scalar_subquery()
    touch = sa.update(_STREAM).where(_STREAM.c.id == chosen).values(seq=_STREAM.c.seq)
    return {
        "first": columns.where(_STREAM.c.id == 1).with_for_update(),
        "free": any_stream.with_for_update(skip_locked=True),
        "any": any_stream.with_for_update(),
        "touch": touch.returning(_STREAM.c.id, _STREAM.c.seq, _STREAM.c.head_hash),
        "insert": sa.insert(_ENTRY),
        "head": sa.update(_STREAM)
        .where(_STREAM.c.id == sa.bindparam("s_id"))
        .values(seq=sa.bindparam("s_seq"), head_hash=sa.bindparam("s_head")),
    }


def _held_stream(session: Session, conn: sa.Connection) -> _Held:
    root = session.get_transaction()
    held: _Held | None = session.info.get(_STREAM_KEY)
    if held is not None and held.transaction is root:
        if not held.fresh:  # a savepoint ended: re-read the head we hold
            query = sa.select(_STREAM.c.seq, _STREAM.c.head_hash).where(_STREAM.c.id == held.stream)
            row = conn.execute(query.with_for_update() if conn.dialect.name == "postgresql" else query).one()
            held.seq, held.head, held.fresh = row.seq, row.head_hash, True
        return held
    row = _pick_stream(conn)
    if row is None:
        raise AuditStreamsMissing("no audit_stream rows; run `lotline db upgrade`")
    held = _Held(root, row.id, row.seq, row.head_hash)
    session.info[_STREAM_KEY] = held
    return held


def transaction_ended(session: Session, transaction: Any) -> None:
    """Session hook: forget the stream when the transaction ends, distrust it after a savepoint;
    settle the buffered entries of the transaction."""
    if transaction.parent is not None and not transaction.nested:
        return  # a flush's own subtransaction: nothing of ours begins or ends with it
    if _PENDING_KEY in session.info or _WRITTEN_KEY in session.info:
        _transaction_closed(session, transaction)
    held: _Held | None = session.info.get(_STREAM_KEY)
    if held is None:
        return
    if transaction.parent is None:
        session.info.pop(_STREAM_KEY, None)
    elif transaction.nested:
        held.fresh = False


# --- buffering: one write per transaction -----------------------------------------------------
#
# Entries are kept in ``session.info`` until the transaction commits (``capture`` hooks
# ``before_commit``), then chained and written together: one INSERT (executemany) and one head
# update per transaction instead of one pair per flush. Each buffered batch remembers the
# transaction (or savepoint) that made it: a savepoint that commits hands its batches to its
# parent; one that rolls back drops them, like the rows they describe. Anything that reads the
# audit tables inside the transaction writes the buffer first (``write_pending``), so reads see
# every entry; entries of an outer transaction written while a savepoint is open are put back in
# the buffer if that savepoint rolls back.

_PENDING_KEY = "lotline.audit.pending"
_WRITTEN_KEY = "lotline.audit.written"


@dataclass
class _Batch:
    origin: Any  # the SessionTransaction whose changes these entries describe
    rows: list[dict[str, Any]]
    written_in: Any = None  # the savepoint it was written in (outer batches only)


def _innermost(session: Session) -> Any:
    return session.get_nested_transaction() or session.get_transaction()


def append(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Chain ``rows`` (entry fields without stream/seq/hashes) onto this transaction's stream:
    buffered now, written (in order) when the transaction commits or the audit tables are read."""
    if not rows:
        return
    pending: list[_Batch] = session.info.setdefault(_PENDING_KEY, [])
    pending.append(_Batch(_innermost(session), list(rows)))


def has_pending(session: Session) -> bool:
    return bool(session.info.get(_PENDING_KEY))


def write_pending(session: Session) -> None:
    """Write every buffered entry now (in the current transaction or savepoint)."""
    pending: list[_Batch] = session.info.pop(_PENDING_KEY, None) or []
    if not pending:
        return
    current = session.get_nested_transaction()
    if current is not None:  # outer entries written inside a savepoint: kept to re-queue
        outer = [b for b in pending if not within(b.origin, current)]
        for batch in outer:
            batch.written_in = current
        if outer:
            session.info.setdefault(_WRITTEN_KEY, []).extend(outer)
    _write(session, [row for batch in pending for row in batch.rows])


def within(transaction: Any, ancestor: Any) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _own(pending: list[_Batch], transaction: Any) -> int:
    """How many batches at the end of the buffer ``transaction`` made. Savepoints nest, so the
    innermost one's batches are always the buffer's tail: a savepoint's end looks at its own
    batches only, however long the buffer (a batch of 500 records has 500 savepoints)."""
    count = 0
    for batch in reversed(pending):
        if not within(batch.origin, transaction):
            break
        count += 1
    return count


def savepoint_committed(session: Session, savepoint: Any) -> None:
    """A savepoint commits: its buffered entries (and re-queue duties) pass to its parent."""
    parent = savepoint.parent
    pending: list[_Batch] = session.info.get(_PENDING_KEY, [])
    for batch in pending[len(pending) - _own(pending, savepoint) :]:
        batch.origin = parent
    written: list[_Batch] = session.info.get(_WRITTEN_KEY, [])
    if written:
        for batch in written:
            if batch.written_in is savepoint:
                batch.written_in = parent if parent is not None and parent.nested else None
        session.info[_WRITTEN_KEY] = [b for b in written if b.written_in is not None]


def _transaction_closed(session: Session, transaction: Any) -> None:
    """Forget what a closed transaction buffered (after a commit it was written; after a
    rollback it never happened); re-queue outer entries a rolled-back savepoint swallowed."""
    pending: list[_Batch] = session.info.get(_PENDING_KEY, [])
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_WRITTEN_KEY, None)
        return
    kept = pending[: len(pending) - _own(pending, transaction)]
    written: list[_Batch] = session.info.get(_WRITTEN_KEY, [])
    swallowed = [b for b in written if b.written_in is transaction]
    for batch in swallowed:
        batch.written_in = None
        for row in batch.rows:
            for key in ("stream", "seq", "prev_hash", "hash"):
                row.pop(key, None)
    session.info[_WRITTEN_KEY] = [b for b in written if b.written_in is not None]
    if swallowed:
        kept = swallowed + kept
    if kept:
        session.info[_PENDING_KEY] = kept
    else:
        session.info.pop(_PENDING_KEY, None)


def _write(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Chain ``rows`` onto the stream this transaction holds (locked at its first write).

    After the first call of a transaction (which picks and locks the stream), PostgreSQL gets one
    statement per entry, writing the entry and moving the head together
    (``WITH written AS (INSERT …) UPDATE audit_stream …``); SQLite one INSERT for all of them
    and one head update.
    """
    if not rows:
        return
    conn = session.connection()
    if _BENCH_UNCHAINED:
        _append_unchained(conn, rows)
        return
    held = _held_stream(session, conn)
    seq, head = held.seq, held.head
    for row in rows:
        seq += 1
        row.update(stream=held.stream, seq=seq, prev_hash=head)
        row["hash"] = head = entry_hash(head, row)
    if conn.dialect.name == "postgresql":
        params = [
            {**{f"e_{key}": value for key, value in row.items()}, "s_seq": row["seq"], "s_head": row["hash"]}
            for row in rows
        ]
        conn.execute(_append_statement(), [{**p, "s_id": held.stream} for p in params])
    else:
        statements = _stream_statements()
        conn.execute(statements["insert"], list(rows))
        conn.execute(statements["head"], {"s_id": held.stream, "s_seq": seq, "s_head": head})
    held.seq, held.head = seq, head


@functools.cache
def _append_statement() -> sa.Update:
    """PostgreSQL: one entry and the head that follows it, in one (cached) statement."""
    columns = [c for c in _ENTRY.columns if c.name != "id"]
    entry = {c.name: sa.bindparam(f"e_{c.name}", type_=c.type) for c in columns}
    written = sa.insert(_ENTRY).values(entry).returning(_ENTRY.c.id).cte("written")
    head = {"seq": sa.bindparam("s_seq"), "head_hash": sa.bindparam("s_head")}
    return sa.update(_STREAM).where(_STREAM.c.id == sa.bindparam("s_id")).values(head).add_cte(written)


_unchained_seq = iter(range(1, 1 << 62))


def _append_unchained(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    import os

    base = os.getpid() << 32  # stream 0 is never verified; seq only has to be unique
    for row in rows:
        row.update(stream=0, seq=base + next(_unchained_seq), prev_hash="", hash="")
    conn.execute(sa.insert(_ENTRY), list(rows))


# --- verifying --------------------------------------------------------------------------------

REASONS = {
    "hash_mismatch": "the entry's content no longer matches its hash",
    "broken_link": "the entry does not point at the hash of the entry before it",
    "gap": "entries are missing before this one",
    "reordered": "the entry is out of order in its stream",
    "truncated": "entries are missing at the end of the stream",
    "beyond_head": "the entry lies past its stream's head (not written through the chain)",
    "head_mismatch": "the stream head does not match the stream's last entry",
    "unknown_stream": "the entry names a stream that does not exist",
}


@dataclass(frozen=True)
class Break:
    reason: str
    stream: int | None
    seq: int | None
    entry_id: int | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    streams: int
    first_broken: Break | None
    broken_streams: int
    seal: str | None  # sha256 of every stream head; record it to detect a later rewrite


class _StreamWalk:
    """Checks one stream entry by entry (in id order), keeping only the previous hash."""

    def __init__(self, conn: sa.Connection, stream: int, head: tuple[int, str] | None) -> None:
        self.conn, self.stream, self.head = conn, stream, head
        self.expected, self.prev, self.last_id = 1, GENESIS_HASH, None
        self.broken: Break | None = None

    def feed(self, row: Any) -> None:
        if self.broken is None:
            self.broken = self._check(row)

    def _check(self, row: Any) -> Break | None:
        stream, expected = self.stream, self.expected
        if self.head is None:
            return Break("unknown_stream", stream, row.seq, row.id, f"stream {stream} is not in audit_stream")
        if row.seq != expected:
            if row.seq > expected and not _seq_exists(self.conn, stream, expected):
                missing = f"{expected}" if row.seq == expected + 1 else f"{expected}..{row.seq - 1}"
                return Break("gap", stream, row.seq, row.id, f"seq {missing} missing before seq {row.seq}")
            return Break(
                "reordered", stream, row.seq, row.id, f"seq {row.seq} found where {expected} belongs"
            )
        if row.prev_hash != self.prev:
            return Break("broken_link", stream, row.seq, row.id, "prev_hash differs from the previous hash")
        if entry_hash(self.prev, row._mapping) != row.hash:
            return Break("hash_mismatch", stream, row.seq, row.id, "recomputed hash differs")
        if row.seq > self.head[0]:
            return Break("beyond_head", stream, row.seq, row.id, f"stream head is at seq {self.head[0]}")
        self.prev, self.last_id, self.expected = row.hash, row.id, expected + 1
        return None

    def finish(self) -> Break | None:
        if self.broken is not None or self.head is None:
            return self.broken
        head_seq, head_hash = self.head
        last = self.expected - 1
        if head_seq > last:
            return Break(
                "truncated", self.stream, last + 1, None, f"head at seq {head_seq}, last entry is seq {last}"
            )
        if head_hash != self.prev:
            return Break(
                "head_mismatch", self.stream, last, self.last_id, "head hash differs from the last entry's"
            )
        return None


def _seq_exists(conn: sa.Connection, stream: int, seq: int) -> bool:
    query = sa.select(_ENTRY.c.id).where(_ENTRY.c.stream == stream, _ENTRY.c.seq == seq).limit(1)
    return conn.execute(query).first() is not None


def verify(session: Session) -> Verification:
    """Recompute every stream; name the first broken entry (lowest id) and why.

    Heads and entries are read by one statement, so one snapshot even while others write.
    """
    write_pending(session)
    conn = session.connection()
    joined = _ENTRY.join(_STREAM, _ENTRY.c.stream == _STREAM.c.id, full=True)
    query = (
        sa.select(
            _ENTRY,
            _STREAM.c.id.label("head_stream"),
            _STREAM.c.seq.label("head_seq"),
            _STREAM.c.head_hash.label("head_hash"),
        )
        .select_from(joined)
        .order_by(sa.func.coalesce(_ENTRY.c.stream, _STREAM.c.id), _ENTRY.c.id)
    )
    breaks: list[Break] = []
    heads: dict[int, tuple[int, str]] = {}
    entries = 0
    walk: _StreamWalk | None = None
    for row in conn.execute(query, execution_options={"yield_per": 2000}):
        stream = row.stream if row.stream is not None else row.head_stream
        if walk is None or walk.stream != stream:
            if walk is not None and (found := walk.finish()) is not None:
                breaks.append(found)
            head = (row.head_seq, row.head_hash) if row.head_stream is not None else None
            walk = _StreamWalk(conn, stream, head)
            if head is not None:
                heads[stream] = head
        if row.id is not None:
            walk.feed(row)
            entries += 1
    if walk is not None and (found := walk.finish()) is not None:
        breaks.append(found)
    breaks.sort(key=lambda b: (b.entry_id is None, b.entry_id or 0, b.stream or 0))
    ok = not breaks
    seal = None
    if ok:
        seal = hashlib.sha256(canonical_json(sorted([s, q, h] for s, (q, h) in heads.items()))).hexdigest()
    return Verification(ok, entries, len(heads), breaks[0] if breaks else None, len(breaks), seal)
