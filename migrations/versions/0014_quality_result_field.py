"""quality result field: where in the record a measured value is (repeating groups' rows too)

Revision ID: 0014_quality_result_field
Revises: 0013_task_progress
Create Date: 2026-11-28 22:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_quality_result_field"
down_revision: str | None = "0013_task_progress"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("quality_result") as batch:
        # results written before stay as they are (immutable; their characteristic is the key)
        batch.add_column(sa.Column("field", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quality_result") as batch:
        batch.drop_column("field")
