"""Cover pictures for contests and news posts in responsive sizes, with alt text

Contests get a cover; news posts keep theirs. Both now store a stem shared by the sizes
(contest/pictures.py: `<stem>-<width>.webp|jpg`), the largest size's width and height, and a
description in each language. A news cover stored before (one JPEG, `<stem>.jpg`, at most
1600 wide) is re-encoded into the new sizes here, so existing posts keep their picture.

Revision ID: d1560e90e002
Revises: ffc0b5fc0e18
Create Date: 2026-12-04 18:02:10.848371

"""
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = 'd1560e90e002'
down_revision = 'ffc0b5fc0e18'
branch_labels = None
depends_on = None

# Frozen copies of contest/pictures.py's choices as of this revision.
WIDTHS = (480, 960, 1440)
ALT_COLUMNS = ('cover_alt_kk', 'cover_alt_ru', 'cover_alt_en')


def _alt_columns():
    return [sa.Column(name, sa.String(length=300), nullable=False, server_default='') for name in ALT_COLUMNS]


def upgrade():
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_image', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('cover_width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cover_height', sa.Integer(), nullable=True))
        for column in _alt_columns():
            batch_op.add_column(column)
        batch_op.create_unique_constraint(batch_op.f('uq_contest_cover_image'), ['cover_image'])

    with op.batch_alter_table('news_post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cover_height', sa.Integer(), nullable=True))
        for column in _alt_columns():
            batch_op.add_column(column)

    _resize_old_news_covers()


def _resize_old_news_covers():
    """Each `<stem>.jpg` becomes `<stem>-<width>.webp|jpg`; a cover whose file is missing is dropped."""
    from PIL import Image

    folder = Path(current_app.config['UPLOAD_DIR']) / 'news'
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, cover_image FROM news_post WHERE cover_image LIKE '%.jpg'")).all()
    for post_id, name in rows:
        old = folder / name
        stem = name.removesuffix('.jpg')
        width = height = None
        if old.is_file():
            with Image.open(old) as image:
                image = image.convert('RGB')
                width = min(image.width, WIDTHS[-1])
                height = max(1, round(image.height * width / image.width))
                for size in (*(w for w in WIDTHS if w < width), width):
                    resized = image.resize((size, max(1, round(image.height * size / image.width))),
                                           Image.Resampling.LANCZOS)
                    resized.save(folder / f'{stem}-{size}.webp', 'WEBP', quality=80, method=4)
                    resized.save(folder / f'{stem}-{size}.jpg', 'JPEG', quality=82, optimize=True, progressive=True)
        connection.execute(sa.text("UPDATE news_post SET cover_image = :stem, cover_width = :width, "
                                   "cover_height = :height WHERE id = :id"),
                           {'stem': stem if width else None, 'width': width, 'height': height, 'id': post_id})
        old.unlink(missing_ok=True)


def downgrade():
    # The largest JPEG becomes the single cover file again; the other sizes are removed.
    folder = Path(current_app.config['UPLOAD_DIR']) / 'news'
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, cover_image, cover_width FROM news_post WHERE cover_image IS NOT NULL")).all()
    for post_id, stem, width in rows:
        largest = folder / f'{stem}-{width}.jpg'
        if largest.is_file():
            largest.rename(folder / f'{stem}.jpg')
        for extra in folder.glob(f'{stem}-*'):
            extra.unlink()
        connection.execute(sa.text("UPDATE news_post SET cover_image = :name WHERE id = :id"),
                           {'name': f'{stem}.jpg' if (folder / f'{stem}.jpg').is_file() else None, 'id': post_id})

    with op.batch_alter_table('news_post', schema=None) as batch_op:
        for name in reversed(ALT_COLUMNS):
            batch_op.drop_column(name)
        batch_op.drop_column('cover_height')
        batch_op.drop_column('cover_width')

    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_contest_cover_image'), type_='unique')
        for name in reversed(ALT_COLUMNS):
            batch_op.drop_column(name)
        batch_op.drop_column('cover_height')
        batch_op.drop_column('cover_width')
        batch_op.drop_column('cover_image')
