"""System jobs: importable functions taking ids, runnable by RQ or in-process."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lotline.platform.db import get_db
from lotline.platform.jobs import job_app_context
from lotline.platform.system import service
from lotline.platform.system.models import BackgroundTask

log = logging.getLogger(__name__)


class TaskProgress:
    """``progress(phase, done, total)`` for a task's work: written on a session of its own (so
    that pollers see it while the work's transaction goes on), at most every ``every`` seconds,
    and always when a phase reaches its total."""

    def __init__(self, task_id: int, every: float = 0.5) -> None:
        self.task_id, self.every = task_id, every
        self.last = float("-inf")
        self.session: Session | None = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < self.every and (total is None or done < total):
            return
        self.last = now
        if self.session is None:
            self.session = get_db().new_session()
        try:
            service.report_progress(self.session, self.task_id, phase, done, total)
        except OperationalError:  # progress is news, not the work: a busy database skips it
            self.session.rollback()
            log.warning("progress of task %s not written", self.task_id, exc_info=True)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


Work = Callable[[Flask, Session, BackgroundTask, TaskProgress], dict[str, Any]]


def run_task(task_id: int, work: Work) -> None:
    """Run ``work`` for a task: running -> done with its result, or failed with the error."""
    with job_app_context() as app:
        session = get_db().new_session()
        progress = TaskProgress(task_id)
        try:
            task = service.start_task(session, task_id)
            try:
                result = work(app, session, task, progress)
                # the work's transaction ends first: on SQLite a reader whose snapshot is older
                # than a progress write may not start writing (SQLITE_BUSY_SNAPSHOT)
                session.commit()
            except Exception as exc:  # recorded on the task; the task is the report
                session.rollback()
                service.finish_task(session, task_id, error=f"{type(exc).__name__}: {exc}")
                raise
            service.finish_task(session, task_id, result=result)
        finally:
            progress.close()
            session.close()


def run_selfcheck(task_id: int) -> None:
    """Run the self-check for ``task_id`` and store its result on the task."""
    run_task(task_id, lambda _app, session, _task, _progress: service.selfcheck(session))
