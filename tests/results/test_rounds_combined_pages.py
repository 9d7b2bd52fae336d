"""Rounds combined and outlier clamping through the settings, the standings page, the snapshot
and the jury protocol. Panels constructed on the `judged` contest: three jurors, final totals
per juror 19, 17, 15, 13 for Juniors 1..4 and 19, 17 for Seniors 1..2."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from contest.contests import services as setup
from contest.contests.models import Round
from contest.errors import ServiceError
from contest.judging.models import ScoreSheet
from contest.results import services
from contest.results.models import ResultSnapshot
from tests.results.test_views import EN, page, publish

D = Decimal


def with_qualifying(j, make_round, make_sheet, db) -> Round:
    """A qualifying round before the final: entry number n of a category gets 10 + n from every juror."""
    qualifying = make_round(j.contest, name_en="Qualifying", stage="qualifying", position=0)
    content, form = j.criteria
    for registration in j.registrations:
        number = int(registration.participant.surname[-1])
        for member in j.jurors:
            make_sheet(member, registration, qualifying, points={content: 5 + number, form: 5}, status="submitted")
    db.session.expire_all()
    return qualifying


def combine(db, contest, combination: str, *weights: int) -> None:
    contest.rounds_combination = combination
    for round_, weight in zip(contest.rounds, weights, strict=True):
        round_.weight = weight
    db.session.commit()


def score_of(standings, surname: str) -> Decimal | None:
    return next(row.standing.score for row in standings.categories[0].rows
                if row.registration.participant.surname == surname)


def totals(standings, category: int = 0) -> list[tuple[str, int | None, Decimal | None, tuple]]:
    rows = standings.categories[category]
    return [(row.registration.participant.surname, row.standing.place, row.standing.score,
             rows.round_scores.get(row.registration.id)) for row in rows.rows]


def test_a_30_70_weighted_combination_ranks_on_both_rounds_and_the_page_shows_each(
        db, judged, make_round, make_sheet, login_as, client):
    j = judged()
    with_qualifying(j, make_round, make_sheet, db)
    combine(db, j.contest, "weighted", 30, 70)
    standings = services.live_standings(j.contest, j.contest.rounds[-1])
    # 0.3 x (10 + n) + 0.7 x final: 3.3 + 13.3, 3.6 + 11.9, 3.9 + 10.5, 4.2 + 9.1
    assert totals(standings) == [("Juniors1", 1, D("16.60"), (D("11.00"), D("19.00"))),
                                 ("Juniors2", 2, D("15.50"), (D("12.00"), D("17.00"))),
                                 ("Juniors3", 3, D("14.40"), (D("13.00"), D("15.00"))),
                                 ("Juniors4", 4, D("13.30"), (D("14.00"), D("13.00")))]
    login_as("organiser")
    body = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert "Combined total" in body and "Final standings combine these rounds:" in body
    assert "16.60" in body and "11.00" in body and "weight 30" in body
    # The qualifying round's own standings are not combined.
    body = page(client.get(f"/manage/contests/{j.contest.id}/results?round={j.contest.rounds[0].id}", headers=EN))
    assert "Combined total" not in body and "14.00" in body


def test_the_sum_of_rounds_and_an_entry_missing_from_a_round_is_not_ranked(
        db, judged, make_round, make_sheet):
    j = judged()
    qualifying = with_qualifying(j, make_round, make_sheet, db)
    db.session.execute(ScoreSheet.__table__.delete().where(
        ScoreSheet.round_id == qualifying.id, ScoreSheet.registration_id == j.registrations[3].id))
    db.session.commit()
    combine(db, j.contest, "sum", 1, 1)
    assert totals(services.live_standings(j.contest, j.contest.rounds[-1]))[2:] == [
        ("Juniors3", 3, D("28.00"), (D("13.00"), D("15.00"))), ("Juniors4", None, None, (None, D("13.00")))]


def test_combined_standings_cost_the_same_queries_as_one_round(
        db, judged, make_round, make_sheet, login_as, client, count_queries):
    login_as("organiser")
    counts = []
    for size, combination in ((2, "results_round"), (2, "weighted"), (6, "weighted")):
        j = judged(entries_a=size, entries_b=size)
        with_qualifying(j, make_round, make_sheet, db)
        combine(db, j.contest, combination, 30, 70)
        with count_queries() as log:
            assert client.get(f"/manage/contests/{j.contest.id}/results").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1] == counts[2]


def test_each_round_uses_its_own_method(db, judged, make_round, make_sheet):
    j = judged(entries_b=0)
    final = j.contest.rounds[0]
    # Juniors1's third juror gives 1 + 0 instead of 10 + 9: mean 39 / 3 = 13, median 19.
    sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.member_id == j.jurors[2].id,
                                                       ScoreSheet.registration_id == j.registrations[0].id))
    for score in sheet.scores:
        score.points = 1 if score.criterion_id == j.criteria[0].id else 0
    db.session.commit()
    assert score_of(services.live_standings(j.contest, final), "Juniors1") == D("13.00")
    final.aggregation = "median"
    db.session.commit()
    assert score_of(services.live_standings(j.contest, final), "Juniors1") == D("19.00")


def outlier(db, j) -> None:
    """Juniors1's third juror gives 5 + 4 = 9 where the others give 19: mean 15.67."""
    sheet = db.session.scalar(select(ScoreSheet).where(ScoreSheet.member_id == j.jurors[2].id,
                                                       ScoreSheet.registration_id == j.registrations[0].id))
    for score in sheet.scores:
        score.points = 5 if score.criterion_id == j.criteria[0].id else 4
    db.session.commit()


def test_clamping_shows_given_and_counted_totals_in_the_snapshot_and_the_protocol(db, judged, login_as, client):
    j = judged()
    outlier(db, j)
    j.contest.rounds[0].clamp_points = 4
    db.session.commit()
    # 9 is brought to 15.67 - 4 = 11.67, the 19s (3.33 away) stay: (19 + 19 + 11.67) / 3 = 16.56
    # (without clamping 15.67; with k = 2 the 19s too would come down to 17.67).
    standings = services.live_standings(j.contest, j.contest.rounds[0])
    assert score_of(standings, "Juniors1") == D("16.56")
    login_as("organiser")
    assert "Outlier clamping" in page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    publish(client, j.contest, reason="")
    snapshot = db.session.scalar(select(ResultSnapshot))
    row = next(row for row in snapshot.data["categories"][0]["rows"] if row["name"].startswith("Juniors1"))
    assert D(row["juror_totals"][str(j.jurors[2].id)]) == D("11.67")
    assert {juror: D(total) for juror, total in row["juror_totals_unclamped"].items()} == {str(j.jurors[2].id): 9}
    assert snapshot.data["clamp"] == "4.000"
    data = client.get(f"/manage/contests/{j.contest.id}/results/protocol-en.pdf").data
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "11.67 (9.00)" in text and "Outlier clamping" in text and "16.56" in text


def test_the_protocol_shows_each_rounds_score_and_the_combination(
        db, judged, make_round, make_sheet, login_as, client):
    j = judged()
    with_qualifying(j, make_round, make_sheet, db)
    combine(db, j.contest, "weighted", 30, 70)
    login_as("organiser")
    publish(client, j.contest)
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert snapshot.data["combination"] == "weighted"
    assert snapshot.data["categories"][0]["rows"][0]["round_scores"] == ["11.00", "19.00"]
    data = client.get(f"/manage/contests/{j.contest.id}/results/protocol-kk.pdf").data
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Qualifying" in text and "16,60" in text and "11,00" in text


# Settings -----------------------------------------------------------------------------------

def test_the_round_form_takes_a_method_a_weight_and_k_and_refuses_nonsense(
        db, login_as, client, make_contest, make_round):
    login_as("organiser")
    contest = make_contest()
    round_ = make_round(contest, stage="final")
    url = f"/manage/contests/{contest.id}/rounds/{round_.id}"
    base = {"name_en": "Final", "position": "1", "stage": "final"}
    for bad, field in (({"weight": "0"}, "above 0"), ({"clamp_points": "-1"}, "above 0"),
                       ({"clamp_points": "abc"}, "Enter a number"), ({"aggregation": "mode"}, "Not a valid choice"),
                       ({"weight": "1.2345"}, "at most three decimals")):
        response = client.post_form(url, base | bad, headers=EN)
        assert response.status_code == 422 and field in page(response), bad
    response = client.post_form(url, base | {"aggregation": "median", "weight": "70", "clamp_points": "2.5"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (round_.aggregation, round_.weight, round_.clamp_points) == ("median", D(70), D("2.5"))
    assert "70" in page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    client.post_form(url, base | {"aggregation": "", "weight": "", "clamp_points": ""})
    db.session.expire_all()
    assert (round_.aggregation, round_.weight, round_.method) == (None, None, "mean")


def test_a_weighted_combination_needs_every_rounds_weight(db, make_contest, make_round, make_user):
    organiser = make_user(role="organiser")
    contest = make_contest()
    final = make_round(contest, stage="final", weight=70)
    qualifying = make_round(contest, stage="qualifying")
    data = {name: getattr(contest, name) for name in setup.CONTEST_FIELDS} | {"rounds_combination": "weighted"}
    try:
        setup.update_contest(contest, data, actor=organiser)
    except ServiceError as error:
        assert error.field == "rounds_combination" and "weight for every round" in str(error.message)
    else:
        raise AssertionError("a weighted combination without every round's weight was accepted")
    setup.update_part(qualifying, {"weight": D(30)}, actor=organiser)
    setup.update_contest(contest, data, actor=organiser)
    assert contest.rounds_combination == "weighted"
    try:
        setup.update_part(final, {"weight": None}, actor=organiser)
    except ServiceError as error:
        assert error.field == "weight"
    else:
        raise AssertionError("a round of a weighted contest lost its weight")
    try:
        setup.create_contest(data | {"slug": "new-one"}, actor=organiser)
    except ServiceError as error:
        assert error.field == "rounds_combination"
    else:
        raise AssertionError("a new contest's final round has no weight yet")


def test_the_copy_of_a_contest_keeps_the_combination_and_each_rounds_settings(db, make_contest, make_round):
    source = make_contest(rounds_combination="weighted")
    make_round(source, name_en="Qualifying", stage="qualifying", weight=30, clamp_points=3, aggregation="median")
    make_round(source, name_en="Final", stage="final", weight=70)
    year = timedelta(days=365)
    copy = setup.copy_contest(source, actor=None, event_at=source.event_at + year,
                              registration_opens_at=source.registration_opens_at + year,
                              registration_closes_at=source.registration_closes_at + year)
    assert copy.rounds_combination == "weighted"
    assert [(r.name_en, r.weight, r.clamp_points, r.aggregation) for r in copy.rounds] == [
        ("Qualifying", D(30), D(3), "median"), ("Final", D(70), None, None)]
