"""Rounds scored by ranks through the settings, the standings page, the agreement page, the
snapshot and the protocol; rounds combined with one; the queries of its standings.

On the `judged` contest (three jurors; Juniors 1..4, Seniors 1..2), each juror's sheets get
places: everyone ranks the field in order, except that the third juror swaps Juniors3 and Juniors4."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from contest.contests import services as setup
from contest.errors import ServiceError
from contest.judging import services as judging
from contest.judging.models import ScoreSheet
from contest.results import adjusting, services
from contest.results.models import ResultSnapshot
from tests.results.test_views import EN, page, publish

D = Decimal


def ranked(db, j, method: str = "rank_sum") -> None:
    final = j.contest.rounds[0]
    final.scoring, final.rank_method = "ranks", method
    for sheet in db.session.scalars(select(ScoreSheet).where(ScoreSheet.round_id == final.id)):
        registration = next(r for r in j.registrations if r.id == sheet.registration_id)
        place = int(registration.participant.surname[-1])
        if sheet.member_id == j.jurors[2].id and place in (3, 4):
            place = 7 - place
        sheet.place = place
    db.session.commit()


def table(standings, category: int = 0) -> list[tuple[str, int | None, Decimal | None]]:
    return [(row.registration.participant.surname, row.standing.place, row.standing.score)
            for row in standings.categories[category].rows]


def test_rank_sum_standings_per_category(db, judged):
    j = judged()
    ranked(db, j)
    standings = services.live_standings(j.contest, j.contest.rounds[0])
    assert table(standings) == [("Juniors1", 1, D(3)), ("Juniors2", 2, D(6)), ("Juniors3", 3, D(10)),
                                ("Juniors4", 4, D(11))]
    assert table(standings, 1) == [("Seniors1", 1, D(3)), ("Seniors2", 2, D(6))]
    assert services.decided_by_label(j.contest, standings.categories[0].rows[0].standing) == "by the sum of places"


def test_borda_standings_and_the_page_name_the_method(db, judged, login_as, client):
    j = judged()
    ranked(db, j, "borda")
    standings = services.live_standings(j.contest, j.contest.rounds[0])
    # n - rank with n = 4: 3 + 3 + 3 = 9, 6, 1 + 1 + 0 = 2, 0 + 0 + 1 = 1.
    assert table(standings) == [("Juniors1", 1, D(9)), ("Juniors2", 2, D(6)), ("Juniors3", 3, D(2)),
                                ("Juniors4", 4, D(1))]
    login_as("organiser")
    body = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert "Borda count: n − place points from each juror (higher is better)" in body
    assert "Borda points</th>" in body
    assert "averaged ranks" in body
    assert "by the Borda points" in body


def test_a_conflict_takes_the_rank_out_and_the_standing_says_so(db, judged, login_as, client):
    j = judged()
    ranked(db, j)
    judging.recuse_juror(j.jurors[2], j.registrations[3], reason="Own pupil", actor=login_as("organiser"))
    db.session.commit()
    standings = services.live_standings(j.contest, j.contest.rounds[0])
    # Juror 3's places 1, 2, 4 of the three left become ranks 1, 2, 3: Juniors3 gets 3 + 3 + 3.
    # Juniors4: ranks 4 and 4 from the two others, their mean standing in for the third: 12.
    assert table(standings) == [("Juniors1", 1, D(3)), ("Juniors2", 2, D(6)), ("Juniors3", 3, D(9)),
                                ("Juniors4", 4, D(12))]
    body = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert "not ranked by every counting juror: the mean of the others" in body


def test_the_agreement_page_gives_kendalls_w_on_the_ranks(db, judged, login_as, client):
    j = judged(entries_b=0)
    ranked(db, j)
    login_as("organiser")
    body = page(client.get(f"/manage/contests/{j.contest.id}/results/agreement", headers=EN))
    # Rank sums 3, 6, 10, 11; mean 7.5; S = 20.25 + 2.25 + 6.25 + 12.25 = 41; W = 12 x 41 / (9 x 60) = 0.911.
    assert "0.911" in body


def test_penalties_are_refused_on_a_rank_sum_round(db, judged, make_user):
    j = judged()
    ranked(db, j)
    with pytest.raises(ServiceError, match="sum of places"):
        adjusting.add_adjustment(j.contest, j.contest.rounds[0], registration_id=j.registrations[0].id,
                                 kind="other", points="-1", reason="Late", actor=make_user(role="organiser"))


def test_an_award_minimum_on_a_rank_sum_round_is_shown_as_a_refusal(db, judged, login_as, client):
    j = judged()
    ranked(db, j)
    j.contest.award_tiers[0].min_score = 5
    db.session.commit()
    login_as("organiser")
    body = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert "an award tier&#39;s minimum score cannot apply" in body


def test_standings_of_a_ranked_round_cost_the_same_queries_for_any_field(db, judged, login_as, client,
                                                                          count_queries):
    login_as("organiser")
    counts = []
    for size in (2, 6):
        j = judged(entries_a=size, entries_b=size)
        ranked(db, j)
        with count_queries() as log:
            assert client.get(f"/manage/contests/{j.contest.id}/results").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1]


def test_the_snapshot_and_the_protocol_state_places(db, judged, login_as, client):
    j = judged()
    ranked(db, j)
    login_as("organiser")
    assert publish(client, j.contest).status_code == 302
    snapshot = db.session.scalar(select(ResultSnapshot))
    assert (snapshot.data["scoring"], snapshot.data["method"]) == ("ranks", "rank_sum")
    row = snapshot.data["categories"][0]["rows"][2]
    assert (row["total"], sorted(row["juror_totals"].values())) == ("10.00", ["3", "3", "4"])
    data = client.get(f"/manage/contests/{j.contest.id}/results/protocol-en.pdf").data
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "The jurors gave places, 1 = best (Sum of the jurors' places (lower is better))" in text
    assert "Criteria:" not in text
    assert "Place Code Name J1 J2 J3 Sum of places Award" in text  # the column says what its number is
    public = page(client.get(f"/contests/{j.contest.slug}/results?criteria=1", headers=EN))
    assert "The jurors gave places, 1 = best." in public and "Sum of places</th>" in public
    assert "Content</th>" not in public  # no scores per criterion for places
    exported = client.get(f"/contests/{j.contest.slug}/results.csv", headers=EN).get_data(as_text=True)
    assert "Content" not in exported.splitlines()[0]
    assert exported.splitlines()[0].endswith("Sum of places")


def test_a_rank_sum_qualifying_round_combines_by_its_places(db, judged, make_round, make_sheet):
    j = judged(entries_b=0)
    ranked(db, j)  # the final: places as above, rank sums 3, 6, 10, 11
    qualifying = make_round(j.contest, name_en="Qualifying", stage="qualifying", position=0, scoring="ranks",
                            rank_method="rank_sum")
    final = j.contest.rounds[-1]
    final.rank_method = "borda"  # Borda 9, 6, 2, 1
    for registration in j.registrations:
        number = int(registration.participant.surname[-1])
        for member in j.jurors:
            make_sheet(member, registration, qualifying, status="submitted", place=5 - number)
    j.contest.rounds_combination = "sum"
    db.session.commit()
    db.session.expire_all()
    standings = services.live_standings(j.contest, j.contest.rounds[-1])
    # Qualifying places 4, 3, 2, 1 enter as 0, 1, 2, 3 points; with Borda 9, 6, 2, 1: 9, 7, 4, 4.
    assert table(standings) == [("Juniors1", 1, D(9)), ("Juniors2", 2, D(7)), ("Juniors3", 3, D(4)),
                                ("Juniors4", 3, D(4))]
    assert standings.categories[0].round_scores[j.registrations[0].id] == (D(0), D(9))
    # The combined total is points of both rounds, neither a sum of places nor this round's Borda points.
    assert services.decided_by_label(j.contest, standings.categories[0].rows[0].standing) == "by the total"


# Settings -----------------------------------------------------------------------------------

def test_the_round_form_saves_the_scoring_and_the_rank_method(db, login_as, client, make_contest, make_round):
    login_as("organiser")
    contest = make_contest()
    round_ = make_round(contest, stage="final")
    url = f"/manage/contests/{contest.id}/rounds/{round_.id}"
    base = {"name_en": "Final", "position": "1", "stage": "final"}
    form_page = page(client.get(url, headers=EN))
    assert "What each juror gives" in form_page and "How the places are combined" in form_page
    response = client.post_form(url, base | {"scoring": "ranks", "rank_method": "bogus"}, headers=EN)
    assert response.status_code == 422 and "Not a valid choice" in page(response)
    assert client.post_form(url, base | {"scoring": "ranks", "rank_method": "borda"}).status_code == 302
    db.session.expire_all()
    assert (round_.scoring, round_.rank_method, round_.method) == ("ranks", "borda", "borda")
    overview = page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    assert "Borda count" in overview and "Places, 1 = best" in overview
    client.post_form(url, base | {"scoring": "points", "rank_method": "borda"})
    db.session.expire_all()
    assert (round_.scoring, round_.rank_method) == ("points", None)


def test_a_score_to_advance_is_refused_on_a_rank_sum_round(db, make_contest, make_round, make_user):
    contest = make_contest()
    qualifying = make_round(contest, stage="qualifying")
    with pytest.raises(ServiceError, match="best when lowest") as refusal:
        setup.update_part(qualifying, {"scoring": "ranks", "rank_method": "rank_sum", "advance_threshold": D(5)},
                          actor=make_user(role="organiser"))
    assert refusal.value.field == "advance_threshold"


def test_the_copy_of_a_contest_keeps_each_rounds_scoring(db, make_contest, make_round):
    source = make_contest()
    make_round(source, name_en="Qualifying", stage="qualifying", scoring="ranks", rank_method="borda")
    make_round(source, name_en="Final", stage="final")
    year = timedelta(days=365)
    copy = setup.copy_contest(source, actor=None, event_at=source.event_at + year,
                              registration_opens_at=source.registration_opens_at + year,
                              registration_closes_at=source.registration_closes_at + year)
    assert [(r.name_en, r.scoring, r.rank_method) for r in copy.rounds] == [
        ("Qualifying", "ranks", "borda"), ("Final", "points", None)]
