"""The demo's Aqynfest 2022 has real published results, lived through the services."""

from __future__ import annotations

from contest.contests.demo import AQYNFEST_2022_SLUG
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
