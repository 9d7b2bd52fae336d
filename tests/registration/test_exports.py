"""Exports for organisers: every contact and consent column, Kazakh letters intact, formulas
neutralised, the table's filters respected."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from contest.registration.exports import guard_formula
from tests.registration.helpers import one_work_entry

EN = {"Accept-Language": "en"}


@pytest.fixture
def contest_with_rows(db, open_contest, make_registration, make_participant):
    contest = open_contest()
    make_registration(contest, participant=make_participant(
        surname="Әбдіқадырова", given_name="Ұлжан", patronymic="Қайратқызы", school="№12 гимназия",
        district="Медеу", grade=9, phone="+7 701 111 22 33", birth_date=date(2012, 3, 4),
        guardian_name="Әбдіқадыров Қайрат", guardian_phone="+7 702 000 11 22", consent_version="2026-01"))
    attacker = make_registration(contest, participant=make_participant(
        surname="=HYPERLINK(\"http://evil.example\")", given_name="@SUM(1+1)", school="-2+3", district="Алмалы"),
        status="approved")
    db.session.add(one_work_entry(attacker, title="+cmd|' /C calc'!A0", text="line"))
    db.session.commit()
    return contest


def export(client, contest, fmt: str, **args):
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return client.get(f"/manage/contests/{contest.id}/registrations/export.{fmt}?{query}", headers=EN)


def test_formula_guard():
    assert [guard_formula(v) for v in ("=1+1", "+7", "-x", "@A1", "\tx", "Әлия", 5, None)] == [
        "'=1+1", "'+7", "'-x", "'@A1", "'\tx", "Әлия", 5, None]


def test_csv_has_a_bom_kazakh_letters_guardian_and_consent_and_escapes_formulas(client, login_as,
                                                                                 contest_with_rows):
    login_as("organiser")
    response = export(client, contest_with_rows, "csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    first, second = rows
    assert (first["Surname"], first["Given name"], first["Patronymic"]) == ("Әбдіқадырова", "Ұлжан", "Қайратқызы")
    assert (first["Guardian"], first["Date of birth"], first["Consent text version"]) == (
        "Әбдіқадыров Қайрат", "04.03.2012", "2026-01")
    assert first["Guardian's phone"] == "'+7 702 000 11 22"  # a phone is guarded like any text
    assert first["Consent given"] != ""
    assert second["Surname"] == "'=HYPERLINK(\"http://evil.example\")"
    assert (second["Given name"], second["School"], second["Entry title"]) == (
        "'@SUM(1+1)", "'-2+3", "'+cmd|' /C calc'!A0")


def test_xlsx_keeps_text_as_text(client, login_as, contest_with_rows):
    login_as("organiser")
    response = export(client, contest_with_rows, "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_name = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert by_name[0]["Surname"] == "Әбдіқадырова" and by_name[0]["Guardian"] == "Әбдіқадыров Қайрат"
    assert by_name[0]["Date of birth"].date() == date(2012, 3, 4)
    assert by_name[1]["Surname"].startswith("'=")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_export_respects_the_filters(client, login_as, contest_with_rows):
    login_as("organiser")
    rows = export(client, contest_with_rows, "csv", status="approved").data.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "HYPERLINK" in rows[1]
    rows = export(client, contest_with_rows, "csv", q="Ұлжан").data.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "Әбдіқадырова" in rows[1]


@pytest.mark.parametrize("role", ["participant", "juror"])
def test_only_organisers_export(client, login_as, contest_with_rows, role):
    login_as(role)
    assert export(client, contest_with_rows, "csv").status_code == 403
    assert export(client, contest_with_rows, "xlsx").status_code == 403


def test_unknown_format_is_not_found(client, login_as, contest_with_rows):
    login_as("organiser")
    assert export(client, contest_with_rows, "pdf").status_code == 404
