"""`flask backup create` and `flask backup restore`: the database and the uploaded files
together, restored into an empty database (PostgreSQL with pg_dump/pg_restore, SQLite with its
backup API), where every registration, score and file is found again."""

from __future__ import annotations

import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from contest import create_app, files
from contest.judging.models import Score, ScoreSheet
from contest.registration.models import Entry, EntryWork, Registration


@pytest.fixture
def contest_with_entries(open_contest, make_round, make_participant, make_registration, make_juror, make_sheet, db):
    """Three registrations, each with a work and its file, scored by two jurors."""
    contest = open_contest()
    make_round(contest)
    jurors = [make_juror(contest) for _ in range(2)]
    criterion = contest.criteria[0]
    stored = {}
    for number, surname in enumerate(["Абайұлы", "Жұмабаева", "Сейфуллин"], start=1):
        registration = make_registration(contest, participant=make_participant(surname=surname), status="approved")
        data = f"{surname}: өлең мәтіні №{number}\n".encode()
        name = files.write_bytes(db.session, "entries", ".txt", data)
        entry = Entry(registration_id=registration.id, works=[EntryWork(
            position=1, title=f"Өлең {number}", file_name=name, file_original_name="olen.txt", file_type="txt",
            file_size=len(data))])
        db.session.add(entry)
        for juror, points in zip(jurors, (Decimal(number), Decimal("7.5")), strict=True):
            make_sheet(juror, registration, points={criterion: points}, status="submitted")
        stored[name] = data
    db.session.commit()
    return stored


def snapshot(session) -> dict[str, object]:
    """What a restore must bring back: registrations, scores, and which files the works name."""
    return {
        "registrations": sorted(session.execute(select(Registration.code, Registration.status)).all()),
        "scores": sorted(session.execute(
            select(Registration.code, ScoreSheet.member_id, Score.criterion_id, Score.points)
            .join(ScoreSheet, ScoreSheet.registration_id == Registration.id)
            .join(Score, Score.sheet_id == ScoreSheet.id)).all()),
        "files": sorted(session.scalars(select(EntryWork.file_name).where(EntryWork.file_name.is_not(None)))),
    }


@contextmanager
def empty_database(app: Flask, tmp_path) -> Iterator[str]:
    """A new database of the kind the tests run on, with nothing in it."""
    from contest.extensions import db

    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = db.engine.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_a_backup_restored_into_an_empty_database_has_every_registration_score_and_file(
        app, db, contest_with_entries, tmp_path):
    before = snapshot(db.session)
    assert len(before["registrations"]) == 3 and len(before["scores"]) == 6 and len(before["files"]) == 3
    db.session.commit()  # the command's own connection must not wait for this one (SQLite)
    archive = tmp_path / "backups" / "contest.tar"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(archive)])
    assert result.exit_code == 0, result.output
    with tarfile.open(archive) as backup:
        names = backup.getnames()
    assert "manifest.json" in names and {f"uploads/entries/{name}" for name in contest_with_entries} <= set(names)

    with empty_database(app, tmp_path) as url:
        restored = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path / "restored-uploads"))
        with restored.app_context():  # the command runs in the app context it finds
            result = restored.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
            assert result.exit_code == 0, result.output
            assert snapshot(db.session) == before
            for name, data in contest_with_entries.items():
                assert b"".join(files.store().chunks("entries", name)) == data
            db.session.remove()
            db.engine.dispose()  # let the database go before it is dropped


def test_a_restore_into_a_database_with_tables_is_refused_and_changes_nothing(app, db, contest_with_entries, tmp_path):
    archive = tmp_path / "contest.tar"
    assert app.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    before = db.session.scalar(select(func.count()).select_from(Registration))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 1
    assert "Restore into a new, empty database" in result.output
    assert db.session.scalar(select(func.count()).select_from(Registration)) == before


def test_a_file_that_is_not_a_backup_is_refused_clearly(app, tmp_path):
    not_a_backup = tmp_path / "photo.tar"
    with tarfile.open(not_a_backup, "w") as archive:
        archive.add(__file__, arcname="test_backup.py")
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(not_a_backup)])
    assert result.exit_code == 1 and "not a backup made by `flask backup create`" in result.output
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a tar at all")
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(garbage)])
    assert result.exit_code == 1 and "Cannot read" in result.output


def test_a_backup_of_one_kind_of_database_is_not_restored_into_the_other(app, db, tmp_path):
    archive = tmp_path / "contest.tar"
    assert app.test_cli_runner().invoke(args=["backup", "create", str(archive)]).exit_code == 0
    other = ("sqlite:///" + str(tmp_path / "other.sqlite3") if db.engine.dialect.name == "postgresql"
             else make_url("postgresql+psycopg://nobody@127.0.0.1:1/none").render_as_string(False))
    restored = create_app("testing", SQLALCHEMY_DATABASE_URI=other, UPLOAD_DIR=str(tmp_path / "other-uploads"))
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 1 and "DATABASE_URL points at" in result.output
