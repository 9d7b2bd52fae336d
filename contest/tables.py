"""Reading a table an organiser uploads (a teacher's list of pupils, paper ballots): an XLSX
workbook or a UTF-8 CSV file, told apart by the content, never by the name."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable

from openpyxl import load_workbook

XLSX_MAX_UNPACKED = 40 * 1024 * 1024  # a small workbook that unpacks to more is a zip bomb


class UnreadableTable(Exception):
    """The file is not a table we can read. `kind`: "xlsx" (a zip that is not a readable
    workbook), "text" (neither a workbook nor UTF-8 text) or "csv" (text csv cannot parse);
    each caller words the refusal for its own page."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def read_table(data: bytes, *, max_rows: int) -> list[list[object]]:
    """The rows as lists of cell values, blank rows included (row numbers stay the file's).
    Reading stops once more than `max_rows` + 1 rows have content: enough for the caller to
    refuse a list that is too long, without reading all of a huge one."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_table(data, max_rows)
    return _csv_table(data, max_rows)


def _xlsx_table(data: bytes, max_rows: int) -> list[list[object]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
        if "xl/workbook.xml" not in names or unpacked > XLSX_MAX_UNPACKED:
            raise UnreadableTable("xlsx")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return _bounded((list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)),
                            max_rows)
        finally:
            workbook.close()
    except UnreadableTable:
        raise
    except Exception:  # openpyxl and zipfile raise many kinds of errors on a broken workbook
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


def _bounded(rows: Iterable[list[object]], max_rows: int) -> list[list[object]]:
    table, filled = [], 0
    for row in rows:
        table.append(list(row))
        filled += any(str(cell).strip() for cell in row if cell is not None)
        if filled > max_rows + 1:
            break
    return table
