"""accounts: several roles per user (app_user_role), a forced password change on first sign-in

Revision ID: d3a7f1c9e5b2
Revises: e4a7c3b9d512
Create Date: 2026-12-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd3a7f1c9e5b2'
down_revision = 'e4a7c3b9d512'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('app_user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role')
    )
    with op.batch_alter_table('app_user_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_role_role'), ['role'], unique=False)
    op.execute("INSERT INTO app_user_role (user_id, role) SELECT id, role FROM app_user")
    op.add_column('app_user', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    # Both PostgreSQL and SQLite (3.35+) drop an unindexed column in place: SQLite's batch mode would copy the
    # table, and dropping the old copy trips the foreign keys of every case that names a caseworker.
    op.execute("ALTER TABLE app_user DROP COLUMN role")


def downgrade():
    op.add_column('app_user', sa.Column('role', sa.String(length=20), nullable=True))
    # A user with several roles keeps the first of them in alphabetical order.
    op.execute("UPDATE app_user SET role = (SELECT min(role) FROM app_user_role WHERE user_id = app_user.id)")
    op.execute("UPDATE app_user SET role = 'caseworker' WHERE role IS NULL")
    op.execute("ALTER TABLE app_user DROP COLUMN must_change_password")
    with op.batch_alter_table('app_user_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_role_role'))
    op.drop_table('app_user_role')
