"""Import a teacher's list of pupils (XLSX or CSV) and register them for a contest.

Two steps: `preview_import` reads the file and checks every row, both with its own checks
(missing fields, dates and their plausibility, grades, minors without a guardian or consent,
duplicate rows, eligibility for the contest and for the row's category) and by trying the
whole import through the ordinary services inside a SAVEPOINT that is always rolled back
(which also catches a full contest, a used school quota or a pupil already registered).
Nothing is written. The organiser then confirms: `confirm_import` checks the rows again and,
only if every row passes, creates the participants and registrations.

Between the two steps the rows travel in a hidden form field, signed with the secret key
together with the contest, the teacher's account and the organiser, so they cannot be altered
or replayed elsewhere."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from contest import previews
from contest.audit.services import record
from contest.auth.models import Role, User
from contest.auth.services import find_user_by_email
from contest.contests.models import Category, Contest
from contest.contests.services import ensure_not_archived
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.i18n import current_language, format_file_size
from contest.registration import services
from contest.registration.eligibility import (
    Limits,
    birth_date_error,
    category_errors,
    eligibility_errors,
    is_minor_on,
    local_day,
)
from contest.registration.models import Participant
from contest.tables import UnreadableTable, read_table

MAX_ROWS = 500
PAYLOAD_SALT = "registration-import"
PAYLOAD_MAX_AGE = 60 * 60 * 2
UNREADABLE = {
    "xlsx": _l("The file could not be read as an Excel (XLSX) workbook."),
    "text": _l("Only Excel workbooks (XLSX) and CSV files in UTF-8 are accepted. In Excel choose "
               "“Save as” → “CSV UTF-8”."),
    "csv": _l("The CSV file could not be read."),
}

# The columns of a teacher's list. A header is recognised in any of the three languages
# (case, spaces and a trailing * do not matter); only the names are required.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "surname": {"en": ("Surname",), "ru": ("Фамилия",), "kk": ("Тегі",)},
    "given_name": {"en": ("Given name", "Name", "First name"), "ru": ("Имя",), "kk": ("Аты",)},
    "patronymic": {"en": ("Patronymic",), "ru": ("Отчество",), "kk": ("Әкесінің аты",)},
    "birth_date": {"en": ("Date of birth", "Birth date"), "ru": ("Дата рождения",), "kk": ("Туған күні",)},
    "school": {"en": ("School",), "ru": ("Школа",), "kk": ("Мектеп",)},
    "grade": {"en": ("Grade",), "ru": ("Класс",), "kk": ("Сынып",)},
    "district": {"en": ("District", "District or city"), "ru": ("Район", "Район или город"),
                 "kk": ("Аудан", "Аудан немесе қала")},
    "teacher": {"en": ("Teacher",), "ru": ("Педагог", "Учитель"), "kk": ("Мұғалім",)},
    "phone": {"en": ("Phone",), "ru": ("Телефон",), "kk": ("Телефон",)},
    "guardian_name": {"en": ("Guardian",), "ru": ("Родитель", "Законный представитель"),
                      "kk": ("Ата-анасы", "Заңды өкілі")},
    "guardian_phone": {"en": ("Guardian's phone", "Guardian phone"), "ru": ("Телефон родителя",),
                       "kk": ("Ата-анасының телефоны",)},
    "consent": {"en": ("Guardian's consent", "Consent"), "ru": ("Согласие родителя", "Согласие"),
                "kk": ("Ата-ана келісімі", "Келісім")},
    "category": {"en": ("Category",), "ru": ("Категория", "Номинация"), "kk": ("Санат", "Номинация")},
}
REQUIRED_COLUMNS = ("surname", "given_name")
YES = {"yes", "y", "true", "1", "+", "x", "✓", "да", "д", "есть", "иә", "ия", "и", "бар"}
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y")
GRADE_PATTERN = re.compile(r"^(\d{1,2})\s*[^\d\s]?$")  # "7", "7А", "10 Б"


def _header_key(text: object) -> str:
    return " ".join(str(text or "").replace("ё", "е").replace("Ё", "Е").strip().rstrip("*").casefold().split())


HEADER_LOOKUP = {_header_key(alias): key for key, names in COLUMNS.items()
                 for aliases in names.values() for alias in aliases}


@dataclass
class ImportRow:
    line: int  # the row's number in the spreadsheet (the header is row 1)
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    birth_date: date | None = None  # parsed, so the preview shows it as every table does (20.09.2012)

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.get("surname"), self.get("given_name"), self.get("patronymic"))
                        if part)


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    teacher: User
    errors: list[str] = field(default_factory=list)  # about the whole list

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.errors and not any(row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)


# Reading the file -------------------------------------------------------------------------------

def read_rows(data: bytes) -> list[ImportRow]:
    """The rows of an XLSX or UTF-8 CSV file, as text by column key. The type is read from
    the content (an .exe renamed .xlsx is refused), never from the name."""
    limit = current_app.config["IMPORT_FILE_MAX_BYTES"]
    if not data:
        raise ServiceError(_l("The file is empty."), "file")
    if len(data) > limit:
        raise ServiceError(_l("The file is too large: at most %(size)s.", size=format_file_size(limit)), "file")
    try:
        table = read_table(data, max_rows=MAX_ROWS)
    except UnreadableTable as unreadable:
        raise ServiceError(unreadable.message or UNREADABLE[unreadable.kind], "file") from None
    return _rows_from_table(table)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _rows_from_table(table: list[list[object]]) -> list[ImportRow]:
    table = [row for row in table if any(_cell_text(cell) for cell in row)]
    if not table:
        raise ServiceError(_l("The list is empty: the first row names the columns, the pupils follow."), "file")
    header, *body = table
    keys = [HEADER_LOOKUP.get(_header_key(cell)) for cell in header]
    missing = [key for key in REQUIRED_COLUMNS if key not in keys]
    if missing:
        names = ", ".join(f"«{column_title(key)}»" for key in missing)
        raise ServiceError(_l("The first row must name the columns; these are missing: %(names)s. "
                              "Download the template to see the expected columns.", names=names), "file")
    if not body:
        raise ServiceError(_l("The list has column names but no pupils."), "file")
    if len(body) > MAX_ROWS:
        raise ServiceError(_l("At most %(count)d pupils can be imported at once; split the list.",
                              count=MAX_ROWS), "file")
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        values = {key: _cell_text(cell) for key, cell in zip(keys, cells, strict=False) if key}
        rows.append(ImportRow(line=line, values=values))
    return rows


def column_title(key: str, language: str | None = None) -> str:
    return COLUMNS[key][language or current_language()][0]


# Checking the rows ------------------------------------------------------------------------------

def find_teacher(email: str) -> User:
    """The participant account the imported pupils will belong to."""
    teacher = find_user_by_email(email or "")
    if teacher is None or not teacher.is_active:
        raise ServiceError(_l("There is no active account with this email address. The teacher must sign up "
                              "first."), "teacher_email")
    if teacher.role != Role.PARTICIPANT.value:
        raise ServiceError(_l("This account is not a participant account (a teacher's or parent's)."),
                           "teacher_email")
    return teacher


def preview_import(contest: Contest, teacher: User, rows: list[ImportRow], *, actor: User) -> ImportPreview:
    """Check every row and try the whole import without writing anything."""
    ensure_not_archived(contest)
    preview = ImportPreview(rows=rows, teacher=teacher)
    parsed = _checked_rows(contest, rows)
    if not any(row.errors for row in rows):
        outer = db.session.begin_nested()
        try:
            _register_rows(contest, teacher, parsed, actor=actor)
        finally:
            outer.rollback()
    return preview


def confirm_import(contest: Contest, teacher: User, rows: list[ImportRow], *, actor: User) -> ImportPreview:
    """Import for real when every row passes; otherwise write nothing and return the errors.
    The caller's unit of work commits or rolls back the whole list at once."""
    ensure_not_archived(contest)
    preview = ImportPreview(rows=rows, teacher=teacher)
    parsed = _checked_rows(contest, rows)
    if any(row.errors for row in rows):
        return preview
    outer = db.session.begin_nested()
    registered = _register_rows(contest, teacher, parsed, actor=actor)
    if any(row.errors for row in rows):
        outer.rollback()
        return preview
    outer.commit()
    record("registration.import", contest, actor=actor, teacher_id=teacher.id, count=registered)
    return preview


def _checked_rows(contest: Contest,
                  rows: list[ImportRow]) -> list[tuple[ImportRow, dict[str, Any], bool, Category | None]]:
    """Each row's data for the services, with every problem noted on the row."""
    event_day = local_day(contest.event_at)
    seen: dict[tuple[object, ...], int] = {}
    parsed = []
    for row in rows:
        data: dict[str, Any] = {key: row.get(key) for key in services.TEXT_LIMITS}
        for key in REQUIRED_COLUMNS:
            if not row.get(key):
                row.errors.append(str(_l("«%(column)s» is empty.", column=column_title(key))))
        data["birth_date"] = row.birth_date = _parsed_date(row)
        data["grade"] = _parsed_grade(row)
        consent = row.get("consent").casefold() in YES
        birth_date = data["birth_date"]
        if services.needs_guardian(birth_date) or is_minor_on(birth_date, event_day):
            if not (row.get("guardian_name") and row.get("guardian_phone")):
                row.errors.append(str(_l("Under 18: the guardian's name and phone are needed.")))
            if not consent:
                row.errors.append(str(_l("Under 18: the guardian's consent is needed (write “yes” in the "
                                         "consent column once the signed consent is received).")))
        for _field, message in eligibility_errors(
                birth_date=birth_date, grade=data["grade"], event_day=event_day, min_age=contest.min_age,
                max_age=contest.max_age, min_grade=contest.min_grade, max_grade=contest.max_grade):
            row.errors.append(str(message))
        category = _category(contest, row)
        if category is not None:
            for _field, message in category_errors(birth_date=birth_date, grade=data["grade"], event_day=event_day,
                                                   limits=Limits.of(category)):
                row.errors.append(str(message))
        pupil = (row.get("surname").casefold(), row.get("given_name").casefold(), row.get("patronymic").casefold(),
                 birth_date)
        if pupil in seen:
            row.errors.append(str(_l("The same pupil as in row %(line)d.", line=seen[pupil])))
        else:
            seen[pupil] = row.line
        parsed.append((row, data, consent, category))
    return parsed


def _parsed_date(row: ImportRow) -> date | None:
    text = row.get("birth_date")
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        problem = birth_date_error(parsed, local_day(utcnow()))
        if problem is not None:
            row.errors.append(str(problem))
            return None
        return parsed
    row.errors.append(str(_l("«%(value)s» is not a date; write it as 25.05.2012.", value=text)))
    return None


def _parsed_grade(row: ImportRow) -> int | None:
    text = row.get("grade")
    if not text:
        return None
    match = GRADE_PATTERN.match(text)
    if match is None or not 1 <= int(match.group(1)) <= 12:
        row.errors.append(str(_l("The grade «%(value)s» is not a school grade from 1 to 12.", value=text)))
        return None
    return int(match.group(1))


def _category(contest: Contest, row: ImportRow) -> Category | None:
    name = row.get("category").casefold()
    if not name:
        if len(contest.categories) == 1:
            return contest.categories[0]
        row.errors.append(str(_l("Name the category: this contest has several.")))
        return None
    for category in contest.categories:
        if name in {(category.name_kk or "").casefold(), (category.name_ru or "").casefold(),
                    (category.name_en or "").casefold()}:
            return category
    row.errors.append(str(_l("The contest has no category «%(name)s».", name=row.get("category"))))
    return None


def _register_rows(contest: Contest, teacher: User, parsed, *, actor: User) -> int:
    """Create (or reuse) each pupil under the teacher's account and register them; a refusal
    is noted on its row, and that row's changes are undone by its own SAVEPOINT."""
    existing = _existing_participants(teacher)
    registered = 0
    for row, data, consent, category in parsed:
        savepoint = db.session.begin_nested()
        try:
            participant = existing.get(_identity(data["surname"], data["given_name"], data["patronymic"],
                                                 data["birth_date"]))
            if participant is None:
                participant = services.create_participant(teacher, data, consent=consent, actor=actor)
            services.register(participant, contest, category, actor=actor)
        except ServiceError as error:
            savepoint.rollback()
            row.errors.append(str(error.message))
        else:
            savepoint.commit()
            registered += 1
    return registered


def _identity(surname: str, given_name: str, patronymic: str, birth_date: date | None) -> tuple:
    return (surname.strip().casefold(), given_name.strip().casefold(), (patronymic or "").strip().casefold(),
            birth_date)


def _existing_participants(teacher: User) -> dict[tuple, Participant]:
    """The teacher's pupils already on the site: importing them again reuses them."""
    participants = db.session.scalars(select(Participant).where(Participant.account_id == teacher.id,
                                                                Participant.anonymised_at.is_(None)))
    return {_identity(p.surname, p.given_name, p.patronymic, p.birth_date): p for p in participants}


# Between preview and confirmation ---------------------------------------------------------------

def sign_rows(contest: Contest, teacher: User, actor: User, rows: list[ImportRow]) -> str:
    return previews.sign(PAYLOAD_SALT, {"contest": contest.id, "teacher": teacher.id, "actor": actor.id,
                                        "rows": [[row.line, row.values] for row in rows]})


def unsigned_rows(token: str, contest: Contest, actor: User) -> tuple[User, list[ImportRow]]:
    """The rows signed at preview time, if the signature holds and they were previewed by this
    organiser for this contest; otherwise a ServiceError (upload the file again)."""
    again = _l("The preview has expired or was changed. Please upload the list again.")
    data = previews.unsign(PAYLOAD_SALT, token, max_age=PAYLOAD_MAX_AGE,
                           expected={"contest": contest.id, "actor": actor.id}, refusal=again)
    teacher = db.session.get(User, data.get("teacher"))
    if teacher is None:
        raise ServiceError(again)
    find_teacher(teacher.email)  # still an active participant account
    return teacher, [ImportRow(line=line, values=values) for line, values in data["rows"]]


# The template -----------------------------------------------------------------------------------

def template_xlsx(language: str) -> bytes:
    """An empty list with the column names in `language`, for teachers to fill."""
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook's one worksheet
    sheet.title = {"kk": "Оқушылар", "ru": "Ученики"}.get(language, "Pupils")
    bold = Font(bold=True)
    for index, key in enumerate(COLUMNS, start=1):
        title = column_title(key, language)
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = max(14, len(title) + 4)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
