"""Items, EPCIS-aligned events and genealogy edges.

* ``Item``: a lot/batch, a serialised unit or a container (case, pallet with SSCC). ``code`` is
  its printable identifier, unique within ``uniqueness_scope`` (``""`` = the organisation,
  ``material:<id>`` = per material, ``supplier:<id>`` = per supplier), because real plants
  re-use supplier lot numbers across suppliers and serials across products.
* ``Event``: the fact a record produced (what/when/where/why/how), EPCIS 2.0 shaped.
* ``Edge``: from item -> to item (consumed | contained | reworked_into) with a quantity,
  recorded explicitly at capture time and never inferred. A correction voids the edges of the
  record it corrects (``voided_by_record_id``) and writes its own; traces skip voided edges.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lotline.platform.db import Base, utcnow

ITEM_KINDS = ("lot", "unit", "container")
ITEM_STATUSES = ("released", "hold", "quarantine", "consumed", "shipped", "scrapped")
RELATIONS = ("consumed", "contained", "reworked_into")
QUANTITY = Numeric(18, 6)


class Item(Base):
    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("organisation_id", "uniqueness_scope", "code"),
        CheckConstraint("kind IN ('lot', 'unit', 'container')", name="kind_known"),
        CheckConstraint(
            "status IN ('released', 'hold', 'quarantine', 'consumed', 'shipped', 'scrapped')",
            name="status_known",
        ),
        Index("ix_item_org_code", "organisation_id", "code"),
        Index("ix_item_gtin_lot", "gtin", "lot"),
        Index("ix_item_gtin_serial", "gtin", "serial"),
        Index("ix_item_org_serial", "organisation_id", "serial"),  # a serial or VIN without its GTIN
        Index("ix_item_sscc", "sscc"),
        Index("ix_item_supplier_lot", "supplier_lot"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), default=None)
    code: Mapped[str] = mapped_column(String(120))
    uniqueness_scope: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(16))
    material_id: Mapped[int | None] = mapped_column(ForeignKey("material.id"), default=None)
    material_code: Mapped[str | None] = mapped_column(String(80), default=None)  # as it was when made
    gtin: Mapped[str | None] = mapped_column(String(14), default=None)
    lot: Mapped[str | None] = mapped_column(String(80), default=None)
    serial: Mapped[str | None] = mapped_column(String(80), default=None)
    sscc: Mapped[str | None] = mapped_column(String(18), default=None)
    quantity: Mapped[Decimal | None] = mapped_column(QUANTITY, default=None)
    remaining: Mapped[Decimal | None] = mapped_column(QUANTITY, default=None)
    uom: Mapped[str | None] = mapped_column(String(16), default=None)
    status: Mapped[str] = mapped_column(String(16), default="released")
    expiry: Mapped[date | None] = mapped_column(Date, default=None)
    supplier_lot: Mapped[str | None] = mapped_column(String(80), default=None)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), default=None)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """One EPCIS-aligned event produced by a record (a record may produce several)."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_record_id", "record_id"),)
    __immutable__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    event_type: Mapped[str] = mapped_column(String(32))
    action: Mapped[str | None] = mapped_column(String(8), default=None)
    biz_step: Mapped[str | None] = mapped_column(String(80), default=None)
    disposition: Mapped[str | None] = mapped_column(String(80), default=None)
    event_time: Mapped[datetime] = mapped_column()
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    read_point: Mapped[str | None] = mapped_column(String(120), default=None)
    biz_location: Mapped[str | None] = mapped_column(String(120), default=None)
    what: Mapped[dict[str, Any]] = mapped_column(default=dict)
    how: Mapped[dict[str, Any]] = mapped_column(default=dict)
    why: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ItemEvent(Base):
    """Which items an event is about (so an item's history is one indexed lookup)."""

    __tablename__ = "item_event"
    __table_args__ = (Index("ix_item_event_item_role", "item_id", "role", "event_id"),)
    __immutable__ = True

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # input | output | subject | parent | child


class EventResource(Base):
    """What else an event names by code (equipment, location, document), so "everything this
    torque tool touched last week" is one indexed lookup rather than a scan of JSON."""

    __tablename__ = "event_resource"
    __table_args__ = (Index("ix_event_resource_kind_code", "kind", "code"),)
    __immutable__ = True

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # equipment | location | document
    code: Mapped[str] = mapped_column(String(120), primary_key=True)


class Edge(Base):
    __tablename__ = "edge"
    __table_args__ = (
        CheckConstraint("relation IN ('consumed', 'contained', 'reworked_into')", name="relation_known"),
        Index(
            "ix_edge_to_live",
            "to_item_id",
            "from_item_id",
            postgresql_where=text("voided_by_record_id IS NULL"),
            sqlite_where=text("voided_by_record_id IS NULL"),
        ),
        Index(
            "ix_edge_from_live",
            "from_item_id",
            "to_item_id",
            postgresql_where=text("voided_by_record_id IS NULL"),
            sqlite_where=text("voided_by_record_id IS NULL"),
        ),
        Index("ix_edge_record_id", "record_id"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    from_item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    to_item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    relation: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal | None] = mapped_column(QUANTITY, default=None)
    uom: Mapped[str | None] = mapped_column(String(16), default=None)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"), default=None)
    voided_by_record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Sequence(Base):
    """Counters for numbering rules (e.g. a daily sequence per prefix and site)."""

    __tablename__ = "number_sequence"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[int] = mapped_column(Integer, default=0)
