"""Entries hold the works the contest asks for

Revision ID: c6a813952702
Revises: 7f531f04878f
Create Date: 2026-12-04 15:11:53.940711

A contest now says how many works an entry holds, what each work carries besides its title
(text, a file, either, both) and whether a performance video link is required. Existing
contests get one work with the text or a file and no video required: what the single entry
form asked until now. Each entry's title, text and file move into its work number 1 (entries
with none of them get no work row); the video link stays on the entry. Registrations gain
the organiser's audited exception for an entry that does not meet the rules.

Downgrade moves work number 1 back onto the entry; further works are dropped.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c6a813952702'
down_revision = '7f531f04878f'
branch_labels = None
depends_on = None

WORK_COLUMNS = "title, text, file_name, file_original_name, file_type, file_size"


def upgrade():
    op.create_table(
        'entry_work',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('file_name', sa.String(length=64), nullable=True),
        sa.Column('file_original_name', sa.String(length=255), nullable=False),
        sa.Column('file_type', sa.String(length=10), nullable=False),
        sa.Column('file_size', sa.Integer(), nullable=True),
        sa.CheckConstraint('file_size IS NULL OR file_size > 0', name=op.f('ck_entry_work_file_size_positive')),
        sa.CheckConstraint('position >= 1', name=op.f('ck_entry_work_position_positive')),
        sa.ForeignKeyConstraint(['entry_id'], ['entry.id'], name=op.f('fk_entry_work_entry_id_entry'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_work')),
        sa.UniqueConstraint('entry_id', 'position', name=op.f('uq_entry_work_entry_id_position')),
    )
    with op.batch_alter_table('entry_work', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_work_entry_id'), ['entry_id'], unique=False)

    # The single work every entry had becomes its work number 1.
    op.execute(
        f"INSERT INTO entry_work (entry_id, position, {WORK_COLUMNS}) "
        f"SELECT id, 1, {WORK_COLUMNS} FROM entry "
        "WHERE title <> '' OR text <> '' OR file_name IS NOT NULL")

    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_entry_file_size_positive'), type_='check')
        batch_op.drop_column('file_size')
        batch_op.drop_column('file_type')
        batch_op.drop_column('file_name')
        batch_op.drop_column('file_original_name')
        batch_op.drop_column('text')
        batch_op.drop_column('title')

    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('works_required', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('work_requires', sa.String(length=20), server_default='text_or_file',
                                      nullable=False))
        batch_op.add_column(sa.Column('video_required', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_contest_works_required_range'),
                                         'works_required BETWEEN 1 AND 5')
        batch_op.create_check_constraint(
            batch_op.f('ck_contest_work_requires_known'),
            "work_requires IN ('text', 'file', 'text_or_file', 'text_and_file')")

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entry_override_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('entry_override_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('entry_override_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_registration_entry_override_by_id_user_account'),
                                    'user_account', ['entry_override_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registration_entry_override_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('entry_override_by_id')
        batch_op.drop_column('entry_override_at')
        batch_op.drop_column('entry_override_reason')

    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contest_work_requires_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_contest_works_required_range'), type_='check')
        batch_op.drop_column('video_required')
        batch_op.drop_column('work_requires')
        batch_op.drop_column('works_required')

    with op.batch_alter_table('entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('file_original_name', sa.String(length=255), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('file_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('file_type', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('file_size', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_entry_file_size_positive'),
                                         'file_size IS NULL OR file_size > 0')

    for column in WORK_COLUMNS.split(", "):
        op.execute(f"UPDATE entry SET {column} = (SELECT entry_work.{column} FROM entry_work "
                   f"WHERE entry_work.entry_id = entry.id AND entry_work.position = 1) "
                   f"WHERE EXISTS (SELECT 1 FROM entry_work WHERE entry_work.entry_id = entry.id "
                   f"AND entry_work.position = 1)")

    with op.batch_alter_table('entry_work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_work_entry_id'))
    op.drop_table('entry_work')
