"""System jobs: importable functions taking ids, runnable by RQ or in-process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from lotline.platform.db import get_db
from lotline.platform.jobs import job_app_context
from lotline.platform.system import service
from lotline.platform.system.models import BackgroundTask


def run_task(task_id: int, work: Callable[[Flask, Session, BackgroundTask], dict[str, Any]]) -> None:
    """Run ``work`` for a task: running -> done with its result, or failed with the error."""
    with job_app_context() as app:
        session = get_db().new_session()
        try:
            task = service.start_task(session, task_id)
            try:
                result = work(app, session, task)
            except Exception as exc:  # recorded on the task; the task is the report
                session.rollback()
                service.finish_task(session, task_id, error=f"{type(exc).__name__}: {exc}")
                raise
            service.finish_task(session, task_id, result=result)
        finally:
            session.close()


def run_selfcheck(task_id: int) -> None:
    """Run the self-check for ``task_id`` and store its result on the task."""
    run_task(task_id, lambda _app, session, _task: service.selfcheck(session))
