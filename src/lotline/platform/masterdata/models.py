"""Master data tables. Rows are never deleted: ``active = false`` retires one, so records that
point at a station, a material or a location keep pointing at it.

Codes are unique per organisation (production lines: per site) and never change once created;
capture looks rows up by code (``ST-01``, a material number, a location code).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lotline.platform.db import Base, utcnow

CODE = 80
NAME = 200


class _Stamped:
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class _Address:
    """The FSMA 204 location description parts (plus contact) shared by locations and partners."""

    phone: Mapped[str | None] = mapped_column(String(40), default=None)
    street: Mapped[str | None] = mapped_column(String(200), default=None)
    city: Mapped[str | None] = mapped_column(String(100), default=None)
    region: Mapped[str | None] = mapped_column(String(100), default=None)
    postal_code: Mapped[str | None] = mapped_column(String(20), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)  # ISO 3166-1 alpha-2
    gln: Mapped[str | None] = mapped_column(String(13), default=None)


class ProductionLine(_Stamped, Base):
    __tablename__ = "production_line"
    __table_args__ = (UniqueConstraint("site_id", "code"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    code: Mapped[str] = mapped_column(String(CODE))
    name: Mapped[str] = mapped_column(String(NAME))


class Station(_Stamped, Base):
    """Where a tablet stands; station sign-in sends its code."""

    __tablename__ = "station"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("production_line.id"), default=None, index=True)
    code: Mapped[str] = mapped_column(String(CODE))
    name: Mapped[str] = mapped_column(String(NAME))
    # where the station is: its FSMA 204 location description (business name, phone, address)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), default=None)


class Equipment(_Stamped, Base):
    __tablename__ = "equipment"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), default=None, index=True)
    code: Mapped[str] = mapped_column(String(CODE))
    name: Mapped[str] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(60), default="")
    serial_number: Mapped[str | None] = mapped_column(String(100), default=None)
    calibration_due: Mapped[date | None] = mapped_column(Date, default=None)


class Printer(_Stamped, Base):
    """A label printer on the network, spoken to in its raw port (ZPL over TCP, 9100 by default),
    optionally the printer of one station."""

    __tablename__ = "printer"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id"), default=None, index=True)
    code: Mapped[str] = mapped_column(String(CODE))
    name: Mapped[str] = mapped_column(String(NAME))
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(default=9100)
    language: Mapped[str] = mapped_column(String(16), default="zpl")


class Location(_Stamped, _Address, Base):
    """A place goods are (warehouse, dock, line, farm, a customer's site …) with its FSMA 204
    location description: business name, phone, physical address or coordinates."""

    __tablename__ = "location"
    __table_args__ = (UniqueConstraint("organisation_id", "code"), UniqueConstraint("organisation_id", "gln"))
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"), default=None, index=True)
    code: Mapped[str] = mapped_column(String(CODE))
    name: Mapped[str] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(20))
    business_name: Mapped[str | None] = mapped_column(String(NAME), default=None)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), default=None)
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), default=None)


class Partner(_Stamped, _Address, Base):
    """A supplier, customer or carrier (``name`` is its business name)."""

    __tablename__ = "partner"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code"),
        Index("ix_partner_organisation_id_gln", "organisation_id", "gln"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    code: Mapped[str] = mapped_column(String(CODE))
    name: Mapped[str] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(String(NAME), default=None)
    email: Mapped[str | None] = mapped_column(String(200), default=None)


class Material(_Stamped, Base):
    """A raw material, intermediate, finished product, packaging or component."""

    __tablename__ = "material"
    __table_args__ = (
        UniqueConstraint("organisation_id", "code"),
        UniqueConstraint("organisation_id", "gtin"),
        CheckConstraint("tracking IN ('lot', 'serial', 'none')", name="tracking_known"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    code: Mapped[str] = mapped_column(String(CODE))
    name_en: Mapped[str] = mapped_column(String(NAME), default="")
    name_zh: Mapped[str] = mapped_column(String(NAME), default="")
    kind: Mapped[str] = mapped_column(String(20))
    gtin: Mapped[str | None] = mapped_column(String(14), default=None)  # always GTIN-14
    uom: Mapped[str] = mapped_column(String(16))
    tracking: Mapped[str] = mapped_column(String(8), default="lot")
    shelf_life_days: Mapped[int | None] = mapped_column(Integer, default=None)
    food_traceability_list: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text, default=None)


class Bom(_Stamped, Base):
    """A bill of materials: version ``version`` of what goes into ``material_id``."""

    __tablename__ = "bom"
    __table_args__ = (UniqueConstraint("material_id", "version"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("material.id"))
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)

    material: Mapped[Material] = relationship(lazy="joined")
    lines: Mapped[list[BomLine]] = relationship(
        back_populates="bom", cascade="all, delete-orphan", order_by="BomLine.position", lazy="selectin"
    )


class BomLine(Base):
    __tablename__ = "bom_line"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    bom_id: Mapped[int] = mapped_column(ForeignKey("bom.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    component_material_id: Mapped[int] = mapped_column(ForeignKey("material.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    uom: Mapped[str] = mapped_column(String(16))
    optional: Mapped[bool] = mapped_column(Boolean, default=False)
    alternatives_group: Mapped[str | None] = mapped_column(String(40), default=None)

    bom: Mapped[Bom] = relationship(back_populates="lines")
    component: Mapped[Material] = relationship(lazy="joined")
