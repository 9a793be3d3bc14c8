"""Capture through the real API on SQLite and PostgreSQL: records become events, edges and item
changes in one transaction; every error-proofing rule refuses with its code and field path;
retries are harmless; corrections keep the original; traces walk what was recorded."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from lotline.platform.demo import GLUE_GTIN, RES_GTIN

GS = "\x1d"


def key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def supervisor(make_user: Any, sign_in: Any, plant: dict[str, Any]) -> Any:
    return sign_in(make_user("supervisor", "quality", username="sam"))


def capture(client: Any, flow: str, node: str, subject: str, payload: dict[str, Any], **extra: Any) -> Any:
    headers = extra.pop("headers", {})
    body = {
        "idempotency_key": extra.pop("idempotency_key", key()),
        "flow": flow,
        "node": node,
        "subject": subject,
        "station": extra.pop("station", "ST-1"),
        "payload": payload,
        "event_time": "2026-11-28T09:30:00+08:00",
        **extra,
    }
    return client.post("/api/records", json=body, headers=headers)


def receive(client: Any, lot: str, qty: int, gtin: str = RES_GTIN) -> dict[str, Any]:
    response = capture(client, "goods-in", "receive", lot, {"lot": f"]d201{gtin}10{lot}", "qty": str(qty)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def assemble(client: Any, serial: str, *components: tuple[str, int], **extra: Any) -> Any:
    payload = {"components": [{"lot": lot, "qty": qty} for lot, qty in components], "tool": "TQ-7"}
    return capture(client, "widget-line", "assemble", serial, payload, **extra)


def test_receiving_creates_lots_from_gs1_scans(operator: Any) -> None:
    answer = receive(operator, "RES-L1", 100)
    created = answer["created_items"]
    assert len(created) == 1
    lot = created[0]
    assert (lot["code"], lot["material"], lot["gtin"], lot["quantity"], lot["uom"]) == (
        "RES-L1",
        "RES",
        RES_GTIN,
        100.0,
        "ea",
    )
    assert lot["supplier_lot"] == "RES-L1" and lot["status"] == "released"
    assert lot["expiry"] == "2027-11-28"  # the material's shelf life from the event date
    assert lot["digital_link"] == f"https://id.gs1.org/01/{RES_GTIN}/10/RES-L1"
    assert answer["record"]["event_time"] == "2026-11-28T09:30:00+08:00"


def test_assembly_consumes_lots_and_records_genealogy(operator: Any) -> None:
    receive(operator, "RES-L1", 100)
    receive(operator, "CAP-L1", 50, gtin="09506000134369")
    response = assemble(operator, "SN-0001", ("RES-L1", 4), ("CAP-L1", 2))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    unit = answer["created_items"][0]
    assert (unit["code"], unit["kind"], unit["material"]) == ("SN-0001", "unit", "WIDGET")
    assert answer["next_steps"] == [{"node": "final_test", "status": "enabled"}]

    res = operator.get("/api/items/search?q=RES-L1").get_json()[0]
    assert res["remaining"] == 96.0 and res["status"] == "released"
    backward = operator.get(f"/api/items/{unit['id']}/trace?direction=backward").get_json()
    assert {i["code"] for i in backward["items"]} == {"SN-0001", "RES-L1", "CAP-L1"}
    quantities = {(e["from_item_id"], e["relation"], e["quantity"]) for e in backward["edges"]}
    assert (res["id"], "consumed", 4.0) in quantities
    steps = {e["biz_step"] for e in backward["events"]}
    assert {"receiving", "assembling"} <= steps
    assembling = next(e for e in backward["events"] if e["biz_step"] == "assembling")
    assert assembling["how"]["equipment"] == ["TQ-7"] and assembling["read_point"] == "ST-1"
    assert assembling["event_time_zone_offset"] == "+08:00"


def test_a_lot_scanned_on_two_lines_gives_both_quantities(operator: Any) -> None:
    receive(operator, "RES-L1", 10)
    answer = assemble(operator, "SN-0001", ("RES-L1", 4), ("RES-L1", 3))
    assert answer.status_code == 201, answer.get_json()
    res = operator.get("/api/items/search?q=RES-L1").get_json()[0]
    assert (res["remaining"], res["status"]) == (3.0, "released")
    unit = answer.get_json()["created_items"][0]
    backward = operator.get(f"/api/items/{unit['id']}/trace?direction=backward").get_json()
    assert sorted(e["quantity"] for e in backward["edges"] if e["from_item_id"] == res["id"]) == [3.0, 4.0]

    emptied = assemble(operator, "SN-0002", ("RES-L1", 2), ("RES-L1", 1))
    assert emptied.status_code == 201, emptied.get_json()
    res = operator.get("/api/items/search?q=RES-L1").get_json()[0]
    assert (res["remaining"], res["status"]) == (0.0, "consumed")


def test_retry_with_the_same_key_writes_nothing(operator: Any) -> None:
    receive(operator, "RES-L1", 100)
    first = assemble(operator, "SN-0001", ("RES-L1", 4), idempotency_key="tablet-7-000042")
    again = assemble(operator, "SN-0001", ("RES-L1", 4), idempotency_key="tablet-7-000042")
    assert first.status_code == again.status_code == 201
    assert again.get_json()["record"] == first.get_json()["record"] and again.get_json()["replayed"] is True
    assert operator.get("/api/items/search?q=RES-L1").get_json()[0]["remaining"] == 96.0


@pytest.mark.parametrize(("status", "code"), [("hold", "lot_on_hold"), ("quarantine", "lot_quarantined")])
def test_held_lots_are_refused_at_the_scan(operator: Any, status: str, code: str) -> None:
    receive(operator, "RES-L1", 100)
    receive(operator, "CAP-L1", 100, gtin="09506000134369")
    from lotline.platform.db import get_session
    from lotline.platform.genealogy.models import Item

    session = get_session()
    item = session.query(Item).filter_by(code="CAP-L1").one()
    item.status = status
    session.commit()
    response = assemble(
        operator, "SN-0001", ("RES-L1", 4), ("CAP-L1", 2), headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("payload.components[1].lot", code)]
    assert "CAP-L1" in errors[0]["message"]
    assert operator.get("/api/items/search?q=RES-L1").get_json()[0]["remaining"] == 100.0  # nothing partial


def test_quantity_above_what_remains_and_unknown_lots(operator: Any) -> None:
    receive(operator, "RES-L1", 5)
    response = assemble(operator, "SN-0001", ("RES-L1", 4), ("RES-L1", 4), ("NOPE-9", 1))
    assert response.status_code == 422
    codes = [(e["field"], e["code"]) for e in response.get_json()["errors"]]
    assert codes == [
        ("payload.components[1].lot", "quantity_exceeds_remaining"),
        ("payload.components[2].lot", "item_not_found"),
    ]
    assert response.get_json()["errors"][0]["params"]["remaining"] == "1"


def test_material_outside_the_bom_is_refused(operator: Any) -> None:
    receive(operator, "GLUE-L1", 5, gtin=GLUE_GTIN)
    refused = assemble(operator, "SN-0001", ("GLUE-L1", 1))
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.get_json()["errors"]] == [
        ("payload.components[0].lot", "step.material_not_allowed")
    ]


def test_out_of_sequence_step_names_the_expected_one(operator: Any) -> None:
    receive(operator, "RES-L1", 100)
    assert assemble(operator, "SN-0001", ("RES-L1", 4)).status_code == 201
    early = capture(operator, "widget-line", "pack", "SN-0001", {"pallet": "]C100095060001343520000"})
    assert early.status_code == 422
    error = early.get_json()["errors"][0]
    assert error["code"] == "step.out_of_sequence" and "final_test" in error["message"]
    not_started = capture(operator, "widget-line", "final_test", "SN-0404", {"voltage": "5.0"})
    assert (
        not_started.status_code == 422 and not_started.get_json()["errors"][0]["code"] == "instance_missing"
    )


def test_wrong_station_for_the_node_and_for_the_session(operator: Any, make_user: Any, app: Any) -> None:
    receive(operator, "RES-L1", 100)
    at_st2 = assemble(operator, "SN-0001", ("RES-L1", 4), station="ST-2")
    assert at_st2.status_code == 422 and at_st2.get_json()["errors"][0]["code"] == "step.station_not_allowed"

    make_user("operator", username="badge-user", badge="B-77", pin="1357")
    tablet = app.test_client()
    signed = tablet.post("/api/auth/station-login", json={"station": "ST-2", "badge": "B-77", "pin": "1357"})
    csrf = {"X-CSRF-Token": signed.get_json()["csrf_token"]}
    body = {
        "idempotency_key": key(),
        "flow": "widget-line",
        "node": "assemble",
        "subject": "SN-0002",
        "station": "ST-1",
        "payload": {"components": [{"lot": "RES-L1", "qty": 4}]},
    }
    refused = tablet.post("/api/records", json=body, headers=csrf)
    assert refused.status_code == 403 and refused.get_json()["code"] == "wrong_station"


def test_failed_test_routes_to_rework_and_back(operator: Any) -> None:
    receive(operator, "RES-L1", 100)
    receive(operator, "CAP-L1", 100, gtin="09506000134369")
    assemble(operator, "SN-0001", ("RES-L1", 4), ("CAP-L1", 2))
    failed = capture(operator, "widget-line", "final_test", "SN-0001", {"voltage": "6.1"})
    assert failed.status_code == 201
    assert failed.get_json()["next_steps"] == [{"node": "rework", "status": "enabled"}]
    reworked = capture(
        operator, "widget-line", "rework", "SN-0001", {"part": "CAP-L1", "qty": "1", "note": "C3"}
    )
    assert reworked.status_code == 201, reworked.get_json()
    passed = capture(operator, "widget-line", "final_test", "SN-0001", {"voltage": "5.02"})
    assert passed.get_json()["next_steps"] == [{"node": "pack", "status": "enabled"}]
    unit = operator.get("/api/items/search?q=SN-0001").get_json()[0]
    backward = operator.get(f"/api/items/{unit['id']}/trace").get_json()
    consumed = sorted(e["quantity"] for e in backward["edges"] if e["relation"] == "consumed")
    assert consumed == [1.0, 2.0, 4.0]  # the replacement capacitor is part of the unit's genealogy


def test_correction_keeps_the_original_and_fixes_quantities(operator: Any, supervisor: Any) -> None:
    receive(operator, "RES-L1", 100)
    original = assemble(operator, "SN-0001", ("RES-L1", 40)).get_json()["record"]
    no_reason = assemble(supervisor, "SN-0001", ("RES-L1", 4), corrects=original["id"])
    assert (
        no_reason.status_code == 422
        and no_reason.get_json()["errors"][0]["code"] == "correction_reason_required"
    )
    as_operator = assemble(operator, "SN-0001", ("RES-L1", 4), corrects=original["id"], reason="typo")
    assert as_operator.status_code == 403

    fixed = assemble(supervisor, "SN-0001", ("RES-L1", 4), corrects=original["id"], reason="typed 40 for 4")
    assert fixed.status_code == 201, fixed.get_json()
    assert fixed.get_json()["record"]["corrects"] == original["id"]
    assert operator.get("/api/items/search?q=RES-L1").get_json()[0]["remaining"] == 96.0

    history = operator.get(f"/api/records/{original['id']}").get_json()
    assert [r["id"] for r in history] == [original["id"], fixed.get_json()["record"]["id"]]
    assert history[0]["data"]["components"][0]["qty"] == 40  # the original is kept as it was
    assert history[1]["correction_reason"] == "typed 40 for 4"
    labels = history[0]["labels"]["fields"]  # the form's names for what the record holds
    assert labels["components"] == {"en": "Components", "zh-CN": "零部件"}
    assert labels["components.lot"] == {"en": "Lot", "zh-CN": "批次"}
    assert labels["tool"] == {"en": "Tool", "zh-CN": "工具"}

    unit = operator.get("/api/items/search?q=SN-0001").get_json()[0]
    edges = operator.get(f"/api/items/{unit['id']}/trace").get_json()["edges"]
    assert [(e["relation"], e["quantity"]) for e in edges] == [("consumed", 4.0)]  # voided edge not traced
    again = assemble(supervisor, "SN-0001", ("RES-L1", 5), corrects=original["id"], reason="again")
    assert again.get_json()["errors"][0]["code"] == "correction_already_made"


def test_pack_ship_trace_forward_to_the_customer_and_hold_the_recall_scope(
    operator: Any, supervisor: Any
) -> None:
    receive(operator, "RES-L1", 100)
    receive(operator, "CAP-L1", 100, gtin="09506000134369")
    for serial in ("SN-1", "SN-2", "SN-3"):
        assert assemble(operator, serial, ("RES-L1", 4), ("CAP-L1", 2)).status_code == 201
        assert capture(operator, "widget-line", "final_test", serial, {"voltage": "5.0"}).status_code == 201
    for serial in ("SN-1", "SN-2"):
        packed = capture(operator, "widget-line", "pack", serial, {"pallet": "]C100095060001343520000"})
        assert packed.status_code == 201, packed.get_json()
        shipped = capture(operator, "widget-line", "ship", serial, {"customer": "CUST-ACME"})
        assert shipped.status_code == 201, shipped.get_json()
        assert shipped.get_json()["instance_status"] == "completed"
    on_dock = capture(operator, "widget-line", "pack", "SN-3", {"pallet": "]C100095060001343520017"})
    assert on_dock.status_code == 201, on_dock.get_json()

    pallet = operator.get("/api/items/search?q=(00)095060001343520000").get_json()
    assert [p["kind"] for p in pallet] == ["container"]
    res = operator.get("/api/items/search?q=RES-L1").get_json()[0]
    forward = operator.get(f"/api/items/{res['id']}/trace?direction=forward").get_json()
    assert {i["code"] for i in forward["items"]} == {
        "RES-L1",
        "SN-1",
        "SN-2",
        "SN-3",
        "095060001343520000",
        "095060001343520017",
    }
    ship_events = [e for e in forward["events"] if e["biz_step"] == "shipping"]
    assert {e["biz_location"] for e in ship_events} == {"CUST-ACME"}

    scope = operator.get(f"/api/items/{res['id']}/recall").get_json()
    assert {i["code"] for i in scope["shipped"]} == {"SN-1", "SN-2"}
    # the first pallet's units have all shipped: it is no longer stock; the second still holds SN-3
    assert {i["code"] for i in scope["stock"]} == {"RES-L1", "SN-3", "095060001343520017"}
    assert scope["customers"] == [
        {"code": "CUST-ACME", "name": "ACME Retail DC", "business_name": "ACME Retail", "items": 2}
    ]
    shipped_ids = {i["id"]: i["code"] for i in scope["shipped"]}
    assert sorted(shipped_ids[s["item_id"]] for s in scope["shipments"]) == ["SN-1", "SN-2"]
    assert all(s["customer"] == "CUST-ACME" and s["shipped_at"] for s in scope["shipments"])
    reason = {"reason": "Supplier notice SN-4471: resistor lot RES-L1 out of tolerance"}
    assert operator.post(f"/api/items/{res['id']}/recall/hold", json=reason).status_code == 403
    unexplained = supervisor.post(f"/api/items/{res['id']}/recall/hold", json={})
    assert unexplained.status_code == 422  # a hold without a reason is refused, nothing held
    assert [e["path"] for e in unexplained.get_json()["errors"]] == [["reason"]]
    held = supervisor.post(f"/api/items/{res['id']}/recall/hold", json=reason).get_json()
    assert held["held"] >= 2
    sn3 = operator.get("/api/items/search?q=SN-3").get_json()[0]
    assert sn3["status"] == "hold"
    trail = supervisor.get(f"/api/audit?object_type=item&object_id={sn3['id']}").get_json()
    holds = [e for e in trail["items"] if any(c["new"] == "hold" for c in e["changes"])]
    assert [e["reason"] for e in holds] == [reason["reason"]]
    balance = operator.get(f"/api/items/{res['id']}/mass-balance").get_json()
    assert (
        balance["received_or_produced"],
        balance["consumed"],
        balance["remaining"],
        balance["difference"],
    ) == (100.0, 12.0, 88.0, 0.0)


def test_batch_capture_accepts_and_rejects_each_record_on_its_own(operator: Any) -> None:
    records = [
        {
            "idempotency_key": key(),
            "flow": "goods-in",
            "node": "receive",
            "subject": f"RES-B{i}",
            "station": "ST-1",
            "payload": {"lot": f"]d201{RES_GTIN}10RES-B{i}", "qty": "10"},
        }
        for i in range(3)
    ]
    records[1]["payload"]["qty"] = "ten"
    response = operator.post("/api/records/batch", json={"records": records})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "accepted"]
    assert body["results"][1]["errors"][0]["field"] == "payload.qty"
    assert operator.get("/api/items/search?q=RES-B1").get_json() == []
    assert len(operator.get("/api/items/search?q=RES-B2").get_json()) == 1


def test_a_batch_goes_on_after_a_record_refused_halfway_through_its_writes(operator: Any) -> None:
    """The second record is refused only once its instance and record rows are written (its
    serial exists already); the third (which may get the same ids on SQLite) is written all the
    same, and the lot's remaining quantity counts the accepted records only."""
    receive(operator, "RES-L1", 100)
    # an item with the serial the second record wants (of no known material: no BOM to refuse it)
    receive(operator, "SN-TAKEN", 1, gtin="09506000134390")
    body = {
        "station": "ST-1",
        "flow": "widget-line",
        "node": "assemble",
        "event_time": "2026-11-28T09:30:00+08:00",
    }
    records = [
        {
            **body,
            "idempotency_key": key(),
            "subject": serial,
            "payload": {"components": [{"lot": "RES-L1", "qty": 4}], "tool": "TQ-7"},
        }
        for serial in ("SN-0001", "SN-TAKEN", "SN-0002")
    ]
    response = operator.post("/api/records/batch", json={"records": records})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected", "accepted"]
    assert answer["results"][1]["errors"][0]["code"] == "duplicate_serial"
    assert operator.get("/api/items/search?q=RES-L1").get_json()[0]["remaining"] == 92.0
    listed = operator.get("/api/flow-instances?flow=widget-line&node=final_test").get_json()
    assert sorted(i["subject"] for i in listed["items"]) == ["SN-0001", "SN-0002"]
