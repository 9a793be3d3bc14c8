"""Background jobs: RQ on Redis with an explicit connection, or in-process without Redis.

Job functions are importable module-level functions that take ids (never ORM objects). Code
enqueues them with ``enqueue_after_commit(session, fn, *ids)``; nothing is sent before the
transaction commits. Inside a job, ``job_app_context()`` gives an app context: the enqueuing
app's when the job runs in-process, or one built from the environment in a worker process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from rq import Queue
from sqlalchemy.orm import Session

from lotline.platform.db import after_commit

log = logging.getLogger("lotline.jobs")

_worker_app: Flask | None = None


class JobRunner:
    """Flask extension deciding where jobs run: an RQ queue, or inline after commit."""

    def __init__(self) -> None:
        self.redis_url: str | None = None
        self.queue_name = "lotline"
        self._redis: Redis | None = None

    def init_app(self, app: Flask) -> None:
        self.redis_url = app.config.get("REDIS_URL") or None
        self.queue_name = app.config.get("JOB_QUEUE", "lotline")
        app.extensions["lotline_jobs"] = self

    @property
    def mode(self) -> str:
        return "rq" if self.redis_url else "inline"

    def redis(self) -> Redis:
        if not self.redis_url:
            raise RuntimeError("LOTLINE_REDIS_URL is not set; jobs run in-process")
        if self._redis is None:  # created on first use, never at import or app start
            self._redis = Redis.from_url(self.redis_url, socket_connect_timeout=2)
        return self._redis

    def queue(self) -> Queue:
        return Queue(self.queue_name, connection=self.redis())

    def status(self) -> dict[str, Any]:
        """Redis state for health checks: disabled (no URL), ok, or down."""
        if not self.redis_url:
            return {"status": "disabled"}
        from lotline.platform.config import redact_url

        try:
            self.redis().ping()
            return {"status": "ok", "url": redact_url(self.redis_url)}
        except Exception as exc:  # any connection problem means "down", with its kind
            return {"status": "down", "url": redact_url(self.redis_url), "error": type(exc).__name__}

    def enqueue(self, func: Callable[..., Any], *args: Any) -> str | None:
        """Send ``func(*args)`` to RQ, or run it now (in-process). Returns the RQ job id."""
        if self.redis_url:
            job = self.queue().enqueue(func, *args)
            log.info("job enqueued", extra={"job": func.__qualname__, "job_id": job.id})
            return str(job.id)
        log.info("job inline", extra={"job": func.__qualname__})
        func(*args)
        return None


def get_jobs() -> JobRunner:
    runner: JobRunner = current_app.extensions["lotline_jobs"]
    return runner


def enqueue_after_commit(session: Session, func: Callable[..., Any], *args: Any) -> None:
    """Queue ``func(*args)`` to be enqueued once the session's transaction commits."""
    runner = get_jobs()
    after_commit(session, lambda: runner.enqueue(func, *args))


@contextmanager
def job_app_context() -> Iterator[Flask]:
    """The app a job runs in: the current one, or (in an RQ worker) one built from the env."""
    global _worker_app
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    if _worker_app is None:
        from lotline.platform.app import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        yield _worker_app
