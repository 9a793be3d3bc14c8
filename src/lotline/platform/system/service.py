"""System service: background task bookkeeping and the self-check job.

Module-level functions take the session explicitly; ``transaction`` owns the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lotline import __version__
from lotline.form_engine.problems import register_messages
from lotline.platform.db import Base, transaction, utcnow
from lotline.platform.errors import NotFoundError
from lotline.platform.jobs import enqueue_after_commit
from lotline.platform.system.models import BackgroundTask

register_messages(
    {
        "task_not_found": {"en": "No task {task}.", "zh-CN": "任务 {task} 不存在。"},
        "task_not_finished": {
            "en": "Task {task} is {status}; download it when it is done.",
            "zh-CN": "任务 {task} 状态为 {status}，完成后再下载。",
        },
    }
)


class TaskNotFound(LookupError):
    pass


def create_task(
    session: Session, kind: str, params: dict[str, Any], job: Callable[[int], None]
) -> BackgroundTask:
    """A queued task whose job (called with the task id) is enqueued once the task is committed."""
    with transaction(session):
        task = BackgroundTask(kind=kind, status="queued", params=params)
        session.add(task)
        session.flush()
        enqueue_after_commit(session, job, task.id)
    return task


def request_selfcheck(session: Session) -> BackgroundTask:
    """Create a ``selfcheck`` task and enqueue its job once the task row is committed."""
    from lotline.platform.system import jobs

    return create_task(session, "selfcheck", {}, jobs.run_selfcheck)


def get_task(session: Session, task_id: int) -> BackgroundTask:
    task = session.get(BackgroundTask, task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


def get_task_for(session: Session, organisation_id: int, task_id: int) -> BackgroundTask:
    """A task the organisation asked for (tasks carry their organisation in their parameters)."""
    task = session.get(BackgroundTask, task_id)
    if task is None or task.params.get("organisation_id") != organisation_id:
        raise NotFoundError("task_not_found", {"task": task_id})
    return task


def start_task(session: Session, task_id: int) -> BackgroundTask:
    with transaction(session):
        task = get_task(session, task_id)
        task.status = "running"
        task.started_at = utcnow()
    return task


def record_download(session: Session, task: BackgroundTask) -> None:
    """A download of a task's file is an export of data: one audit entry (which trace, rows)."""
    from lotline.platform.audit import service as audit_service

    result, params = task.result or {}, task.params
    details = {
        "format": "csv",
        "file": result.get("file"),
        "rows": result.get("rows"),
        "items": params.get("item_ids"),
        "direction": params.get("direction"),
    }
    with transaction(session):
        organisation_id = params.get("organisation_id")
        audit_service.record(
            session, "export", task.kind, task.id, details=details, organisation_id=organisation_id
        )


def report_progress(session: Session, task_id: int, phase: str, done: int, total: int | None) -> None:
    """A running task's progress, committed by ``session`` (a session of its own, not the one
    doing the task's work, so that pollers see it while the work goes on)."""
    percent = min(100, done * 100 // total) if total else (100 if total == 0 else None)
    progress = {"phase": phase, "done": done, "total": total, "percent": percent}
    with transaction(session):
        running = (BackgroundTask.id == task_id, BackgroundTask.status == "running")
        session.execute(sa.update(BackgroundTask).where(*running).values(progress=progress))


def finish_task(
    session: Session, task_id: int, result: dict[str, Any] | None = None, error: str | None = None
) -> BackgroundTask:
    with transaction(session):
        task = get_task(session, task_id)
        task.status = "failed" if error else "done"
        task.result = result
        task.error = error
        task.finished_at = utcnow()
    return task


def selfcheck(session: Session) -> dict[str, Any]:
    """What the self-check job reports: the database answers and every table is there."""
    bind = session.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    expected = set(Base.metadata.tables)
    return {
        "version": __version__,
        "dialect": bind.dialect.name,
        "database_ok": session.execute(sa.text("SELECT 1")).scalar_one() == 1,
        "missing_tables": sorted(expected - present),
    }


def database_status(session: Session) -> dict[str, Any]:
    """Health of the database: reachable, dialect, and the migration revision it is at."""
    bind = session.get_bind()
    try:
        session.execute(sa.text("SELECT 1"))
        revision = None
        if sa.inspect(bind).has_table("alembic_version"):
            revision = session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return {"status": "ok", "dialect": bind.dialect.name, "revision": revision}
    except sa.exc.SQLAlchemyError as exc:
        session.rollback()
        return {"status": "down", "dialect": bind.dialect.name, "error": type(exc).__name__}


def health(session: Session, jobs: Any) -> dict[str, Any]:
    """The service's health: ok only when the database answers and configured Redis does."""
    database = database_status(session)
    redis = jobs.status()
    healthy = database["status"] == "ok" and redis["status"] in ("ok", "disabled")
    return {
        "status": "ok" if healthy else "degraded",
        "version": __version__,
        "database": database,
        "redis": redis,
        "jobs": {"mode": jobs.mode, "queue": jobs.queue_name},
    }
