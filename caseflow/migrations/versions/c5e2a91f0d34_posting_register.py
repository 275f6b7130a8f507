"""posting register: who added a posting and when, and closing a posting by hand

Revision ID: c5e2a91f0d34
Revises: 5c1e7a9d2b40
Create Date: 2026-12-04 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import caseflow.models.types


revision = 'c5e2a91f0d34'
down_revision = '5c1e7a9d2b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_posting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', caseflow.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('created_at', caseflow.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('created_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('updated_at', caseflow.models.types.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('job_posting', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('created_by')
        batch_op.drop_column('created_at')
        batch_op.drop_column('closed_by')
        batch_op.drop_column('closed_at')
