"""The capture path reads reference data (BOMs, stations, materials, published definitions) from a
per-process cache keyed by the database's revision token: an administrator's change must still
apply to the very next capture, and an uncommitted change must never reach another reader."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from lotline.platform import refcache
from lotline.platform.audit import service as audit_service
from lotline.platform.auth import service as auth_service
from lotline.platform.auth.context import Actor
from lotline.platform.auth.models import RoleAssignment, User
from lotline.platform.auth.service import first_admin
from lotline.platform.db import get_session
from lotline.platform.definitions import service as definitions
from lotline.platform.demo import GLUE_GTIN
from lotline.platform.masterdata import service as masterdata
from lotline.platform.masterdata.models import Bom, Material

from .test_capture import assemble, receive


def _materials(admin: Any) -> dict[str, int]:
    rows = admin.get("/api/masterdata/materials?limit=100").get_json()["items"]
    return {row["code"]: row["id"] for row in rows}


def test_a_bom_change_applies_to_the_very_next_capture(operator: Any, admin_client: Any) -> None:
    receive(operator, "RES-L1", 100)
    receive(operator, "GLUE-L1", 100, gtin=GLUE_GTIN)
    assert assemble(operator, "SN-0001", ("RES-L1", 4)).status_code == 201  # the BOM is cached now
    refused = assemble(operator, "SN-0002", ("GLUE-L1", 1))
    assert refused.get_json()["errors"][0]["code"] == "step.material_not_allowed"

    codes = _materials(admin_client)
    bom_id = get_session().scalar(sa.select(Bom.id).where(Bom.material_id == codes["WIDGET"]))
    lines = [{"component_material_id": codes[c], "quantity": 1} for c in ("CAP", "GLUE")]
    changed = admin_client.patch(f"/api/masterdata/boms/{bom_id}", json={"lines": lines})
    assert changed.status_code == 200, changed.get_json()

    assert assemble(operator, "SN-0003", ("GLUE-L1", 1)).status_code == 201
    no_longer = assemble(operator, "SN-0004", ("RES-L1", 4))
    assert no_longer.status_code == 422
    assert [(e["field"], e["code"]) for e in no_longer.get_json()["errors"]] == [
        ("payload.components[0].lot", "step.material_not_allowed")
    ]


def test_a_retired_flow_starts_no_instance_though_its_version_was_cached(operator: Any) -> None:
    receive(operator, "RES-L1", 100)
    assert assemble(operator, "SN-0001", ("RES-L1", 4)).status_code == 201
    session = get_session()
    admin = first_admin(session)
    assert admin is not None
    audit_service.set_actor(session, audit_service.system_actor("refcache-test", admin.organisation_id))
    actor = Actor(admin.id, admin.username, admin.full_name, admin.organisation_id, "browser")
    definitions.set_retired(session, actor, "flow", "widget-line", True)

    retired = assemble(operator, "SN-0002", ("RES-L1", 4))
    assert retired.status_code == 409 and retired.get_json()["code"] == "definition_retired"


def test_a_transaction_sees_its_own_uncommitted_change_and_nothing_of_it_is_cached(
    plant: dict[str, Any], org: Any
) -> None:
    session = get_session()
    organisation = org.organisation.id
    before = masterdata.material_ref(session, organisation, code="RES")
    assert before is not None and before.name_en == "Res"
    session.commit()

    material = session.scalar(sa.select(Material).where(Material.code == "RES"))
    assert material is not None
    material.name_en = "Resistor (renamed, not committed)"
    session.flush()
    inside = masterdata.material_ref(session, organisation, code="RES")
    assert inside is not None and inside.name_en == "Resistor (renamed, not committed)"
    session.rollback()

    after = masterdata.material_ref(session, organisation, code="RES")
    assert after is not None and after.name_en == "Res"


def test_a_committed_change_starts_a_new_revision(plant: dict[str, Any], org: Any) -> None:
    session = get_session()
    organisation = org.organisation.id
    first = masterdata.station_ref(session, organisation, "ST-1")
    token = session.scalar(sa.select(refcache.ConfigRevision.token))
    session.commit()
    assert first is not None and masterdata.station_ref(session, organisation, "ST-1") is first  # cached

    audit_service.set_actor(session, audit_service.system_actor("refcache-test", organisation))
    material = session.scalar(sa.select(Material).where(Material.code == "CAP"))
    assert material is not None
    material.name_en = "Capacitor"
    session.commit()
    assert session.scalar(sa.select(refcache.ConfigRevision.token)) != token
    again = masterdata.station_ref(session, organisation, "ST-1")
    assert again is not first and again == first  # read again at the new revision, same content
    renamed = masterdata.material_ref(session, organisation, code="CAP")
    assert renamed is not None and renamed.name_en == "Capacitor"


def test_snapshots_are_read_only(plant: dict[str, Any], org: Any) -> None:
    station = masterdata.station_ref(get_session(), org.organisation.id, "ST-1")
    assert station is not None and station.site_code and station.line_code == ""
    with pytest.raises(AttributeError):
        station.code = "ST-9"


def test_an_unflushed_change_is_seen_by_its_transaction_and_never_kept(
    plant: dict[str, Any], org: Any
) -> None:
    session = get_session()
    organisation = org.organisation.id
    material = session.scalar(sa.select(Material).where(Material.code == "RES"))
    assert material is not None
    material.name_en = "Pending rename"  # not flushed
    inside = masterdata.material_ref(session, organisation, code="RES")
    assert inside is not None and inside.name_en == "Pending rename"
    session.rollback()
    after = masterdata.material_ref(session, organisation, code="RES")
    assert after is not None and after.name_en == "Res"


def _committed_elsewhere(session: Any, *statements: Any) -> None:
    """Rows changed as another process would (not through this session's objects), with the
    new revision token that process's commit sets."""
    connection = session.connection()  # plain SQL: not this session's objects, not the ORM
    for statement in statements:
        connection.execute(statement)
    connection.execute(sa.update(refcache.ConfigRevision.__table__).values(token=uuid.uuid4().hex))
    session.commit()


def test_objects_a_session_already_holds_never_feed_the_cache(plant: dict[str, Any], org: Any) -> None:
    session = get_session()
    organisation = org.organisation.id
    held = session.scalar(sa.select(Material).where(Material.code == "RES"))
    assert held is not None and held.name_en == "Res"
    session.commit()  # the session keeps the object (expire_on_commit=False)
    table = Material.__table__
    _committed_elsewhere(session, sa.update(table).where(table.c.code == "RES").values(name_en="Renamed"))
    renamed = masterdata.material_ref(session, organisation, code="RES")
    assert renamed is not None and renamed.name_en == "Renamed"


def test_a_revoked_role_is_gone_on_the_next_request(operator: Any) -> None:
    assert operator.get("/api/flow-instances").status_code == 200  # roles cached for this revision
    session = get_session()
    user = session.scalar(sa.select(User).where(User.username == "olga"))
    assert user is not None and user.assignments  # loaded into this session
    session.commit()
    _committed_elsewhere(
        session, sa.delete(RoleAssignment.__table__).where(RoleAssignment.user_id == user.id)
    )
    grants, roles = auth_service.access_of(session, user)
    assert roles == frozenset() and dict(grants) == {}
    assert operator.get("/api/flow-instances").status_code == 403


def test_a_change_made_behind_the_application_is_seen_within_the_maximum_age(
    plant: dict[str, Any], org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = get_session()
    organisation = org.organisation.id
    assert masterdata.material_ref(session, organisation, code="RES") is not None
    session.commit()
    table = Material.__table__
    by_hand = sa.update(table).where(table.c.code == "RES").values(name_en="By hand")
    session.connection().execute(by_hand)  # no new token
    session.commit()
    cached = masterdata.material_ref(session, organisation, code="RES")
    assert cached is not None and cached.name_en == "Res"  # within the maximum age: the cached value
    session.commit()
    monkeypatch.setattr(refcache, "MAX_AGE_SECONDS", 0.0)
    aged = masterdata.material_ref(session, organisation, code="RES")
    assert aged is not None and aged.name_en == "By hand"
