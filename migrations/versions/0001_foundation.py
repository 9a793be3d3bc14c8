"""foundation: background tasks

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-28 11:40:24.343676
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import lotline.platform.db

revision: str = '0001_foundation'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('background_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('params', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('rq_job_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_background_task_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_task'))
    )
    with op.batch_alter_table('background_task', schema=None) as batch_op:
        batch_op.create_index('ix_background_task_kind_status', ['kind', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('background_task', schema=None) as batch_op:
        batch_op.drop_index('ix_background_task_kind_status')

    op.drop_table('background_task')
