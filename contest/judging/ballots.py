"""Paper ballots: a secretary imports score sheets typed in from paper (CSV or XLSX, one row
per score: registration code, juror's email, criterion, points; in a round scored by ranks one
row per place: registration code, juror's email, place). Every row is checked exactly like the
scoring form (a juror's places in a category as a whole, like the ranking page); the import
writes everything or nothing and reports row by row."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import ContestStatus, Criterion, Round
from contest.contests.services import ensure_not_archived
from contest.errors import ServiceError, ServiceErrors
from contest.extensions import db
from contest.i18n import localized
from contest.judging import assignment
from contest.judging.assignment import Scope, load_scope
from contest.judging.models import JuryMember, ScoreSheet, SheetSource, SheetStatus
from contest.judging.ranking_sheets import checked_places, place_field, write_place
from contest.judging.services import check_organiser, checked_points, write_sheet
from contest.registration.models import Registration
from contest.tables import UnreadableTable, read_table

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = 4
# The same rules as the form, worded for the secretary rather than for the juror.
SECRETARY_WORDING = {
    assignment.NOT_IN_ROUND: _l("This entry is not among the entries judged in this round."),
    assignment.NOT_ASSIGNED: _l("This entry is not assigned to this juror."),
    assignment.CONFLICTED: _l("This juror has a conflict of interest with this entry."),
    assignment.INCOMPLETE: _l("This entry does not meet the contest's rules and has no exception from an "
                              "organiser, so it is not judged."),
}


@dataclass
class RowError:
    row: int  # as numbered in the spreadsheet
    message: Any


@dataclass
class BallotImport:
    rows: int = 0
    sheets: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    member: JuryMember
    registration: Registration
    criterion: Criterion
    points: Decimal


def import_ballots(round_: Round, filename: str, data: bytes, *, actor: User | None,
                   dry_run: bool = False) -> BallotImport:
    """Check every row; when all are valid (and not a dry run) write the sheets as submitted
    by the secretary. With any error nothing is written: show `errors` (the view answers 422)."""
    actor = check_organiser(actor)
    ensure_not_archived(round_.contest)
    if round_.contest.status != ContestStatus.JUDGING.value:
        raise ServiceError(_l("Scoring is possible only while the contest is being judged."))
    report = BallotImport()
    if round_.by_ranks:
        rankings = _checked_rankings(round_, read_rows(filename, data), report)
        report.sheets = sum(len(places) for places in rankings.values())
        if report.ok and not dry_run:
            _write_places(round_, rankings, actor)
    else:
        rows = _checked_rows(round_, read_rows(filename, data), report)
        sheets = _group(rows)
        report.sheets = len(sheets)
        _check_sheets(round_, sheets, report)
        if report.ok and not dry_run:
            _write(round_, sheets, actor)
    if report.ok and not dry_run:
        record("ballots.import", round_, actor=actor, contest_id=round_.contest_id, filename=filename[:200],
               rows=report.rows, sheets=report.sheets)
        report.written = True
    return report


# Reading -----------------------------------------------------------------------------------

def read_rows(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, the first four cells as text) for every non-empty row, header skipped."""
    if len(data) > MAX_BYTES:
        raise ServiceError(_l("The file is too large (at most 2 MB)."), "file")
    try:
        table = read_table(data, max_rows=MAX_ROWS + 1)
    except UnreadableTable as unreadable:
        raise ServiceError(unreadable.message or _l("This file cannot be read: save it as XLSX or CSV (UTF-8)."),
                           "file") from None
    rows = [(number, cells) for number, row in enumerate(table, start=1)
            if any(cells := [_cell_text(value) for value in row[:COLUMNS]])]
    if len(rows) > MAX_ROWS:
        raise ServiceError(_l("The file has too many rows (at most %(count)s).", count=MAX_ROWS), "file")
    if rows and _looks_like_header(rows[0][1]):
        rows = rows[1:]
    if not rows:
        raise ServiceError(_l("The file has no rows to import."), "file")
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _looks_like_header(cells: list[str]) -> bool:
    # Every data row names a juror by email; a header says "juror" or "email" instead.
    return len(cells) > 1 and "@" not in cells[1]


# Checking ----------------------------------------------------------------------------------

def _checked_rows(round_: Round, rows: list[tuple[int, list[str]]], report: BallotImport) -> list[_Row]:
    contest = round_.contest
    registrations = {registration.code.upper(): registration for registration in db.session.scalars(
        select(Registration).where(Registration.contest_id == contest.id))}
    members = {member.user.email.lower(): member for member in assignment.jury_of(contest.id)}
    scope = load_scope(round_, members=members.values())
    checked: list[_Row] = []
    seen: dict[tuple[int, int, int], int] = {}
    for number, cells in rows:
        report.rows += 1
        try:
            row = _checked_row(number, cells, registrations, members, contest.criteria, scope)
        except ServiceError as error:
            report.errors.append(RowError(number, error.message))
            continue
        key = (row.member.id, row.registration.id, row.criterion.id)
        if key in seen:
            report.errors.append(RowError(number, _l("This criterion is already scored for this entry by this "
                                                     "juror in row %(row)s.", row=seen[key])))
            continue
        seen[key] = number
        checked.append(row)
    return checked


def _checked_row(number: int, cells: list[str], registrations: dict[str, Registration],
                 members: dict[str, JuryMember], criteria: list[Criterion], scope: Scope) -> _Row:
    cells = (cells + [""] * COLUMNS)[:COLUMNS]
    code, email, criterion_name, raw_points = cells
    if not all((code, email, criterion_name)):
        raise ServiceError(_l("Fill in four columns: registration code, juror's email, criterion, points."))
    registration = registrations.get(code.upper())
    if registration is None:
        raise ServiceError(_l("There is no registration %(code)s in this contest.", code=code[:30]))
    member = members.get(email.lower())
    if member is None:
        raise ServiceError(_l("%(email)s is not on this contest's jury.", email=email[:100]))
    criterion = find_criterion(criteria, criterion_name)
    if criterion is None:
        raise ServiceError(_l("There is no criterion “%(name)s” in this contest.", name=criterion_name[:100]))
    reason = scope.why_closed(member, registration)
    if reason is not None:
        raise ServiceError(SECRETARY_WORDING.get(reason, reason))
    points = checked_points(criterion, raw_points)
    if points is None:
        raise ServiceError(_l("The points are missing."))
    return _Row(number, member, registration, criterion, points)


def find_criterion(criteria: list[Criterion], name: str) -> Criterion | None:
    """By its name in any language (case does not matter) or its number in the list (1, 2, ...)."""
    wanted = " ".join(name.split()).casefold()
    if wanted.isdigit() and 1 <= int(wanted) <= len(criteria):
        return criteria[int(wanted) - 1]
    for criterion in criteria:
        names = {" ".join(getattr(criterion, f"name_{code}").split()).casefold() for code in ("kk", "ru", "en")}
        if wanted in names:
            return criterion
    return None


def _group(rows: list[_Row]) -> dict[tuple[int, int], list[_Row]]:
    sheets: dict[tuple[int, int], list[_Row]] = {}
    for row in rows:
        sheets.setdefault((row.member.id, row.registration.id), []).append(row)
    return sheets


def _check_sheets(round_: Round, sheets: dict[tuple[int, int], list[_Row]], report: BallotImport) -> None:
    criteria = round_.contest.criteria
    submitted = {(member_id, registration_id) for member_id, registration_id in db.session.execute(
        select(ScoreSheet.member_id, ScoreSheet.registration_id).where(
            ScoreSheet.round_id == round_.id, ScoreSheet.status == SheetStatus.SUBMITTED.value))}
    for key, rows in sheets.items():
        first = rows[0]
        juror, code = first.member.user.email, first.registration.code
        if key in submitted:
            report.errors.append(RowError(first.number, _l(
                "%(juror)s has already submitted a sheet for %(code)s; an organiser must reopen it first.",
                juror=juror, code=code)))
        missing = [localized(c, "name") for c in criteria if c.id not in {row.criterion.id for row in rows}]
        if missing:
            report.errors.append(RowError(first.number, _l(
                "The sheet of %(juror)s for %(code)s lacks: %(names)s.", juror=juror, code=code,
                names=", ".join(missing))))
    report.errors.sort(key=lambda error: error.row)


def _write(round_: Round, sheets: dict[tuple[int, int], list[_Row]], actor: User) -> None:
    for rows in sheets.values():
        first = rows[0]
        write_sheet(first.member, first.registration, round_, {row.criterion.id: row.points for row in rows},
                    comment=None, version=None, submit=True, actor=actor, source=SheetSource.PAPER)


# Rounds scored by ranks -----------------------------------------------------------------------

@dataclass
class _PlaceRow:
    number: int
    member: JuryMember
    registration: Registration
    raw: str
    place: int = 0


def _checked_rankings(round_: Round, rows: list[tuple[int, list[str]]],
                      report: BallotImport) -> dict[tuple[int, int], list[_PlaceRow]]:
    """(juror, category) -> the rows of that juror's ranking, each ranking checked as a whole."""
    contest = round_.contest
    registrations = {registration.code.upper(): registration for registration in db.session.scalars(
        select(Registration).where(Registration.contest_id == contest.id))}
    members = {member.user.email.lower(): member for member in assignment.jury_of(contest.id)}
    scope = load_scope(round_, members=members.values())
    rankings: dict[tuple[int, int], list[_PlaceRow]] = {}
    seen: dict[tuple[int, int], int] = {}
    for number, cells in rows:
        report.rows += 1
        try:
            row = _checked_place_row(number, cells, registrations, members, scope)
        except ServiceError as error:
            report.errors.append(RowError(number, error.message))
            continue
        key = (row.member.id, row.registration.id)
        if key in seen:
            report.errors.append(RowError(number, _l("This entry already has a place from this juror in row "
                                                     "%(row)s.", row=seen[key])))
            continue
        seen[key] = number
        rankings.setdefault((row.member.id, row.registration.category_id), []).append(row)
    submitted = _submitted_sheets(round_)
    for rows_of_ranking in rankings.values():
        _check_ranking(scope, rows_of_ranking, submitted, report)
    report.errors.sort(key=lambda error: error.row)
    return rankings


def _checked_place_row(number: int, cells: list[str], registrations: dict[str, Registration],
                       members: dict[str, JuryMember], scope: Scope) -> _PlaceRow:
    code, email, place, extra = (cells + [""] * COLUMNS)[:COLUMNS]
    if not all((code, email, place)) or extra:
        raise ServiceError(_l("This round is scored by places: fill in three columns, registration code, juror's "
                              "email, place."))
    registration = registrations.get(code.upper())
    if registration is None:
        raise ServiceError(_l("There is no registration %(code)s in this contest.", code=code[:30]))
    member = members.get(email.lower())
    if member is None:
        raise ServiceError(_l("%(email)s is not on this contest's jury.", email=email[:100]))
    reason = scope.why_closed(member, registration)
    if reason is not None:
        raise ServiceError(SECRETARY_WORDING.get(reason, reason))
    return _PlaceRow(number, member, registration, place)


def _submitted_sheets(round_: Round) -> set[tuple[int, int]]:
    return {(member_id, registration_id) for member_id, registration_id in db.session.execute(
        select(ScoreSheet.member_id, ScoreSheet.registration_id).where(
            ScoreSheet.round_id == round_.id, ScoreSheet.status == SheetStatus.SUBMITTED.value))}


def _check_ranking(scope: Scope, rows: list[_PlaceRow], submitted: set[tuple[int, int]],
                   report: BallotImport) -> None:
    """The juror's places in the category: every entry open to them placed, places as the ranking
    page takes them (1..n, ties skipping the places they cover); the rows' places are set."""
    first = rows[0]
    juror = first.member.user.email
    expected = [registration for registration in scope.open_for(first.member)
                if registration.category_id == first.registration.category_id]
    given = {row.registration.id: row for row in rows}
    locked = [row.registration.code for row in rows if (row.member.id, row.registration.id) in submitted]
    if locked:
        report.errors.append(RowError(first.number, _l(
            "%(juror)s has already submitted a sheet for %(code)s; an organiser must reopen it first.",
            juror=juror, code=", ".join(locked))))
    missing = [registration.code for registration in expected if registration.id not in given]
    if missing:
        report.errors.append(RowError(first.number, _l("The places of %(juror)s lack: %(codes)s.", juror=juror,
                                                       codes=", ".join(missing))))
        return
    try:
        places = checked_places(expected, {entry: row.raw for entry, row in given.items()}, submit=True)
    except ServiceErrors as refusals:
        rows_by_field = {place_field(row.registration): row.number for row in rows}
        report.errors += [RowError(rows_by_field.get(refusal.field or "", first.number), refusal.message)
                          for refusal in refusals.errors]
        return
    for row in rows:
        row.place = places[row.registration.id]


def _write_places(round_: Round, rankings: dict[tuple[int, int], list[_PlaceRow]], actor: User) -> None:
    for places in rankings.values():
        for row in places:
            write_place(row.member, row.registration, round_, row.place, actor=actor, source=SheetSource.PAPER)
