"""Quality results (measured characteristics against spec limits) and nonconformances."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from lotline.platform.db import Base, utcnow


class QualityResult(Base):
    __tablename__ = "quality_result"
    __table_args__ = (
        Index("ix_quality_result_item_id", "item_id"),
        Index("ix_quality_result_record_id", "record_id"),
    )
    __immutable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), default=None)
    node: Mapped[str] = mapped_column(String(80))
    characteristic: Mapped[str] = mapped_column(String(200))
    # the value's path in the record's data (``joints.2.torque``); None before migration 0014
    field: Mapped[str | None] = mapped_column(String(200), default=None)
    value: Mapped[Decimal | None] = mapped_column(Numeric(18, 6), default=None)
    unit: Mapped[str | None] = mapped_column(String(16), default=None)
    limits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[str | None] = mapped_column(String(8), default=None)  # pass | warn | fail
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Nonconformance(Base):
    __tablename__ = "nonconformance"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), default=None)
    severity: Mapped[str] = mapped_column(String(16), default="minor")
    defects: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
