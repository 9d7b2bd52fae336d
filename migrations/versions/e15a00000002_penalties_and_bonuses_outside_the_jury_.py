"""Penalties and bonuses outside the jury; ex aequo decisions

Points an organiser adds to an entry's rounded jury score in a round (with a kind and a reason),
and the jury's decisions to give one award tier to several entries of a category.

Revision ID: e15a00000002
Revises: e15a00000001
Create Date: 2026-12-05 05:11:56.530637

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e15a00000002'
down_revision = 'e15a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('results_ex_aequo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('registration_ids', sa.JSON(), nullable=False),
    sa.Column('skip_next', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['contest_category.id'], name=op.f('fk_results_ex_aequo_category_id_contest_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_results_ex_aequo_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['contest_round.id'], name=op.f('fk_results_ex_aequo_round_id_contest_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['contest_award_tier.id'], name=op.f('fk_results_ex_aequo_tier_id_contest_award_tier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_ex_aequo')),
    sa.UniqueConstraint('round_id', 'category_id', 'tier_id', name=op.f('uq_results_ex_aequo_round_id_category_id_tier_id'))
    )
    with op.batch_alter_table('results_ex_aequo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_ex_aequo_round_id'), ['round_id'], unique=False)

    op.create_table('results_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('points', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('time_overrun', 'late_entry', 'objective', 'other')", name=op.f('ck_results_adjustment_kind_known')),
    sa.CheckConstraint('points <> 0', name=op.f('ck_results_adjustment_points_not_zero')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_results_adjustment_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_results_adjustment_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['contest_round.id'], name=op.f('fk_results_adjustment_round_id_contest_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_adjustment'))
    )
    with op.batch_alter_table('results_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_adjustment_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_results_adjustment_round_id'), ['round_id'], unique=False)



def downgrade():
    with op.batch_alter_table('results_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_adjustment_round_id'))
        batch_op.drop_index(batch_op.f('ix_results_adjustment_registration_id'))

    op.drop_table('results_adjustment')
    with op.batch_alter_table('results_ex_aequo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_ex_aequo_round_id'))

    op.drop_table('results_ex_aequo')
