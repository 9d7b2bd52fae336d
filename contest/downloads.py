"""What the site hands out as files: spreadsheets that Excel set to Kazakh or Russian opens
correctly, and download headers that keep Kazakh file names.

Exports build rows of typed values (text, int, Decimal, date, datetime); this module writes them:
- XLSX: numbers stay numbers (a Decimal gets a number format with as many decimals as it carries,
  so 28.50 shows "28,50" in a Kazakh Excel and sums like a number), dates stay dates.
- CSV: `;` between fields in every language, the reader's decimal sign (28,50 in kk and ru,
  28.50 in en), dates as 20.09.2027 15:00, UTF-8 with a byte order mark. Excel with Kazakh or
  Russian regional settings splits on `;` and reads "28,50" as a number; an English Excel
  asked to open a `;` file uses the Text Import wizard, and LibreOffice detects it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from contest.i18n import LOCAL_ZONE, format_score, format_table_date, format_table_datetime, score_pattern

CSV_DELIMITER = ";"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_DATETIME_FORMAT = "dd.mm.yyyy hh:mm"
XLSX_DATE_FORMAT = "dd.mm.yyyy"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made plain text with a leading apostrophe
    (a name typed as `=HYPERLINK(...)` must not act when the file is opened)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def decimals_of(value: Decimal) -> int:
    return max(0, -cast(int, value.as_tuple().exponent))  # finite: a stored number


# CSV -------------------------------------------------------------------------------------------

def csv_text(value: object, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_table_datetime(value, language)
    if isinstance(value, date):
        return format_table_date(value, language)
    if isinstance(value, Decimal):
        return format_score(value, decimals_of(value), language)
    return str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]], language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_text(value, language) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


# XLSX ------------------------------------------------------------------------------------------

def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(30, len(label) + 4))
    bold = Font(bold=True)
    sheet.append([_cell(sheet, label, font=bold) for label in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def local_wall_clock(moment: datetime) -> datetime:
    """Spreadsheets know no time zones: times are written as Almaty wall-clock time, to the minute."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def _cell(sheet, value: object, font: Font | None = None) -> Cell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters cannot be stored in XLSX
    if isinstance(value, datetime):
        value = local_wall_clock(value)
    cell = WriteOnlyCell(sheet, value=cast(Any, value))  # also Decimal and date; the stub lists fewer
    if font is not None:
        cell.font = font
    if isinstance(value, datetime):
        cell.number_format = XLSX_DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = XLSX_DATE_FORMAT
    elif isinstance(value, Decimal):
        cell.number_format = score_pattern(decimals_of(value))
    return cell


# Download headers ------------------------------------------------------------------------------

_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|]+')


def safe_file_name(name: str, fallback: str = "document") -> str:
    """The name with only what file systems refuse removed: Әлихан stays Әлихан, ä stays ä.
    Control and format characters, path separators and Windows' reserved signs go; runs of
    spaces become one; a leading dot (a hidden file) is dropped."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _UNSAFE_IN_FILE_NAMES.sub(" ", name)
    name = " ".join(name.split()).strip(" .")
    return name[:120].strip() or fallback


def ascii_fallback(name: str) -> str:
    """For the few clients that ignore `filename*`: the name without its non-ASCII letters
    (Ğalym becomes Galym; a name in Cyrillic leaves only its code or "download")."""
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    plain = " ".join(re.sub(r"[^A-Za-z0-9._ -]+", " ", plain).split()).strip(" .-")
    return f"{plain or 'download'}{dot}{suffix}"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266 with an RFC 5987 `filename*`, so browsers save "Әлихан Қасымов.pdf" as it is."""
    kind = "inline" if inline else "attachment"
    fallback = ascii_fallback(filename)
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(body: bytes, media_type: str, filename: str, *, inline: bool = False) -> Response:
    """A download with exactly the given Content-Type (Flask would append a second charset to a
    text type passed as `mimetype`) and a Content-Disposition that keeps the name's letters."""
    response = Response(body)
    response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response
