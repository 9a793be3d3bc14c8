"""Electronic signatures through the API (21 CFR 11.50, 11.70, 11.100, 11.200): re-authentication,
the content hash binding, printed name/time/meaning, two-person rules, and the sign audit entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Connection

from lotline.platform.audit import service as audit_service
from lotline.platform.audit.models import AuditEntry, ElectronicSignature
from lotline.platform.auth.models import User
from lotline.platform.db import get_session
from lotline.platform.errors import ConflictError

PASSWORD = "Correct-Horse-42"


def sign(
    client: Any, object_id: Any, meaning: str = "reviewed", object_type: str = "user_access", **extra: Any
) -> Any:
    headers = extra.pop("headers", {})
    body = {"object_type": object_type, "object_id": object_id, "meaning": meaning, "password": PASSWORD}
    return client.post("/api/signatures", json={**body, **extra}, headers=headers)


def signatures(client: Any, object_id: Any, object_type: str = "user_access") -> list[dict[str, Any]]:
    response = client.get(f"/api/signatures?object_type={object_type}&object_id={object_id}")
    assert response.status_code == 200, response.get_json()
    return list(response.get_json())


@pytest.fixture
def reviewer(make_user: Any, sign_in: Any) -> Any:
    user = make_user("quality")
    client = sign_in(user)
    client.user = user
    return client


def test_first_signing_needs_user_name_and_password_later_ones_the_password(
    reviewer: Any, make_user: Any, sign_in: Any
) -> None:
    subject = make_user("operator")
    missing = sign(reviewer, subject.id, headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 422
    assert missing.get_json()["errors"][0]["code"] == "signature_username_required"
    assert missing.get_json()["errors"][0]["message"] == "本次会话中的首次签名需要输入用户名和密码。"

    first = sign(reviewer, subject.id, username=reviewer.user.username)
    assert first.status_code == 201, first.get_json()
    later = sign(reviewer, subject.id, meaning="approved")
    assert later.status_code == 201 and later.get_json()["meaning"] == "approved"

    fresh = sign_in(reviewer.user)  # a new session starts over: full credentials again
    assert sign(fresh, subject.id).status_code == 422


def test_a_signature_shows_printed_name_time_and_meaning(reviewer: Any, make_user: Any) -> None:
    subject = make_user("operator")
    response = sign(
        reviewer,
        subject.id,
        username=reviewer.user.username,
        reason="Quarterly access review",
        headers={"X-UTC-Offset": "+08:00"},
    )
    body = response.get_json()
    assert body["signer_name"] == reviewer.user.full_name and body["signer_id"] == reviewer.user.id
    assert body["meaning"] == "reviewed" and body["meaning_label"] == {"en": "Reviewed", "zh-CN": "审核"}
    assert body["signed_at"].endswith("Z") and body["utc_offset"] == 480
    assert body["signed_at_local"].endswith("+08:00")
    assert body["status"] == "valid" and body["valid"] is True
    listed = signatures(reviewer, subject.id)
    assert [(s["signer_name"], s["meaning"], s["reason"], s["valid"]) for s in listed] == [
        (reviewer.user.full_name, "reviewed", "Quarterly access review", True)
    ]


def test_wrong_password_is_refused_and_counts_toward_lockout(
    reviewer: Any, make_user: Any, app: Flask
) -> None:
    subject = make_user("operator")
    wrong = sign(reviewer, subject.id, username=reviewer.user.username, password="not-it")
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "signature_credentials_invalid"
    assert get_session().get(User, reviewer.user.id).failed_logins == 1
    someone_else = sign(reviewer, subject.id, username=subject.username)  # right password, other name
    assert someone_else.status_code == 403
    for _ in range(3):
        sign(reviewer, subject.id, username=reviewer.user.username, password="not-it")
    locked = sign(reviewer, subject.id, username=reviewer.user.username)  # now even the right one
    assert locked.status_code == 403 and locked.get_json()["code"] == "account_locked"
    refused_login = app.test_client().post(
        "/api/auth/login", json={"username": reviewer.user.username, "password": PASSWORD}
    )
    assert refused_login.get_json()["code"] == "account_locked"
    assert not signatures(reviewer, subject.id)

    failed = (
        get_session()
        .scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == "login_failed", AuditEntry.object_id == str(reviewer.user.id))
            .order_by(AuditEntry.id)
        )
        .all()
    )
    assert [(e.details["during"], e.details["reason"]) for e in failed] == [
        *[("signature", "bad_password")] * 5,
        ("signature", "locked"),
        ("login", "locked"),
    ]
    assert {e.actor_id for e in failed[:6]} == {reviewer.user.id}  # the signed-in person tried
    lockout = get_session().scalars(sa.select(AuditEntry).where(AuditEntry.action == "lockout")).all()
    assert [e.object_id for e in lockout] == [str(reviewer.user.id)]


def test_a_signature_does_not_survive_a_change_of_the_content(
    reviewer: Any, admin_client: Any, make_user: Any
) -> None:
    subject = make_user("operator")
    assert sign(reviewer, subject.id, username=reviewer.user.username).status_code == 201
    admin_client.patch(
        f"/api/users/{subject.id}", json={"roles": [{"role": "operator"}, {"role": "quality"}]}
    )
    [listed] = signatures(reviewer, subject.id)
    assert listed["status"] == "content_changed" and listed["valid"] is False
    again = sign(reviewer, subject.id)  # a new review signs the new content
    assert again.status_code == 201 and again.get_json()["content_hash"] != listed["content_hash"]
    assert [s["valid"] for s in signatures(reviewer, subject.id)] == [False, True]


def test_signing_is_audited_with_its_meaning(reviewer: Any, make_user: Any) -> None:
    subject = make_user("operator")
    body = sign(
        reviewer, subject.id, meaning="verified", username=reviewer.user.username, reason="ok"
    ).get_json()
    entry = get_session().scalars(sa.select(AuditEntry).where(AuditEntry.action == "sign")).one()
    assert (entry.object_type, entry.object_id, entry.actor_id) == (
        "user_access",
        str(subject.id),
        reviewer.user.id,
    )
    assert entry.details["meaning"] == "verified" and entry.details["signature_id"] == body["id"]
    assert entry.details["content_hash"] == body["content_hash"] and entry.reason == "ok"
    assert audit_service.verify(get_session()).ok


def test_nobody_signs_the_review_of_their_own_account(reviewer: Any) -> None:
    own = sign(reviewer, reviewer.user.id, username=reviewer.user.username)
    assert own.status_code == 409 and own.get_json()["code"] == "signer_is_subject"


def test_signing_needs_the_types_permission_and_a_person(
    app: Flask, make_user: Any, sign_in: Any, admin_client: Any
) -> None:
    subject = make_user("operator")
    operator = sign_in(make_user("operator"))  # lacks audit.read
    refused = sign(operator, subject.id, username="x")
    assert refused.status_code == 403 and refused.get_json()["params"] == {"permission": "audit.read"}
    assert operator.get(f"/api/signatures?object_type=user_access&object_id={subject.id}").status_code == 403

    token = admin_client.post("/api/tokens", json={"name": "bot", "permissions": ["audit.read"]}).get_json()
    bot = app.test_client()
    by_token = bot.post(
        "/api/signatures",
        json={"object_type": "user_access", "object_id": subject.id, "meaning": "reviewed", "password": "x"},
        headers={"Authorization": f"Bearer {token['secret']}"},
    )
    assert by_token.status_code == 403 and by_token.get_json()["code"] == "signature_needs_person"

    unknown = sign(admin_client, 1, object_type="spaceship", username="admin")
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "unknown_signable_type"
    missing = sign(admin_client, 99999, username="admin")
    assert missing.status_code == 404 and missing.get_json()["code"] == "signable_not_found"


# --- two-person rules through a registered type -----------------------------------------------

BATCHES: dict[str, dict[str, Any]] = {}


@pytest.fixture
def batch_type(org: Any) -> Iterator[str]:
    """A signable type registered like other domains will: a batch step, performer + checker."""
    BATCHES.clear()
    BATCHES["B-1"] = {"organisation_id": org.organisation.id, "lot": "L-1", "weight_kg": 12.5}
    audit_service.register_signable(
        "test_batch_step",
        lambda _session, object_id: dict(BATCHES[object_id]) if object_id in BATCHES else None,
        "records.sign",
        distinct={"verified": {"responsible"}},
    )
    yield "test_batch_step"
    audit_service.unregister_signable("test_batch_step")


def test_performer_and_checker_must_be_different_people(
    batch_type: str, make_user: Any, sign_in: Any
) -> None:
    performer_user = make_user("operator")
    performer = sign_in(performer_user)
    assert (
        sign(performer, "B-1", "responsible", batch_type, username=performer_user.username).status_code == 201
    )
    self_check = sign(performer, "B-1", "verified", batch_type)
    assert self_check.status_code == 409 and self_check.get_json()["code"] == "signers_not_distinct"
    checker_user = make_user("supervisor")
    checker = sign_in(checker_user)
    assert sign(checker, "B-1", "verified", batch_type, username=checker_user.username).status_code == 201
    listed = signatures(checker, "B-1", batch_type)
    assert [(s["meaning"], s["signer_id"], s["valid"]) for s in listed] == [
        ("responsible", performer_user.id, True),
        ("verified", checker_user.id, True),
    ]
    BATCHES["B-1"]["weight_kg"] = 12.6  # the record changed after both signed
    assert {s["status"] for s in signatures(checker, "B-1", batch_type)} == {"content_changed"}


def test_require_distinct_signers_covers_people_who_have_not_signed(org: Any, make_user: Any) -> None:
    performer, checker = make_user("operator"), make_user("supervisor")
    session = get_session()
    others = [("performer", performer.id)]
    with pytest.raises(ConflictError) as refused:
        audit_service.require_distinct_signers(
            session, "record", "R-1", performer.id, meaning="verified", others=others
        )
    assert refused.value.params == {"meaning": "verified", "other": "performer"}
    audit_service.require_distinct_signers(
        session, "record", "R-1", checker.id, meaning="verified", others=others
    )


def test_a_signature_moved_or_edited_in_the_database_is_reported_tampered(
    reviewer: Any, make_user: Any, backend: str, connection: Connection
) -> None:
    subject, other = make_user("operator"), make_user("operator")
    signed = sign(reviewer, subject.id, username=reviewer.user.username).get_json()
    if backend == "postgresql":
        savepoint = connection.begin_nested()
        with pytest.raises(sa.exc.DBAPIError):  # the database refuses first
            connection.exec_driver_sql(f"UPDATE e_signature SET object_id = '{other.id}'")
        savepoint.rollback()
        connection.exec_driver_sql("ALTER TABLE e_signature DISABLE TRIGGER e_signature_append_only")
    get_session().execute(
        sa.update(ElectronicSignature.__table__)
        .where(ElectronicSignature.__table__.c.id == signed["id"])
        .values(object_id=str(other.id))
    )
    get_session().expire_all()
    [moved] = signatures(reviewer, other.id)
    assert moved["status"] == "tampered" and moved["valid"] is False
    assert signatures(reviewer, subject.id) == []


def test_every_code_this_domain_raises_speaks_english_and_chinese() -> None:
    from lotline.form_engine.problems import Problem

    codes = [
        "audit_reason_required",
        "unknown_signable_type",
        "signable_not_found",
        "signature_needs_person",
        "signature_username_required",
        "signature_credentials_invalid",
        "signers_not_distinct",
        "signer_is_subject",
    ]
    for code in codes:
        english, chinese = Problem((), code).message("en"), Problem((), code).message("zh-CN")
        assert english != code and chinese != code and english != chinese, code
