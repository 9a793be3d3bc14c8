"""The audit trail through the API: identity events are audited, review filters and pages,
CSV export (itself audited), client time offset and device, organisation scoping."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from lotline.platform.audit import service as audit_service
from lotline.platform.audit.models import AuditEntry
from lotline.platform.db import get_session, utcnow

PASSWORD = "Correct-Horse-42"


def entries(**where: Any) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return list(get_session().scalars(query))


def test_sign_in_and_out_are_audited_with_client_offset_and_device(app: Flask, make_user: Any) -> None:
    user = make_user("operator")
    client = app.test_client()
    headers = {"X-UTC-Offset": "+08:00", "X-Device-Id": "TAB-07", "X-Request-ID": "req-login-1"}
    login = client.post(
        "/api/auth/login", json={"username": user.username, "password": PASSWORD}, headers=headers
    )
    assert login.status_code == 200
    entry = entries(action="login", actor_id=user.id)[-1]
    assert (entry.object_type, entry.object_id, entry.actor_name) == ("user", str(user.id), user.full_name)
    assert (
        entry.utc_offset == 480 and entry.client == "127.0.0.1 (TAB-07)" and entry.request_id == "req-login-1"
    )
    assert entry.details["kind"] == "browser"

    csrf = {"X-CSRF-Token": login.get_json()["csrf_token"], "X-UTC-Offset": "-300"}
    assert client.post("/api/auth/logout", headers=csrf).status_code == 204
    out = entries(action="logout", actor_id=user.id)[-1]
    assert out.object_id == str(user.id) and out.utc_offset == -300 and out.actor_kind == "browser"


def test_station_sign_in_records_the_station(app: Flask, make_user: Any) -> None:
    user = make_user("operator", badge="BADGE-9", pin="2468")
    response = app.test_client().post(
        "/api/auth/station-login", json={"station": "ST-4", "badge": "BADGE-9", "pin": "2468"}
    )
    assert response.status_code == 200
    entry = entries(action="login", actor_id=user.id)[-1]
    assert entry.station == "ST-4" and entry.actor_kind == "station" and entry.details["kind"] == "station"


def test_failed_sign_ins_and_the_lockout_are_audited(app: Flask, make_user: Any) -> None:
    user = make_user("operator")
    client = app.test_client()
    for _ in range(5):
        client.post("/api/auth/login", json={"username": user.username, "password": "wrong"})
    client.post("/api/auth/login", json={"username": "nobody-here", "password": "wrong"})
    failed = entries(action="login_failed", object_id=str(user.id))
    assert len(failed) == 5
    assert {(e.actor_kind, e.actor_username, e.details["reason"]) for e in failed} == {
        ("anonymous", user.username, "bad_password")
    }
    lockout = entries(action="lockout", object_id=str(user.id))
    assert len(lockout) == 1 and lockout[0].details["failures"] == 5
    unknown = entries(action="login_failed", actor_username="nobody-here")
    assert len(unknown) == 1 and unknown[0].object_id is None and unknown[0].organisation_id is None


def test_admin_changes_are_attributed_to_the_admin(app: Flask, admin_client: Any, org: Any) -> None:
    created = admin_client.post(
        "/api/users",
        json={"username": "li.wei", "full_name": "李伟", "roles": [{"role": "operator"}]},
        headers={"X-UTC-Offset": "480"},
    ).get_json()
    user_id = created["user"]["id"]
    admin_client.patch(f"/api/users/{user_id}", json={"roles": [{"role": "quality"}]})
    token = admin_client.post("/api/tokens", json={"name": "ERP", "permissions": ["trace.read"]}).get_json()
    admin_client.delete(f"/api/tokens/{token['token']['id']}")

    mine = entries(actor_id=org.admin.id)
    actions = [(e.action, e.object_type) for e in mine if e.action != "login"]
    assert ("create", "user") in actions
    assert actions.count(("permission_change", "role_assignment")) == 3  # operator granted, swapped
    assert ("token_create", "api_token") in actions and ("token_revoke", "api_token") in actions
    create = next(e for e in mine if e.action == "create" and e.object_type == "user")
    assert create.utc_offset == 480 and create.actor_name == org.admin.full_name
    assert {c["field"]: c["new"] for c in create.changes}["full_name"] == "李伟"


def test_review_filters_by_object_user_action_and_time(admin_client: Any, make_user: Any, org: Any) -> None:
    user = make_user("operator")
    admin_client.patch(f"/api/users/{user.id}", json={"full_name": "Changed Once"})
    admin_client.patch(f"/api/users/{user.id}", json={"full_name": "Changed Twice"})

    by_object = admin_client.get(f"/api/audit?object_type=user&object_id={user.id}").get_json()
    assert by_object["total"] == len(by_object["items"]) >= 4
    assert all(i["object_type"] == "user" and i["object_id"] == str(user.id) for i in by_object["items"])
    newest = by_object["items"][0]  # newest first, with the human-readable diff
    assert newest["action"] == "modify" and newest["actor_name"] == org.admin.full_name
    assert newest["changes"] == [{"field": "full_name", "old": "Changed Once", "new": "Changed Twice"}]
    assert newest["at"].endswith("Z") and newest["local_time"]

    by_user = admin_client.get(f"/api/audit?user_id={org.admin.id}&action=modify").get_json()
    assert by_user["total"] == 2 and {i["actor_id"] for i in by_user["items"]} == {org.admin.id}

    several = admin_client.get("/api/audit?action=login&action=modify").get_json()
    assert {i["action"] for i in several["items"]} == {"login", "modify"}

    since = (utcnow() + timedelta(minutes=1)).isoformat()
    assert admin_client.get("/api/audit", query_string={"since": since}).get_json()["total"] == 0
    until = (utcnow() - timedelta(days=1)).isoformat()
    assert admin_client.get("/api/audit", query_string={"until": until}).get_json()["total"] == 0

    page = admin_client.get("/api/audit?per_page=2&page=2").get_json()
    everything = admin_client.get("/api/audit?per_page=500").get_json()
    assert page["per_page"] == 2 and [i["id"] for i in page["items"]] == [
        i["id"] for i in everything["items"][2:4]
    ]
    assert admin_client.get("/api/audit?per_page=501").status_code == 422


def test_review_shows_only_the_callers_organisation(admin_client: Any, org: Any) -> None:
    session = get_session()
    other = audit_service.system_actor("other-tenant", organisation_id=org.organisation.id + 1000)
    audit_service.record(session, "create", "site", 1, actor=other)
    session.commit()
    shown = admin_client.get("/api/audit?per_page=500").get_json()["items"]
    assert shown and not [i for i in shown if i["actor_username"] == "system:other-tenant"]


def test_csv_export_is_readable_and_itself_audited(
    admin_client: Any, make_user: Any, sign_in: Any, org: Any
) -> None:
    user = make_user("operator")
    admin_client.patch(f"/api/users/{user.id}", json={"full_name": '=HYPERLINK("http://x")'})
    auditor = make_user("auditor")
    client = sign_in(auditor)
    response = client.get(f"/api/audit/export.csv?object_type=user&object_id={user.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    fields = {(r["action"], r["field"]): r for r in rows}
    renamed = fields[("modify", "full_name")]
    assert renamed["old_value"] == f"{user.username.title()} Tester"
    assert renamed["new_value"] == '\'=HYPERLINK("http://x")'  # a formula is shown, never run
    assert renamed["printed_name"] == org.admin.full_name and renamed["time_utc"].endswith("Z")
    assert ("create", "username") in fields

    export = entries(action="export", actor_id=auditor.id)
    assert len(export) == 1
    assert export[0].object_type == "audit_trail"
    assert export[0].details == {
        "format": "csv",
        "entries": len({r["entry_id"] for r in rows}),
        "filters": {"object_type": "user", "object_id": str(user.id)},
    }


def test_export_needs_audit_export_and_review_needs_audit_read(make_user: Any, sign_in: Any) -> None:
    quality = sign_in(make_user("quality"))  # audit.read, not audit.export
    assert quality.get("/api/audit").status_code == 200
    assert quality.get("/api/audit/export.csv").status_code == 403
    operator = sign_in(make_user("operator"))
    assert operator.get("/api/audit").status_code == 403
    assert operator.get("/api/audit/verify").status_code == 403
    assert not entries(action="export")
