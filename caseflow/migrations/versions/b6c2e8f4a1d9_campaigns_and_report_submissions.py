"""campaigns: a cohort's campaign per province and the monthly reports submitted in it

Revision ID: b6c2e8f4a1d9
Revises: a7c2e9f41b06
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from caseflow.models.types import UTCDateTime

revision = 'b6c2e8f4a1d9'
down_revision = 'a7c2e9f41b06'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province', sa.String(length=2), nullable=False),
    sa.Column('cohort', sa.Integer(), nullable=False),
    sa.Column('calendar', sa.JSON(), nullable=False),
    sa.Column('opened_at', UTCDateTime(), nullable=False),
    sa.Column('opened_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('province', 'cohort', name='uq_campaign_province_cohort')
    )
    op.create_table('report_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('report_on', sa.String(length=10), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=True),
    sa.Column('submitted_at', UTCDateTime(), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', UTCDateTime(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=100), nullable=True),
    sa.Column('review', sa.String(length=10), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['corrects_id'], ['report_submission.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('report_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_submission_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_submission_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_submission_region_code'), ['region_code'], unique=False)


def downgrade():
    with op.batch_alter_table('report_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_submission_region_code'))
        batch_op.drop_index(batch_op.f('ix_report_submission_instance_id'))
        batch_op.drop_index(batch_op.f('ix_report_submission_campaign_id'))
    op.drop_table('report_submission')
    op.drop_table('campaign')
