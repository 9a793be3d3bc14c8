"""The FDA FSMA 204 sortable spreadsheet, from the food pack's demo week, on SQLite and PostgreSQL:
every critical tracking event with every key data element the rule requires filled in, locations
as their FSMA 204 descriptions, a transformation one row per input lot; XLSX and CSV alike;
audited as an export."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from test_packs import load_recipe

from lotline.platform.reports import fsma204
from lotline.workflow_engine.compliance import FSMA204_KDES


def window(days_back: int = 30) -> str:
    """The last ``days_back`` days through tomorrow (the demo's history ends yesterday)."""
    now = datetime.now(UTC).replace(microsecond=0)
    since, until = now - timedelta(days=days_back), now + timedelta(days=1)
    return urlencode({"since": since.isoformat(), "until": until.isoformat()})


@pytest.fixture
def food(admin_client: Any) -> dict[str, Any]:
    assert admin_client.post("/api/packs/food/install", json={}).status_code == 200
    summary: dict[str, Any] = load_recipe("food")(admin_client, scale=0.1, seed=3)
    return summary


def sheet_rows(response: Any) -> list[dict[str, Any]]:
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = list(book["FSMA 204"].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_every_cte_with_every_required_kde(admin_client: Any, food: dict[str, Any]) -> None:
    response = admin_client.get(f"/api/reports/fsma204?{window()}")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = sheet_rows(response)
    events = Counter(row["Critical tracking event"] for row in rows)
    assert set(events) == {
        "harvesting",
        "cooling",
        "initial_packing",
        "receiving",
        "transformation",
        "shipping",
    }
    for row in rows:
        required, _optional = FSMA204_KDES[row["Critical tracking event"]]
        empty = [kde for kde in required if row[fsma204.header(kde)] in (None, "")]
        assert not empty, (row["Lotline record"], empty)
        assert row["Event date"] and row["Location of the event"]

    receiving = next(row for row in rows if row["Critical tracking event"] == "receiving")
    source = receiving[fsma204.header("previous_source_location")]
    assert "+1" in source and "CA" in source  # business name, phone, address: not just a code
    transformations = [row for row in rows if row["Critical tracking event"] == "transformation"]
    by_record = Counter(row["Lotline record"] for row in transformations)
    assert max(by_record.values()) > 1  # one row per input lot
    one = [r for r in transformations if r["Lotline record"] == by_record.most_common(1)[0][0]]
    assert len({r[fsma204.header("input_tlc")] for r in one}) == len(one)
    assert len({r[fsma204.header("tlc")] for r in one}) == 1  # the output's lot code on each

    # the rows of one lot code, as CSV; the export is in the audit trail
    shipped = next(row for row in rows if row["Critical tracking event"] == "shipping")
    tlc = shipped[fsma204.header("tlc")]
    as_csv = admin_client.get(f"/api/reports/fsma204?{window()}&format=csv&tlc={tlc}")
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    lines = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines and all(tlc in (r[fsma204.header("tlc")], r[fsma204.header("input_tlc")]) for r in lines)
    assert {"transformation", "shipping"} <= {r["Critical tracking event"] for r in lines}
    exports = admin_client.get("/api/audit?action=export&object_type=fsma204").get_json()["items"]
    assert [e["details"]["format"] for e in exports] == ["csv", "xlsx"]  # newest first
    assert exports[0]["details"]["tlc"] == tlc and exports[1]["details"]["rows"] == len(rows)


def test_a_reversed_window_is_refused_on_its_field(admin_client: Any) -> None:
    response = admin_client.get(
        "/api/reports/fsma204?since=2026-11-28T00:00:00%2B00:00&until=2026-11-27T00:00:00%2B00:00",
        headers={"Accept-Language": "zh-CN"},
    )
    assert response.status_code == 422
    (problem,) = response.get_json()["errors"]
    assert problem["field"] == "until" and "晚于" in problem["message"]


def test_where_a_station_is_and_a_corrected_step_are_what_the_sheet_says(
    admin_client: Any, food: dict[str, Any]
) -> None:
    rows = sheet_rows(admin_client.get(f"/api/reports/fsma204?{window()}"))
    cooling = next(row for row in rows if row["Critical tracking event"] == "cooling")
    assert "310 Spreckels Blvd" in cooling[fsma204.header("cooling_location")]  # COOL-1: the packhouse
    harvesting = next(row for row in rows if row["Critical tracking event"] == "harvesting")
    assert "310 Spreckels Blvd" in harvesting[fsma204.header("recipient_location")]  # received there

    # a harvest receipt corrected (weight, and a scanned GS character in its document number):
    # the cooling and initial packing that read it report the corrected values; the XLSX holds
    harvest = next(row for row in rows if row["Critical tracking event"] == "harvesting")
    original = admin_client.get(f"/api/records/{harvest['Lotline record']}").get_json()[-1]
    payload = {**original["payload"], "weight_kg": 1234.5, "ref_doc_no": "HV\x1d0001"}
    instance = admin_client.get(f"/api/flow-instances/{original['flow_instance_id']}").get_json()
    station = admin_client.get(f"/api/masterdata/stations/{original['station_id']}").get_json()
    corrected = admin_client.post(
        "/api/records",
        json={
            "idempotency_key": "fsma-correction-1",
            "flow": instance["flow_key"],
            "node": original["node"],
            "subject": instance["subject"],
            "station": station["code"],
            "event_time": original["event_time"],
            "corrects": original["id"],
            "reason": "scale reading typed wrong",
            "payload": payload,
        },
    )
    assert corrected.status_code == 201, corrected.get_json()
    response = admin_client.get(f"/api/reports/fsma204?{window()}")
    assert response.status_code == 200
    after = sheet_rows(response)
    new_id = corrected.get_json()["record"]["id"]
    assert original["id"] not in {row["Lotline record"] for row in after}
    redone = next(row for row in after if row["Lotline record"] == new_id)
    assert redone[fsma204.header("quantity")] == 1234.5
    assert redone[fsma204.header("reference_document_number")] == "HV 0001"  # no control character
    from sqlalchemy import select

    from lotline.platform.capture.models import Record
    from lotline.platform.db import get_session

    steps = set(
        get_session().scalars(
            select(Record.id).where(
                Record.flow_instance_id == original["flow_instance_id"],
                Record.node.in_(["cooling", "initial_packing"]),
            )
        )
    )
    followers = {row["Lotline record"]: row for row in after if row["Lotline record"] in steps}
    assert {row["Critical tracking event"] for row in followers.values()} == {"cooling", "initial_packing"}
    for row in followers.values():  # cooling's quantity, initial packing's received quantity
        assert 1234.5 in (row[fsma204.header("quantity")], row[fsma204.header("received_quantity")])


def test_who_may_export_and_how_much_at_once(admin_client: Any, make_user: Any, sign_in: Any) -> None:
    operator = sign_in(make_user("operator", username="olga"))
    assert operator.get(f"/api/reports/fsma204?{window()}").status_code == 403
    too_long = admin_client.get(f"/api/reports/fsma204?{window(days_back=400)}")
    assert too_long.status_code == 422
    assert too_long.get_json()["errors"][0]["field"] == "until"
