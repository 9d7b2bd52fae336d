"""A score sheet written from two places at once: the version the page was built from must
still be current, and every write reads the sheet's row under a lock (on PostgreSQL
`SELECT ... FOR UPDATE`), so two saves never both pass the version check."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from contest.errors import ServiceError
from contest.judging import services
from tests.judging.test_services import refused, save


@contextmanager
def sheet_reads():
    """The SQL of every ORM SELECT on score_sheet, as PostgreSQL would receive it (the lock
    clause is dropped on SQLite, so the statement is compiled for PostgreSQL to see it)."""
    statements: list[str] = []

    def listen(state):
        if state.is_select:
            sql = str(state.statement.compile(dialect=postgresql.dialect()))
            if "FROM score_sheet" in sql:
                statements.append(sql)

    event.listen(Session, "do_orm_execute", listen)
    try:
        yield statements
    finally:
        event.remove(Session, "do_orm_execute", listen)


def locked(statements: list[str]) -> bool:
    return any("FOR UPDATE OF score_sheet" in sql for sql in statements)


def test_submitting_from_a_stale_page_is_refused_and_the_sheet_stays_a_draft(db, judging):
    j = judging()
    save(j, None, None, 5, 5)
    save(j, None, None, 6, 5, version=1)  # a second tab corrected Content ...
    db.session.commit()
    # ... and the first tab, still showing version 1, submits what it shows.
    refused(db, lambda: save(j, None, None, 5, 5, version=1, submit=True),
            "Someone saved this score sheet after you opened it")
    db.session.rollback()
    sheet = services.sheet_for(j.jurors[0], j.entries[0], j.round)
    assert sheet.status == "draft" and sheet.version == 2
    assert save(j, None, None, 6, 5, version=2, submit=True).status == "submitted"


def test_saving_an_existing_sheet_reads_it_under_a_row_lock(db, judging):
    j = judging()
    save(j, None, None, 5, 5)
    db.session.commit()
    with sheet_reads() as statements:
        save(j, None, None, 6, 5, version=1)
    assert locked(statements)


def test_the_first_save_reads_the_new_sheet_under_a_row_lock(db, judging):
    j = judging()
    with sheet_reads() as statements:
        save(j, None, None, 5, 5)
    assert len(statements) == 2 and all("FOR UPDATE OF score_sheet" in sql for sql in statements)


def test_submitting_and_reopening_read_the_sheet_under_a_row_lock(db, judging):
    j = judging()
    sheet = save(j, None, None, 5, 5)
    db.session.commit()
    with sheet_reads() as statements:
        sheet = save(j, None, None, 5, 5, version=1, submit=True)
    assert locked(statements)
    db.session.commit()
    with sheet_reads() as statements:
        services.reopen_sheet(sheet, reason="Content was typed as 5, meant 8", actor=j.organiser)
    assert locked(statements)


def test_a_save_that_lost_the_race_at_flush_is_refused_as_stale(db, judging, monkeypatch):
    """The last line of defence: if the row changed between the check and the write (no lock on
    some database), the flush finds no row at the old version and the juror is told to reload."""
    j = judging()
    save(j, None, None, 5, 5)
    db.session.commit()
    def lost_race():
        raise StaleDataError("UPDATE statement on table 'score_sheet' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(services.db.session, "flush", lost_race)
    with pytest.raises(ServiceError) as error:
        save(j, None, None, 9, 9, version=1)
    assert "Someone saved this score sheet after you opened it" in str(error.value)


def test_saving_an_existing_sheet_reads_its_row_once_and_creates_nothing(db, judging):
    j = judging()
    save(j, None, None, 5, 5)
    db.session.commit()
    with sheet_reads() as statements:
        save(j, None, None, 6, 5, version=1)
    assert len(statements) == 1 and locked(statements)
