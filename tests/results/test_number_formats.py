"""One total, one spelling: the protocol, the standings, the public page and the exports print a
score with the contest's decimals and the reader's decimal sign; spreadsheets get numbers."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from contest.extensions import db
from contest.results import services

LANGUAGES = {"kk": {"Accept-Language": "kk"}, "ru": {"Accept-Language": "ru"}, "en": {"Accept-Language": "en"}}
SPELLING = {"kk": "19,000", "ru": "19,000", "en": "19.000"}  # Juniors1's total with three decimals


@pytest.fixture
def published_three_decimals(judged, login_as, client):
    j = judged()
    j.contest.score_decimals = 3
    db.session.commit()
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{j.contest.id}/results/publish", {}, headers=LANGUAGES["en"])
    assert response.status_code == 302
    return j


def protocol_text(client, contest, language: str) -> str:
    response = client.get(f"/manage/contests/{contest.id}/results/protocol-{language}.pdf")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_same_total_prints_identically_everywhere(published_three_decimals, client, language):
    j = published_three_decimals
    expected = SPELLING[language]
    headers = LANGUAGES[language]

    protocol = protocol_text(client, j.contest, language)
    standings = client.get(f"/manage/contests/{j.contest.id}/results", headers=headers).get_data(as_text=True)
    public = client.get(f"/contests/{j.contest.slug}/results?lang={language}").get_data(as_text=True)
    exported = client.get(f"/contests/{j.contest.slug}/results.csv?lang={language}").data.decode("utf-8-sig")

    assert re.search(rf"Juniors1 Aruzhan.*?{re.escape(expected)}", protocol, re.S)
    assert f'<td class="text-end">{expected}</td>' in standings
    assert f'<td class="text-end">{expected}</td>' in public
    row = next(row for row in csv.reader(io.StringIO(exported), delimiter=";") if "Juniors1 Aruzhan" in row)
    assert expected in row
    # No raw stored form anywhere: neither 19.000000 nor a point in Kazakh and Russian.
    assert "19.000000" not in protocol
    if language != "en":
        assert "19.000" not in protocol + standings + public + exported


def test_protocol_scores_per_criterion_use_the_decimal_comma_in_kazakh(published_three_decimals, client):
    protocol = protocol_text(client, published_three_decimals.contest, "kk")
    assert not re.search(r"\d\.\d", protocol)  # every score in Kazakh has a comma, also in the sheets tables
    assert re.search(r"\d,\d{3}", protocol)


def test_xlsx_holds_typed_numbers_with_the_contests_decimals(published_three_decimals, client):
    j = published_three_decimals
    data = client.get(f"/manage/contests/{j.contest.id}/results/export.xlsx", headers=LANGUAGES["en"]).data
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows())
    header = [cell.value for cell in rows[0]]
    cells = next(dict(zip(header, row, strict=True)) for row in rows[1:]
                 if row[header.index("Full name")].value == "Juniors1 Aruzhan")
    assert cells["Total"].data_type == "n" and cells["Total"].value == 19
    assert cells["Total"].number_format == "0.000"  # Excel shows 19,000 with Kazakh or Russian settings
    assert cells["Place"].value == 1 and isinstance(cells["Place"].value, int)


def test_csv_and_xlsx_downloads_carry_one_charset_a_bom_and_a_safe_name(published_three_decimals, client):
    j = published_three_decimals
    for url in (f"/contests/{j.contest.slug}/results.csv", f"/manage/contests/{j.contest.id}/results/export.csv",
                f"/manage/contests/{j.contest.id}/registrations/export.csv",
                f"/manage/contests/{j.contest.id}/jury/ballots/template.csv"):
        response = client.get(url, headers=LANGUAGES["kk"])
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8", url
        assert response.data.startswith(b"\xef\xbb\xbf"), url
        assert response.headers["Content-Disposition"].startswith("attachment; filename="), url
    xlsx = client.get(f"/contests/{j.contest.slug}/results.xlsx")
    assert xlsx.headers["Content-Type"].count("charset") == 0


def test_standings_rounded_totals_match_the_snapshot(published_three_decimals):
    snapshot = services.current_snapshot(published_three_decimals.contest.id)
    totals = [row["total"] for category in snapshot.data["categories"] for row in category["rows"]]
    assert all(Decimal(total) == Decimal(total).quantize(Decimal("0.001")) for total in totals)
