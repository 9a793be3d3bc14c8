"""Steps that need signatures: performer and checker sign with full credentials at capture; the
signatures are bound to the record's content and shown with printed name, time and meaning."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

PASSWORD = "Correct-Horse-42"

FORM = {
    "format_version": 1,
    "title": {"en": "Dispensing", "zh-CN": "称量配料"},
    "fields": [
        {
            "key": "weight",
            "type": "number",
            "unit": "kg",
            "min": 0,
            "label": {"en": "Weight", "zh-CN": "重量"},
            "required": True,
        },
    ],
}
FLOW = {
    "format_version": 1,
    "subject": "work_order",
    "name": {"en": "Dispensing", "zh-CN": "称量"},
    "start": ["dispense"],
    "end": ["dispense"],
    "transitions": [],
    "nodes": [
        {
            "id": "dispense",
            "type": "process",
            "form": {"key": "dispensing", "version": 1},
            "epcis": {"eventType": "ObjectEvent", "action": "OBSERVE", "bizStep": "other"},
            "rules": {"signatures": {"meanings": ["responsible", "verified"], "distinct_signers": True}},
        }
    ],
}


@pytest.fixture
def people(admin_client: Any, make_user: Any, sign_in: Any) -> dict[str, Any]:
    for path, key, document in (("/api/forms", "dispensing", FORM), ("/api/flows", "dispensing", FLOW)):
        assert admin_client.post(path, json={"key": key, "document": document}).status_code == 201
        assert admin_client.post(f"{path}/{key}/publish", json={}).status_code == 201
    performer = make_user("operator", username="pia")
    checker = make_user("supervisor", username="carl")
    return {"performer": performer, "checker": checker, "client": sign_in(performer)}


def dispense(client: Any, order: str, *signatures: tuple[str, str, str]) -> Any:
    return client.post(
        "/api/records",
        json={
            "idempotency_key": uuid.uuid4().hex,
            "flow": "dispensing",
            "node": "dispense",
            "subject": order,
            "payload": {"weight": "12.500"},
            "signatures": [{"meaning": m, "username": u, "password": p} for m, u, p in signatures],
        },
    )


def test_two_person_step_is_signed_by_performer_and_checker(people: Any) -> None:
    client = people["client"]
    unsigned = dispense(client, "WO-1")
    assert unsigned.status_code == 422
    assert {e["code"] for e in unsigned.get_json()["errors"]} == {"step.signature_missing"}

    signed = dispense(client, "WO-1", ("responsible", "pia", PASSWORD), ("verified", "carl", PASSWORD))
    assert signed.status_code == 201, signed.get_json()
    record_id = signed.get_json()["record"]["id"]
    assert signed.get_json()["signatures"] == [
        {"meaning": "responsible", "signer": "Pia Tester"},
        {"meaning": "verified", "signer": "Carl Tester"},
    ]

    shown = client.get(f"/api/signatures?object_type=record&object_id={record_id}").get_json()
    assert [(s["meaning"], s["signer_name"], s["status"]) for s in shown] == [
        ("responsible", "Pia Tester", "valid"),
        ("verified", "Carl Tester", "valid"),
    ]
    assert all(s["signed_at"] for s in shown)
    history = client.get(f"/api/records/{record_id}").get_json()
    assert [(s["meaning"], s["signer_name"], s["status"]) for s in history[0]["signatures"]] == [
        ("responsible", "Pia Tester", "valid"),
        ("verified", "Carl Tester", "valid"),
    ]


def test_one_person_cannot_be_performer_and_checker(people: Any) -> None:
    same = dispense(people["client"], "WO-2", ("responsible", "pia", PASSWORD), ("verified", "pia", PASSWORD))
    assert same.status_code == 422
    assert {e["code"] for e in same.get_json()["errors"]} == {"step.signers_not_distinct"}


def test_a_wrong_checker_password_refuses_the_record_and_counts_toward_lockout(people: Any) -> None:
    from sqlalchemy import func, select

    from lotline.platform.auth.models import LoginAttempt
    from lotline.platform.db import get_session

    wrong = dispense(
        people["client"], "WO-3", ("responsible", "pia", PASSWORD), ("verified", "carl", "guess")
    )
    assert wrong.status_code == 422
    assert [(e["field"], e["code"]) for e in wrong.get_json()["errors"]] == [
        ("signatures[1]", "signature_credentials_invalid")
    ]
    failures = get_session().scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == "carl", LoginAttempt.succeeded.is_(False))
    )
    assert failures == 1
    nothing = people["client"].get("/api/flow-instances?flow=dispensing&subject=WO-3").get_json()
    assert nothing["total"] == 0  # nothing partial was stored


def test_a_signer_needs_the_sign_permission(people: Any, make_user: Any) -> None:
    make_user("auditor", username="aud")
    refused = dispense(
        people["client"], "WO-4", ("responsible", "pia", PASSWORD), ("verified", "aud", PASSWORD)
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["code"] == "missing_permission"
