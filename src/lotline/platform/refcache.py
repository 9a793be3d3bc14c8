"""Reference data cached per process: what every capture reads and administrators rarely change
(published definitions, stations, sites, lines, materials, bills of materials).

Correctness across processes and transactions comes from a revision token kept in the database
(table ``config_revision``, one row). A transaction that inserts, updates or deletes a row of a
watched model sets a new random token as it commits (the row is locked only for that moment, so
administrators' transactions do not queue behind each other). Cached values are keyed by the
token the reading transaction sees (read once per transaction: one primary-key SELECT), so:

* a change committed by any process is seen by the next transaction of every process;
* the writing transaction itself reads through the cache, uncached, from its first flush of a
  watched change until it ends (it sees its own changes; nothing of them is cached);
* a change not yet committed, or rolled back, never reaches another reader;
* a database without the row (not migrated to 0011) simply reads through, uncached.

A cached value must depend only on watched tables. Values are immutable snapshots
(``snapshot``), never ORM instances, so no session state leaks from one request to another.
Writes outside the ORM's unit of work (Core statements on watched tables) would bypass the
token: the watched domains write through the ORM only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from types import SimpleNamespace
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from lotline.platform.db import Base

T = TypeVar("T")

_WATCHED: set[type] = set()
_CACHE: dict[tuple[str, Hashable], Any] = {}
_CACHE_MAX = 4096
_REVISION_KEY = "lotline.refcache.revision"  # session.info: (root transaction, token)
_CHANGED_KEY = "lotline.refcache.changed"  # session.info: this transaction changed watched rows
_MISSING = object()


class ConfigRevision(Base):
    """One row: the token of the reference data's current revision."""

    __tablename__ = "config_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(32))


class Snapshot(SimpleNamespace):
    """A read-only copy of a row's column values (and whatever else a lookup adds)."""

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a cached snapshot is read-only ({name})")


def snapshot(row: Any, **extra: Any) -> Snapshot | None:
    """The row's column attributes as a ``Snapshot`` (None for None)."""
    if row is None:
        return None
    values = {attr.key: getattr(row, attr.key) for attr in sa.inspect(row).mapper.column_attrs}
    return Snapshot(**values, **extra)


def watch(*models: type) -> None:
    """Changes to these models' rows start a new revision (every cached value is dropped)."""
    _WATCHED.update(models)


def cached(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """``load()``'s value for ``key`` at the revision this transaction sees, loaded at most once
    per revision and process."""
    if session.info.get(_CHANGED_KEY):
        return load()
    token = _token(session)
    if token is None:
        return load()
    found = _CACHE.get((token, key), _MISSING)
    if found is _MISSING:
        found = load()
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[(token, key)] = found
    return found  # type: ignore[no-any-return]


def _token(session: Session) -> str | None:
    root = session.get_transaction()
    held = session.info.get(_REVISION_KEY)
    if held is not None and root is not None and held[0] is root:
        return held[1]  # type: ignore[no-any-return]
    token = session.execute(sa.select(ConfigRevision.token).where(ConfigRevision.id == 1)).scalar()
    session.info[_REVISION_KEY] = (session.get_transaction(), token)
    return token


def _touches_watched(session: Session) -> bool:
    return bool(_WATCHED) and any(
        type(obj) in _WATCHED for objects in (session.new, session.dirty, session.deleted) for obj in objects
    )


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _touches_watched(session):
        session.info[_CHANGED_KEY] = True


def _before_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outer transaction commits (and bumps) later
    if session.info.get(_CHANGED_KEY) or _touches_watched(session):
        session.connection().execute(
            sa.update(ConfigRevision).where(ConfigRevision.id == 1).values(token=uuid.uuid4().hex)
        )


def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the session's own transaction: committed or rolled back
        session.info.pop(_REVISION_KEY, None)
        session.info.pop(_CHANGED_KEY, None)


def install() -> None:
    """Hook every Session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _ended)


def clear() -> None:
    """Drop every cached value (tests that compare cached with uncached answers)."""
    _CACHE.clear()
