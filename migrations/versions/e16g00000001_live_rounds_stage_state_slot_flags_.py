"""Live rounds: stage state, slot flags, round time limit

A round may be marked live and carry a time limit per performance and a penalty for going over
it; a performance slot records an absent performer, when the performance closed (its sheets
lock) and how long it took; one stage state row per live round.

Revision ID: e16g00000001
Revises: e16h00000001
Create Date: 2026-12-05 08:37:37.192277

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e16g00000001'
down_revision = 'e16h00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stage_state',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('order_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('order_published_by_id', sa.Integer(), nullable=True),
    sa.Column('current_registration_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('elapsed_seconds', sa.Integer(), nullable=False),
    sa.Column('is_paused', sa.Boolean(), nullable=False),
    sa.Column('revealed_category_ids', sa.JSON(), nullable=False),
    sa.Column('reminded_member_ids', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('elapsed_seconds >= 0', name=op.f('ck_stage_state_elapsed_not_negative')),
    sa.CheckConstraint('version > 0', name=op.f('ck_stage_state_version_positive')),
    sa.ForeignKeyConstraint(['current_registration_id'], ['registration.id'], name=op.f('fk_stage_state_current_registration_id_registration'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_published_by_id'], ['user_account.id'], name=op.f('fk_stage_state_order_published_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['contest_round.id'], name=op.f('fk_stage_state_round_id_contest_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', name=op.f('pk_stage_state'))
    )
    with op.batch_alter_table('contest_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_live', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('time_limit_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('overrun_penalty', sa.Numeric(precision=12, scale=3), nullable=True))
        batch_op.create_check_constraint(op.f('ck_contest_round_time_limit_positive'),
                                         'time_limit_seconds IS NULL OR time_limit_seconds > 0')
        batch_op.create_check_constraint(op.f('ck_contest_round_overrun_penalty_positive'),
                                         'overrun_penalty IS NULL OR overrun_penalty > 0')

    with op.batch_alter_table('jury_performance_slot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_absent', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('duration_seconds', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_jury_performance_slot_duration_not_negative'),
                                         'duration_seconds IS NULL OR duration_seconds >= 0')



def downgrade():
    with op.batch_alter_table('jury_performance_slot', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_jury_performance_slot_duration_not_negative'), type_='check')
        batch_op.drop_column('duration_seconds')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('is_absent')

    with op.batch_alter_table('contest_round', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contest_round_overrun_penalty_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_contest_round_time_limit_positive'), type_='check')
        batch_op.drop_column('overrun_penalty')
        batch_op.drop_column('time_limit_seconds')
        batch_op.drop_column('is_live')

    op.drop_table('stage_state')
