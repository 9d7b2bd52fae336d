"""Registrations as CSV and XLSX for organisers. These files carry contact, guardian and
consent data: they are offered on organiser pages only and never to the public.

Spreadsheet programs run a cell that starts with =, +, - or @ as a formula, so a name typed
as `=HYPERLINK(...)` could act when the file is opened: such text is written with a leading
apostrophe, which makes it plain text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from contest.i18n import LOCAL_ZONE, localized
from contest.registration.completeness import entry_completeness
from contest.registration.models import EntryWork, Registration

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # what Excel expects with Kazakh and Russian regional settings
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def guard_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made plain text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(moment: datetime | None) -> datetime | None:
    # Spreadsheets know no time zones: times are written as Almaty wall-clock time.
    return moment.astimezone(LOCAL_ZONE).replace(tzinfo=None, microsecond=0) if moment else None


def _works(part: Callable[[EntryWork], str]) -> Callable[[Registration], object]:
    """One cell for all of an entry's works: their values in order, separated by "; "."""
    return lambda r: "; ".join(part(work) for work in r.entry.works if part(work)) if r.entry is not None else ""


def _completeness(registration: Registration) -> str:
    found = entry_completeness(registration.contest, registration.entry)
    return f"{found.complete} / {found.required}"


Column = tuple[object, Callable[[Registration], object]]
COLUMNS: list[Column] = [
    (_l("Code"), lambda r: r.code),
    (_l("Status"), lambda r: r.status_label),
    (_l("Reason for the rejection"), lambda r: r.decision_reason),
    (_l("Category"), lambda r: localized(r.category, "name")),
    (_l("Surname"), lambda r: r.participant.surname),
    (_l("Given name"), lambda r: r.participant.given_name),
    (_l("Patronymic"), lambda r: r.participant.patronymic),
    (_l("Date of birth"), lambda r: r.participant.birth_date),
    (_l("School"), lambda r: r.participant.school),
    (_l("Grade"), lambda r: r.participant.grade),
    (_l("District or city"), lambda r: r.participant.district),
    (_l("Teacher (mentor)"), lambda r: r.participant.teacher),
    (_l("Phone"), lambda r: r.participant.phone),
    (_l("Guardian"), lambda r: r.participant.guardian_name),
    (_l("Guardian's phone"), lambda r: r.participant.guardian_phone),
    (_l("Consent given"), lambda r: _local(r.participant.consent_at)),
    (_l("Consent text version"), lambda r: r.participant.consent_version or ""),
    (_l("Consent withdrawn"), lambda r: _local(r.participant.consent_withdrawn_at)),
    (_l("Account"), lambda r: r.registered_by.name if r.registered_by else ""),
    (_l("Account email"), lambda r: r.registered_by.email if r.registered_by else ""),
    (_l("Works complete"), _completeness),
    (_l("Entry title"), _works(lambda work: work.title)),
    (_l("Lines"), lambda r: r.entry.line_count if r.entry is not None else 0),
    (_l("File"), _works(lambda work: work.file_type.upper() if work.file_name else "")),
    (_l("Video link"), lambda r: r.entry.video_url if r.entry is not None else ""),
    (_l("Registered"), lambda r: _local(r.created_at)),
    (_l("Decided"), lambda r: _local(r.decided_at)),
]


def header() -> list[str]:
    return [str(label) for label, _getter in COLUMNS]


def rows(registrations: Iterable[Registration]) -> Iterable[list[object]]:
    for registration in registrations:
        yield [guard_formula(getter(registration)) for _label, getter in COLUMNS]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(registrations: Iterable[Registration]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel reads Kazakh letters correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header())
    for row in rows(registrations):
        writer.writerow([_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(registrations: Iterable[Registration]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Registrations")[:31])
    sheet.freeze_panes = "A2"
    labels = header()
    for index, label in enumerate(labels, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(30, len(label) + 4))
    bold = Font(bold=True)
    sheet.append([_header_cell(sheet, label, bold) for label in labels])
    for row in rows(registrations):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, label: str, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=label)
    cell.font = font
    return cell


def _xlsx_cell(sheet, value: object) -> object:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        # Control characters cannot be stored in an XLSX cell (openpyxl refuses them).
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
