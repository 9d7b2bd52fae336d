"""News bodies rendered to HTML when saved

Each news post keeps its body as HTML beside the Markdown, rendered when the post is saved, so
pages no longer render it on every view; the posts already written are rendered here.

Revision ID: e16c00000001
Revises: e16b00000001
Create Date: 2026-12-05 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from contest.markup import render_markdown


# revision identifiers, used by Alembic.
revision = 'e16c00000001'
down_revision = 'e16b00000001'
branch_labels = None
depends_on = None

LANGUAGES = ('kk', 'ru', 'en')


def upgrade():
    with op.batch_alter_table('news_post', schema=None) as batch_op:
        for code in LANGUAGES:
            batch_op.add_column(sa.Column(f'body_html_{code}', sa.Text(), server_default='', nullable=False))

    posts = sa.table('news_post', sa.column('id', sa.Integer()),
                     *(sa.column(f'body_{code}', sa.Text()) for code in LANGUAGES),
                     *(sa.column(f'body_html_{code}', sa.Text()) for code in LANGUAGES))
    connection = op.get_bind()
    for row in connection.execute(sa.select(posts)).mappings().all():
        connection.execute(posts.update().where(posts.c.id == row['id']).values(
            {f'body_html_{code}': str(render_markdown(row[f'body_{code}'])) for code in LANGUAGES}))


def downgrade():
    with op.batch_alter_table('news_post', schema=None) as batch_op:
        for code in LANGUAGES:
            batch_op.drop_column(f'body_html_{code}')
