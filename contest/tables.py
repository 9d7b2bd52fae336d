"""Reading a table an organiser uploads (a teacher's list of pupils, paper ballots): an XLSX
workbook or a UTF-8 CSV file, told apart by the content, never by the name. A workbook reaches
openpyxl only after contest.archives has inflated every part under caps."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import load_workbook

from contest import archives

# A list of a few hundred rows unpacks to well under a megabyte; openpyxl keeps the shared
# strings in memory, so the caps also bound what reading an accepted workbook costs.
XLSX_LIMITS = archives.Limits(max_members=500, max_member_bytes=16 * 1024 * 1024,
                              max_total_bytes=24 * 1024 * 1024, max_ratio=100)


class UnreadableTable(Exception):
    """The file is not a table we can read. `kind`: "xlsx" (a zip that is not a readable
    workbook), "text" (neither a workbook nor UTF-8 text) or "csv" (text csv cannot parse);
    each caller words the refusal for its own page; "archive" (a zip that is unsafe to open)
    comes with `message`, the reason to show."""

    def __init__(self, kind: str, message=None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.message = message


def read_table(data: bytes, *, max_rows: int) -> list[list[object]]:
    """The rows as lists of cell values, blank rows included (row numbers stay the file's).
    Reading stops once more than `max_rows` + 1 rows have content: enough for the caller to
    refuse a list that is too long, without reading all of a huge one."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_table(data, max_rows)
    return _csv_table(data, max_rows)


def _xlsx_table(data: bytes, max_rows: int) -> list[list[object]]:
    try:
        archive = archives.open_zip(data, XLSX_LIMITS)
    except archives.ArchiveRefused as refused:
        raise UnreadableTable("archive", refused.message) from None
    if "xl/workbook.xml" not in archive.names:
        raise UnreadableTable("xlsx")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _bounded((list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)),
                            max_rows)
        finally:
            workbook.close()
    except Exception:  # openpyxl raises many kinds of errors on a broken workbook
        raise UnreadableTable("xlsx") from None


def _csv_table(data: bytes, max_rows: int) -> list[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableTable("text") from None
    if "\x00" in text:
        raise UnreadableTable("text")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    try:
        return _bounded(csv.reader(io.StringIO(text), delimiter=delimiter), max_rows)
    except csv.Error:
        raise UnreadableTable("csv") from None


def _bounded(rows: Iterable[Sequence[object]], max_rows: int) -> list[list[object]]:
    table: list[list[object]] = []
    filled = 0
    for row in rows:
        table.append(list(row))
        filled += any(str(cell).strip() for cell in row if cell is not None)
        if filled > max_rows + 1:
            break
    return table
