"""capture

Revision ID: 0006_capture
Revises: 0005_masterdata
Create Date: 2026-11-28 12:10:37.204531
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import lotline.platform.db

revision: str = "0006_capture"
down_revision: str | None = "0005_masterdata"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


IMMUTABLE_TABLES = ("record", "capture_answer", "event", "item_event", "quality_result")
REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION lotline_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable (% refused); record a correction instead', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "number_sequence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_number_sequence_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_sequence")),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_number_sequence_organisation_id_name")),
    )
    op.create_table(
        "record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("flow_instance_id", sa.Integer(), nullable=True),
        sa.Column("flow_version_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=80), nullable=False),
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("operator_name", sa.String(length=200), nullable=False),
        sa.Column("event_time", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_time_zone_offset", sa.String(length=6), nullable=False),
        sa.Column("recorded_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("corrects_record_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column(
            "step",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects_record_id"], ["record.id"], name=op.f("fk_record_corrects_record_id_record")
        ),
        sa.ForeignKeyConstraint(
            ["flow_instance_id"], ["flow_instance.id"], name=op.f("fk_record_flow_instance_id_flow_instance")
        ),
        sa.ForeignKeyConstraint(
            ["flow_version_id"],
            ["definition_version.id"],
            name=op.f("fk_record_flow_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["form_version_id"],
            ["definition_version.id"],
            name=op.f("fk_record_form_version_id_definition_version"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["app_user.id"], name=op.f("fk_record_operator_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_record_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_record_site_id_site")),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_record_station_id_station")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record")),
        sa.UniqueConstraint("corrects_record_id", name=op.f("uq_record_corrects_record_id")),
        sa.UniqueConstraint(
            "organisation_id", "idempotency_key", name=op.f("uq_record_organisation_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.create_index("ix_record_instance", ["flow_instance_id"], unique=False)
        batch_op.create_index("ix_record_operator_time", ["operator_id", "event_time"], unique=False)
        batch_op.create_index("ix_record_station_time", ["station_id", "event_time"], unique=False)

    op.create_table(
        "capture_answer",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_capture_answer_record_id_record")
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_capture_answer")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=True),
        sa.Column("biz_step", sa.String(length=80), nullable=True),
        sa.Column("disposition", sa.String(length=80), nullable=True),
        sa.Column("event_time", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_time_zone_offset", sa.String(length=6), nullable=False),
        sa.Column("read_point", sa.String(length=120), nullable=True),
        sa.Column("biz_location", sa.String(length=120), nullable=True),
        sa.Column(
            "what",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "how",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "why",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_event_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name=op.f("fk_event_record_id_record")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_record_id", ["record_id"], unique=False)

    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=120), nullable=False),
        sa.Column("uniqueness_scope", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("material_code", sa.String(length=80), nullable=True),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("lot", sa.String(length=80), nullable=True),
        sa.Column("serial", sa.String(length=80), nullable=True),
        sa.Column("sscc", sa.String(length=18), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("remaining", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("supplier_lot", sa.String(length=80), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by_record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('lot', 'unit', 'container')", name=op.f("ck_item_kind_known")),
        sa.CheckConstraint(
            "status IN ('released', 'hold', 'quarantine', 'consumed', 'shipped', 'scrapped')",
            name=op.f("ck_item_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_record_id"], ["record.id"], name=op.f("fk_item_created_by_record_id_record")
        ),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"], name=op.f("fk_item_location_id_location")),
        sa.ForeignKeyConstraint(["material_id"], ["material.id"], name=op.f("fk_item_material_id_material")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_item_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_item_site_id_site")),
        sa.ForeignKeyConstraint(["supplier_id"], ["partner.id"], name=op.f("fk_item_supplier_id_partner")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint(
            "organisation_id",
            "uniqueness_scope",
            "code",
            name=op.f("uq_item_organisation_id_uniqueness_scope_code"),
        ),
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index("ix_item_gtin_lot", ["gtin", "lot"], unique=False)
        batch_op.create_index("ix_item_gtin_serial", ["gtin", "serial"], unique=False)
        batch_op.create_index("ix_item_org_code", ["organisation_id", "code"], unique=False)
        batch_op.create_index("ix_item_sscc", ["sscc"], unique=False)
        batch_op.create_index("ix_item_supplier_lot", ["supplier_lot"], unique=False)

    op.create_table(
        "edge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("from_item_id", sa.Integer(), nullable=False),
        sa.Column("to_item_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("voided_by_record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "relation IN ('consumed', 'contained', 'reworked_into')", name=op.f("ck_edge_relation_known")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_edge_event_id_event")),
        sa.ForeignKeyConstraint(["from_item_id"], ["item.id"], name=op.f("fk_edge_from_item_id_item")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_edge_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["record_id"], ["record.id"], name=op.f("fk_edge_record_id_record")),
        sa.ForeignKeyConstraint(["to_item_id"], ["item.id"], name=op.f("fk_edge_to_item_id_item")),
        sa.ForeignKeyConstraint(
            ["voided_by_record_id"], ["record.id"], name=op.f("fk_edge_voided_by_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edge")),
    )
    with op.batch_alter_table("edge", schema=None) as batch_op:
        batch_op.create_index(
            "ix_edge_from_live",
            ["from_item_id", "to_item_id"],
            unique=False,
            postgresql_where=sa.text("voided_by_record_id IS NULL"),
            sqlite_where=sa.text("voided_by_record_id IS NULL"),
        )
        batch_op.create_index("ix_edge_record_id", ["record_id"], unique=False)
        batch_op.create_index(
            "ix_edge_to_live",
            ["to_item_id", "from_item_id"],
            unique=False,
            postgresql_where=sa.text("voided_by_record_id IS NULL"),
            sqlite_where=sa.text("voided_by_record_id IS NULL"),
        )

    op.create_table(
        "item_event",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_item_event_event_id_event")),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_item_event_item_id_item")),
        sa.PrimaryKeyConstraint("event_id", "item_id", name=op.f("pk_item_event")),
    )
    with op.batch_alter_table("item_event", schema=None) as batch_op:
        batch_op.create_index("ix_item_event_item_id", ["item_id"], unique=False)

    op.create_table(
        "nonconformance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column(
            "defects",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_nonconformance_item_id_item")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_nonconformance_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_nonconformance_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nonconformance")),
    )
    op.create_table(
        "quality_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("node", sa.String(length=80), nullable=False),
        sa.Column("characteristic", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column(
            "limits",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("recorded_at", lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_quality_result_item_id_item")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_quality_result_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["record.id"], name=op.f("fk_quality_result_record_id_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_result")),
    )
    with op.batch_alter_table("quality_result", schema=None) as batch_op:
        batch_op.create_index("ix_quality_result_item_id", ["item_id"], unique=False)
        batch_op.create_index("ix_quality_result_record_id", ["record_id"], unique=False)

    if _postgres():  # the database itself refuses to edit or remove captured facts
        op.execute(REFUSE_FUNCTION)
        for table in IMMUTABLE_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION lotline_refuse_change()"
            )


def downgrade() -> None:
    if _postgres():
        for table in IMMUTABLE_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        op.execute("DROP FUNCTION IF EXISTS lotline_refuse_change()")
    with op.batch_alter_table("quality_result", schema=None) as batch_op:
        batch_op.drop_index("ix_quality_result_record_id")
        batch_op.drop_index("ix_quality_result_item_id")

    op.drop_table("quality_result")
    op.drop_table("nonconformance")
    with op.batch_alter_table("item_event", schema=None) as batch_op:
        batch_op.drop_index("ix_item_event_item_id")

    op.drop_table("item_event")
    with op.batch_alter_table("edge", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_edge_to_live",
            postgresql_where=sa.text("voided_by_record_id IS NULL"),
            sqlite_where=sa.text("voided_by_record_id IS NULL"),
        )
        batch_op.drop_index("ix_edge_record_id")
        batch_op.drop_index(
            "ix_edge_from_live",
            postgresql_where=sa.text("voided_by_record_id IS NULL"),
            sqlite_where=sa.text("voided_by_record_id IS NULL"),
        )

    op.drop_table("edge")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index("ix_item_supplier_lot")
        batch_op.drop_index("ix_item_sscc")
        batch_op.drop_index("ix_item_org_code")
        batch_op.drop_index("ix_item_gtin_serial")
        batch_op.drop_index("ix_item_gtin_lot")

    op.drop_table("item")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_record_id")

    op.drop_table("event")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_index("ix_record_station_time")
        batch_op.drop_index("ix_record_operator_time")
        batch_op.drop_index("ix_record_instance")

    op.drop_table("capture_answer")
    op.drop_table("record")
    op.drop_table("number_sequence")
