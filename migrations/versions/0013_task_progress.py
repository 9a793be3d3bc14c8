"""task progress: a running background task reports how far it is

Revision ID: 0013_task_progress
Revises: 0012_item_serial_index
Create Date: 2026-11-28 22:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_task_progress"
down_revision: str | None = "0012_item_serial_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("background_task") as batch:
        batch.add_column(
            sa.Column(
                "progress",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("background_task") as batch:
        batch.drop_column("progress")
