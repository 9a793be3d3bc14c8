"""Traces of any size as background tasks: queued, run after commit, downloaded as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path
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
    assert task["progress"] == {"phase": "writing", "done": 4, "total": 4, "percent": 100}

    download = operator.get(f"/api/tasks/{task_id}/download")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert {r["code"] for r in rows} == {"'=RES-L1", "SN-1", "SN-2", "SN-3"}
    # the download is an export in the audit trail (which quality may read)
    quality = sign_in(make_user("quality", username="qa"))
    exports = f"/api/audit?action=export&object_type=trace_export&object_id={task_id}"
    (entry,) = quality.get(exports).get_json()["items"]
    assert entry["details"] == {
        "format": "csv",
        "file": f"trace-{task_id}.csv",
        "rows": 4,
        "items": [lot["id"]],
        "direction": "forward",
    }
    assert {r["kind"] for r in rows if r["code"].startswith("SN")} == {"unit"}
    # a file gone from the exports folder: 404, and no export in the audit trail
    from flask import current_app

    (Path(current_app.instance_path) / "exports" / f"trace-{task_id}.csv").unlink()
    assert operator.get(f"/api/tasks/{task_id}/download").status_code == 404
    assert len(quality.get(exports).get_json()["items"]) == 1

    stranger = operator.get(f"/api/tasks/{task_id + 1000}")
    assert stranger.status_code == 404 and stranger.get_json()["code"] == "task_not_found"


def test_unknown_item_is_refused_before_anything_is_queued(operator: Any) -> None:
    response = operator.post("/api/items/999999/trace-export", json={})
    assert response.status_code == 404 and response.get_json()["code"] == "item_not_found"


def test_every_cell_is_written_as_the_database_holds_it(operator: Any, org: Any, tmp_path: Any) -> None:
    """The same text on both databases: six decimals, ISO dates, empty cells for NULL, LF line
    ends, formula-like text behind an apostrophe (a lot scanned as '+…' or '-…' too)."""
    from lotline.platform.db import get_session
    from lotline.platform.genealogy import service

    receive(operator, "+RES-L2", 100)
    receive(operator, "-CAP-L2", 7, gtin=CAP_GTIN)
    assert assemble(operator, "SN-9", ("+RES-L2", 4), ("-CAP-L2", 2)).status_code == 201
    lot = operator.get("/api/items/search?q=%2BRES-L2").get_json()[0]

    task = operator.post(f"/api/items/{lot['id']}/trace-export", json={"direction": "forward"}).get_json()
    download = operator.get(f"/api/tasks/{task['id']}/download")
    text = download.get_data(as_text=True)
    assert "\r" not in text and text.endswith("\n")
    header, *lines = text.splitlines()
    assert header == ",".join(service.EXPORT_COLUMNS)
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert len(lines) == len(rows) == 2
    unit = operator.get("/api/items/search?q=SN-9").get_json()[0]
    assert rows["'+RES-L2"] == {
        "item_id": str(lot["id"]),
        "code": "'+RES-L2",
        "kind": "lot",
        "material": "RES",
        "gtin": lot["gtin"],
        "lot": "'+RES-L2",
        "serial": "",
        "sscc": "",
        "quantity": "100.000000",
        "remaining": "96.000000",
        "uom": "ea",
        "status": "released",
        "expiry": lot["expiry"],
    }
    assert rows["SN-9"]["item_id"] == str(unit["id"]) and rows["SN-9"]["quantity"] == "1.000000"
    assert rows["SN-9"]["lot"] == "" and rows["SN-9"]["serial"] == "SN-9"

    # backward from the unit, by the service itself: both lots, the - one behind an apostrophe
    target = tmp_path / "backward.csv"
    written = service.export_trace_csv(get_session(), org.organisation.id, [unit["id"]], "backward", target)
    back = {r["code"]: r for r in csv.DictReader(io.StringIO(target.read_text(encoding="utf-8")))}
    assert written == 3 and set(back) == {"SN-9", "'+RES-L2", "'-CAP-L2"}
    assert (back["'-CAP-L2"]["quantity"], back["'-CAP-L2"]["remaining"]) == ("7.000000", "5.000000")
    assert back["SN-9"] == rows["SN-9"]


def test_an_export_reports_the_walk_then_the_rows_of_a_known_total(
    operator: Any, org: Any, tmp_path: Any
) -> None:
    from lotline.platform.db import get_session
    from lotline.platform.genealogy import service

    receive(operator, "RES-L1", 100)
    for serial in ("SN-1", "SN-2", "SN-3"):
        assert assemble(operator, serial, ("RES-L1", 4)).status_code == 201
    lot = operator.get("/api/items/search?q=RES-L1").get_json()[0]

    calls: list[tuple[str, int, int | None]] = []
    rows = service.export_trace_csv(
        get_session(),
        org.organisation.id,
        [lot["id"]],
        "forward",
        tmp_path / "t.csv",
        lambda *c: calls.append(c),
    )
    assert rows == 4
    tracing = [c for c in calls if c[0] == "tracing"]
    assert tracing == [("tracing", 1, None), ("tracing", 4, None)]  # the lot, then the level of its units
    assert calls[len(tracing) :] == [("writing", 0, 4), ("writing", 1, 4), ("writing", 4, 4)]


def test_task_progress_is_written_at_most_every_interval_and_always_at_the_end(app: Any) -> None:
    from lotline.platform.db import get_session, transaction
    from lotline.platform.system.jobs import TaskProgress
    from lotline.platform.system.models import BackgroundTask

    session = get_session()
    with transaction(session):
        task = BackgroundTask(kind="trace_export", status="running", params={})
        session.add(task)
    progress = TaskProgress(task.id, every=3600)
    try:
        progress("tracing", 20_000, None)
        progress("tracing", 40_000, None)  # within the interval: not written
        session.expire_all()
        assert session.get(BackgroundTask, task.id).progress == {  # type: ignore[union-attr]
            "phase": "tracing",
            "done": 20_000,
            "total": None,
            "percent": None,
        }
        progress("writing", 30_000, 60_000)  # within the interval, and not the end
        session.expire_all()
        assert session.get(BackgroundTask, task.id).progress["phase"] == "tracing"  # type: ignore[union-attr]
        progress("writing", 60_000, 60_000)  # the end of the phase: written
        session.expire_all()
        assert session.get(BackgroundTask, task.id).progress == {  # type: ignore[union-attr]
            "phase": "writing",
            "done": 60_000,
            "total": 60_000,
            "percent": 100,
        }
    finally:
        progress.close()
