"""Files kept in the database (FILE_STORE=database)

A stored file's area, name, size and SHA-256, and its bytes in chunks of at most 1 MiB, for
sites whose app servers share no disk (see contest/files/database.py).

Revision ID: e16b00000001
Revises: e15a00000002
Create Date: 2026-12-05 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e16b00000001'
down_revision = 'e15a00000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sa.UniqueConstraint('area', 'name', name=op.f('uq_stored_file_area_name')),
    sqlite_autoincrement=True
    )
    op.create_table('stored_file_chunk',
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_stored_file_chunk_file_id_stored_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'position', name=op.f('pk_stored_file_chunk'))
    )


def downgrade():
    op.drop_table('stored_file_chunk')
    op.drop_table('stored_file')
