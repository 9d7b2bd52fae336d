"""participants, registrations and entries

Revision ID: a258f234c0d3
Revises: 2910f2d806a1
Create Date: 2026-11-26 01:23:41.345694

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a258f234c0d3'
down_revision = '2910f2d806a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('surname', sa.String(length=100), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('patronymic', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('district', sa.String(length=120), nullable=False),
    sa.Column('teacher', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('guardian_name', sa.String(length=200), nullable=False),
    sa.Column('guardian_phone', sa.String(length=40), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consent_version', sa.String(length=20), nullable=True),
    sa.Column('consent_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('grade IS NULL OR (grade >= 1 AND grade <= 12)', name=op.f('ck_participant_grade_in_range')),
    sa.ForeignKeyConstraint(['account_id'], ['user_account.id'], name=op.f('fk_participant_account_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consent_by_id'], ['user_account.id'], name=op.f('fk_participant_consent_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant'))
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_account_id'), ['account_id'], unique=False)

    op.create_table('registration_counter',
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_registration_counter_contest_id_contest'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contest_id', name=op.f('pk_registration_counter')),
    sa.UniqueConstraint('prefix', name=op.f('uq_registration_counter_prefix'))
    )
    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'withdrawn')", name=op.f('ck_registration_status_known')),
    sa.ForeignKeyConstraint(['category_id'], ['contest_category.id'], name=op.f('fk_registration_category_id_contest_category'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_registration_contest_id_contest'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_registration_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_registration_participant_id_participant'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_registration_registered_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('code', name=op.f('uq_registration_code')),
    sa.UniqueConstraint('contest_id', 'number', name=op.f('uq_registration_contest_id_number')),
    sa.UniqueConstraint('contest_id', 'participant_id', name=op.f('uq_registration_contest_id_participant_id'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_status'), ['status'], unique=False)

    op.create_table('entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('file_name', sa.String(length=64), nullable=True),
    sa.Column('file_original_name', sa.String(length=255), nullable=False),
    sa.Column('file_type', sa.String(length=10), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('file_size IS NULL OR file_size > 0', name=op.f('ck_entry_file_size_positive')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_entry_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_entry_registration_id'))
    )


def downgrade():
    op.drop_table('entry')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_status'))
        batch_op.drop_index(batch_op.f('ix_registration_participant_id'))
        batch_op.drop_index(batch_op.f('ix_registration_contest_id'))
        batch_op.drop_index(batch_op.f('ix_registration_category_id'))

    op.drop_table('registration')
    op.drop_table('registration_counter')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_account_id'))

    op.drop_table('participant')
