"""definition retired: a flow can be retired (no new instances) without losing its history

Revision ID: 0010_definition_retired
Revises: 0009_packs
Create Date: 2026-11-28 15:39:52
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lotline.platform.db

revision: str = "0010_definition_retired"
down_revision: str | None = "0009_packs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("definition", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retired_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("retired_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_definition_retired_by_id_app_user"), "app_user", ["retired_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("definition", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_definition_retired_by_id_app_user"), type_="foreignkey")
        batch_op.drop_column("retired_by_id")
        batch_op.drop_column("retired_at")
