"""designer: a draft of a process per designer (process_draft)

Revision ID: a5c8e2f4d7b1
Revises: b6e2d4f8a1c3
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from caseflow.models.types import UTCDateTime


revision = 'a5c8e2f4d7b1'
down_revision = 'b6e2d4f8a1c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=100), nullable=False),
    sa.Column('designer', sa.String(length=100), nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=True),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['base_version_id'], ['process_version.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_id', 'designer', name='uq_process_draft_designer')
    )


def downgrade():
    op.drop_table('process_draft')
