"""printer: label printers on the network (ZPL over their raw port), optionally a station's

Revision ID: 0015_printer
Revises: 0014_quality_result_field
Create Date: 2026-11-28 22:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lotline.platform.db

revision: str = "0015_printer"
down_revision: str | None = "0014_quality_result_field"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "printer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_printer_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_printer_site_id_site")),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_printer_station_id_station")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer")),
        sa.UniqueConstraint("organisation_id", "code", name=op.f("uq_printer_organisation_id_code")),
    )
    with op.batch_alter_table("printer") as batch:
        batch.create_index(batch.f("ix_printer_site_id"), ["site_id"], unique=False)
        batch.create_index(batch.f("ix_printer_station_id"), ["station_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("printer") as batch:
        batch.drop_index(batch.f("ix_printer_station_id"))
        batch.drop_index(batch.f("ix_printer_site_id"))
    op.drop_table("printer")
