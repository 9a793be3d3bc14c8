"""Capture in the data layer: every change of an audited model becomes an entry, whatever code
path made it, with per-field old and new values; nothing is written without an actor."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import JSON, Float, Integer, MetaData, String
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lotline.form_engine.problems import ProblemsError
from lotline.platform.audit import service as audit_service
from lotline.platform.audit.models import AuditEntry, AuditStream
from lotline.platform.auth import service as auth_service
from lotline.platform.auth.models import Role, Site, User
from lotline.platform.db import get_session, transaction


class GmpBase(DeclarativeBase):
    metadata = MetaData()


class BatchRecord(GmpBase):
    """A stand-in for GMP data (records arrive later): corrections need a reason."""

    __tablename__ = "test_gmp_batch_record"
    __audited__ = True
    __audit_type__ = "batch_record"
    __audit_reason_required__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[float] = mapped_column(Float)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@pytest.fixture
def gmp_table(app: Flask, connection: Connection) -> Iterator[None]:
    """The table exists only inside this test's transaction (rolled back with it)."""
    GmpBase.metadata.create_all(connection)
    yield


def entries(**where: Any) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return list(get_session().scalars(query))


def changes_of(entry: AuditEntry) -> dict[str, tuple[Any, Any]]:
    return {c["field"]: (c["old"], c["new"]) for c in entry.changes or []}


def test_creating_a_user_records_every_value_but_never_a_secret(org: Any, make_user: Any) -> None:
    user = make_user("operator", pin="2468", badge="B-1")
    created = entries(action="create", object_type="user", object_id=str(user.id))
    assert len(created) == 1
    values = changes_of(created[0])
    assert values["username"] == (None, user.username)
    assert values["full_name"] == (None, user.full_name)
    assert values["badge"] == (None, "B-1")
    assert values["password_hash"] == (None, "[redacted]") and values["pin_hash"] == (None, "[redacted]")
    assert user.password_hash not in str(created[0].changes)
    assert created[0].actor_username == "system:test-harness" and created[0].actor_kind == "system"
    assert created[0].organisation_id == org.organisation.id

    grant = entries(action="permission_change", object_type="role_assignment")[-1]
    assert grant.details == {"role": "operator", "site_id": None}
    assert changes_of(grant)["user_id"] == (None, user.id)


def test_modifying_records_old_and_new_values_per_field(org: Any, make_user: Any) -> None:
    user = make_user("operator")
    session = get_session()
    auth_service.update_user(
        session, org.organisation.id, user.id, full_name="Renamed Tester", roles=[{"role": "quality"}]
    )
    modified = entries(action="modify", object_type="user", object_id=str(user.id))[-1]
    assert changes_of(modified)["full_name"] == (f"{user.username.title()} Tester", "Renamed Tester")
    grants = entries(action="permission_change", object_type="role_assignment")[-2:]
    assert {(g.details["role"], bool(changes_of(g)["role_id"][1])) for g in grants} == {
        ("quality", True),  # granted: old None, new role id
        ("operator", False),  # revoked: old role id, new None
    }


def test_an_expired_object_still_records_its_old_value(org: Any) -> None:
    session = get_session()
    site = auth_service.create_site(session, org.organisation.id, "P9", "Plant nine")
    session.expire(site)  # as after a rollback: the old value is not in memory any more
    with transaction(session):
        site.name = "Plant 9"
    assert changes_of(entries(action="modify", object_type="site")[-1]) == {"name": ("Plant nine", "Plant 9")}


def test_role_permission_changes_and_token_life_are_named_actions(org: Any, admin_actor: Any) -> None:
    session = get_session()
    role = auth_service.create_role(
        session,
        {"trace.read", "reports.read"},
        org.organisation.id,
        "viewer",
        "Viewer",
        "查看",
        ["trace.read"],
    )
    auth_service.update_role(
        session, {"trace.read", "reports.read"}, org.organisation.id, role.id, ["reports.read"]
    )
    change = entries(action="permission_change", object_type="role", object_id=str(role.id))
    assert changes_of(change[0])["permissions"] == (["trace.read"], ["reports.read"])

    token, secret = auth_service.create_token(
        session,
        organisation_id=org.organisation.id,
        created_by_id=org.admin.id,
        creator_permissions={"trace.read"},
        name="ERP",
        permissions=["trace.read"],
    )
    auth_service.resolve_token(session, secret)  # touches last_used_at: operational, not recorded
    auth_service.revoke_token(session, org.organisation.id, token.id)
    actions = [e.action for e in entries(object_type="api_token", object_id=str(token.id))]
    assert actions == ["token_create", "token_revoke"]
    assert secret not in str(entries(object_type="api_token")[0].changes)


@pytest.fixture
def admin_actor(org: Any) -> Any:
    actor = audit_service.AuditActor(
        org.admin.id, org.admin.username, org.admin.full_name, "browser", org.organisation.id
    )
    audit_service.set_actor(get_session(), actor)
    return actor


def test_a_change_with_no_actor_fails_loudly_and_writes_nothing(org: Any) -> None:
    session = get_session()
    audit_service.set_actor(session, None)
    before = len(entries())
    with pytest.raises(audit_service.AuditActorMissing):
        auth_service.create_site(session, org.organisation.id, "NOBODY", "Unattributed")
    assert session.scalar(sa.select(Site).where(Site.code == "NOBODY")) is None
    assert len(entries()) == before


def test_a_delete_orphan_with_no_actor_fails_too(org: Any, make_user: Any) -> None:
    user = make_user("operator")
    session = get_session()
    audit_service.set_actor(session, None)
    with pytest.raises(audit_service.AuditActorMissing), transaction(session):
        session.get(User, user.id).assignments.clear()  # only the orphaned assignment changes


def test_unaudited_operational_columns_need_no_actor(org: Any, make_user: Any) -> None:
    user = make_user("operator")
    session = get_session()
    audit_service.set_actor(session, None)
    before = len(entries())
    with transaction(session):
        session.get(User, user.id).failed_logins = 3  # counted by login_failed entries instead
    assert session.get(User, user.id).failed_logins == 3 and len(entries()) == before


def test_bulk_statements_on_audited_models_are_refused(org: Any) -> None:
    session = get_session()
    with pytest.raises(audit_service.AuditWriteRefused):
        session.execute(sa.update(Role).values(name_en="x"))
    session.rollback()
    with pytest.raises(audit_service.AuditWriteRefused):
        session.execute(sa.delete(Site))
    session.rollback()


def test_audit_rows_cannot_be_written_through_the_orm(org: Any) -> None:
    session = get_session()
    entry = session.scalars(sa.select(AuditEntry)).first()
    entry.reason = "rewritten"
    with pytest.raises(audit_service.AuditWriteRefused):
        session.flush()
    session.rollback()
    session.add(AuditStream(id=99, seq=0, head_hash="0" * 64))
    with pytest.raises(audit_service.AuditWriteRefused):
        session.flush()
    session.rollback()


def test_no_code_uses_the_legacy_bulk_methods_that_skip_flush_events() -> None:
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "lotline"
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        for name in ("bulk_save_objects", "bulk_insert_mappings", "bulk_update_mappings")
        if name in path.read_text()
    ]
    assert offenders == []


def test_gmp_correction_needs_a_reason_and_json_changes_have_field_paths(org: Any, gmp_table: None) -> None:
    session = get_session()
    with transaction(session):
        record = BatchRecord(
            organisation_id=org.organisation.id, lot="L-1", quantity=10.0, payload={"temp": {"max": 8.1}}
        )
        session.add(record)
    with pytest.raises(ProblemsError) as refused, transaction(session):
        record.quantity = 9.5
    assert refused.value.problems[0].code == "audit_reason_required"
    assert refused.value.problems[0].message("zh-CN").startswith("修改 batch_record")
    assert session.get(BatchRecord, record.id).quantity == 10.0

    audit_service.set_reason(session, "Scale misread; checked against the printout")
    with transaction(session):
        record.quantity = 9.5
        record.payload = {"temp": {"max": 7.9, "min": 2.0}}
    fixed = entries(object_type="batch_record", action="modify")[-1]
    assert fixed.reason == "Scale misread; checked against the printout"
    assert changes_of(fixed) == {
        "quantity": (10.0, 9.5),
        "payload.temp.max": (8.1, 7.9),
        "payload.temp.min": (None, 2.0),
    }
    with pytest.raises(ProblemsError), transaction(session):  # the reason covered one transaction
        record.lot = "L-2"


def test_deleting_gmp_data_keeps_its_last_values(org: Any, gmp_table: None) -> None:
    session = get_session()
    with transaction(session):
        record = BatchRecord(organisation_id=org.organisation.id, lot="L-7", quantity=4.0, payload={})
        session.add(record)
    record_id = record.id
    session.expire(record)
    audit_service.set_reason(session, "Entered on the wrong batch")
    with transaction(session):
        session.delete(record)
    deleted = entries(object_type="batch_record", action="delete")[-1]
    assert deleted.object_id == str(record_id)
    assert changes_of(deleted)["lot"] == ("L-7", None) and changes_of(deleted)["quantity"] == (4.0, None)


def test_one_transaction_writes_one_gap_free_stream(org: Any) -> None:
    session = get_session()
    with transaction(session):
        for i in range(4):
            session.add(Site(organisation_id=org.organisation.id, code=f"S{i}", name=f"Site {i}"))
            session.flush()
    written = entries(object_type="site")[-4:]
    assert len({e.stream for e in written}) == 1
    seqs = [e.seq for e in written]
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(written))
    assert audit_service.verify(session).ok


def test_a_rolled_back_transaction_leaves_no_entry_and_no_gap(org: Any) -> None:
    session = get_session()
    count = len(entries())
    with pytest.raises(RuntimeError), transaction(session):
        session.add(Site(organisation_id=org.organisation.id, code="GONE", name="Rolled back"))
        session.flush()
        raise RuntimeError("validation failed half-way")
    assert len(entries()) == count
    auth_service.create_site(session, org.organisation.id, "KEPT", "Kept")
    assert audit_service.verify(session).ok


def test_jobs_and_scripts_act_as_a_named_system_actor(org: Any) -> None:
    session = get_session()
    with audit_service.acting_as(session, audit_service.system_actor("nightly-import", org.organisation.id)):
        auth_service.create_site(session, org.organisation.id, "IMP", "Imported")
    entry = entries(object_type="site")[-1]
    assert (entry.actor_id, entry.actor_username, entry.actor_kind) == (
        None,
        "system:nightly-import",
        "system",
    )
    assert audit_service.current_actor(session).username == "system:test-harness"  # restored


def test_there_is_no_setting_that_turns_the_audit_trail_off() -> None:
    from lotline.platform.config import ENV_KEYS, Config

    names = [key for key in dir(Config) if key.isupper()] + list(ENV_KEYS)
    assert not [name for name in names if "AUDIT" in name.upper()]


def test_a_rolled_back_savepoint_inside_a_transaction_leaves_no_gap(org: Any) -> None:
    session = get_session()
    with transaction(session):
        session.add(Site(organisation_id=org.organisation.id, code="SP1", name="before"))
        session.flush()
        savepoint = session.begin_nested()
        session.add(Site(organisation_id=org.organisation.id, code="SP2", name="undone"))
        session.flush()
        savepoint.rollback()
        session.add(Site(organisation_id=org.organisation.id, code="SP3", name="after"))
    written = entries(object_type="site")[-2:]
    assert [changes_of(e)["code"][1] for e in written] == ["SP1", "SP3"]
    assert written[1].seq == written[0].seq + 1 and written[1].prev_hash == written[0].hash
    assert audit_service.verify(session).ok
