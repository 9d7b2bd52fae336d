"""Certificate job progress counts documents: issued and rendered

Revision ID: ffc0b5fc0e18
Revises: c6a813952702
Create Date: 2026-12-04 16:10:35.257469

A job counted two steps per document in one column (`done`, up to twice the total), so a page
reading it as documents could say "56 of 28". The job now keeps how many documents it issued
and how many it printed into the output, each of the total. Existing jobs split `done` into
the two; downgrade adds them back up.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ffc0b5fc0e18'
down_revision = 'c6a813952702'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('rendered', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE certificate_job SET issued = CASE WHEN done < total THEN done ELSE total END, "
               "rendered = CASE WHEN done > total THEN done - total ELSE 0 END")
    with op.batch_alter_table('certificate_job', schema=None) as batch_op:
        batch_op.drop_column('done')


def downgrade():
    with op.batch_alter_table('certificate_job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE certificate_job SET done = issued + rendered")
    with op.batch_alter_table('certificate_job', schema=None) as batch_op:
        batch_op.drop_column('rendered')
        batch_op.drop_column('issued')
