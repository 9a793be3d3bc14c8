"""Concurrent capture on PostgreSQL: two stations consuming the same lot at the same moment never
over-consume it, and one idempotency key sent twice at once is recorded once.

This needs real, concurrent, committing transactions, which the per-test outer transaction of
``conftest.py`` cannot give: the module creates a database of its own next to
``LOTLINE_TEST_POSTGRES_URL``, migrates it with the real Alembic history, builds the capture tests'
plant (``lotline.platform.demo``) through the API with committed data, and drops the database at the end.
Each thread has its own Flask test client and session cookie (so its own request, SQLAlchemy
session and database connection); a ``threading.Barrier`` releases the two requests together.
SQLite is not tested here: it serialises writers with one database lock and has no row locks.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from lotline.platform import migrate
from lotline.platform.app import create_app
from lotline.platform.config import load_config
from lotline.platform.demo import RES_GTIN, build

pytestmark = pytest.mark.postgres

POSTGRES_URL = os.environ.get("LOTLINE_TEST_POSTGRES_URL")
PASSWORD = "Correct-Horse-42"
EVENT_TIME = "2026-11-28T09:30:00+08:00"


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    """A fresh database of this module's own, migrated to head; dropped afterwards."""
    if not POSTGRES_URL:
        message = "LOTLINE_TEST_POSTGRES_URL is not set: concurrent row locking needs PostgreSQL"
        if os.environ.get("LOTLINE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{message} and LOTLINE_REQUIRE_SERVICES=1")
        pytest.skip(message)
    server = sa.make_url(POSTGRES_URL)
    name = f"lotline_concurrency_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(load_config({"DATABASE_URL": url}))
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@dataclass
class Client:
    """A test client signed in as one user, with its own cookie jar and CSRF token."""

    client: FlaskClient
    csrf: str

    def get(self, path: str) -> Any:
        return self.client.get(path, headers={"X-CSRF-Token": self.csrf})

    def post(self, path: str, json: Any) -> Any:
        return self.client.post(path, json=json, headers={"X-CSRF-Token": self.csrf})


@dataclass
class Plant:
    app: Flask
    url: str

    def sign_in(self, username: str) -> Client:
        client = self.app.test_client()
        response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.get_json()
        return Client(client, response.get_json()["csrf_token"])

    def scalar(self, sql: str, **params: Any) -> Any:
        """Read what is committed, through a connection of its own."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(sql), params).scalar_one()
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def plant(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plant]:
    """A committing app: organisation, two operators, and the capture plant built through the API."""
    from lotline.platform.audit import service as audit
    from lotline.platform.auth import service
    from lotline.platform.db import get_session

    instance = Path(tmp_path_factory.mktemp("concurrency"))
    app = create_app(
        {
            "TESTING": True,
            "LOG_LEVEL": "WARNING",
            "INSTANCE_PATH": str(instance / "instance"),
            "SECRET_KEY": "test-secret-not-for-production",
            "REDIS_URL": None,
            "PASSWORD_HASHING": "test-only-fast",
            "DATABASE_URL": database_url,
        }
    )
    with app.app_context():
        session = get_session()
        audit.set_actor(session, audit.system_actor("test-harness"))
        result = service.bootstrap(session, password=PASSWORD + "!")
        service.change_password(session, result.admin.id, PASSWORD + "!", PASSWORD)
        for username in ("olga", "oscar"):
            user, _ = service.create_user(
                session,
                result.organisation.id,
                username=username,
                full_name=username.title(),
                roles=[{"role": "operator", "site_id": None}],
                password=PASSWORD,
            )
            user.must_change_password = False
        session.commit()
    plant = Plant(app, database_url)
    build(plant.sign_in("admin"))
    yield plant
    app.extensions["lotline_db"].engine.dispose()


def body(node: str, subject: str, payload: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    flow = "goods-in" if node == "receive" else "widget-line"
    return {
        "idempotency_key": key or uuid.uuid4().hex,
        "flow": flow,
        "node": node,
        "subject": subject,
        "station": "ST-1",
        "payload": payload,
        "event_time": EVENT_TIME,
    }


def receive(client: Client, lot: str, qty: int) -> int:
    response = client.post(
        "/api/records", json=body("receive", lot, {"lot": f"]d201{RES_GTIN}10{lot}", "qty": qty})
    )
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["created_items"][0]["id"])


def assembly(serial: str, lot: str, qty: int, key: str | None = None) -> dict[str, Any]:
    return body("assemble", serial, {"components": [{"lot": lot, "qty": qty}], "tool": "TQ-7"}, key)


@dataclass
class Outcome:
    status: int
    answer: dict[str, Any]
    started: float
    ended: float


def at_once(calls: list[tuple[Client, dict[str, Any]]]) -> list[Outcome]:
    """POST each body to /api/records from its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | BaseException | None] = [None] * len(calls)

    def run(index: int, client: Client, record: dict[str, Any]) -> None:
        try:
            barrier.wait(timeout=30)
            started = time.monotonic()
            response = client.post("/api/records", json=record)
            outcomes[index] = Outcome(response.status_code, response.get_json(), started, time.monotonic())
        except BaseException as error:  # handed to the main thread
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a capture request hung (lock never released?)"
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    results = [o for o in outcomes if isinstance(o, Outcome)]
    assert len(results) == len(calls)
    # The requests really ran at the same time: each started before the other ended.
    assert max(o.started for o in results) < min(o.ended for o in results)
    return results


def lot_state(client: Client, lot: str, item_id: int) -> tuple[float, str, float, float]:
    [item] = client.get(f"/api/items/search?q={lot}").get_json()
    balance = client.get(f"/api/items/{item_id}/mass-balance").get_json()
    return item["remaining"], item["status"], balance["consumed"], balance["difference"]


@pytest.mark.parametrize(
    ("first", "second"),
    [(60, 60)] * 5 + [(60, 40), (40, 50)],
    ids=[f"60+60-round{i}" for i in range(1, 6)] + ["60+40-fits-exactly", "40+50-fits"],
)
def test_two_stations_consuming_one_lot_at_once_never_over_consume_it(
    plant: Plant, first: int, second: int
) -> None:
    olga, oscar = plant.sign_in("olga"), plant.sign_in("oscar")
    run = uuid.uuid4().hex[:6].upper()
    lot = f"CC-{run}"
    lot_id = receive(olga, lot, 100)

    outcomes = at_once(
        [(olga, assembly(f"SN-{run}-A", lot, first)), (oscar, assembly(f"SN-{run}-B", lot, second))]
    )

    remaining, status, consumed, difference = lot_state(olga, lot, lot_id)
    if first + second <= 100:
        assert [o.status for o in outcomes] == [201, 201], [o.answer for o in outcomes]
        assert (remaining, consumed) == (100 - first - second, first + second)
        assert status == ("consumed" if first + second == 100 else "released")
    else:
        assert sorted(o.status for o in outcomes) == [201, 422], [o.answer for o in outcomes]
        won = next(o for o in outcomes if o.status == 201)
        lost = next(o for o in outcomes if o.status == 422)
        taken = first if won is outcomes[0] else second
        errors = [(e["field"], e["code"], e["params"]["remaining"]) for e in lost.answer["errors"]]
        assert errors == [("payload.components[0].lot", "quantity_exceeds_remaining", str(100 - taken))]
        assert (remaining, consumed, status) == (100 - taken, taken, "released")
        loser = f"SN-{run}-{'B' if won is outcomes[0] else 'A'}"
        assert olga.get(f"/api/items/search?q={loser}").get_json() == []  # nothing partial
    assert remaining >= 0 and difference == 0.0
    assert plant.scalar("SELECT remaining FROM item WHERE id = :id", id=lot_id) == remaining


@pytest.mark.parametrize(
    ("node", "round_"),
    [("assemble", 1), ("assemble", 2), ("final_test", 1), ("final_test", 2)],
    ids=["start-step-1", "start-step-2", "later-step-1", "later-step-2"],
)
def test_one_idempotency_key_sent_twice_at_once_is_recorded_once(
    plant: Plant, node: str, round_: int
) -> None:
    """A tablet retries while its first request is still running: one record, one consumption, and
    the retry gets the first answer (or a conflict), never a server error. On the start step the
    two requests also race to open the unit's flow instance; on a later step it exists already."""
    first, retry = plant.sign_in("olga"), plant.sign_in("olga")
    run = uuid.uuid4().hex[:6].upper()
    lot, serial, key = f"IK-{run}", f"SN-{run}", f"tablet-{run}-{round_:04d}"
    lot_id = receive(first, lot, 100)
    if node == "assemble":
        record = assembly(serial, lot, 10, key)
    else:
        assert first.post("/api/records", json=assembly(serial, lot, 10)).status_code == 201
        record = body("final_test", serial, {"voltage": "5.0"}, key)

    outcomes = at_once([(first, record), (retry, record)])

    statuses = sorted(o.status for o in outcomes)
    assert statuses in ([201, 201], [201, 409]), [(o.status, o.answer) for o in outcomes]
    assert plant.scalar("SELECT count(*) FROM record WHERE idempotency_key = :key", key=key) == 1
    record_id = plant.scalar("SELECT id FROM record WHERE idempotency_key = :key", key=key)
    accepted = [o.answer for o in outcomes if o.status == 201]
    assert all(a["record"]["id"] == record_id for a in accepted)
    if statuses == [201, 201]:
        assert sorted(bool(a.get("replayed")) for a in accepted) == [False, True]
    remaining, _status, consumed, difference = lot_state(first, lot, lot_id)
    assert (remaining, consumed, difference) == (90.0, 10.0, 0.0)


@pytest.mark.parametrize("round_", [1, 2, 3])
def test_two_stations_recording_one_step_of_one_unit_at_once_record_it_once(
    plant: Plant, round_: int
) -> None:
    """Two stations submit the unit's final test at the same moment (different keys): the outcome
    is the one of some serial order, the second refused as out of sequence, one test recorded."""
    olga, oscar = plant.sign_in("olga"), plant.sign_in("oscar")
    run = uuid.uuid4().hex[:6].upper()
    lot, serial = f"ST-{run}", f"SN-{run}"
    receive(olga, lot, 100)
    assert olga.post("/api/records", json=assembly(serial, lot, 1)).status_code == 201

    outcomes = at_once(
        [(station, body("final_test", serial, {"voltage": "5.0"})) for station in (olga, oscar)]
    )

    assert sorted(o.status for o in outcomes) == [201, 422], [(o.status, o.answer) for o in outcomes]
    refused = next(o for o in outcomes if o.status == 422)
    assert [e["code"] for e in refused.answer["errors"]] == ["step.out_of_sequence"]
    tests = plant.scalar(
        "SELECT count(*) FROM record r JOIN flow_instance f ON f.id = r.flow_instance_id"
        " WHERE f.subject = :serial AND r.node = 'final_test'",
        serial=serial,
    )
    assert tests == 1
