"""Multi-dimensional trace queries and numbering rules, through the real API."""

from __future__ import annotations

from typing import Any

import pytest
from test_capture import assemble, capture, receive

from lotline.platform.demo import CAP_GTIN


@pytest.fixture
def produced(operator: Any) -> Any:
    """Two units from RES-L1 + CAP-L1 made with TQ-7, one shipped to ACME on a pallet, one failing test."""
    receive(operator, "RES-L1", 100)
    receive(operator, "CAP-L1", 100, gtin=CAP_GTIN)
    for serial in ("SN-1", "SN-2"):
        assert assemble(operator, serial, ("RES-L1", 4), ("CAP-L1", 2)).status_code == 201
    assert capture(operator, "widget-line", "final_test", "SN-1", {"voltage": "5.01"}).status_code == 201
    assert capture(operator, "widget-line", "final_test", "SN-2", {"voltage": "6.2"}).status_code == 201
    assert (
        capture(operator, "widget-line", "pack", "SN-1", {"pallet": "]C100095060001343520000"}).status_code
        == 201
    )
    assert capture(operator, "widget-line", "ship", "SN-1", {"customer": "CUST-ACME"}).status_code == 201
    return operator


def codes(items: list[dict[str, Any]]) -> set[str]:
    return {i["code"] for i in items}


def test_everything_a_tool_touched_in_a_window(produced: Any) -> None:
    touched = produced.get("/api/items/touched?equipment=TQ-7").get_json()
    assert codes([t["item"] for t in touched]) == {"SN-1", "SN-2", "RES-L1", "CAP-L1"}
    assert {t["event"]["biz_step"] for t in touched} == {"assembling"}
    window = "since=2026-11-28T09:00:00%2B08:00&until=2026-11-28T10:00:00%2B08:00"
    assert len(produced.get(f"/api/items/touched?equipment=TQ-7&{window}").get_json()) == len(touched)
    before = "until=2026-11-28T09:00:00%2B08:00"
    assert produced.get(f"/api/items/touched?equipment=TQ-7&{before}").get_json() == []


def test_by_station_operator_and_step(produced: Any) -> None:
    at_station = produced.get("/api/items/touched?station=ST-1&step=inspecting").get_json()
    assert codes([t["item"] for t in at_station]) == {"SN-1", "SN-2"}
    by_olga = produced.get("/api/items/touched?operator=olga&step=shipping").get_json()
    assert codes([t["item"] for t in by_olga]) == {"SN-1"}
    unknown = produced.get("/api/items/touched?station=NOPE")
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "station_unknown"


def test_made_from_a_supplier_lot_and_shipped_to_a_customer(produced: Any) -> None:
    made = produced.get("/api/items/made-from?supplier_lot=CAP-L1").get_json()
    assert codes(made) == {"CAP-L1", "SN-1", "SN-2", "095060001343520000"}
    shipped = produced.get("/api/items/shipped-to?location=CUST-ACME").get_json()
    assert codes(shipped) == {"SN-1"}


def test_inspection_results_by_step(produced: Any) -> None:
    page = produced.get("/api/quality/results?node=final_test").get_json()
    assert page["summary"]["count"] == 2
    assert page["summary"]["by_result"] == {"pass": 1, "fail": 1}
    assert (page["summary"]["min"], page["summary"]["max"]) == (5.01, 6.2)
    failed = produced.get("/api/quality/results?node=final_test&result=fail").get_json()["items"]
    assert [(r["characteristic"], r["value"], r["unit"]) for r in failed] == [("voltage", 6.2, "V")]
    assert failed[0]["limits"] == {"lsl": 4.5, "target": 5, "usl": 5.5}


def test_numbering_rule_gives_daily_sequences_per_site_and_line(admin_client: Any, operator: Any) -> None:
    site_id = admin_client.get("/api/sites").get_json()[0]["id"]
    line = admin_client.post(
        "/api/masterdata/lines", json={"site_id": site_id, "code": "L2", "name": "Line 2"}
    )
    station = {"site_id": site_id, "line_id": line.get_json()["id"], "code": "MIX-1", "name": "Mixer"}
    assert admin_client.post("/api/masterdata/stations", json=station).status_code == 201
    form = {
        "format_version": 1,
        "title": {"en": "Mix", "zh-CN": "配料"},
        "fields": [
            {
                "key": "qty",
                "type": "number",
                "min": 0,
                "label": {"en": "Qty", "zh-CN": "数量"},
                "required": True,
            }
        ],
    }
    flow = {
        "format_version": 1,
        "subject": "work_order",
        "name": {"en": "Mixing", "zh-CN": "配料"},
        "start": ["mix"],
        "end": ["mix"],
        "transitions": [],
        "nodes": [
            {
                "id": "mix",
                "type": "transform",
                "form": {"key": "mixing", "version": 1},
                "epcis": {"eventType": "TransformationEvent", "bizStep": "commissioning"},
                "actions": [
                    {
                        "type": "create_item",
                        "kind": "lot",
                        "material": "GLUE",
                        "numbering": "B{site}{line}-{date:%y%m%d}-{seq:03}",
                        "quantity_field": "qty",
                    }
                ],
            }
        ],
    }
    for path, body in (
        ("/api/forms", {"key": "mixing", "document": form}),
        ("/api/flows", {"key": "mix", "document": flow}),
    ):
        assert admin_client.post(path, json=body).status_code == 201
        assert admin_client.post(f"{path}/{body['key']}/publish", json={}).status_code == 201
    made = []
    for order, day in (("WO-1", "2026-11-28"), ("WO-2", "2026-11-28"), ("WO-3", "2026-11-29")):
        answer = capture(
            operator, "mix", "mix", order, {"qty": "25"}, event_time=f"{day}T08:00:00+08:00", station="MIX-1"
        )
        assert answer.status_code == 201, answer.get_json()
        made.append(answer.get_json()["created_items"][0])
    assert [m["code"] for m in made] == ["BMAINL2-261128-001", "BMAINL2-261128-002", "BMAINL2-261129-001"]
    assert {(m["material"], m["quantity"], m["kind"]) for m in made} == {("GLUE", 25.0, "lot")}


@pytest.mark.parametrize(
    "query",
    [
        "RES-L1",
        "]d2010950600013435210RES-L1",
        "(01)09506000134352(10)RES-L1",
        "https://id.gs1.org/01/09506000134352/10/RES-L1",
        "01095060001343521" + "0RES-L1",
    ],
)
def test_search_accepts_whatever_is_scanned_or_pasted(produced: Any, query: str) -> None:
    from urllib.parse import quote

    found = produced.get(f"/api/items/search?q={quote(query)}").get_json()
    assert [i["code"] for i in found] == ["RES-L1"]
