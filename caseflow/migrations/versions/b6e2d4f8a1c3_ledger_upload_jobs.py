"""ledger upload in the browser: import_job (the encrypted upload and the background job's progress)

Revision ID: b6e2d4f8a1c3
Revises: d3a7f1c9e5b2
Create Date: 2026-12-09 09:00:00

"""
from alembic import op
import sqlalchemy as sa

from caseflow.models.types import UTCDateTime


revision = 'b6e2d4f8a1c3'
down_revision = 'd3a7f1c9e5b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_job',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('province', sa.String(length=2), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('rows_expected', sa.Integer(), nullable=True),
    sa.Column('heartbeat_at', UTCDateTime(), nullable=True),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('file_encrypted', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.PrimaryKeyConstraint('batch_id')
    )
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_job_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_job_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('import_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_job_state'))
        batch_op.drop_index(batch_op.f('ix_import_job_region_code'))
    op.drop_table('import_job')
