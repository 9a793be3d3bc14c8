"""event resources

Revision ID: 0007_event_resources
Revises: 0006_capture
Create Date: 2026-11-28 12:38:19.179514
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0007_event_resources"
down_revision: str | None = "0006_capture"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "event_resource",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_event_resource_event_id_event")),
        sa.PrimaryKeyConstraint("event_id", "kind", "code", name=op.f("pk_event_resource")),
    )
    with op.batch_alter_table("event_resource", schema=None) as batch_op:
        batch_op.create_index("ix_event_resource_kind_code", ["kind", "code"], unique=False)

    if _postgres():  # captured facts are never edited (function from 0006_capture)
        op.execute(
            "CREATE TRIGGER event_resource_immutable BEFORE UPDATE OR DELETE ON event_resource "
            "FOR EACH ROW EXECUTE FUNCTION lotline_refuse_change()"
        )


def downgrade() -> None:
    if _postgres():
        op.execute("DROP TRIGGER IF EXISTS event_resource_immutable ON event_resource")
    with op.batch_alter_table("event_resource", schema=None) as batch_op:
        batch_op.drop_index("ix_event_resource_kind_code")

    op.drop_table("event_resource")
