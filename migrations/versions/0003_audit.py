"""audit

Audit trail (hash-chained entries in 32 streams) and electronic signatures. On PostgreSQL,
triggers make entries and signatures append-only (no UPDATE, DELETE or TRUNCATE) and stream heads
forward-only.

Revision ID: 0003_audit
Revises: 0002_identity
Create Date: 2026-11-28 12:00:43.409750
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lotline.platform.db

revision: str = '0003_audit'
down_revision: str | None = '0002_identity'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STREAMS = 32  # lotline.platform.audit.models.STREAMS when this revision was written
GENESIS_HASH = '0' * 64

# PostgreSQL refuses, by itself, any change to what the audit trail has written.
POSTGRES_GUARDS = [
    """
    CREATE FUNCTION lotline_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'lotline: % on % refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE FUNCTION lotline_audit_stream_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.head_hash <> OLD.head_hash) THEN
            RAISE EXCEPTION 'lotline: audit stream % may only move forward', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry"
    " FOR EACH ROW EXECUTE FUNCTION lotline_audit_append_only()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry"
    " FOR EACH STATEMENT EXECUTE FUNCTION lotline_audit_append_only()",
    "CREATE TRIGGER e_signature_append_only BEFORE UPDATE OR DELETE ON e_signature"
    " FOR EACH ROW EXECUTE FUNCTION lotline_audit_append_only()",
    "CREATE TRIGGER e_signature_no_truncate BEFORE TRUNCATE ON e_signature"
    " FOR EACH STATEMENT EXECUTE FUNCTION lotline_audit_append_only()",
    "CREATE TRIGGER audit_stream_no_delete BEFORE DELETE ON audit_stream"
    " FOR EACH ROW EXECUTE FUNCTION lotline_audit_append_only()",
    "CREATE TRIGGER audit_stream_no_truncate BEFORE TRUNCATE ON audit_stream"
    " FOR EACH STATEMENT EXECUTE FUNCTION lotline_audit_append_only()",
    "CREATE TRIGGER audit_stream_forward BEFORE UPDATE ON audit_stream"
    " FOR EACH ROW EXECUTE FUNCTION lotline_audit_stream_forward()",
]
POSTGRES_UNGUARDS = [
    "DROP TRIGGER IF EXISTS audit_stream_forward ON audit_stream",
    "DROP TRIGGER IF EXISTS audit_stream_no_truncate ON audit_stream",
    "DROP TRIGGER IF EXISTS audit_stream_no_delete ON audit_stream",
    "DROP TRIGGER IF EXISTS e_signature_no_truncate ON e_signature",
    "DROP TRIGGER IF EXISTS e_signature_append_only ON e_signature",
    "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry",
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry",
    "DROP FUNCTION IF EXISTS lotline_audit_stream_forward()",
    "DROP FUNCTION IF EXISTS lotline_audit_append_only()",
]


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stream', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('utc_offset', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_username', sa.String(length=200), nullable=False),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('client', sa.String(length=200), nullable=True),
    sa.Column('station', sa.String(length=80), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    sa.UniqueConstraint('stream', 'seq', name=op.f('uq_audit_entry_stream_seq'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_actor_id', ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index('ix_audit_entry_organisation_at', ['organisation_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entry_stream_id', ['stream', 'id'], unique=False)

    audit_stream = op.create_table('audit_stream',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_stream'))
    )
    op.bulk_insert(audit_stream, [{'id': i, 'seq': 0, 'head_hash': GENESIS_HASH} for i in range(1, STREAMS + 1)])
    op.create_table('e_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=60), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('meaning', sa.String(length=20), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('signer_username', sa.String(length=80), nullable=False),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signed_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('utc_offset', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('client', sa.String(length=200), nullable=True),
    sa.Column('station', sa.String(length=80), nullable=True),
    sa.Column('signature_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_e_signature_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['signer_id'], ['app_user.id'], name=op.f('fk_e_signature_signer_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_e_signature'))
    )
    with op.batch_alter_table('e_signature', schema=None) as batch_op:
        batch_op.create_index('ix_e_signature_object', ['object_type', 'object_id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRES_GUARDS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRES_UNGUARDS:
            op.execute(statement)
    with op.batch_alter_table('e_signature', schema=None) as batch_op:
        batch_op.drop_index('ix_e_signature_object')

    op.drop_table('e_signature')
    op.drop_table('audit_stream')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entry_stream_id')
        batch_op.drop_index('ix_audit_entry_organisation_at')
        batch_op.drop_index('ix_audit_entry_object')
        batch_op.drop_index('ix_audit_entry_actor_id')

    op.drop_table('audit_entry')
