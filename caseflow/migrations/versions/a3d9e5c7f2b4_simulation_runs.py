"""process designer: cohort simulation runs (simulation_run)

Revision ID: a3d9e5c7f2b4
Revises: f6c2a8d4b1e9
Create Date: 2026-12-03 13:20:00

"""
from alembic import op
import sqlalchemy as sa

from caseflow.models.types import UTCDateTime


revision = 'a3d9e5c7f2b4'
down_revision = 'f6c2a8d4b1e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('simulation_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('requested_at', UTCDateTime(), nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=True),
    sa.Column('draft_sha256', sa.String(length=64), nullable=True),
    sa.Column('draft_files', sa.JSON(), nullable=True),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('heartbeat_at', UTCDateTime(), nullable=True),
    sa.Column('finished_at', UTCDateTime(), nullable=True),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.Column('error', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['base_version_id'], ['process_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('simulation_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_simulation_run_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_simulation_run_requested_by'), ['requested_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_simulation_run_state'), ['state'], unique=False)


def downgrade():
    with op.batch_alter_table('simulation_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_simulation_run_state'))
        batch_op.drop_index(batch_op.f('ix_simulation_run_requested_by'))
        batch_op.drop_index(batch_op.f('ix_simulation_run_process_id'))
    op.drop_table('simulation_run')
