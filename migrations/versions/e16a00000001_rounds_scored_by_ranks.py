"""Rounds scored by ranks: the round's scoring and rank method, the juror's place on a sheet

Revision ID: e16a00000001
Revises: e16f00000001
Create Date: 2026-12-05 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e16a00000001'
down_revision = 'e16f00000001'
branch_labels = None
depends_on = None

# Frozen copies of the models' choices as of this revision.
SCORINGS = "scoring IN ('points', 'ranks')"
RANK_METHODS = "rank_method IS NULL OR rank_method IN ('rank_sum', 'borda')"


def upgrade():
    with op.batch_alter_table('contest_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scoring', sa.String(length=20), server_default='points', nullable=False))
        batch_op.add_column(sa.Column('rank_method', sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_contest_round_scoring_known'), SCORINGS)
        batch_op.create_check_constraint(batch_op.f('ck_contest_round_rank_method_known'), RANK_METHODS)
        batch_op.create_check_constraint(batch_op.f('ck_contest_round_ranks_have_method'),
                                         "scoring = 'points' OR rank_method IS NOT NULL")

    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_score_sheet_place_positive'), 'place IS NULL OR place > 0')


def downgrade():
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_score_sheet_place_positive'), type_='check')
        batch_op.drop_column('place')

    with op.batch_alter_table('contest_round', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contest_round_ranks_have_method'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_round_rank_method_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_round_scoring_known'), type_='check')
        batch_op.drop_column('rank_method')
        batch_op.drop_column('scoring')
