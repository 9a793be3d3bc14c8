"""Tamper evidence, straight against the database: edit, delete, reorder or forge an entry and
verification names the first broken entry; PostgreSQL itself refuses UPDATE/DELETE/TRUNCATE."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from sqlalchemy.engine import Connection

from lotline.platform import migrate
from lotline.platform.app import create_app
from lotline.platform.audit import chain
from lotline.platform.audit import service as audit_service
from lotline.platform.audit.models import STREAMS, AuditEntry
from lotline.platform.auth import service as auth_service
from lotline.platform.auth.models import Site
from lotline.platform.cli import main
from lotline.platform.config import load_config
from lotline.platform.db import get_session, transaction

APPEND_ONLY_TRIGGER = "audit_entry_append_only"


@pytest.fixture
def stream(org: Any, backend: str, connection: Connection) -> list[Any]:
    """Five entries in one stream (one transaction), the trail verified intact; on PostgreSQL the
    append-only trigger is disabled for this test's transaction only (a superuser can)."""
    session = get_session()
    with transaction(session):
        for i in range(5):
            audit_service.record(session, "print", "label", f"L-{i}", details={"copies": i + 1})
    if backend == "postgresql":
        connection.exec_driver_sql(f"ALTER TABLE audit_entry DISABLE TRIGGER {APPEND_ONLY_TRIGGER}")
    assert audit_service.verify(session).ok
    newest = session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(5))
    columns = [c.name for c in AuditEntry.__table__.columns]
    return [SimpleNamespace(**{name: getattr(e, name) for name in columns}) for e in newest][::-1]


def sql(statement: str, **params: Any) -> None:
    get_session().execute(sa.text(statement), params)
    get_session().expire_all()


def first_broken() -> chain.Break:
    result = audit_service.verify(get_session())
    assert not result.ok and result.seal is None
    assert result.first_broken is not None
    return result.first_broken


def test_editing_a_value_is_a_hash_mismatch_at_that_entry(stream: list[Any]) -> None:
    sql("UPDATE audit_entry SET details = :d WHERE id = :id", d='{"copies": 300}', id=stream[2].id)
    broken = first_broken()
    assert (broken.entry_id, broken.reason, broken.seq) == (stream[2].id, "hash_mismatch", stream[2].seq)


def test_editing_the_printed_name_is_caught_too(stream: list[Any]) -> None:
    sql("UPDATE audit_entry SET actor_name = 'Somebody Else' WHERE id = :id", id=stream[1].id)
    assert (first_broken().entry_id, first_broken().reason) == (stream[1].id, "hash_mismatch")


def test_deleting_an_entry_is_a_gap_named_at_the_next_one(stream: list[Any]) -> None:
    sql("DELETE FROM audit_entry WHERE id = :id", id=stream[2].id)
    broken = first_broken()
    assert (broken.entry_id, broken.reason) == (stream[3].id, "gap")
    assert f"seq {stream[2].seq} missing" in broken.detail


def test_deleting_the_last_entry_truncates_the_stream(stream: list[Any]) -> None:
    last = stream[-1]
    sql("DELETE FROM audit_entry WHERE id = :id", id=last.id)
    broken = first_broken()
    assert (broken.entry_id, broken.reason, broken.stream, broken.seq) == (
        None,
        "truncated",
        last.stream,
        last.seq,
    )


def test_swapping_two_entries_is_reordered(stream: list[Any]) -> None:
    a, b = stream[1], stream[2]
    sql("UPDATE audit_entry SET seq = -1 WHERE id = :id", id=a.id)
    sql("UPDATE audit_entry SET seq = :s WHERE id = :id", s=a.seq, id=b.id)
    sql("UPDATE audit_entry SET seq = :s WHERE id = :id", s=b.seq, id=a.id)
    assert (first_broken().entry_id, first_broken().reason) == (a.id, "reordered")


def test_moving_an_entry_in_storage_order_is_reordered(stream: list[Any]) -> None:
    a, b = stream[1], stream[2]
    spare = 10**12
    sql("UPDATE audit_entry SET id = :x WHERE id = :id", x=spare, id=a.id)
    sql("UPDATE audit_entry SET id = :x WHERE id = :id", x=a.id, id=b.id)
    sql("UPDATE audit_entry SET id = :x WHERE id = :id", x=b.id, id=spare)
    assert (first_broken().entry_id, first_broken().reason) == (a.id, "reordered")


def _forge(template: Any, **changes: Any) -> int:
    row = {c.name: getattr(template, c.name) for c in AuditEntry.__table__.columns if c.name != "id"}
    row.update(changes)
    result = get_session().execute(sa.insert(AuditEntry.__table__).values(**row))
    get_session().expire_all()
    return int(result.inserted_primary_key[0])


def test_a_forged_entry_with_a_made_up_hash_is_a_hash_mismatch(stream: list[Any]) -> None:
    last = stream[-1]
    forged = _forge(last, seq=last.seq + 1, prev_hash=last.hash, action="approve", hash="f" * 64)
    assert (first_broken().entry_id, first_broken().reason) == (forged, "hash_mismatch")


def test_a_forged_entry_with_a_correct_hash_lies_beyond_the_stream_head(stream: list[Any]) -> None:
    last = stream[-1]
    fields = {c.name: getattr(last, c.name) for c in AuditEntry.__table__.columns}
    fields.update(seq=last.seq + 1, action="approve", object_id="L-forged")
    forged = _forge(
        last,
        seq=last.seq + 1,
        prev_hash=last.hash,
        action="approve",
        object_id="L-forged",
        hash=chain.entry_hash(last.hash, fields),
    )
    assert (first_broken().entry_id, first_broken().reason) == (forged, "beyond_head")


def test_a_forged_entry_pointing_elsewhere_is_a_broken_link(stream: list[Any]) -> None:
    last = stream[-1]
    fields = {c.name: getattr(last, c.name) for c in AuditEntry.__table__.columns}
    fields.update(seq=last.seq + 1)
    prev = stream[0].hash
    forged = _forge(last, seq=last.seq + 1, prev_hash=prev, hash=chain.entry_hash(prev, fields))
    assert (first_broken().entry_id, first_broken().reason) == (forged, "broken_link")


def test_the_first_broken_entry_is_the_earliest(stream: list[Any]) -> None:
    sql("UPDATE audit_entry SET reason = 'x' WHERE id = :id", id=stream[4].id)
    sql("UPDATE audit_entry SET reason = 'y' WHERE id = :id", id=stream[1].id)
    assert first_broken().entry_id == stream[1].id


def test_verify_over_the_api_names_the_break(stream: list[Any], admin_client: Any) -> None:
    intact = admin_client.get("/api/audit/verify").get_json()
    assert intact["ok"] is True and intact["streams"] == STREAMS and len(intact["seal"]) == 64
    sql("UPDATE audit_entry SET object_id = 'L-99' WHERE id = :id", id=stream[0].id)
    body = admin_client.get("/api/audit/verify").get_json()
    assert body["ok"] is False and body["seal"] is None
    assert body["first_broken"]["entry_id"] == stream[0].id
    assert body["first_broken"]["reason"] == "hash_mismatch"
    assert "no longer matches" in body["first_broken"]["message"]


# --- PostgreSQL refuses by itself -------------------------------------------------------------


@pytest.fixture
def pg_entries(org: Any, backend: str) -> AuditEntry:
    if backend != "postgresql":
        pytest.skip("PostgreSQL triggers")
    return get_session().scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).first()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET reason = 'rewritten' WHERE id = {id}",
        "DELETE FROM audit_entry WHERE id = {id}",
        "TRUNCATE audit_entry",
        "DELETE FROM audit_stream WHERE id = 1",
        "TRUNCATE e_signature CASCADE",
        "UPDATE audit_stream SET seq = 0, head_hash = '{zero}' WHERE seq > 0",
    ],
)
def test_postgres_refuses_changes_to_the_trail(
    pg_entries: AuditEntry, connection: Connection, statement: str
) -> None:
    sql_text = statement.format(id=pg_entries.id, zero="0" * 64)
    savepoint = connection.begin_nested()
    with pytest.raises(sa.exc.DBAPIError) as refused:
        connection.exec_driver_sql(sql_text)
    savepoint.rollback()
    assert "lotline:" in str(refused.value.orig)
    assert audit_service.verify(get_session()).ok


def test_postgres_still_lets_the_chain_append(pg_entries: AuditEntry, org: Any) -> None:
    auth_service.create_site(get_session(), org.organisation.id, "PGOK", "Appended")
    assert audit_service.verify(get_session()).ok


# --- concurrency (PostgreSQL, real parallel transactions) -------------------------------------


@pytest.fixture
def own_schema(backend: str, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A schema of its own with committed data (the shared test schema stays clean)."""
    if backend != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    schema = "lotline_audit_concurrency"
    admin = sa.create_engine(database_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = sa.engine.make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    migrate.upgrade(load_config({"DATABASE_URL": url_text}))
    app = create_app(
        {
            "DATABASE_URL": url_text,
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "x",
            "PASSWORD_HASHING": "test-only-fast",
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        session = app.extensions["lotline_db"].new_session()
        auth_service.bootstrap(session, password="Correct-Horse-42!")
        session.close()
        yield app
    app.extensions["lotline_db"].engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


def _writer_session(app: Flask) -> Any:
    session = app.extensions["lotline_db"].new_session()
    audit_service.set_actor(session, audit_service.system_actor("concurrency-test", 1))
    return session


def test_a_writer_holding_a_stream_does_not_block_another(own_schema: Flask) -> None:
    """With one global head, B would wait for A's commit; with streams it commits at once."""
    a, b = _writer_session(own_schema), _writer_session(own_schema)
    try:
        a.add(Site(organisation_id=1, code="A", name="Held open"))
        a.flush()  # A's entry is buffered until A commits or reads the audit tables:
        a.scalar(sa.select(AuditEntry.id).limit(1))  # this read writes it: A holds its stream now
        b.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        with transaction(b):
            b.add(Site(organisation_id=1, code="B", name="Not blocked"))
        a.commit()
        entries = list(
            b.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.object_type == "site")
                .order_by(AuditEntry.id.desc())
                .limit(2)
            )
        )
        assert len({e.stream for e in entries}) == 2
        assert audit_service.verify(b).ok
    finally:
        a.close()
        b.close()


def test_eight_concurrent_writers_leave_every_chain_intact(own_schema: Flask) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        with own_schema.app_context():
            session = _writer_session(own_schema)
            try:
                for i in range(15):
                    with transaction(session):
                        session.add(Site(organisation_id=1, code=f"W{worker}-{i}", name=f"Writer {worker}"))
                        session.flush()
                        time.sleep(0.002)  # hold the stream a little, as real work would
                        session.add(Site(organisation_id=1, code=f"W{worker}-{i}b", name="second"))
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                session.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    session = own_schema.extensions["lotline_db"].new_session()
    try:
        result = audit_service.verify(session)
        written = session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.actor_username == "system:concurrency-test")
        )
        used = session.scalar(sa.select(sa.func.count(sa.distinct(AuditEntry.stream))))
    finally:
        session.close()
    assert result.ok, result.first_broken
    assert written == 8 * 15 * 2
    assert used > 1


# --- the command ------------------------------------------------------------------------------


def test_cli_verify_reports_intact_then_names_the_broken_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOTLINE_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("LOTLINE_DATABASE_URL", raising=False)
    monkeypatch.delenv("LOTLINE_REDIS_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["users", "bootstrap"]).exit_code == 0
    intact = runner.invoke(main, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "audit trail intact" in intact.output and "seal " in intact.output

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'instance' / 'lotline.db'}")
    with engine.begin() as conn:
        target = conn.execute(sa.text("SELECT id FROM audit_entry ORDER BY id LIMIT 1 OFFSET 2")).scalar_one()
        conn.execute(sa.text("UPDATE audit_entry SET actor_name = 'Mallory' WHERE id = :id"), {"id": target})
    engine.dispose()
    broken = runner.invoke(main, ["audit", "verify"])
    assert broken.exit_code == 1
    assert f"audit trail BROKEN: entry {target} " in broken.output and "hash_mismatch" in broken.output
