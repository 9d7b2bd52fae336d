"""The migration that gives entries their works: an entry of the old shape (one title, text and
file on the entry row) becomes work number 1, nothing lost; downgrade moves it back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from contest import create_app
from contest.extensions import db as _db
from tests.databases import fresh_database_url

BEFORE = "7f531f04878f"
WORKS = "c6a813952702"
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def _filler(column: sa.Column):
    """A value for a required column the test does not care about."""
    kind = column.type.python_type if not isinstance(column.type, sa.JSON) else list
    return {str: "x", int: 1, bool: False, datetime: NOW, date: date(2010, 1, 1), list: []}.get(kind, "x")


def _insert(connection, table_name: str, **values) -> int:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    row = {column.name: _filler(column) for column in table.columns
           if not column.nullable and column.server_default is None and not column.primary_key}
    row.update(values)
    return connection.execute(table.insert().values(**row).returning(table.c.id)).scalar_one()


def _old_shape_rows(connection) -> tuple[int, int]:
    contest = _insert(connection, "contest", slug="old-contest", status="registration_open", kind="writing",
                      level="city", aggregation="mean", tie_break_rules=[], registration_opens_at=NOW,
                      registration_closes_at=NOW + timedelta(days=10), event_at=NOW + timedelta(days=20))
    category = _insert(connection, "contest_category", contest_id=contest, position=1)
    ids = []
    for number, entry in enumerate([
            {"title": "Дала", "text": "бір\nекі", "file_name": "stored.pdf", "file_original_name": "Дала.pdf",
             "file_type": "pdf", "file_size": 123, "video_url": "https://youtu.be/x"},
            {"title": "", "text": "", "file_original_name": "", "file_type": "", "video_url": ""}], start=1):
        participant = _insert(connection, "participant", surname=f"S{number}", given_name="G", grade=None)
        registration = _insert(connection, "registration", contest_id=contest, participant_id=participant,
                               category_id=category, number=number, code=f"OLD-{number}", status="approved")
        ids.append(_insert(connection, "entry", registration_id=registration, **entry))
    return ids[0], ids[1]


def test_old_entries_become_work_one_without_loss_and_come_back_on_downgrade():
    url, drop = fresh_database_url()
    try:
        fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with fresh.app_context():
            upgrade(revision=BEFORE)
            with _db.engine.begin() as connection:
                with_poem, empty = _old_shape_rows(connection)
            upgrade(revision=WORKS)
            with _db.engine.connect() as connection:
                works = connection.execute(sa.text(
                    "SELECT entry_id, position, title, text, file_name, file_original_name, file_type, file_size "
                    "FROM entry_work ORDER BY entry_id")).all()
                video = connection.execute(sa.text("SELECT video_url FROM entry WHERE id = :id"),
                                           {"id": with_poem}).scalar_one()
                rules = connection.execute(sa.text(
                    "SELECT works_required, work_requires, video_required FROM contest")).one()
            # The empty entry gets no work row (it is simply incomplete); the poem keeps everything.
            assert [tuple(row) for row in works] == [
                (with_poem, 1, "Дала", "бір\nекі", "stored.pdf", "Дала.pdf", "pdf", 123)]
            assert video == "https://youtu.be/x"
            assert (rules[0], rules[1], bool(rules[2])) == (1, "text_or_file", False)

            downgrade(revision=BEFORE)
            with _db.engine.connect() as connection:
                entries = connection.execute(sa.text(
                    "SELECT id, title, text, file_name, file_original_name, file_type, file_size FROM entry "
                    "ORDER BY id")).all()
            assert [tuple(row) for row in entries] == [
                (with_poem, "Дала", "бір\nекі", "stored.pdf", "Дала.pdf", "pdf", 123),
                (empty, "", "", None, "", "", None)]
            _db.engine.dispose()
    finally:
        drop()
