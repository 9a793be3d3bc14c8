"""Records: one submitted form at one node of one flow instance. Never edited; a correction is
a new record that references the one it corrects, with a reason (EPCIS errorDeclaration)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lotline.platform.db import Base, utcnow


class Record(Base):
    __tablename__ = "record"
    __table_args__ = (
        UniqueConstraint("organisation_id", "idempotency_key"),
        UniqueConstraint("corrects_record_id"),  # a record is corrected at most once (chain them)
        Index("ix_record_instance", "flow_instance_id"),
        Index("ix_record_station_time", "station_id", "event_time"),
        Index("ix_record_operator_time", "operator_id", "event_time"),
    )
    __audited__ = True
    __immutable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), default=None)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), default=None)
    flow_instance_id: Mapped[int | None] = mapped_column(ForeignKey("flow_instance.id"), default=None)
    flow_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    node: Mapped[str] = mapped_column(String(80))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    operator_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    operator_name: Mapped[str] = mapped_column(String(200))
    event_time: Mapped[datetime] = mapped_column()
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column()
    data: Mapped[dict[str, Any]] = mapped_column()
    corrects_record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"), default=None)
    correction_reason: Mapped[str | None] = mapped_column(Text, default=None)
    step: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the workflow step, for replay
    seq: Mapped[int] = mapped_column(Integer, default=0)  # position in its flow instance


class CaptureAnswer(Base):
    """The answer a capture gave, returned as it was to a retry with the same idempotency key.

    Kept apart from the record because it names the record's id, which exists only once the
    record is inserted, and records are never updated.
    """

    __tablename__ = "capture_answer"
    __immutable__ = True

    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), primary_key=True)
    response: Mapped[dict[str, Any]] = mapped_column()
