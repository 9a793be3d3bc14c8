"""packs: installed template packs; built-in roles gain packs.view

Revision ID: 0009_packs
Revises: 0008_trace_indexes
Create Date: 2026-11-28 14:32:42
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import lotline.platform.db

revision: str = "0009_packs"
down_revision: str | None = "0008_trace_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
# built-in roles that read everything (auth/permissions.py _READ) see template packs too
VIEWERS = ("admin", "designer", "supervisor", "quality", "auditor")


def upgrade() -> None:
    op.create_table(
        "installed_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("manifest", JSON, nullable=False),
        sa.Column("created", JSON, nullable=False),
        sa.Column("labels", JSON, nullable=False),
        sa.Column("history", JSON, nullable=False),
        sa.Column("installed_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("installed_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('installed', 'uninstalled')", name=op.f("ck_installed_pack_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["installed_by_id"], ["app_user.id"], name=op.f("fk_installed_pack_installed_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_installed_pack_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["app_user.id"], name=op.f("fk_installed_pack_updated_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installed_pack")),
        sa.UniqueConstraint(
            "organisation_id", "pack_id", name=op.f("uq_installed_pack_organisation_id_pack_id")
        ),
    )
    _grant_packs_view(add=True)


def downgrade() -> None:
    _grant_packs_view(add=False)
    op.drop_table("installed_pack")


def _grant_packs_view(*, add: bool) -> None:
    """Built-in roles follow the code's catalogue (bootstrap writes it); existing ones get the
    new permission here, as a deploy step."""
    conn = op.get_bind()
    role = sa.table(
        "role",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("builtin", sa.Boolean),
        sa.column("permissions", JSON),
    )
    rows = conn.execute(
        sa.select(role.c.id, role.c.permissions).where(role.c.builtin.is_(True), role.c.key.in_(VIEWERS))
    )
    for role_id, permissions in rows.fetchall():
        current = set(json.loads(permissions) if isinstance(permissions, str) else permissions or [])
        changed = current | {"packs.view"} if add else current - {"packs.view"}
        if changed != current:
            conn.execute(sa.update(role).where(role.c.id == role_id).values(permissions=sorted(changed)))
