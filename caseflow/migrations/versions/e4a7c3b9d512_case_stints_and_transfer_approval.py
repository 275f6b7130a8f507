"""case stints (a case's time in each region's ledger), the origin supervisor's transfer approval, and the
out-of-province flag of a pool case

Revision ID: e4a7c3b9d512
Revises: d8f3b6a1c7e2
Create Date: 2026-12-05 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import caseflow.models.types


revision = 'e4a7c3b9d512'
down_revision = 'd8f3b6a1c7e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_stint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=12), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=True),
    sa.Column('profile', sa.String(length=30), nullable=False),
    sa.Column('started_at', caseflow.models.types.UTCDateTime(), nullable=False),
    sa.Column('ended_at', caseflow.models.types.UTCDateTime(), nullable=True),
    sa.Column('caseworker_id', sa.Integer(), nullable=True),
    sa.Column('package_requirement', sa.JSON(), nullable=True),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.ForeignKeyConstraint(['caseworker_id'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['transfer_id'], ['case_transfer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_stint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_stint_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_stint_region_code'), ['region_code'], unique=False)
    with op.batch_alter_table('case_transfer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', caseflow.models.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sa.String(length=100), nullable=True))
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outside_area_code', sa.String(length=12), nullable=True))
    _backfill()


def _backfill():
    """One stint per case: its time in each county, from its handover and the transfers accepted since."""
    conn = op.get_bind()
    case_file = sa.table('case_file', sa.column('id'), sa.column('region_code'), sa.column('county_code'),
                         sa.column('profile'), sa.column('handover_at', caseflow.models.types.UTCDateTime()))
    transfer = sa.table('case_transfer', sa.column('id'), sa.column('case_id'), sa.column('from_county'),
                        sa.column('status'), sa.column('decided_at', caseflow.models.types.UTCDateTime()))
    stint = sa.table('case_stint', sa.column('case_id'), sa.column('region_code'), sa.column('county_code'),
                     sa.column('profile'), sa.column('started_at', caseflow.models.types.UTCDateTime()),
                     sa.column('ended_at', caseflow.models.types.UTCDateTime()), sa.column('transfer_id'))
    moves = {}
    for row in conn.execute(sa.select(transfer.c.id, transfer.c.case_id, transfer.c.from_county, transfer.c.decided_at)
                            .where(transfer.c.status == 'accepted').order_by(transfer.c.decided_at)):
        moves.setdefault(row.case_id, []).append(row)
    rows = []
    for case in conn.execute(sa.select(case_file)):
        start = case.handover_at
        for move in moves.get(case.id, []):
            region = move.from_county or case.region_code[:2]
            rows.append({'case_id': case.id, 'region_code': region, 'county_code': move.from_county,
                         'profile': case.profile, 'started_at': start, 'ended_at': move.decided_at,
                         'transfer_id': move.id})
            start = move.decided_at
        rows.append({'case_id': case.id, 'region_code': case.region_code, 'county_code': case.county_code,
                     'profile': case.profile, 'started_at': start, 'ended_at': None, 'transfer_id': None})
    if rows:
        op.bulk_insert(stint, rows)


def downgrade():
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('outside_area_code')
    with op.batch_alter_table('case_transfer', schema=None) as batch_op:
        batch_op.drop_column('approved_by')
        batch_op.drop_column('approved_at')
    with op.batch_alter_table('case_stint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_stint_region_code'))
        batch_op.drop_index(batch_op.f('ix_case_stint_case_id'))
    op.drop_table('case_stint')
