"""item serial index: a serial or VIN scanned or typed without its GTIN is found by index

Revision ID: 0012_item_serial_index
Revises: 0011_config_revision
Create Date: 2026-11-28 18:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012_item_serial_index"
down_revision: str | None = "0011_config_revision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.create_index("ix_item_org_serial", ["organisation_id", "serial"])


def downgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_org_serial")
