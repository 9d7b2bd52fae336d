"""The demo's past contests (Aqynfest 2022, Shakarim 2023) have real published results, lived
through the services."""

from __future__ import annotations

from sqlalchemy import select

from contest.contests.demo import AQYNFEST_2022_SLUG, SHAKARIM_SLUG
from contest.contests.models import Contest
from contest.contests.services import contest_by_slug
from contest.results import services

EN = {"Accept-Language": "en"}


def test_the_demo_publishes_aqynfest_2022_with_winners_on_the_public_page(app, db, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    contest = contest_by_slug(AQYNFEST_2022_SLUG)
    assert contest.status == "results_published"
    snapshot = services.current_snapshot(contest.id)
    assert snapshot.published_at.year == 2022 and snapshot.missing_sheets == 0
    winners = [row for category in snapshot.data["categories"] for row in category["rows"] if row["place"] == 1]
    assert [row["name"] for row in winners] == ["Сейітова Аяулым", "Қайратұлы Ерасыл"]

    body = client.get(f"/contests/{AQYNFEST_2022_SLUG}/results", headers=EN).get_data(as_text=True)
    assert "Grand Prix" in body and "Incentive prize" in body
    assert "Сейітова Аяулым" in body and "Қайратұлы Ерасыл" in body
    assert "+7 701 555 21 01" not in body and "Сейітова Гүлмира" not in body  # no minor's contacts


def test_every_demo_contest_with_results_published_has_a_results_page_with_standings(app, db, client):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    published = db.session.scalars(select(Contest).where(Contest.status == "results_published")).all()
    assert {contest.slug for contest in published} >= {AQYNFEST_2022_SLUG, SHAKARIM_SLUG}
    home = client.get("/", headers=EN).get_data(as_text=True)
    for contest in published:
        assert f"/contests/{contest.slug}" in home  # under "Recently published results"
        response = client.get(f"/contests/{contest.slug}/results", headers=EN)
        assert response.status_code == 200, contest.slug
        body = response.get_data(as_text=True)
        assert "<table" in body and "Place" in body, contest.slug
        snapshot = services.current_snapshot(contest.id)
        first = snapshot.data["categories"][0]["rows"][0]
        assert first["place"] == 1 and first["name"] in body, contest.slug


def test_the_shakarim_demo_ranks_pupils_in_both_grade_groups_without_their_guardians(app, db, client):
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    db.session.expire_all()
    contest = contest_by_slug(SHAKARIM_SLUG)
    snapshot = services.current_snapshot(contest.id)
    assert snapshot.published_at.year == 2023 and snapshot.missing_sheets == 0
    assert [len(category["rows"]) for category in snapshot.data["categories"]] == [4, 4]
    body = client.get(f"/contests/{SHAKARIM_SLUG}/results", headers=EN).get_data(as_text=True)
    assert "First-degree diploma" in body
    assert "Ермекова Динара" not in body and "+7 701 555 41 01" not in body
