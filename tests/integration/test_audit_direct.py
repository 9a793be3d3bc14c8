"""Direct writes (``audit.direct``, the capture path's Core statements) leave the same audit
trail and the same objects as the unit of work: the same entries for the same changes, the
same refusals (no actor, no reason where one is required, an immutable row, a pending change),
and nothing to flush afterwards. Compared side by side on a model that uses every audit option."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import JSON, Integer, MetaData, String
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lotline.platform import refcache
from lotline.platform.audit import direct
from lotline.platform.audit import service as audit_service
from lotline.platform.audit.capture import AuditActorMissing, AuditReasonRequired
from lotline.platform.audit.models import AuditEntry
from lotline.platform.db import ImmutableRowError, get_session, transaction, utcnow
from lotline.platform.masterdata.models import Material


class DirectBase(DeclarativeBase):
    metadata = MetaData()


class Sample(DirectBase):
    """Every option a model may set: excluded, redacted and JSON columns, an action per field,
    details, defaults (a value and a callable), a reason for changes."""

    __tablename__ = "test_direct_sample"
    __audited__ = True
    __audit_type__ = "sample"
    __audit_exclude__ = frozenset({"touched"})
    __audit_redact__ = frozenset({"secret"})
    __audit_actions__: ClassVar[dict[str, str]] = {"modify:status": "status_change"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="released")
    secret: Mapped[str | None] = mapped_column(String(40), default=None)
    touched: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    made_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def __audit_details__(self) -> dict[str, object]:
        return {"code": self.code}


class Signed(DirectBase):
    __tablename__ = "test_direct_signed"
    __audited__ = True
    __audit_reason_required__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer)


class Frozen(DirectBase):
    __tablename__ = "test_direct_frozen"
    __immutable__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


@pytest.fixture
def tables(app: Flask, connection: Connection, org: Any) -> Iterator[Any]:
    """The tables exist only inside this test's transaction; changes are made as a named actor."""
    DirectBase.metadata.create_all(connection)
    session = get_session()
    audit_service.set_actor(session, audit_service.system_actor("direct-test", org.organisation.id))
    yield org
    audit_service.set_actor(session, None)


def _when(changes: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Changes with the moment a default stamped replaced by a mark (two rows, two moments)."""
    return [
        {**c, "new": "<moment>"} if c["field"] == "made_at" and c["new"] else c for c in changes or []
    ] or None


def _entries(object_id: int, object_type: str = "sample") -> list[dict[str, Any]]:
    """What an entry says (not where it sits in the chain, nor when)."""
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id)
    )
    return [
        {
            "action": e.action,
            "changes": _when(e.changes),
            "details": e.details,
            "organisation_id": e.organisation_id,
            "actor": e.actor_username,
            "reason": e.reason,
        }
        for e in get_session().scalars(query)
    ]


def _sample(org: Any, code: str) -> Sample:
    return Sample(
        organisation_id=org.organisation.id, code=code, secret="s3cret", payload={"a": {"b": 1}, "c": [1, 2]}
    )


def test_adding_and_changing_directly_audits_like_a_flush(tables: Any) -> None:
    session = get_session()
    with transaction(session):
        flushed, written = _sample(tables, "SAME"), _sample(tables, "SAME")
        session.add(flushed)
        session.flush()
        direct.add(session, [written])
    assert written.id is not None and written.id != flushed.id
    assert written.status == "released" and written.touched == 0 and written.made_at is not None
    assert _entries(written.id) == _entries(flushed.id)
    created = {c["field"]: c["new"] for c in _entries(written.id)[0]["changes"]}
    assert created["secret"] == "[redacted]" and "touched" not in created
    assert created["payload"] == {"a": {"b": 1}, "c": [1, 2]}

    change = {"status": "hold", "payload": {"a": {"b": 2}, "c": [1, 2]}, "secret": "other", "touched": 5}
    with transaction(session):
        for key, value in change.items():
            setattr(flushed, key, value)
        session.flush()
        direct.update(session, written, change)
    assert _entries(written.id) == _entries(flushed.id)
    modified = _entries(written.id)[1:]
    assert {e["action"]: [c["field"] for c in e["changes"]] for e in modified} == {
        "modify": ["secret", "payload.a.b"],
        "status_change": ["status"],
    }
    stored = session.execute(sa.select(Sample.__table__).where(Sample.id == written.id)).mappings().one()
    assert (stored["status"], stored["touched"], stored["payload"]) == ("hold", 5, change["payload"])


def test_directly_written_objects_are_loaded_and_detached_with_nothing_left_to_flush(tables: Any) -> None:
    session = get_session()
    with transaction(session):
        several = [_sample(tables, f"S-{n}") for n in range(3)]
        direct.add(session, several)
        assert not session.new and not session.dirty
        assert all(sa.inspect(s).detached for s in several)
        assert session.get(Sample, several[1].id).code == "S-1"  # the session loads its own copy
        direct.update(session, several[0], {"status": "hold"})
        assert several[0].status == "hold" and not sa.inspect(several[0]).modified
        unchanged = len(_entries(several[2].id))
        direct.update(session, several[2], {"status": "released"})  # no change: no statement
        assert len(_entries(several[2].id)) == unchanged
    ids = [s.id for s in several]
    assert ids == sorted(ids) and len(set(ids)) == 3
    codes = session.scalars(sa.select(Sample.code).where(Sample.id.in_(ids)).order_by(Sample.id))
    assert list(codes) == ["S-0", "S-1", "S-2"]  # ids returned in the order the rows were given


def test_a_rolled_back_savepoint_leaves_nothing_behind_for_the_next_write(tables: Any) -> None:
    """A batch refuses one record after its first rows were written: the next record's rows may
    get the same ids (SQLite reuses the highest rowid) and must be written all the same."""
    session = get_session()
    with transaction(session):
        refused = session.begin_nested()
        gone = _sample(tables, "REFUSED")
        direct.add(session, [gone])
        refused.rollback()
        kept = _sample(tables, "KEPT")
        direct.add(session, [kept])
        direct.update(session, kept, {"status": "hold"})
    assert session.get(Sample, kept.id).status == "hold"
    codes = session.scalars(sa.select(Sample.code).where(Sample.code.in_(["REFUSED", "KEPT"])))
    assert list(codes) == ["KEPT"]
    assert [e["action"] for e in _entries(kept.id)] == ["create", "status_change"]


def test_direct_writes_refuse_what_the_unit_of_work_refuses(tables: Any) -> None:
    session = get_session()
    with transaction(session):
        signed = Signed(organisation_id=tables.organisation.id, value=1)
        frozen = Frozen(value=1)
        direct.add(session, [signed])
        direct.add(session, [frozen])
    with pytest.raises(AuditReasonRequired), transaction(session):
        direct.update(session, signed, {"value": 2})
    assert session.scalar(sa.select(Signed.value).where(Signed.id == signed.id)) == 1
    with transaction(session):
        audit_service.set_reason(session, "typo on the label")
        direct.update(session, signed, {"value": 2})
    assert _entries(signed.id, "test_direct_signed")[-1]["reason"] == "typo on the label"

    with pytest.raises(ImmutableRowError), transaction(session):
        direct.update(session, frozen, {"value": 2})

    sample = _sample(tables, "PENDING")
    with transaction(session):
        direct.add(session, [sample])
    with pytest.raises(RuntimeError, match="unflushed change"), transaction(session):
        sample.status = "hold"  # changed through the ORM and not flushed: never silently dropped
        direct.update(session, sample, {"status": "scrapped"})

    audit_service.set_actor(session, None)
    with pytest.raises(AuditActorMissing), transaction(session):
        direct.add(session, [_sample(tables, "NOBODY")])
    assert session.scalar(sa.select(sa.func.count()).where(Sample.code == "NOBODY")) == 0


def test_a_direct_write_to_reference_data_starts_a_new_revision(tables: Any) -> None:
    session = get_session()
    before = session.scalar(sa.select(refcache.ConfigRevision.token))
    with transaction(session):
        material = Material(organisation_id=tables.organisation.id, code="DIRECT", kind="raw", uom="ea")
        direct.add(session, [material])
    assert session.scalar(sa.select(refcache.ConfigRevision.token)) != before


def test_changing_several_at_once_audits_each_like_a_flush(tables: Any) -> None:
    session = get_session()
    with transaction(session):
        flushed = [_sample(tables, f"F-{n}") for n in range(3)]
        written = [_sample(tables, f"F-{n}") for n in range(3)]
        session.add_all(flushed)
        session.flush()
        direct.add(session, written)
    changes = [{"status": "hold"}, {"payload": {"a": {"b": 9}}}, {"status": "hold", "touched": 2}]
    with transaction(session):
        for obj, values in zip(flushed, changes, strict=True):
            for key, value in values.items():
                setattr(obj, key, value)
        session.flush()
        direct.update_all(session, list(zip(written, changes, strict=True)))
    for twin, obj in zip(flushed, written, strict=True):
        assert _entries(obj.id) == _entries(twin.id)
    stored = session.execute(
        sa.select(Sample.status, Sample.touched, Sample.payload)
        .where(Sample.id.in_([w.id for w in written]))
        .order_by(Sample.id)
    )
    assert [tuple(row) for row in stored] == [
        ("hold", 0, {"a": {"b": 1}, "c": [1, 2]}),
        ("released", 0, {"a": {"b": 9}}),
        ("hold", 2, {"a": {"b": 1}, "c": [1, 2]}),
    ]


def test_a_rollback_forgets_the_values_it_undid(tables: Any) -> None:
    """What a rolled-back savepoint changed is read again from the database, as after a flush."""
    session = get_session()
    with transaction(session):
        direct.add(session, [_sample(tables, "UNDONE")])
    loaded = session.scalars(sa.select(Sample).where(Sample.code == "UNDONE")).one()
    with transaction(session):
        refused = session.begin_nested()
        direct.update(session, loaded, {"status": "scrapped"})
        assert loaded.status == "scrapped"
        refused.rollback()
        assert loaded.status == "released"  # expired by the rollback, loaded again
        kept = session.begin_nested()
        direct.update(session, loaded, {"status": "hold"})
        kept.commit()
    assert loaded.status == "hold"
    assert [e["action"] for e in _entries(loaded.id)] == ["create", "status_change"]
