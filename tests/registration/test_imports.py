"""Importing a teacher's list: a preview that shows every row's problems, nothing written until
every row is correct and the organiser confirms, files checked by content and size."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from contest.registration.models import Participant, Registration
from tests import upload_files
from tests.registration.helpers import audit_actions, page

EN = {"Accept-Language": "en"}
HEADER = ["Surname", "Given name", "Patronymic", "Date of birth", "School", "Grade", "Guardian",
          "Guardian's phone", "Guardian's consent", "Category"]


def years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).strftime("%d.%m.%Y")


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], header: list[str], delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
    return buffer.getvalue().encode("utf-8-sig")


PUPIL = ["Сәтбаева", "Әйгерім", "Нұрланқызы", years_ago(12), "Гимназия №12", "6А", "Сәтбаев Нұрлан",
         "+7 701 111 22 33", "иә", ""]
ADULT = ["Ivanov", "Pyotr", "", "01.02.2000", "Lyceum 8", "", "", "", "", ""]


@pytest.fixture
def organiser(login_as):
    return login_as("organiser")


@pytest.fixture
def teacher(make_user):
    return make_user(email="teacher@school12.kz", name="Гүлнар Апай")


def upload(client, contest, data: bytes, *, email: str = "teacher@school12.kz", filename: str = "pupils.xlsx"):
    return client.post_form(f"/manage/contests/{contest.id}/registrations/import",
                            {"teacher_email": email, "file": (io.BytesIO(data), filename)},
                            content_type="multipart/form-data", headers=EN)


def confirm(client, contest, payload: str):
    return client.post_form(f"/manage/contests/{contest.id}/registrations/import/confirm", {"payload": payload},
                            headers=EN)


def payload_of(response) -> str:
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', page(response)).group(1)


def counts(db) -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Participant)),
            db.session.scalar(select(func.count()).select_from(Registration)))


def test_a_correct_list_is_previewed_then_registered_under_the_teacher(client, db, organiser, teacher,
                                                                       open_contest, mailbox):
    contest = open_contest()
    preview = upload(client, contest, xlsx([PUPIL, ADULT]))
    assert preview.status_code == 200
    html = page(preview)
    assert "All 2 rows are correct. Nothing has been saved yet" in html
    assert "Сәтбаева Әйгерім Нұрланқызы" in html and html.count(">Correct<") == 2
    assert counts(db) == (0, 0)

    response = confirm(client, contest, payload_of(preview))
    assert response.status_code == 302
    assert "2 pupils have been registered" in page(client.get(response.headers["Location"], headers=EN))
    pupils = db.session.scalars(select(Participant).order_by(Participant.id)).all()
    assert [(p.surname, p.given_name, p.patronymic, p.grade, p.account_id) for p in pupils] == [
        ("Сәтбаева", "Әйгерім", "Нұрланқызы", 6, teacher.id), ("Ivanov", "Pyotr", "", None, teacher.id)]
    assert pupils[0].has_consent and pupils[0].consent_by_id == organiser.id
    assert pupils[0].guardian_phone == "+7 701 111 22 33"
    registrations = db.session.scalars(select(Registration)).all()
    assert {r.status for r in registrations} == {"pending"}
    assert {r.category_id for r in registrations} == {contest.categories[0].id}
    assert "registration.import" in audit_actions(db)
    assert mailbox == []


def test_bad_rows_are_each_explained_and_nothing_is_written(client, db, organiser, teacher, open_contest):
    contest = open_contest(min_grade=5, max_grade=11)
    rows = [
        PUPIL,
        ["Омаров", "", "", years_ago(13), "Школа 5", "7", "Омарова А.", "+7 700 000 00 00", "да", ""],
        ["Петров", "Иван", "", "31.02.2012", "Школа 5", "7", "", "", "", ""],
        ["Ким", "Анна", "", years_ago(15), "Школа 5", "14", "Ким О.", "+7 700 000 00 01", "yes", ""],
        ["Ли", "Марк", "", years_ago(11), "Школа 5", "5", "", "", "", ""],
        PUPIL,
        ["Жанова", "Дана", "", years_ago(14), "Школа 5", "3", "Жанов Б.", "+7 700 000 00 02", "yes", ""],
        ["Асанов", "Ерлан", "", years_ago(14), "Школа 5", "8", "Асанова К.", "+7 700 000 00 03", "yes", "Проза"],
    ]
    response = upload(client, contest, xlsx(rows))
    assert response.status_code == 422
    html = page(response)
    assert "7 rows have problems. Nothing has been saved." in html
    for message in ("«Given name» is empty.",
                    "«31.02.2012» is not a date",
                    "The grade «14» is not a school grade from 1 to 12.",
                    "Under 18: the guardian&#39;s name and phone are needed.",
                    "Under 18: the guardian&#39;s consent is needed",
                    "The same pupil as in row 2.",
                    "This contest is for grades 5 to 11.",
                    "The contest has no category «Проза»."):
        assert message in html, message
    assert 'name="payload"' not in html
    assert counts(db) == (0, 0)


def test_an_executable_renamed_xlsx_is_refused(client, db, organiser, teacher, open_contest):
    contest = open_contest()
    response = upload(client, contest, b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), filename="pupils.xlsx")
    assert response.status_code == 422
    assert "Only Excel workbooks (XLSX) and CSV files in UTF-8 are accepted" in page(response)
    assert counts(db) == (0, 0)


def test_a_zip_that_is_not_a_workbook_is_refused(client, db, organiser, teacher, open_contest):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    response = upload(client, open_contest(), buffer.getvalue())
    assert response.status_code == 422 and "could not be read as an Excel (XLSX) workbook" in page(response)


def workbook_with(extra: dict[str, bytes]) -> bytes:
    """A real list of pupils with extra parts added to its archive."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx([ADULT]))) as source, zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("build", "message"), [
    (upload_files.xlsx_bomb, "Unpacked, the file is too large (limit: 24 MB)."),
    (upload_files.xlsx_with_shared_strings_bomb, "Unpacked, the file is too large (limit: 24 MB)."),
    (lambda: workbook_with({"xl/embeddings/data.bin": upload_files.zipped({"x.txt": b"x"})}),
     "holds another archive inside it"),
    (lambda: workbook_with({"../../outside.xml": b"<x/>"}), "unsafe names"),
], ids=["sheet-300-mib", "shared-strings-bomb", "nested-zip", "path"])
def test_hostile_workbooks_are_refused_with_the_reason(client, db, organiser, teacher, open_contest, build,
                                                       message):
    response = upload(client, open_contest(), build())
    assert response.status_code == 422 and message in page(response)
    assert 'id="file-error"' in page(response)
    assert counts(db) == (0, 0)


def test_an_oversized_file_is_refused(client, db, app, organiser, teacher, open_contest):
    contest = open_contest()
    limit = app.config["IMPORT_FILE_MAX_BYTES"]
    data = csv_bytes([["Ivanov", "Pyotr"]], ["Surname", "Given name"]) + b"x" * limit
    response = upload(client, contest, data, filename="pupils.csv")
    assert response.status_code == 422 and "The file is too large: at most 2 MB." in page(response)
    assert counts(db) == (0, 0)


def test_a_russian_csv_in_utf8_with_semicolons_is_read(client, db, organiser, teacher, open_contest):
    contest = open_contest()
    data = csv_bytes([["Ахметова", "Дина", "15.09.2001", "Медеу"]], ["Фамилия", "Имя", "Дата рождения", "Район"])
    response = upload(client, contest, data, filename="список.csv")
    assert response.status_code == 200, page(response)
    assert confirm(client, contest, payload_of(response)).status_code == 302
    assert db.session.scalar(select(Participant.district)) == "Медеу"


def test_a_csv_in_another_encoding_is_refused(client, organiser, teacher, open_contest):
    data = "Фамилия;Имя\nАхметова;Дина\n".encode("cp1251")
    response = upload(client, open_contest(), data, filename="pupils.csv")
    assert response.status_code == 422 and "CSV UTF-8" in page(response)


def test_the_list_must_name_its_columns(client, organiser, teacher, open_contest):
    response = upload(client, open_contest(), xlsx([["A", "B"]], header=["Column 1", "Column 2"]))
    assert response.status_code == 422 and "these are missing: «Surname», «Given name»" in page(response)


@pytest.mark.parametrize("email", ["nobody@example.kz", "staff@library.kz"])
def test_the_teacher_must_be_an_existing_participant_account(client, db, organiser, make_user, open_contest, email):
    make_user(email="staff@library.kz", role="organiser")
    response = upload(client, open_contest(), xlsx([ADULT]), email=email)
    assert response.status_code == 422
    assert "There is no active account" in page(response) or "not a participant account" in page(response)
    assert counts(db) == (0, 0)


def test_a_full_contest_is_caught_in_the_preview(client, db, organiser, teacher, open_contest, make_registration):
    contest = open_contest(capacity=2)
    make_registration(contest)
    response = upload(client, contest, xlsx([PUPIL, ADULT]))
    assert response.status_code == 422
    assert "the contest is full" in page(response)
    assert counts(db) == (1, 1)


def test_a_change_between_preview_and_confirmation_writes_nothing(client, db, organiser, teacher, open_contest,
                                                                  make_registration):
    contest = open_contest(capacity=2)
    preview = upload(client, contest, xlsx([PUPIL, ADULT]))
    assert preview.status_code == 200
    make_registration(contest)  # someone else took a place meanwhile
    response = confirm(client, contest, payload_of(preview))
    assert response.status_code == 422
    assert "Something changed since the preview. Nothing has been saved." in page(response)
    assert counts(db) == (1, 1)


def test_a_tampered_or_foreign_payload_is_refused(client, db, organiser, teacher, open_contest):
    contest, other = open_contest(), open_contest()
    payload = payload_of(upload(client, contest, xlsx([ADULT])))
    for target, token in ((contest, payload[:-3] + "abc"), (other, payload), (contest, "")):
        response = confirm(client, target, token)
        assert response.status_code == 302
        assert "The preview has expired or was changed" in page(client.get(response.headers["Location"], headers=EN))
    assert counts(db) == (0, 0)


def test_the_template_names_the_columns_in_the_readers_language(client, organiser, open_contest):
    contest = open_contest()
    response = client.get(f"/manage/contests/{contest.id}/registrations/import/template.xlsx",
                          headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    header = next(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert header[:3] == ("Фамилия", "Имя", "Отчество")


@pytest.mark.parametrize("role", ["participant", "juror"])
def test_only_organisers_import(client, db, login_as, teacher, open_contest, role):
    login_as(role)
    contest = open_contest()
    assert client.get(f"/manage/contests/{contest.id}/registrations/import").status_code == 403
    assert upload(client, contest, xlsx([ADULT])).status_code == 403
    assert counts(db) == (0, 0)
