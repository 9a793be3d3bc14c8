"""Traces of any size as background tasks: queued, run after commit, downloaded as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from test_capture import assemble, receive

from lotline.platform.demo import CAP_GTIN, build


@pytest.fixture
def operator(admin_client: Any, make_user: Any, sign_in: Any) -> Any:
    build(admin_client)
    return sign_in(make_user("operator", username="olga"))


def test_forward_trace_export_runs_as_a_task_and_downloads_as_csv(
    operator: Any, make_user: Any, sign_in: Any
) -> None:
    receive(operator, "=RES-L1", 100)  # a code a spreadsheet would run as a formula
    receive(operator, "CAP-L1", 100, gtin=CAP_GTIN)
    for serial in ("SN-1", "SN-2", "SN-3"):
        assert assemble(operator, serial, ("=RES-L1", 4), ("CAP-L1", 2)).status_code == 201
    lot = operator.get("/api/items/search?q==RES-L1").get_json()[0]

    queued = operator.post(f"/api/items/{lot['id']}/trace-export", json={"direction": "forward"})
    assert queued.status_code == 202
    task_id = queued.get_json()["id"]
    task = operator.get(f"/api/tasks/{task_id}").get_json()
    assert (task["kind"], task["status"]) == ("trace_export", "done")  # jobs run in-process after commit
    assert task["result"]["rows"] == 4

    download = operator.get(f"/api/tasks/{task_id}/download")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert {r["code"] for r in rows} == {"'=RES-L1", "SN-1", "SN-2", "SN-3"}
    assert {r["kind"] for r in rows if r["code"].startswith("SN")} == {"unit"}

    stranger = operator.get(f"/api/tasks/{task_id + 1000}")
    assert stranger.status_code == 404 and stranger.get_json()["code"] == "task_not_found"


def test_unknown_item_is_refused_before_anything_is_queued(operator: Any) -> None:
    response = operator.post("/api/items/999999/trace-export", json={})
    assert response.status_code == 404 and response.get_json()["code"] == "item_not_found"
