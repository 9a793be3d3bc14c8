"""Jobs run after commit: in-process without Redis, through a real RQ worker with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from lotline.platform.app import create_app
from lotline.platform.db import Database, get_db, transaction
from lotline.platform.jobs import enqueue_after_commit, get_jobs
from lotline.platform.system import jobs as system_jobs
from lotline.platform.system import service
from lotline.platform.system.models import BackgroundTask


def test_inline_job_runs_after_commit_and_records_its_result(app: Flask, backend: str) -> None:
    assert get_jobs().mode == "inline"
    task = service.request_selfcheck(get_db().session())

    stored = service.get_task(get_db().new_session(), task.id)
    assert stored.status == "done"
    assert stored.result == {
        "version": stored.result["version"],
        "dialect": backend,
        "database_ok": True,
        "missing_tables": [],
    }
    assert stored.started_at is not None and stored.finished_at >= stored.started_at


def test_rolled_back_work_enqueues_nothing(app: Flask) -> None:
    session = get_db().session()
    ran: list[int] = []

    with pytest.raises(RuntimeError), transaction(session):
        task = BackgroundTask(kind="selfcheck")
        session.add(task)
        session.flush()
        enqueue_after_commit(session, ran.append, task.id)
        raise RuntimeError("validation failed half-way")

    assert ran == []
    assert session.scalar(select(func.count()).select_from(BackgroundTask)) == 0


def test_job_waits_for_commit(app: Flask) -> None:
    """The callback sees the committed row; it is not called before commit returns."""
    session = get_db().session()
    seen: list[str] = []
    with transaction(session):
        task = BackgroundTask(kind="selfcheck")
        session.add(task)
        session.flush()
        enqueue_after_commit(
            session,
            lambda task_id: seen.append(get_db().new_session().get(BackgroundTask, task_id).status),
            task.id,
        )
        assert seen == []
    assert seen == ["queued"]


@pytest.fixture
def rq_app(app_config: dict, connection: Connection, redis_url: str, tmp_path: Path):
    app = create_app({**app_config, "REDIS_URL": redis_url, "JOB_QUEUE": "lotline-test"})
    db: Database = app.extensions["lotline_db"]
    db.bind_connection(connection)
    with app.app_context():
        yield app


def test_job_goes_through_real_redis_to_a_worker(rq_app: Flask, redis_url: str) -> None:
    jobs = get_jobs()
    assert jobs.mode == "rq"
    task = service.request_selfcheck(get_db().session())

    queue = Queue("lotline-test", connection=Redis.from_url(redis_url))
    assert queue.count == 1
    assert queue.jobs[0].func is system_jobs.run_selfcheck and queue.jobs[0].args == (task.id,)
    assert service.get_task(get_db().new_session(), task.id).status == "queued"

    worker = SimpleWorker([queue], connection=queue.connection)
    assert worker.work(burst=True)

    stored = service.get_task(get_db().new_session(), task.id)
    assert stored.status == "done" and stored.result["database_ok"] is True
    assert queue.count == 0 and queue.failed_job_registry.count == 0


def test_failed_job_is_recorded_on_its_task(rq_app: Flask, redis_url: str) -> None:
    queue = Queue("lotline-test", connection=Redis.from_url(redis_url))
    queue.enqueue(system_jobs.run_selfcheck, 999_999)  # no such task

    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert queue.failed_job_registry.count == 1


def test_a_task_reports_progress_while_its_work_reads_and_still_finishes_on_sqlite(tmp_path: Path) -> None:
    """Real connections on a SQLite file (no shared test connection): the work's read transaction
    outlives progress committed by another connection, and the task still finishes (a stale
    snapshot may not start writing: SQLITE_BUSY_SNAPSHOT)."""
    from lotline.platform import migrate
    from lotline.platform.config import load_config
    from tests.conftest import make_test_config

    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    migrate.upgrade(load_config({"DATABASE_URL": url}))
    app = create_app(make_test_config(tmp_path, DATABASE_URL=url))
    seen: list[dict[str, Any] | None] = []

    def work(_app: Flask, session: Any, task: BackgroundTask, progress: Any) -> dict[str, Any]:
        session.scalar(select(func.count()).select_from(BackgroundTask))  # a read transaction begins
        progress("writing", 1, 2)
        progress("writing", 2, 2)  # the end of the phase: written, however soon
        with get_db().engine.connect() as other:  # what a poller sees meanwhile
            seen.append(other.scalar(select(BackgroundTask.progress).where(BackgroundTask.id == task.id)))
        return {"rows": 2}

    with app.app_context():
        session = get_db().new_session()
        with transaction(session):
            task = BackgroundTask(kind="trace_export", params={})
            session.add(task)
        system_jobs.run_task(task.id, work)
        done = get_db().new_session().get(BackgroundTask, task.id)
        assert done is not None and (done.status, done.result) == ("done", {"rows": 2})
        get_db().engine.dispose()
    assert seen == [{"phase": "writing", "done": 2, "total": 2, "percent": 100}]
