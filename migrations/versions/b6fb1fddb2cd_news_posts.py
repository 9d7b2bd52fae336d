"""news posts

Revision ID: b6fb1fddb2cd
Revises: 20bcbcd8d501
Create Date: 2026-11-25 21:09:51.454904

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6fb1fddb2cd'
down_revision = '20bcbcd8d501'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('news_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title_kk', sa.String(length=200), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('summary_kk', sa.String(length=500), nullable=False),
    sa.Column('summary_ru', sa.String(length=500), nullable=False),
    sa.Column('summary_en', sa.String(length=500), nullable=False),
    sa.Column('body_kk', sa.Text(), nullable=False),
    sa.Column('body_ru', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('cover_image', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("slug <> ''", name=op.f('ck_news_post_slug_not_empty')),
    sa.CheckConstraint("title_kk <> '' OR title_ru <> '' OR title_en <> ''", name=op.f('ck_news_post_has_title')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_news_post_author_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_post')),
    sa.UniqueConstraint('cover_image', name=op.f('uq_news_post_cover_image')),
    sa.UniqueConstraint('slug', name=op.f('uq_news_post_slug'))
    )
    with op.batch_alter_table('news_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_post_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_post_published_at'), ['published_at'], unique=False)



def downgrade():
    with op.batch_alter_table('news_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_post_published_at'))
        batch_op.drop_index(batch_op.f('ix_news_post_author_id'))

    op.drop_table('news_post')
