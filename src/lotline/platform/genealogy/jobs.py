"""Genealogy jobs: traces too large for a request, exported as CSV by a background task."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from lotline.platform.genealogy import service
from lotline.platform.system.jobs import TaskProgress, run_task
from lotline.platform.system.models import BackgroundTask


def export_path(app: Flask, task_id: int) -> Path:
    return Path(app.instance_path) / "exports" / f"trace-{task_id}.csv"


def run_trace_export(task_id: int) -> None:
    """Walk the whole trace with bounded memory and write it as CSV next to the task."""

    def work(app: Flask, session: Session, task: BackgroundTask, progress: TaskProgress) -> dict[str, Any]:
        params = task.params
        path = export_path(app, task.id)
        started = time.perf_counter()
        rows = service.export_trace_csv(
            session, params["organisation_id"], params["item_ids"], params["direction"], path, progress
        )
        return {"rows": rows, "file": path.name, "seconds": round(time.perf_counter() - started, 3)}

    run_task(task_id, work)
