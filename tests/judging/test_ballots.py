"""Paper ballots: CSV and XLSX, checked like the form, all or nothing, a row-by-row report."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.errors import ServiceError
from contest.judging import services
from contest.judging.ballots import import_ballots
from contest.judging.models import Score, ScoreSheet
from tests import upload_files


def csv_bytes(rows, delimiter=";") -> bytes:
    lines = [delimiter.join(["Code", "Juror", "Criterion", "Points"])]
    lines += [delimiter.join(str(cell) for cell in row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines)).encode()


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Тіркеу коды", "Қазылар", "Критерий", "Ұпай"])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def totals(db):
    models = (ScoreSheet, Score, AuditEvent)
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in models)


def full_ballot(j, member, entry, content=7, form="7,5"):
    return [(entry.code, member.user.email, "Content (ru)", content), (entry.code, member.user.email, "2", form)]


def test_a_csv_ballot_writes_submitted_paper_sheets_with_an_audit_trail(db, judging):
    j = judging()
    a, b = j.jurors
    rows = full_ballot(j, a, j.entries[0]) + full_ballot(j, b, j.entries[0], 9, 10)
    report = import_ballots(j.round, "ballots.csv", csv_bytes(rows), actor=j.organiser)
    assert report.ok and report.written and (report.rows, report.sheets) == (4, 2)
    sheet = services.sheet_for(a, j.entries[0], j.round)
    assert sheet.status == "submitted" and sheet.source == "paper" and sheet.submitted_by_id == j.organiser.id
    assert sorted(sheet.points_by_criterion().values()) == [7, 7.5]
    history = services.entry_history(j.entries[0])
    assert {event.source for event in history} == {"paper"}
    assert [event.action for event in history].count("sheet.submit") == 2
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "ballots.import")) == 1


def test_an_xlsx_ballot_with_numeric_cells_and_kazakh_headers(db, judging):
    j = judging()
    member, entry = j.jurors[0], j.entries[1]
    rows = [(entry.code.lower(), member.user.email.upper(), "content", 8), (entry.code, member.user.email, "FORM", 6.5)]
    report = import_ballots(j.round, "ballots.xlsx", xlsx_bytes(rows), actor=j.organiser)
    assert report.ok, report.errors
    assert sorted(services.sheet_for(member, entry, j.round).points_by_criterion().values()) == [6.5, 8]


def test_a_paper_ballot_replaces_a_draft_but_not_a_submitted_sheet(db, judging):
    j = judging()
    a, b = j.jurors
    services.save_sheet(a, j.entries[0], j.round, j.points(1, ""), version=0, actor=a.user)
    services.save_sheet(b, j.entries[0], j.round, j.points(1, 1), version=0, submit=True, actor=b.user)
    report = import_ballots(j.round, "b.csv", csv_bytes(full_ballot(j, a, j.entries[0])), actor=j.organiser)
    assert report.ok
    assert services.sheet_for(a, j.entries[0], j.round).points_by_criterion()[j.criteria[0].id] == 7
    before = totals(db)
    report = import_ballots(j.round, "b.csv", csv_bytes(full_ballot(j, b, j.entries[0])), actor=j.organiser)
    assert not report.ok and not report.written
    assert "has already submitted a sheet" in str(report.errors[0].message)
    assert totals(db) == before


def test_every_bad_row_is_reported_and_nothing_is_written(db, judging, make_registration):
    j = judging(entries=3)
    a, b = j.jurors
    pending = make_registration(j.contest, status="pending")
    services.declare_conflict(b, j.entries[2], reason="My pupil", actor=b.user)
    rows = [
        *full_ballot(j, a, j.entries[0]),                               # rows 2-3: fine
        (j.entries[1].code, a.user.email, "Content", 11),              # 4: above the maximum
        (j.entries[1].code, a.user.email, "Form", "7.3"),              # 5: off the step
        ("NOPE-0001", a.user.email, "Content", 5),                     # 6: unknown code
        (j.entries[1].code, "stranger@example.kz", "Content", 5),      # 7: not a juror
        (j.entries[1].code, b.user.email, "Rhyme", 5),                 # 8: unknown criterion
        (j.entries[2].code, b.user.email, "Content", 5),               # 9: conflict
        (pending.code, a.user.email, "Content", 5),                    # 10: not approved
        (j.entries[0].code, a.user.email, "1", 6),                     # 11: duplicate of row 2
        (j.entries[1].code, b.user.email, "Content", "NaN"),           # 12: not a number
        (j.entries[1].code, b.user.email, "Form", ""),                 # 13: no points
        (j.entries[2].code, a.user.email, "Content", 5),               # 14: sheet lacks Form
    ]
    before = totals(db)
    report = import_ballots(j.round, "b.csv", csv_bytes(rows), actor=j.organiser)
    assert not report.ok and not report.written
    messages = {error.row: str(error.message) for error in report.errors}
    assert messages == {
        4: "At most 10 points for “Content”.",
        5: "Points for “Form” go in steps of 0.5.",
        6: "There is no registration NOPE-0001 in this contest.",
        7: "stranger@example.kz is not on this contest's jury.",
        8: "There is no criterion “Rhyme” in this contest.",
        9: "This juror has a conflict of interest with this entry.",
        10: "This entry is not among the entries judged in this round.",
        11: "This criterion is already scored for this entry by this juror in row 2.",
        12: "“NaN” is not a number of points (Content).",
        13: "The points are missing.",
        14: f"The sheet of {a.user.email} for {j.entries[2].code} lacks: Form.",
    }
    assert totals(db) == before


def test_a_dry_run_checks_without_writing(db, judging):
    j = judging()
    before = totals(db)
    report = import_ballots(j.round, "b.csv", csv_bytes(full_ballot(j, j.jurors[0], j.entries[0])),
                            actor=j.organiser, dry_run=True)
    assert report.ok and not report.written and totals(db) == before


@pytest.mark.parametrize(("data", "message"), [
    (b"MZ\x90\x00\x03" + bytes(200), "cannot be read"),
    (b"PK\x03\x04 not really a workbook", "cannot be read"),
    (b"Code;Juror;Criterion;Points\r\n", "no rows to import"),
    (b"x" * (2 * 1024 * 1024 + 1), "too large"),
])
def test_unreadable_files_are_refused(db, judging, data, message):
    j = judging()
    with pytest.raises(ServiceError, match=message):
        import_ballots(j.round, "b.csv", data, actor=j.organiser)


@pytest.mark.parametrize(("build", "message"), [
    (upload_files.xlsx_bomb, "Unpacked, the file is too large"),
    (upload_files.xlsx_with_shared_strings_bomb, "Unpacked, the file is too large"),
    (lambda: upload_files.encrypted(upload_files.XLSX_PARTS), "password-protected"),
    (lambda: upload_files.nested(upload_files.XLSX_PARTS), "another archive inside it"),
], ids=["sheet-300-mib", "shared-strings-bomb", "encrypted", "nested-zip"])
def test_hostile_workbooks_are_refused_with_the_reason(app, db, judging, build, message):
    j = judging()
    before = totals(db)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(ServiceError) as refused:
        import_ballots(j.round, "ballots.xlsx", build(), actor=j.organiser)
    assert message in str(refused.value.message) and refused.value.field == "file"
    assert totals(db) == before


def test_only_organisers_import_and_only_while_judging(db, judging):
    j = judging()
    data = csv_bytes(full_ballot(j, j.jurors[0], j.entries[0]))
    with pytest.raises(ServiceError, match="Only an organiser"):
        import_ballots(j.round, "b.csv", data, actor=j.jurors[0].user)
    j.contest.status = "results_published"
    with pytest.raises(ServiceError, match="only while the contest is being judged"):
        import_ballots(j.round, "b.csv", data, actor=j.organiser)
