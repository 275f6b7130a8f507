"""follow-up: months recorded as missed (missed_visit); a classification's reason and when it was recorded

Revision ID: f6c2a8d4b1e9
Revises: b6c2e8f4a1d9
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa

from caseflow.models.types import UTCDateTime


revision = 'f6c2a8d4b1e9'
down_revision = 'b6c2e8f4a1d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('missed_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('missed_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_missed_visit_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ux_missed_visit_case_month', ['case_id', 'month'], unique=True)
    op.add_column('classification', sa.Column('reason', sa.Text(), nullable=True))
    op.add_column('classification', sa.Column('recorded_at', UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('classification', schema=None) as batch_op:
        batch_op.drop_column('recorded_at')
        batch_op.drop_column('reason')
    with op.batch_alter_table('missed_visit', schema=None) as batch_op:
        batch_op.drop_index('ux_missed_visit_case_month')
        batch_op.drop_index(batch_op.f('ix_missed_visit_case_id'))
    op.drop_table('missed_visit')
