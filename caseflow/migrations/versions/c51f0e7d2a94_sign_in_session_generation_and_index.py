"""sign-in hardening: a session generation per user, a partial index over sign-in outcomes

Revision ID: c51f0e7d2a94
Revises: b7d41c2e9a10
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c51f0e7d2a94'
down_revision = 'b7d41c2e9a10'
branch_labels = None
depends_on = None

SIGN_IN_OUTCOMES = sa.text("action IN ('login_failed', 'logged_in')")


def upgrade():
    with op.batch_alter_table('app_user') as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))
    op.create_index('ix_event_log_sign_in', 'event_log', ['actor', 'at'], unique=False,
                    postgresql_where=SIGN_IN_OUTCOMES, sqlite_where=SIGN_IN_OUTCOMES)


def downgrade():
    op.drop_index('ix_event_log_sign_in', table_name='event_log', postgresql_where=SIGN_IN_OUTCOMES,
                  sqlite_where=SIGN_IN_OUTCOMES)
    with op.batch_alter_table('app_user') as batch_op:
        batch_op.drop_column('session_generation')
