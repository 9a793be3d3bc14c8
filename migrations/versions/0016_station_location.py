"""station location: where a station is (its FSMA 204 location description)

Revision ID: 0016_station_location
Revises: 0015_printer
Create Date: 2026-11-28 22:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_station_location"
down_revision: str | None = "0015_printer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("station") as batch:
        batch.add_column(sa.Column("location_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_station_location_id_location"), "location", ["location_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("station") as batch:
        batch.drop_constraint(batch.f("fk_station_location_id_location"), type_="foreignkey")
        batch.drop_column("location_id")
