"""Identity and access through the real API: sign-in, CSRF, lockout, forced password change,
station badge + PIN, users and roles, scoped API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from lotline.platform.auth.models import LoginAttempt, User, UserSession
from lotline.platform.db import get_session, utcnow

PASSWORD = "Correct-Horse-42"


def test_login_sets_a_hardened_cookie_and_me_answers(app: Flask, make_user: Any) -> None:
    user = make_user("operator")
    client = app.test_client()
    response = client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "lotline_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    body = response.get_json()
    assert body["username"] == user.username and "records.capture" in body["permissions"]
    assert "password" not in body

    me = client.get("/api/auth/me").get_json()
    assert me["id"] == user.id and me["kind"] == "browser" and me["csrf_token"] == body["csrf_token"]
    token = get_session().scalars(select(UserSession.token_hash)).all()
    assert cookie.split("lotline_session=")[1].split(";")[0] not in token  # only a digest is stored


def test_secure_cookie_behind_https(app: Flask, make_user: Any) -> None:
    app.config["SESSION_COOKIE_SECURE"] = True
    user = make_user("operator")
    response = app.test_client().post(
        "/api/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_is_refused_in_the_users_language(app: Flask, make_user: Any) -> None:
    user = make_user("operator")
    response = app.test_client().post(
        "/api/auth/login",
        json={"username": user.username, "password": "nope"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_credentials"
    assert response.get_json()["message"] == "用户名或密码错误。"


def test_state_changing_request_without_csrf_token_is_refused(
    app: Flask, make_user: Any, sign_in: Any
) -> None:
    signed = sign_in(make_user("admin"))
    bare = signed.client.post("/api/sites", json={"code": "P2", "name": "Plant 2"})
    assert bare.status_code == 403 and bare.get_json()["code"] == "csrf_failed"
    forged = signed.client.post(
        "/api/sites", json={"code": "P2", "name": "Plant 2"}, headers={"X-CSRF-Token": "x"}
    )
    assert forged.status_code == 403
    ok = signed.post("/api/sites", json={"code": "P2", "name": "Plant 2"})
    assert ok.status_code == 201 and ok.get_json()["code"] == "P2"
    assert signed.client.get("/api/sites").status_code == 200  # reads need no CSRF token


def test_lockout_after_five_failures_even_with_the_right_password(app: Flask, make_user: Any) -> None:
    user = make_user("operator")
    client = app.test_client()
    for _ in range(5):
        assert (
            client.post("/api/auth/login", json={"username": user.username, "password": "bad"}).status_code
            == 401
        )
    locked = client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert locked.status_code == 401
    assert locked.get_json()["code"] == "account_locked"
    assert locked.get_json()["params"]["until"]
    reasons = get_session().scalars(select(LoginAttempt.reason).where(LoginAttempt.username == user.username))
    assert list(reasons) == ["bad_password"] * 5 + ["locked"]

    stored = get_session().get(User, user.id)
    stored.locked_until = utcnow() - timedelta(seconds=1)  # the lock expires
    get_session().commit()
    assert (
        client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD}).status_code
        == 200
    )


def test_client_address_is_rate_limited(app: Flask, make_user: Any) -> None:
    client = app.test_client()
    statuses = [
        client.post("/api/auth/login", json={"username": f"ghost{i}", "password": "x"}).status_code
        for i in range(21)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429


def test_initial_password_must_be_changed_first(app: Flask, admin_client: Any) -> None:
    created = admin_client.post(
        "/api/users", json={"username": "li.wei", "full_name": "李伟", "roles": [{"role": "quality"}]}
    )
    assert created.status_code == 201
    initial = created.get_json()["initial_password"]
    assert initial and created.get_json()["user"]["must_change_password"] is True

    client = app.test_client()
    login = client.post("/api/auth/login", json={"username": "li.wei", "password": initial}).get_json()
    csrf = {"X-CSRF-Token": login["csrf_token"]}
    assert login["must_change_password"] is True
    blocked = client.get("/api/sites")
    assert blocked.status_code == 403 and blocked.get_json()["code"] == "password_change_required"

    weak = client.post(
        "/api/auth/password",
        json={"current_password": "wrong", "new_password": "li.wei123"},
        headers={**csrf, "Accept-Language": "zh-CN"},
    )
    assert weak.status_code == 422
    errors = {(e["field"], e["code"]) for e in weak.get_json()["errors"]}
    assert errors == {
        ("current_password", "invalid_credentials"),
        ("new_password", "password_too_short"),
        ("new_password", "password_contains_username"),
    }
    assert any("密码至少需要" in e["message"] for e in weak.get_json()["errors"])

    changed = client.post(
        "/api/auth/password",
        json={"current_password": initial, "new_password": "Quality-First-2026"},
        headers=csrf,
    )
    assert changed.status_code == 204
    assert client.get("/api/sites").status_code == 200


def test_station_sign_in_with_badge_and_pin_times_out_quickly(app: Flask, make_user: Any) -> None:
    make_user("operator", badge="BADGE-0042", pin="2468")
    client = app.test_client()
    wrong = client.post(
        "/api/auth/station-login", json={"station": "ST-1", "badge": "BADGE-0042", "pin": "0000"}
    )
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "invalid_badge"
    ok = client.post(
        "/api/auth/station-login", json={"station": "ST-1", "badge": "BADGE-0042", "pin": "2468"}
    )
    assert ok.status_code == 200
    assert ok.get_json()["kind"] == "station" and ok.get_json()["station"] == "ST-1"
    assert client.get("/api/auth/me").status_code == 200

    user_session = get_session().scalars(select(UserSession).where(UserSession.kind == "station")).one()
    user_session.last_seen_at = utcnow() - timedelta(minutes=11)  # idle longer than 10 minutes
    get_session().commit()
    assert client.get("/api/auth/me").status_code == 401


def test_logout_ends_the_session(app: Flask, make_user: Any, sign_in: Any) -> None:
    signed = sign_in(make_user("operator"))
    assert signed.post("/api/auth/logout").status_code == 204
    assert signed.client.get("/api/auth/me").status_code == 401


def test_deactivated_user_loses_access_at_once(
    app: Flask, admin_client: Any, make_user: Any, sign_in: Any
) -> None:
    user = make_user("operator")
    signed = sign_in(user)
    assert admin_client.patch(f"/api/users/{user.id}", json={"active": False}).status_code == 200
    assert signed.client.get("/api/auth/me").status_code == 401
    refused = app.test_client().post(
        "/api/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert refused.get_json()["code"] == "account_disabled"


def test_user_validation_lists_every_problem(admin_client: Any) -> None:
    response = admin_client.post(
        "/api/users",
        json={
            "username": "x",
            "full_name": "X",
            "password": "short",
            "pin": "12",
            "roles": [{"role": "wizard"}, {"role": "operator", "site_id": 999}],
        },
    )
    assert response.status_code == 422
    fields = {(e["field"], e["code"]) for e in response.get_json()["errors"]}
    assert ("password", "password_too_short") in fields and ("pin", "pin_format") in fields


def test_custom_roles_only_from_permissions_you_hold(admin_client: Any, make_user: Any, sign_in: Any) -> None:
    created = admin_client.post(
        "/api/roles",
        json={
            "key": "line_lead",
            "name_en": "Line lead",
            "name_zh": "线长",
            "permissions": ["records.capture", "trace.read"],
        },
    )
    assert created.status_code == 201
    bad = admin_client.post(
        "/api/roles", json={"key": "bad", "name_en": "B", "name_zh": "B", "permissions": ["fly.away"]}
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "permissions[0]"

    user = make_user("line_lead")
    me = sign_in(user).get("/api/auth/me").get_json()
    assert me["permissions"] == ["records.capture", "trace.read"]
    builtin = next(r for r in admin_client.get("/api/roles").get_json() if r["key"] == "operator")
    assert admin_client.patch(f"/api/roles/{builtin['id']}", json={"permissions": []}).status_code == 409


def test_site_scoped_roles(app: Flask, admin_client: Any, make_user: Any, sign_in: Any) -> None:
    site2 = admin_client.post("/api/sites", json={"code": "P2", "name": "Plant 2"}).get_json()
    user = make_user("designer", site_id=site2["id"])
    me = sign_in(user).get("/api/auth/me").get_json()
    assert "forms.design" in me["permissions"]
    from lotline.platform.auth import service

    grants = service.grants_of(get_session().get(User, user.id))
    assert set(grants) == {site2["id"]}


def test_api_token_is_shown_once_scoped_and_revocable(app: Flask, admin_client: Any) -> None:
    created = admin_client.post("/api/tokens", json={"name": "ERP", "permissions": ["masterdata.read"]})
    assert created.status_code == 201
    secret = created.get_json()["secret"]
    assert secret.startswith("llt_")
    listed = admin_client.get("/api/tokens").get_json()
    assert "token" not in listed[0] and listed[0]["last_used_at"] is None

    api = app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/sites", headers=bearer).status_code == 200
    assert admin_client.get("/api/tokens").get_json()[0]["last_used_at"] is not None
    out_of_scope = api.get("/api/users", headers=bearer)
    assert out_of_scope.status_code == 403 and out_of_scope.get_json()["params"] == {
        "permission": "users.manage"
    }
    assert api.post("/api/sites", json={"code": "Z", "name": "Z"}, headers=bearer).status_code == 403

    assert admin_client.delete(f"/api/tokens/{created.get_json()['token']['id']}").status_code == 200
    assert api.get("/api/sites", headers=bearer).status_code == 401
    assert api.get("/api/sites", headers={"Authorization": "Bearer llt_forged"}).status_code == 401


def test_tokens_cannot_exceed_their_creator(admin_client: Any, make_user: Any, sign_in: Any) -> None:
    bad = admin_client.post("/api/tokens", json={"name": "x", "permissions": ["not.a.permission"]})
    assert bad.status_code == 422
    from lotline.platform.auth import service

    try:
        service.create_token(
            get_session(),
            organisation_id=1,
            created_by_id=1,
            creator_permissions={"trace.read"},
            name="y",
            permissions=["users.manage"],
        )
    except Exception as exc:  # ProblemsError with the path of the offending permission
        assert exc.problems[0].code == "permission_not_held"  # type: ignore[attr-defined]
    else:
        raise AssertionError("a token wider than its creator was created")


def test_password_reset_ends_sessions_and_forces_change(
    app: Flask, admin_client: Any, make_user: Any, sign_in: Any
) -> None:
    user = make_user("operator")
    signed = sign_in(user)
    reset = admin_client.patch(f"/api/users/{user.id}", json={"reset_password": True}).get_json()
    assert reset["initial_password"] and reset["user"]["must_change_password"] is True
    assert signed.client.get("/api/auth/me").status_code == 401
