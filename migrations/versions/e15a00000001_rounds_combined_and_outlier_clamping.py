"""Rounds combined and outlier clamping: how the final standings come from the rounds, and per
round its own method, its weight and the clamping distance k

Existing contests keep ranking the results round alone (the server default); existing rounds
keep the contest's method, have no weight and clamp nothing (NULL).

Revision ID: e15a00000001
Revises: d1560e90e002
Create Date: 2026-12-05 05:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e15a00000001'
down_revision = 'd1560e90e002'
branch_labels = None
depends_on = None

# Frozen copies of the models' choices as of this revision.
COMBINATIONS = "rounds_combination IN ('results_round', 'sum', 'weighted')"
METHODS = "aggregation IS NULL OR aggregation IN ('mean', 'trimmed_mean', 'median', 'sum', 'trimmed_sum')"


def upgrade():
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rounds_combination', sa.String(length=20), server_default='results_round',
                                      nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_contest_rounds_combination_known'), COMBINATIONS)

    with op.batch_alter_table('contest_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aggregation', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('weight', sa.Numeric(precision=12, scale=3), nullable=True))
        batch_op.add_column(sa.Column('clamp_points', sa.Numeric(precision=12, scale=3), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_contest_round_aggregation_known'), METHODS)
        batch_op.create_check_constraint(batch_op.f('ck_contest_round_weight_positive'), 'weight IS NULL OR weight > 0')
        batch_op.create_check_constraint(batch_op.f('ck_contest_round_clamp_points_positive'),
                                         'clamp_points IS NULL OR clamp_points > 0')


def downgrade():
    with op.batch_alter_table('contest_round', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contest_round_clamp_points_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_round_weight_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_round_aggregation_known'), type_='check')
        batch_op.drop_column('clamp_points')
        batch_op.drop_column('weight')
        batch_op.drop_column('aggregation')

    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contest_rounds_combination_known'), type_='check')
        batch_op.drop_column('rounds_combination')
