"""Rounds combined: each round's score wherever the combined total is shown (public page, CSV and
XLSX, jury protocol), each round's clamping in the protocol, points outside the jury inside their
round's score, and the weights printed as the contest states them. The `judged` contest with a
qualifying round: qualifying totals 11, 12, 13, 14 and final totals 19, 17, 15, 13 per juror for
Juniors 1..4 (Juniors3 may not be named publicly)."""

from __future__ import annotations

import csv
import html
import io
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from contest.i18n import format_weight
from contest.judging.models import ScoreSheet
from contest.results import adjusting
from contest.results.models import ResultSnapshot
from tests.results.test_rounds_combined_pages import combine, with_qualifying
from tests.results.test_views import EN, page, publish

D = Decimal


def combined_30_70(db, judged, make_round, make_sheet):
    j = judged()
    qualifying = with_qualifying(j, make_round, make_sheet, db)
    combine(db, j.contest, "weighted", 30, 70)
    return j, qualifying


def protocol_text(client, contest, language: str) -> str:
    response = client.get(f"/manage/contests/{contest.id}/results/protocol-{language}.pdf")
    assert response.status_code == 200
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def test_the_public_page_shows_each_rounds_score_beside_the_combined_total(
        db, judged, make_round, make_sheet, login_as, client):
    j, _qualifying = combined_30_70(db, judged, make_round, make_sheet)
    login_as("organiser")
    assert publish(client, j.contest).status_code == 302
    client.post_form("/logout", {})
    body = html.unescape(page(client.get(f"/contests/{j.contest.slug}/results?lang=en")))
    header = body[body.index("<thead>"):body.index("</thead>")]
    # The total first (a phone shows it without scrolling), then each round's score.
    assert header.index("Total") < header.index("Qualifying") < header.index("Final")
    row = body[body.index("Juniors1"):]
    row = row[:row.index("</tr>")]
    # 0.3 x 11 + 0.7 x 19 = 16.60
    assert row.index("16.60") < row.index("11.00") < row.index("19.00")
    assert "Total: the weighted mean of the rounds' scores (Qualifying: weight 30%; Final: weight 70%)." in body


def test_the_public_page_of_one_round_has_no_round_columns(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    body = page(client.get(f"/contests/{j.contest.slug}/results?lang=en"))
    header = body[body.index("<thead>"):body.index("</thead>")]
    # Place, name, award, total, grade, school, teacher: no round's column, no combination stated.
    assert "weighted mean" not in body and header.count('<th scope="col"') == 7


def test_exports_have_a_column_per_round_before_the_combined_total(
        db, judged, make_round, make_sheet, login_as, client):
    j, _qualifying = combined_30_70(db, judged, make_round, make_sheet)
    login_as("organiser")
    publish(client, j.contest)
    lines = list(csv.reader(io.StringIO(client.get(f"/contests/{j.contest.slug}/results.csv?lang=kk")
                                        .get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    header, first = lines[0], lines[1]
    at = header.index("Жалпы ұпай")
    assert header[at - 2:at] == ["Qualifying", "Final"]
    assert first[at - 2:at + 1] == ["11,00", "19,00", "16,60"]  # the locale's decimal sign
    sheet = load_workbook(io.BytesIO(client.get(f"/manage/contests/{j.contest.id}/results/export.xlsx").data),
                          read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    at = rows[0].index("Жалпы ұпай")  # the organiser's language
    assert rows[0][at - 2:at] == ("Qualifying", "Final")
    assert rows[1][at - 2:at + 1] == (11, 19, 16.6)  # numbers, not text


def test_the_protocol_shows_every_rounds_clamped_and_given_totals(
        db, judged, make_round, make_sheet, login_as, client):
    j, qualifying = combined_30_70(db, judged, make_round, make_sheet)
    # Juniors1's third juror gives 1 + 0 = 1 in the qualifying round where the others give 11:
    # mean 7.67, k = 2, so 11 comes down to 9.67 and 1 goes up to 5.67.
    sheet = db.session.scalar(select(ScoreSheet).where(
        ScoreSheet.round_id == qualifying.id, ScoreSheet.member_id == j.jurors[2].id,
        ScoreSheet.registration_id == j.registrations[0].id))
    for score in sheet.scores:
        score.points = 1 if score.criterion_id == j.criteria[0].id else 0
    qualifying.clamp_points = 2
    j.contest.rounds[-1].clamp_points = 3
    db.session.commit()
    login_as("organiser")
    publish(client, j.contest)
    text = protocol_text(client, j.contest, "en")
    assert "9.67 (11.00)" in text and "5.67 (1.00)" in text
    assert "Qualifying: outlier clamping, k = 2." in text and "Final: outlier clamping, k = 3." in text
    assert "Qualifying: the jurors' totals and the round's score" in text
    assert "Final: the jurors' totals and the round's score" in text
    # (9.67 + 9.67 + 5.67) / 3 = 8.34, the qualifying score that is combined: 0.3 x 8.34 + 0.7 x 19 = 15.80
    assert "8.34" in text and "15.80" in text
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert [item["clamp"] for item in snapshot.data["rounds"]] == ["2.000", "3.000"]
    kk = protocol_text(client, j.contest, "kk")
    assert "9,67 (11,00)" in kk and "салмағы 30%" in kk


def test_a_penalty_counts_inside_its_rounds_score_and_nowhere_else(
        db, judged, make_round, make_sheet, make_user, login_as, client):
    j, _qualifying = combined_30_70(db, judged, make_round, make_sheet)
    final = j.contest.rounds[-1]
    adjusting.add_adjustment(j.contest, final, registration_id=j.registrations[0].id, kind="time_overrun",
                             points="-1", reason="Two minutes over", actor=make_user(role="organiser"))
    db.session.commit()
    login_as("organiser")
    publish(client, j.contest)
    row = db.session.scalar(select(ResultSnapshot)).data["categories"][0]["rows"][0]
    # The final's score is 19 - 1 = 18; the total 0.3 x 11 + 0.7 x 18 = 15.90, with no second penalty.
    assert row["round_scores"] == ["11.00", "18.00"] and D(row["total"]) == D("15.90")
    assert row["adjustment"] is None and D(row["round_details"][1]["adjustment"]) == -1
    body = html.unescape(page(client.get(f"/contests/{j.contest.slug}/results?lang=en")))
    assert "Jury's score" not in body and "15.90" in body
    text = protocol_text(client, j.contest, "en")
    assert "Final · " in text and "-1.00 — Time limit overrun. Two minutes over" in text.replace("\n", " ")
    assert "18.00" in text


def test_old_combined_snapshots_still_print(db, judged, make_round, make_sheet, login_as, client):
    j, _qualifying = combined_30_70(db, judged, make_round, make_sheet)
    login_as("organiser")
    publish(client, j.contest)
    snapshot = db.session.scalar(select(ResultSnapshot))
    data = dict(snapshot.data)
    # What publishing froze before each round's jurors were kept.
    data["rounds"] = [{"id": item["id"], "name": item["name"], "weight": item["weight"]} for item in data["rounds"]]
    data["categories"] = [{**category, "rows": [{key: value for key, value in row.items() if key != "round_details"}
                                                 for row in category["rows"]]} for category in data["categories"]]
    snapshot.data = data
    db.session.commit()
    text = protocol_text(client, j.contest, "en")
    assert "The jurors' totals below are those of the last round." in text and "16.60" in text
    assert "round's score" not in text
    assert "16.60" in page(client.get(f"/contests/{j.contest.slug}/results?lang=en"))


def test_weights_print_as_the_contest_states_them(app):
    with app.test_request_context():
        assert [format_weight(D("70.000"), [D(30), D(70)], language) for language in ("kk", "ru", "en")] == [
            "70%", "70\xa0%", "70%"]
        assert format_weight(D("35.5"), [D("35.5"), D("64.5")], "kk") == "35,5%"
        assert [format_weight(D("0.700"), [D("0.3"), D("0.7")], language) for language in ("kk", "ru", "en")] == [
            "0,7", "0,7", "0.7"]
        assert format_weight(D(2), [D(1), D(2)], "en") == "2"
        assert format_weight(None, [], "en") == ""


def test_the_settings_show_weights_as_entered(db, judged, make_round, make_sheet, login_as, client):
    j, qualifying = combined_30_70(db, judged, make_round, make_sheet)
    login_as("organiser")
    form = page(client.get(f"/manage/contests/{j.contest.id}/rounds/{qualifying.id}", headers=EN))
    assert 'value="30"' in form and "30.000" not in form
    overview = page(client.get(f"/manage/contests/{j.contest.id}", headers=EN))
    assert "<td>30%</td>" in overview and "<td>70%</td>" in overview
    standings = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert "weight 30%" in standings


def test_the_standings_name_each_rounds_weight_and_the_earlier_rounds_clamping(
        db, judged, make_round, make_sheet, login_as, client):
    j, qualifying = combined_30_70(db, judged, make_round, make_sheet)
    qualifying.clamp_points = 2
    db.session.commit()
    login_as("organiser")
    body = html.unescape(page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN)))
    assert f"{qualifying.label}: weight 30%; Final: weight 70%." in body
    assert f"{qualifying.label}: outlier clamping, k = 2." in body
    assert "(weight" not in body  # no brackets after the stage's own brackets


def test_the_outside_page_says_a_combined_rounds_points_count_as_its_score_does(
        db, judged, make_round, make_sheet, login_as, client):
    j = judged()
    login_as("organiser")
    url = f"/manage/contests/{j.contest.id}/results/outside"
    sentence = "these points are part of this round's score"
    assert sentence not in html.unescape(page(client.get(url, headers=EN)))
    qualifying = with_qualifying(j, make_round, make_sheet, db)
    combine(db, j.contest, "sum", 1, 1)
    assert sentence in html.unescape(page(client.get(f"{url}?round={qualifying.id}", headers=EN)))
