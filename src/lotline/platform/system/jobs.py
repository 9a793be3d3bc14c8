"""System jobs: importable functions taking ids, runnable by RQ or in-process."""

from __future__ import annotations

from lotline.platform.db import get_db
from lotline.platform.jobs import job_app_context
from lotline.platform.system import service


def run_selfcheck(task_id: int) -> None:
    """Run the self-check for ``task_id`` and store its result on the task."""
    with job_app_context():
        session = get_db().new_session()
        try:
            service.start_task(session, task_id)
            try:
                result = service.selfcheck(session)
            except Exception as exc:  # recorded on the task; the task is the report
                session.rollback()
                service.finish_task(session, task_id, error=f"{type(exc).__name__}: {exc}")
                raise
            service.finish_task(session, task_id, result=result)
        finally:
            session.close()
