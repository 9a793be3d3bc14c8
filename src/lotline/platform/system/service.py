"""System service: background task bookkeeping and the self-check job.

Module-level functions take the session explicitly; ``transaction`` owns the commit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lotline import __version__
from lotline.platform.db import Base, transaction, utcnow
from lotline.platform.jobs import enqueue_after_commit
from lotline.platform.system.models import BackgroundTask


class TaskNotFound(LookupError):
    pass


def request_selfcheck(session: Session) -> BackgroundTask:
    """Create a ``selfcheck`` task and enqueue its job once the task row is committed."""
    from lotline.platform.system import jobs

    with transaction(session):
        task = BackgroundTask(kind="selfcheck", status="queued", params={})
        session.add(task)
        session.flush()
        enqueue_after_commit(session, jobs.run_selfcheck, task.id)
    return task


def get_task(session: Session, task_id: int) -> BackgroundTask:
    task = session.get(BackgroundTask, task_id)
    if task is None:
        raise TaskNotFound(task_id)
    return task


def start_task(session: Session, task_id: int) -> BackgroundTask:
    with transaction(session):
        task = get_task(session, task_id)
        task.status = "running"
        task.started_at = utcnow()
    return task


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
