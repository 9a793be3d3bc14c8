"""Background tasks: the durable record of work done outside a request.

A task is created (``queued``) in the same transaction as the request that asks for it; its job
moves it to ``running`` and then ``done`` (with a JSON result) or ``failed`` (with the error).
Long traces, exports and imports use tasks, so a user can poll or download the outcome later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lotline.platform.db import Base, utcnow

TASK_STATUSES = ("queued", "running", "done", "failed")


class BackgroundTask(Base):
    __tablename__ = "background_task"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        Index("ix_background_task_kind_status", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # while running: {"phase", "done", "total", "percent"}, written in transactions of its own
    progress: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    rq_job_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
