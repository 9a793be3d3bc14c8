"""Reference data cached per process: what every capture reads and administrators rarely change
(published definitions, stations, sites, lines, materials, bills of materials, a user's roles).

Correctness across processes and transactions comes from a revision token kept in the database
(table ``config_revision``, one row; the schema must be at migration 0011 or later, as for every
other table). A transaction that inserts, updates or deletes a row of a watched model sets a new
random token as it commits (the row is locked only for that moment, so administrators'
transactions do not queue behind each other). Cached values are keyed by the database and the
token the reading transaction sees (read once per transaction: one primary-key SELECT), so:

* a change committed by any process is seen by the next transaction of every process;
* a transaction with watched changes of its own (pending or flushed) reads through the cache
  until it ends: it sees its changes, and nothing it loads is kept;
* a change not yet committed, or rolled back, never reaches another reader;
* values are loaded fresh from the database (``populate_existing``: never an object the session
  already held, which may be older than the token);
* writes the ORM does not see (SQL typed by hand, a restore, a process of an older release
  during a rolling upgrade) are seen within ``MAX_AGE_SECONDS``: no value is served older.

A cached value must depend only on watched tables. Values are read-only snapshots
(``snapshot``; JSON documents in them are private copies, which callers must not change), never
ORM instances, so no session state leaks from one request to another.
"""

from __future__ import annotations

import copy
import time
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
_CACHE: dict[tuple[str, str, Hashable], tuple[float, Any]] = {}  # (database, token, key) -> (when, value)
_CACHE_MAX = 4096
MAX_AGE_SECONDS = 30.0
_REVISION_KEY = "lotline.refcache.revision"  # session.info: (root transaction, database, token)
_CHANGED_KEY = "lotline.refcache.changed"  # session.info: this transaction changed watched rows
_LOADING_KEY = "lotline.refcache.loading"  # session.info: loads in progress (fresh reads)
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
    """The row's column attributes as a ``Snapshot`` (None for None); JSON values are copied."""
    if row is None:
        return None
    values = {attr.key: copy.deepcopy(getattr(row, attr.key)) for attr in sa.inspect(row).mapper.column_attrs}
    return Snapshot(**values, **extra)


def watch(*models: type) -> None:
    """Changes to these models' rows start a new revision (every cached value is dropped)."""
    _WATCHED.update(models)


def watches(model: type) -> bool:
    return model in _WATCHED


def changed(session: Session) -> None:
    """This transaction changed watched rows outside the unit of work (``audit.direct``)."""
    session.info[_CHANGED_KEY] = True


def cached(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """``load()``'s value for ``key`` at the revision this transaction sees, loaded at most once
    per revision, database and process (and at most ``MAX_AGE_SECONDS`` ago)."""
    if session.info.get(_CHANGED_KEY) or _touches_watched(session):
        return load()
    revision = _revision(session)  # may autoflush: watched changes then show in the flag
    if revision is None or session.info.get(_CHANGED_KEY):
        return load()
    now = time.monotonic()
    found = _CACHE.get((*revision, key))
    if found is not None and now - found[0] < MAX_AGE_SECONDS:
        return found[1]  # type: ignore[no-any-return]
    session.info[_LOADING_KEY] = session.info.get(_LOADING_KEY, 0) + 1
    try:
        value = load()
    finally:
        session.info[_LOADING_KEY] = session.info.get(_LOADING_KEY, 1) - 1
    if not session.info.get(_CHANGED_KEY) and not _touches_watched(session):
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[(*revision, key)] = (now, value)
    return value


def _revision(session: Session) -> tuple[str, str] | None:
    """(database, token) this transaction sees; None when the database has no token row."""
    root = session.get_transaction()
    held = session.info.get(_REVISION_KEY)
    if held is not None and root is not None and held[0] is root:
        return held[1]  # type: ignore[no-any-return]
    return seen(session, session.execute(token_query()).scalar())


def token_query() -> sa.Select[tuple[str]]:
    """The revision token (a query may also carry it along: ``seen`` then takes it)."""
    return sa.select(ConfigRevision.token).where(ConfigRevision.id == 1)


def seen(session: Session, token: str | None) -> tuple[str, str] | None:
    """Remember the token read in the current transaction (by ``token_query`` or along with
    another query, saving a round trip); returns the revision key."""
    database = session.get_bind().engine.url.render_as_string(hide_password=True)
    revision = (database, token) if token is not None else None
    session.info[_REVISION_KEY] = (session.get_transaction(), revision)
    return revision


def _fresh_while_loading(state: Any) -> None:
    """What a cached value is loaded from is read from the database, never from objects the
    session already holds (with ``expire_on_commit=False`` those may predate the token)."""
    if state.session.info.get(_LOADING_KEY) and state.is_select:
        state.update_execution_options(populate_existing=True)


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
    if session.new or session.dirty or session.deleted:
        session.flush()  # the rows first, the token last: locks in one order whatever runs first
    if session.info.get(_CHANGED_KEY):
        session.connection().execute(
            sa.update(ConfigRevision).where(ConfigRevision.id == 1).values(token=uuid.uuid4().hex)
        )


def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the session's own transaction: committed or rolled back
        session.info.pop(_REVISION_KEY, None)
        session.info.pop(_CHANGED_KEY, None)
        session.info.pop(_LOADING_KEY, None)


def install() -> None:
    """Hook every Session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_transaction_end", _ended)
        event.listen(Session, "do_orm_execute", _fresh_while_loading)
