"""The data layer: declarative base, column types, engine, per-request session, transactions.

* ``Base``: SQLAlchemy 2 typed declarative base whose ``MetaData`` names every constraint, so
  Alembic migrations are reproducible on SQLite and PostgreSQL.
* ``JSONType``: JSON everywhere, JSONB on PostgreSQL. ``UTCDateTime``: timezone-aware UTC
  datetimes on both engines (SQLite has no time zones).
* ``Database``: the Flask extension holding the engine and session factory. ``session()`` gives
  the request's session (closed at the end of the app context).
* ``transaction(session)``: the one helper the service boundary uses. It commits once, rolls back
  on any error, and only after a successful commit runs the callbacks queued with
  ``after_commit(session, fn)`` (job enqueueing lives there).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; naive values are refused rather than guessed."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONType,
        list[str]: JSONType,
        list[int]: JSONType,
        list[Any]: JSONType,
        datetime: UTCDateTime,
    }


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; SQLAlchemy emits BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL and foreign keys, files get their folder made."""
    parsed = sa.engine.make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            os.makedirs(os.path.dirname(os.path.abspath(database)), exist_ok=True)
    else:
        kwargs.update(pool_size=10, max_overflow=20)
    engine = sa.create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    else:
        _ping_idle_connections(engine)
    # A forked worker (RQ work horse, gunicorn) must not reuse the parent's sockets.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


IDLE_PING_AFTER_S = 1.0


def _ping_idle_connections(engine: Engine) -> None:
    """Pessimistic disconnect handling, as ``pool_pre_ping``, but only for a connection that sat
    in the pool for ``IDLE_PING_AFTER_S`` or longer (HikariCP's alive-bypass window): one that came
    back a moment ago was alive then, and a ping per checkout is a round trip on every request.
    A connection found dead is replaced before it is handed out (the pool retries on
    ``DisconnectionError``)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["lotline_checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("lotline_checked_in", None)
        if since is None or time.monotonic() - since < IDLE_PING_AFTER_S:
            return  # new (just connected) or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError(str(error)) from error


class Database:
    """Flask extension: engine + session factory, one session per app context."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session_factory: sessionmaker[Session] | None = None

    def init_app(self, app: Flask) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"], app.config.get("DATABASE_ECHO", False))
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        app.extensions["lotline_db"] = self
        app.teardown_appcontext(self._close_session)

    def bind_connection(self, connection: Connection) -> None:
        """Tests: every session joins ``connection``'s transaction through SAVEPOINTs."""
        self.session_factory = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

    def new_session(self) -> Session:
        assert self.session_factory is not None, "Database.init_app was not called"
        return self.session_factory()

    def session(self) -> Session:
        if "lotline_session" not in g:
            g.lotline_session = self.new_session()
        session: Session = g.lotline_session
        return session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("lotline_session", None)
        if session is not None:
            session.close()


def get_db() -> Database:
    db: Database = current_app.extensions["lotline_db"]
    return db


def get_session() -> Session:
    """The current request's (or job's) session."""
    return get_db().session()


_AFTER_COMMIT = "lotline_after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once ``transaction(session)`` has committed; dropped on rollback."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


_DEPTH = "lotline_transaction_depth"


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """The service boundary's unit of work: commit once on success, roll back on any error.

    Re-entrant: a service that calls another service inside its own ``transaction`` makes the
    inner one part of the outer unit of work (only the outermost commits). Callbacks queued with
    ``after_commit`` run after the commit has returned, so a job never sees a row that was not
    committed, and nothing is enqueued for work that was rolled back.
    """
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
            session.info.pop(_AFTER_COMMIT, None)
        raise
    finally:
        session.info[_DEPTH] = depth
    if depth == 0:
        for callback in session.info.pop(_AFTER_COMMIT, []):
            callback()


class ImmutableRowError(RuntimeError):
    """Raised when code tries to change or delete a row of an ``__immutable__`` model."""


_FRESH = "lotline_fresh_immutable"


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_immutable_rows(session: Session, _context: Any, _instances: Any) -> None:
    """Published versions, records and the like are never edited in place, by any code path.

    A row may still be completed inside the transaction that creates it (e.g. a record's stored
    answer, which needs the record's id); once committed it is frozen.
    """
    fresh: set[int] = session.info.setdefault(_FRESH, set())
    for obj in session.deleted:
        if getattr(obj, "__immutable__", False):
            raise ImmutableRowError(f"{type(obj).__name__} rows cannot be deleted")
    for obj in session.dirty:
        if (
            getattr(obj, "__immutable__", False)
            and id(obj) not in fresh
            and session.is_modified(obj, include_collections=False)
        ):
            raise ImmutableRowError(f"{type(obj).__name__} rows cannot be changed")
    fresh.update(id(obj) for obj in session.new if getattr(obj, "__immutable__", False))


@event.listens_for(Session, "after_transaction_end")
def _forget_fresh_rows(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_FRESH, None)
