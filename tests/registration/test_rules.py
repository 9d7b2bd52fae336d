"""Pure rules: age on the event day, grades, file types by content."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime

import pytest

from contest.errors import ServiceError
from contest.registration.eligibility import age_on, eligibility_errors, is_minor_on, local_day
from contest.registration.models import count_lines
from contest.registration.uploads import Upload, check_entry_file, sniff_kind


def test_age_counts_the_birthday_on_the_event_day_itself():
    assert age_on(date(2013, 2, 20), date(2026, 2, 20)) == 13
    assert age_on(date(2013, 2, 21), date(2026, 2, 20)) == 12
    assert age_on(date(2012, 2, 29), date(2026, 2, 28)) == 13  # no 29th: the birthday is still to come


def test_the_event_day_is_the_day_in_almaty():
    # 20 February 00:30 in Almaty is still 19 February in UTC.
    assert local_day(datetime(2026, 2, 19, 19, 30, tzinfo=UTC)) == date(2026, 2, 20)


def test_a_participant_turning_18_on_the_event_day_is_an_adult():
    assert not is_minor_on(date(2008, 2, 20), date(2026, 2, 20))
    assert is_minor_on(date(2008, 2, 21), date(2026, 2, 20))


def rules(**values):
    bounds = {"min_age": None, "max_age": None, "min_grade": None, "max_grade": None}
    return eligibility_errors(event_day=date(2026, 2, 20), **{**bounds, **values})


def test_age_limits_are_checked_on_the_event_day():
    assert rules(birth_date=date(2012, 2, 20), grade=None, max_age=14) == []
    [(field, message)] = rules(birth_date=date(2012, 2, 20), grade=None, max_age=13)
    assert field == "birth_date" and "will be 14" in str(message)
    [(field, message)] = rules(birth_date=None, grade=None, min_age=10)
    assert "date of birth is needed" in str(message)


def test_grades_are_checked():
    assert rules(birth_date=None, grade=6, min_grade=5, max_grade=7) == []
    [(field, message)] = rules(birth_date=None, grade=8, min_grade=5, max_grade=7)
    assert field == "grade" and "grades 5 to 7" in str(message)
    assert rules(birth_date=None, grade=None, min_grade=5)[0][0] == "grade"


def test_lines_of_verse_skip_blank_lines_between_stanzas():
    assert count_lines("Бір\nЕкі\n\n  \nҮш\n") == 3
    assert count_lines("") == 0


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.7\n...", "pdf"),
    (zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}), "docx"),
    (zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), "odt"),
    ("Абай, Шәкәрім, Мағжан\n".encode(), "txt"),
    (b"MZ\x90\x00\x03\x00\x00\x00", None),  # a Windows program
    (zipped({"evil.exe": b"MZ"}), None),  # some other zip
    ("текст".encode("cp1251"), None),  # not UTF-8 text
])
def test_file_kind_comes_from_the_content(data, kind):
    assert sniff_kind(data) == kind


def test_an_exe_renamed_pdf_is_refused(app):
    with pytest.raises(ServiceError, match="PDF, DOCX, ODT") as refused:
        check_entry_file(Upload("poem.pdf", b"MZ\x90\x00" + b"\x00" * 100))
    assert refused.value.field == "file"


def test_an_oversized_file_is_refused(app):
    app.config["ENTRY_FILE_MAX_BYTES"] = 1000
    try:
        with pytest.raises(ServiceError, match="too large"):
            check_entry_file(Upload("poem.pdf", b"%PDF-" + b"x" * 1000))
    finally:
        app.config["ENTRY_FILE_MAX_BYTES"] = 10 * 1024 * 1024


@pytest.mark.parametrize(("sent", "kept"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("Өлең.pdf", "Өлең.pdf"),
    ('a"b<c>.pdf', "abc.pdf"),
    ("..", "entry"),
])
def test_the_download_name_never_carries_folders(sent, kept):
    assert Upload(sent, b"").safe_name == kept
