"""trace indexes: an item's events by role in one index scan

Revision ID: 0008_trace_indexes
Revises: 0007_event_resources
Create Date: 2026-11-28 14:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op


revision: str = "0008_trace_indexes"
down_revision: str | None = "0007_event_resources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item_event") as batch:
        batch.drop_index("ix_item_event_item_id")
        batch.create_index("ix_item_event_item_role", ["item_id", "role", "event_id"])


def downgrade() -> None:
    with op.batch_alter_table("item_event") as batch:
        batch.drop_index("ix_item_event_item_role")
        batch.create_index("ix_item_event_item_id", ["item_id"])
