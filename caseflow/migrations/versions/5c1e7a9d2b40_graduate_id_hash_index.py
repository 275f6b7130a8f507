"""graduate: index the keyed ID hash alone, so a handover finds a person's open case in any cohort

Revision ID: 5c1e7a9d2b40
Revises: c51f0e7d2a94
Create Date: 2026-12-03 06:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1e7a9d2b40'
down_revision = 'c51f0e7d2a94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('graduate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_graduate_id_hash'), ['id_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('graduate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_graduate_id_hash'))
