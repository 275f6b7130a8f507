"""employment assistance after the difficulty designation, one-time subsidies, startup-subsidy amount and loan
partnership

Revision ID: d8f3b6a1c7e2
Revises: c5e2a91f0d34
Create Date: 2026-12-10 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import caseflow.models.types


revision = 'd8f3b6a1c7e2'
down_revision = 'c5e2a91f0d34'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'employment_assistance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('candidate_at', caseflow.models.types.UTCDateTime(), nullable=False),
        sa.Column('first_reviewed_by', sa.String(length=100), nullable=True),
        sa.Column('first_reviewed_at', caseflow.models.types.UTCDateTime(), nullable=True),
        sa.Column('designated_at', caseflow.models.types.UTCDateTime(), nullable=True),
        sa.Column('designated_by', sa.String(length=100), nullable=True),
        sa.Column('withdrawn_at', caseflow.models.types.UTCDateTime(), nullable=True),
        sa.Column('assisted_at', caseflow.models.types.UTCDateTime(), nullable=True),
        sa.Column('assisted_by', sa.String(length=100), nullable=True),
        sa.Column('measure', sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id'),
    )
    with op.batch_alter_table('employment_assistance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employment_assistance_designated_at'), ['designated_at'], unique=False)
    op.create_table(
        'subsidy_grant',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('response', sa.String(length=20), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=True),
        sa.Column('offered_at', caseflow.models.types.UTCDateTime(), nullable=False),
        sa.Column('paid_on', sa.Date(), nullable=True),
        sa.Column('received_before', sa.Boolean(), nullable=False),
        sa.Column('by_user', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('subsidy_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_grant_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('entrepreneurship_support', schema=None) as batch_op:
        batch_op.add_column(sa.Column('loan_partnership', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('subsidy_amount', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('months_to_registration', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('subsidy_reason', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('entrepreneurship_support', schema=None) as batch_op:
        batch_op.drop_column('subsidy_reason')
        batch_op.drop_column('months_to_registration')
        batch_op.drop_column('subsidy_amount')
        batch_op.drop_column('loan_partnership')
    with op.batch_alter_table('subsidy_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_grant_case_id'))
    op.drop_table('subsidy_grant')
    with op.batch_alter_table('employment_assistance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employment_assistance_designated_at'))
    op.drop_table('employment_assistance')
