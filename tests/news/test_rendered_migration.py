"""The migration that keeps each news body rendered: posts written before it get their HTML,
the same the editor now saves, so their pages look as they did."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from contest import create_app
from contest.extensions import db as _db
from contest.markup import render_markdown
from tests.databases import fresh_database_url

BEFORE = "e15a00000002"
RENDERED = "e16c00000001"


def test_posts_written_before_get_their_html_and_downgrade_drops_it():
    url, drop = fresh_database_url()
    try:
        fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with fresh.app_context():
            upgrade(revision=BEFORE)
            with _db.engine.begin() as connection:
                connection.execute(sa.text(
                    "INSERT INTO news_post (slug, title_kk, title_ru, title_en, summary_kk, summary_ru, summary_en, "
                    "body_kk, body_ru, body_en, cover_alt_kk, cover_alt_ru, cover_alt_en, created_at, updated_at) "
                    "VALUES ('old', 'Ескі', '', 'Old', '', '', '', 'Сәлем **бәріне**', '', "
                    "'<script>x</script> [link](https://example.kz)', '', '', '', :now, :now)"),
                    {"now": "2026-11-01 09:00:00+00:00"})
            upgrade(revision=RENDERED)
            with _db.engine.connect() as connection:
                row = connection.execute(sa.text(
                    "SELECT body_html_kk, body_html_ru, body_html_en FROM news_post")).one()
            assert row[0] == "<p>Сәлем <strong>бәріне</strong></p>\n" == str(render_markdown("Сәлем **бәріне**"))
            assert row[1] == ""
            assert "<script>" not in row[2] and 'href="https://example.kz"' in row[2]
            downgrade(revision=BEFORE)
            with _db.engine.connect() as connection:
                columns = {column["name"] for column in sa.inspect(connection).get_columns("news_post")}
            assert "body_html_kk" not in columns and "body_kk" in columns
            _db.engine.dispose()
    finally:
        drop()
