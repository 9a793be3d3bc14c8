"""PostgreSQL connections: a pooled connection that sat idle is checked before it is handed out,
so one the server has closed meanwhile (a restart, a failover, an idle timeout) is replaced, not
given to a request; one checked in a moment ago is handed out as it is (no round trip)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from lotline.platform import db
from tests.conftest import POSTGRES_URL, require_service


@pytest.fixture
def engine() -> sa.Engine:
    url = require_service(POSTGRES_URL, "LOTLINE_TEST_POSTGRES_URL")
    made = db.make_engine(url)
    yield made  # type: ignore[misc]
    made.dispose()


def backend_pid(conn: sa.Connection) -> int:
    return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def used_then_closed_by_the_server(engine: sa.Engine) -> int:
    """A connection used and given back to the pool, then ended by the server: its backend pid."""
    with engine.connect() as conn:
        pid = backend_pid(conn)
    with sa.create_engine(engine.url, poolclass=sa.pool.NullPool).connect() as admin:
        assert admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    return pid


def test_an_idle_connection_the_server_closed_is_replaced_before_use(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "IDLE_PING_AFTER_S", 0.2)
    first = used_then_closed_by_the_server(engine)
    time.sleep(0.3)

    with engine.connect() as conn:  # idle long enough: pinged, found dead, replaced
        assert backend_pid(conn) != first
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "IDLE_PING_AFTER_S", 60.0)
    first = used_then_closed_by_the_server(engine)
    time.sleep(0.1)

    # not pinged: the dead connection is handed out and its first statement fails (then the
    # pool drops it), which is the price of no round trip per checkout within the window
    with pytest.raises(sa.exc.DBAPIError) as failed, engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    assert failed.value.connection_invalidated
    with engine.connect() as conn:
        assert backend_pid(conn) != first
