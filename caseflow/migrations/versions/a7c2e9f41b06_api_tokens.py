"""integration API: api_token (hashed secrets, one role and region each, revocable)

Revision ID: a7c2e9f41b06
Revises: a5c8e2f4d7b1
Create Date: 2026-12-03 09:40:00

"""
from alembic import op
import sqlalchemy as sa

import caseflow.models.types


revision = 'a7c2e9f41b06'
down_revision = 'a5c8e2f4d7b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', caseflow.models.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_by', sa.String(length=100), nullable=True),
    sa.Column('revoked_at', caseflow.models.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_region_code'), ['region_code'], unique=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_region_code'))
    op.drop_table('api_token')
