"""Pharma: a batch's serialised packs and shipper cases are made in quarantine and stay there until
QA releases the batch (with an electronic signature), which frees them, or rejects it, which
scraps what is still in stock. A pack held for a reason of its own stays held. On SQLite and
PostgreSQL, through the pack's own demo and the capture API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from test_packs import load_recipe

PASSWORD = "Correct-Horse-42"  # every test user's (conftest)


@pytest.fixture
def pharma(admin_client: Any) -> dict[str, Any]:
    installed = admin_client.post("/api/packs/pharma/install", json={})
    assert installed.status_code == 200, installed.get_json()
    summary: dict[str, Any] = load_recipe("pharma")(admin_client, scale=0.1, seed=3)
    return summary


def bulk_lot(client: Any, batch: str) -> dict[str, Any]:
    (lot,) = [
        i for i in client.get(f"/api/items/search?q={batch}").get_json() if i["material"] == "MET500-BULK"
    ]
    return lot  # type: ignore[no-any-return]


def made_from(client: Any, batch: str) -> list[dict[str, Any]]:
    """The packs and cases made from the batch (its forward trace without the bulk lot)."""
    lot = bulk_lot(client, batch)
    trace = client.get(f"/api/items/{lot['id']}/trace?direction=forward").get_json()
    return [i for i in trace["items"] if i["id"] != lot["id"]]


def qa_decision(client: Any, signer: str, batch: str, decision: str) -> Any:
    return client.post(
        "/api/records",
        json={
            "idempotency_key": f"qa-{batch}-{decision}",
            "flow": "pharma-tablet_batch",
            "node": "qa_release",
            "subject": batch,
            "station": "PH-QA-1",
            "event_time": datetime.now(UTC).isoformat(timespec="seconds"),
            "payload": {
                "record_reviewed": True,
                "deviations_closed": True,
                "serialisation_ok": True,
                "decision": decision,
            },
            "signatures": [
                {
                    "meaning": "approved",
                    "username": signer,
                    "password": PASSWORD,
                    "reason": "batch disposition",
                }
            ],
        },
    )


def statuses(items: list[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in items:
        found.setdefault(item["kind"], set()).add(item["status"])
    return found


def test_packs_wait_in_quarantine_until_qa_release_which_leaves_a_held_pack_held(
    admin_client: Any, pharma: dict[str, Any], make_user: Any
) -> None:
    assert pharma["released"], pharma
    for batch in pharma["released"]:  # released by the demo's QA the next morning
        assert statuses(made_from(admin_client, batch)) == {"unit": {"released"}, "container": {"released"}}

    (waiting,) = pharma["awaiting_qa"]
    items = made_from(admin_client, waiting)
    assert statuses(items) == {"unit": {"quarantine"}, "container": {"quarantine"}}
    pack = next(i for i in items if i["kind"] == "unit")
    held = admin_client.post(f"/api/items/{pack['id']}/recall/hold", json={"reason": "pack crushed"})
    assert held.status_code == 200 and held.get_json()["held"] == 2  # the pack and the case holding it
    on_hold = {i["id"] for i in made_from(admin_client, waiting) if i["status"] == "hold"}
    assert pack["id"] in on_hold and len(on_hold) == 2

    make_user("quality", username="qp-ines")
    released = qa_decision(admin_client, "qp-ines", waiting, "release")
    assert released.status_code == 201, released.get_json()

    after = {i["id"]: i["status"] for i in made_from(admin_client, waiting)}
    assert {after.pop(i) for i in on_hold} == {"hold"}
    assert set(after.values()) == {"released"} and len(after) == len(items) - 2
    freed = next(iter(after))
    history = admin_client.get(f"/api/audit?object_type=item&object_id={freed}").get_json()
    newest = next(c for e in history["items"] for c in e["changes"] if c.get("field") == "status")
    assert (newest["old"], newest["new"]) == ("quarantine", "released")


def test_a_rejected_batch_scraps_its_packs_and_cases(
    admin_client: Any, pharma: dict[str, Any], make_user: Any
) -> None:
    (waiting,) = pharma["awaiting_qa"]
    before = bulk_lot(admin_client, waiting)["status"]
    make_user("quality", username="qp-ines")
    rejected = qa_decision(admin_client, "qp-ines", waiting, "reject")
    assert rejected.status_code == 201, rejected.get_json()
    (record,) = admin_client.get(f"/api/records/{rejected.get_json()['record']['id']}").get_json()
    assert record["labels"]["options"]["decision"]["reject"] == {"en": "Reject", "zh-CN": "不予放行"}
    assert record["labels"]["fields"]["decision"] == {"en": "Decision", "zh-CN": "放行结论"}

    assert statuses(made_from(admin_client, waiting)) == {"unit": {"scrapped"}, "container": {"scrapped"}}
    assert bulk_lot(admin_client, waiting)["status"] == (before if before == "consumed" else "scrapped")


def test_a_rejected_batch_leaves_a_case_that_also_holds_released_goods(
    admin_client: Any, pharma: dict[str, Any], make_user: Any
) -> None:
    """A case holding packs of two batches: the rejected batch's packs are scrapped, the case is
    not (it still holds a released pack of the other batch)."""
    from sqlalchemy import select

    from lotline.platform.audit import service as audit_service
    from lotline.platform.db import get_session, transaction
    from lotline.platform.genealogy.models import Edge

    (waiting,) = pharma["awaiting_qa"]
    items = made_from(admin_client, waiting)
    case = next(i for i in items if i["kind"] == "container")
    good = next(i for i in made_from(admin_client, pharma["released"][0]) if i["kind"] == "unit")
    session = get_session()  # the released pack also went into that case (repacked on the dock)
    packed = session.scalars(select(Edge).where(Edge.to_item_id == case["id"])).first()
    assert packed is not None
    dock = audit_service.system_actor("test dock", packed.organisation_id)
    with audit_service.acting_as(session, dock), transaction(session):
        session.add(
            Edge(
                organisation_id=packed.organisation_id,
                from_item_id=good["id"],
                to_item_id=case["id"],
                relation="contained",
                record_id=packed.record_id,
                event_id=packed.event_id,
            )
        )

    make_user("quality", username="qp-ines")
    assert qa_decision(admin_client, "qp-ines", waiting, "reject").status_code == 201
    after = {i["id"]: i["status"] for i in made_from(admin_client, waiting)}
    assert after.pop(case["id"]) == "quarantine"  # not scrapped: it holds a released pack
    assert set(after.values()) == {"scrapped"}  # the batch's packs and its other cases
    assert any(i["kind"] == "container" for i in items if i["id"] in after)
