"""Certificates: whether the place is shared (the award then reads "II орын (ортақ)")

Revision ID: ff49e445f4e9
Revises: 4faefaa397e9
Create Date: 2026-12-04 15:10:47.699211

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ff49e445f4e9'
down_revision = "4faefaa397e9"
branch_labels = None
depends_on = None


def upgrade():
    # Documents issued before: not shared, until the next issuing reads the snapshot again.
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place_shared', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('place_shared')
