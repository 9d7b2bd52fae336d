"""Ranking settings per contest: decimals, trimming, normalisation, Grand Prix minimum, advancement threshold

Revision ID: 3d8405340fb8
Revises: da9b2fc8141e
Create Date: 2026-11-26 02:38:23.789686

Existing contests get the settings the engine used until now (two decimals, a trimmed mean
dropping one total at each end, no normalisation) through the server defaults. The aggregation
CHECK constraint is rebuilt to admit the trimmed sum.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d8405340fb8'
down_revision = 'da9b2fc8141e'
branch_labels = None
depends_on = None

OLD_METHODS = "aggregation IN ('mean', 'trimmed_mean', 'median', 'sum')"
NEW_METHODS = "aggregation IN ('mean', 'trimmed_mean', 'median', 'sum', 'trimmed_sum')"


def upgrade():
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_decimals', sa.Integer(), server_default=sa.text('2'), nullable=False))
        batch_op.add_column(sa.Column('trim_count', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('trim_min_jurors', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('normalise_scores', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_contest_aggregation_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_contest_aggregation_known'), NEW_METHODS)
        batch_op.create_check_constraint(batch_op.f('ck_contest_score_decimals_range'),
                                         'score_decimals BETWEEN 0 AND 3')
        batch_op.create_check_constraint(batch_op.f('ck_contest_trim_count_range'), 'trim_count BETWEEN 1 AND 10')
        batch_op.create_check_constraint(
            batch_op.f('ck_contest_trim_min_jurors_enough'),
            'trim_min_jurors IS NULL OR (trim_min_jurors >= 2 * trim_count + 1 AND trim_min_jurors <= 100)')

    with op.batch_alter_table('contest_award_tier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_score', sa.Numeric(precision=12, scale=3), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_contest_award_tier_min_score_not_negative'),
                                         'min_score IS NULL OR min_score >= 0')

    with op.batch_alter_table('contest_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('advance_threshold', sa.Numeric(precision=12, scale=3), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_contest_round_advance_threshold_not_negative'),
                                         'advance_threshold IS NULL OR advance_threshold >= 0')
        batch_op.create_check_constraint(batch_op.f('ck_contest_round_advance_count_or_threshold'),
                                         'advance_count IS NULL OR advance_threshold IS NULL')


def downgrade():
    with op.batch_alter_table('contest_round', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contest_round_advance_count_or_threshold'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_round_advance_threshold_not_negative'), type_='check')
        batch_op.drop_column('advance_threshold')

    with op.batch_alter_table('contest_award_tier', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contest_award_tier_min_score_not_negative'), type_='check')
        batch_op.drop_column('min_score')

    # A contest using the trimmed sum has no equivalent before this revision: the trimmed mean
    # is the nearest (same jurors counted, same order of entries within a panel of equal size).
    op.execute("UPDATE contest SET aggregation = 'trimmed_mean' WHERE aggregation = 'trimmed_sum'")
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contest_trim_min_jurors_enough'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_trim_count_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_score_decimals_range'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_aggregation_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_contest_aggregation_known'), OLD_METHODS)
        batch_op.drop_column('normalise_scores')
        batch_op.drop_column('trim_min_jurors')
        batch_op.drop_column('trim_count')
        batch_op.drop_column('score_decimals')
