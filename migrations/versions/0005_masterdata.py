"""masterdata

Revision ID: 0005_masterdata
Revises: 0004_definitions
Create Date: 2026-11-28 12:03:14.194349
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import lotline.platform.db

revision: str = '0005_masterdata'
down_revision: str | None = '0004_definitions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('gtin', sa.String(length=14), nullable=True),
    sa.Column('uom', sa.String(length=16), nullable=False),
    sa.Column('tracking', sa.String(length=8), nullable=False),
    sa.Column('shelf_life_days', sa.Integer(), nullable=True),
    sa.Column('food_traceability_list', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("tracking IN ('lot', 'serial', 'none')", name=op.f('ck_material_tracking_known')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_material_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_material_organisation_id_code')),
    sa.UniqueConstraint('organisation_id', 'gtin', name=op.f('uq_material_organisation_id_gtin'))
    )
    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('gln', sa.String(length=13), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_partner_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_partner_organisation_id_code'))
    )
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.create_index('ix_partner_organisation_id_gln', ['organisation_id', 'gln'], unique=False)

    op.create_table('bom',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name=op.f('fk_bom_material_id_material')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_bom_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bom')),
    sa.UniqueConstraint('material_id', 'version', name=op.f('uq_bom_material_id_version'))
    )
    with op.batch_alter_table('bom', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bom_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('business_name', sa.String(length=200), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('street', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('gln', sa.String(length=13), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_location_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_location_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_location_organisation_id_code')),
    sa.UniqueConstraint('organisation_id', 'gln', name=op.f('uq_location_organisation_id_gln'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_site_id'), ['site_id'], unique=False)

    op.create_table('production_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_production_line_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_production_line_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_production_line')),
    sa.UniqueConstraint('site_id', 'code', name=op.f('uq_production_line_site_id_code'))
    )
    with op.batch_alter_table('production_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_production_line_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('bom_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bom_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('component_material_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=6), nullable=False),
    sa.Column('uom', sa.String(length=16), nullable=False),
    sa.Column('optional', sa.Boolean(), nullable=False),
    sa.Column('alternatives_group', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['bom_id'], ['bom.id'], name=op.f('fk_bom_line_bom_id_bom'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['component_material_id'], ['material.id'], name=op.f('fk_bom_line_component_material_id_material')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bom_line'))
    )
    with op.batch_alter_table('bom_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bom_line_bom_id'), ['bom_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bom_line_component_material_id'), ['component_material_id'], unique=False)

    op.create_table('station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['production_line.id'], name=op.f('fk_station_line_id_production_line')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_station_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_station_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_station_organisation_id_code'))
    )
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_station_site_id'), ['site_id'], unique=False)

    op.create_table('equipment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('serial_number', sa.String(length=100), nullable=True),
    sa.Column('calibration_due', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lotline.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_equipment_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_equipment_site_id_site')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_equipment_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_equipment')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_equipment_organisation_id_code'))
    )
    with op.batch_alter_table('equipment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_equipment_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_equipment_station_id'), ['station_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('equipment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_equipment_station_id'))
        batch_op.drop_index(batch_op.f('ix_equipment_site_id'))

    op.drop_table('equipment')
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_site_id'))
        batch_op.drop_index(batch_op.f('ix_station_line_id'))

    op.drop_table('station')
    with op.batch_alter_table('bom_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bom_line_component_material_id'))
        batch_op.drop_index(batch_op.f('ix_bom_line_bom_id'))

    op.drop_table('bom_line')
    with op.batch_alter_table('production_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_production_line_organisation_id'))

    op.drop_table('production_line')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_site_id'))

    op.drop_table('location')
    with op.batch_alter_table('bom', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bom_organisation_id'))

    op.drop_table('bom')
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_index('ix_partner_organisation_id_gln')

    op.drop_table('partner')
    op.drop_table('material')
