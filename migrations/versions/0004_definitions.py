"""definitions

Revision ID: 0004_definitions
Revises: 0003_audit
Create Date: 2026-11-28 11:52:34.876619
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import lotline.platform.db

revision: str = "0004_definitions"
down_revision: str | None = "0003_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column(
            "draft",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("draft_revision", sa.Integer(), nullable=False),
        sa.Column("draft_updated_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("draft_updated_by_id", sa.Integer(), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('form', 'flow')", name=op.f("ck_definition_kind_known")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_definition_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["draft_updated_by_id"], ["app_user.id"], name=op.f("fk_definition_draft_updated_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_definition_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition")),
        sa.UniqueConstraint(
            "organisation_id", "kind", "key", name=op.f("uq_definition_organisation_id_kind_key")
        ),
    )
    op.create_table(
        "definition_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("published_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.Column("published_by_name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"], ["definition.id"], name=op.f("fk_definition_version_definition_id_definition")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["app_user.id"], name=op.f("fk_definition_version_published_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_definition_version")),
        sa.UniqueConstraint(
            "definition_id", "version", name=op.f("uq_definition_version_definition_id_version")
        ),
    )
    if _postgres():  # the database itself refuses to change or remove a published version
        op.execute(REFUSE_FUNCTION)
        op.execute(
            "CREATE TRIGGER definition_version_immutable BEFORE UPDATE OR DELETE ON definition_version "
            "FOR EACH ROW EXECUTE FUNCTION lotline_refuse_version_change()"
        )
        op.execute(
            "CREATE TRIGGER definition_version_no_truncate BEFORE TRUNCATE ON definition_version "
            "FOR EACH STATEMENT EXECUTE FUNCTION lotline_refuse_version_change()"
        )
    op.create_table(
        "flow_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("flow_version_id", sa.Integer(), nullable=False),
        sa.Column("flow_key", sa.String(length=80), nullable=False),
        sa.Column("flow_version", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "state",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("started_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_version_id"],
            ["definition_version.id"],
            name=op.f("fk_flow_instance_flow_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_flow_instance_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["app_user.id"], name=op.f("fk_flow_instance_started_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_instance")),
    )
    with op.batch_alter_table("flow_instance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_flow_instance_flow_status", ["organisation_id", "flow_key", "status"], unique=False
        )
        batch_op.create_index(
            "uq_flow_instance_open_subject",
            ["organisation_id", "flow_key", "subject"],
            unique=True,
            sqlite_where=sa.text("status != 'completed'"),
            postgresql_where=sa.text("status != 'completed'"),
        )

    op.create_table(
        "flow_instance_node",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["flow_instance.id"],
            name=op.f("fk_flow_instance_node_instance_id_flow_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", "node", name=op.f("pk_flow_instance_node")),
    )
    with op.batch_alter_table("flow_instance_node", schema=None) as batch_op:
        batch_op.create_index("ix_flow_instance_node_node_status", ["node", "status"], unique=False)


REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION lotline_refuse_version_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published definition versions are immutable (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def downgrade() -> None:
    with op.batch_alter_table("flow_instance_node", schema=None) as batch_op:
        batch_op.drop_index("ix_flow_instance_node_node_status")

    op.drop_table("flow_instance_node")
    with op.batch_alter_table("flow_instance", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_flow_instance_open_subject",
            sqlite_where=sa.text("status != 'completed'"),
            postgresql_where=sa.text("status != 'completed'"),
        )
        batch_op.drop_index("ix_flow_instance_flow_status")

    op.drop_table("flow_instance")
    if _postgres():
        op.execute("DROP TRIGGER IF EXISTS definition_version_immutable ON definition_version")
        op.execute("DROP TRIGGER IF EXISTS definition_version_no_truncate ON definition_version")
        op.execute("DROP FUNCTION IF EXISTS lotline_refuse_version_change()")
    op.drop_table("definition_version")
    op.drop_table("definition")
