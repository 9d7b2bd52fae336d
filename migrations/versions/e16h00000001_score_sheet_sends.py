"""Score sheet sends: the keys of saves sent by the offline-capable scoring page

A phone that lost its connection sends the same save again when it is back; the key the page
generated for that save is kept so that the second send applies nothing.

Revision ID: e16h00000001
Revises: e16a00000001
Create Date: 2026-12-05 08:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e16h00000001'
down_revision = 'e16a00000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('score_sheet_send',
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sheet_id'], ['score_sheet.id'], name=op.f('fk_score_sheet_send_sheet_id_score_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sheet_id', 'key', name=op.f('pk_score_sheet_send'))
    )


def downgrade():
    op.drop_table('score_sheet_send')
