"""Penalties and bonuses outside the jury and the jury's ex aequo decisions, as organisers enter
them and as the standings, the published page, the protocol and the diplomas show them.

The judged fixture's category A has totals A1 19, A2 17, A3 15, A4 13 (mean of three jurors);
tiers: First degree (one winner), Second degree (one winner)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.certificates.awards import snapshot_awards
from contest.results import adjusting, services
from contest.results.models import Adjustment, ExAequoDecision

EN = {"Accept-Language": "en"}


def page(response) -> str:
    return response.get_data(as_text=True)


def outside_url(contest) -> str:
    return f"/manage/contests/{contest.id}/results/outside"


def add_points(client, contest, registration, points, reason="Overran the time limit by 40 seconds",
               kind="time_overrun"):
    return client.post_form(f"/manage/contests/{contest.id}/results/adjustments",
                            {"registration": registration.id, "kind": kind, "points": points, "reason": reason},
                            headers=EN)


def decide(client, contest, codes, *, next_tier="skip", reason="The jury found both readings equally strong",
           category=None, tier=None):
    return client.post_form(f"/manage/contests/{contest.id}/results/ex-aequo", {
        "decision-category": (category or contest.categories[0]).id,
        "decision-tier": (tier or contest.award_tiers[0]).id,
        "decision-codes": codes, "decision-next_tier": next_tier, "decision-reason": reason}, headers=EN)


def category_a(contest):
    standings = services.live_standings(contest, contest.rounds[0])
    return [(row.registration.code, row.standing.place, row.standing.score,
             row.award.name_en if row.award else None, row.ex_aequo) for row in standings.categories[0].rows]


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_penalty_and_a_bonus_move_entries_and_show_in_the_standings(db, judged, login_as, client):
    j = judged()
    a1, a2, a3, _a4 = j.registrations[:4]
    login_as("organiser")
    assert add_points(client, j.contest, a1, "-2,5").status_code == 302
    response = add_points(client, j.contest, a3, "0.5", reason="Objective: recited 40 lines", kind="objective")
    assert response.status_code == 302
    assert category_a(j.contest)[:3] == [
        (a2.code, 1, Decimal("17.00"), "First degree", False), (a1.code, 2, Decimal("16.50"), "Second degree", False),
        (a3.code, 3, Decimal("15.50"), None, False)]
    body = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    for text in ("Jury's score", "Penalties and bonuses", "-2.50", "+0.50"):
        assert text in body
    listing = page(client.get(outside_url(j.contest), headers=EN))
    assert "Overran the time limit by 40 seconds" in listing and "Time limit overrun" in listing
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "results.adjustment_add")).all()
    assert [(event.data["code"], event.data["points"]) for event in events] == [(a1.code, "-2.5"), (a3.code, "0.5")]


@pytest.mark.parametrize(("points", "reason", "message"), [
    ("abc", "Late", "Enter a number of points"),
    ("0", "Late", "Zero points change nothing"),
    ("-1.005", "Late", "At most 2 decimals"),
    ("1000001", "Late", "At most 100"),
    ("-1", "", "This field is required"),
])
def test_bad_points_are_refused_beside_the_field_and_nothing_is_written(db, judged, login_as, client, points, reason,
                                                                         message):
    j = judged()
    login_as("organiser")
    response = add_points(client, j.contest, j.registrations[0], points, reason=reason)
    assert response.status_code == 422 and message in page(response)
    assert count(db, Adjustment) == 0 and count(db, AuditEvent) == 0


def test_an_entry_of_another_contest_is_refused(db, judged, login_as, client):
    j, other = judged(), judged()
    login_as("organiser")
    response = add_points(client, j.contest, other.registrations[0], "-1")
    assert response.status_code == 422 and "Choose an approved entry of this contest" in page(response)


def test_removing_points_restores_the_places_and_is_audited(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    add_points(client, j.contest, j.registrations[0], "-3")
    adjustment = db.session.scalar(select(Adjustment))
    body = page(client.get(outside_url(j.contest), headers=EN))
    assert "data-confirm=\"Remove these points from" in body
    url = f"/manage/contests/{j.contest.id}/results/adjustments/{adjustment.id}/remove"
    assert client.post(url).status_code == 400  # no CSRF token
    assert client.post_form(url).status_code == 302
    assert count(db, Adjustment) == 0
    assert category_a(j.contest)[0][:2] == (j.registrations[0].code, 1)
    removed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "results.adjustment_remove"))
    assert removed.data["points"] == "-3.000" and removed.data["reason"]


def test_jurors_and_participants_cannot_open_or_change_anything(db, judged, login_as, client):
    j = judged()
    for role in ("juror", "participant"):
        login_as(role)
        assert client.get(outside_url(j.contest)).status_code == 403
        assert add_points(client, j.contest, j.registrations[0], "-1").status_code == 403
        assert decide(client, j.contest, "x, y").status_code == 403
    assert count(db, Adjustment) == 0 and count(db, ExAequoDecision) == 0


def test_an_ex_aequo_first_prize_skipping_the_second(db, judged, login_as, client):
    j = judged()
    a1, a2 = j.registrations[:2]
    login_as("organiser")
    assert decide(client, j.contest, f"{a1.code}, {a2.code.lower()}").status_code == 302
    assert category_a(j.contest)[:3] == [
        (a1.code, 1, Decimal("19.00"), "First degree", True), (a2.code, 2, Decimal("17.00"), "First degree", True),
        (j.registrations[2].code, 3, Decimal("15.00"), None, False)]
    body = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert "First degree (shared)" in body and "The next tier is not awarded." in body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "results.ex_aequo_add"))
    assert event.data["codes"] == [a1.code, a2.code] and event.data["skip_next"] is True


def test_an_ex_aequo_first_prize_keeping_the_second(db, judged, login_as, client):
    j = judged()
    a1, a2, a3 = j.registrations[:3]
    login_as("organiser")
    assert decide(client, j.contest, f"{a1.code},{a2.code}", next_tier="award").status_code == 302
    assert [row[3] for row in category_a(j.contest)] == ["First degree", "First degree", "Second degree", None]
    assert category_a(j.contest)[2][0] == a3.code


@pytest.mark.parametrize(("codes", "message"), [
    ("{a1}, {a3}", "must name the best entries not yet awarded"),
    ("{a1}", "Name at least two entries"),
    ("{a1}, NOPE-1", "No approved entry of this category has the code NOPE-1"),
    ("{a1}, {b1}", "No approved entry of this category"),
])
def test_a_decision_that_does_not_fit_is_refused_and_nothing_is_written(db, judged, login_as, client, codes, message):
    j = judged()
    names = {"a1": j.registrations[0].code, "a3": j.registrations[2].code, "b1": j.registrations[4].code}
    login_as("organiser")
    response = decide(client, j.contest, codes.format(**names))
    assert response.status_code == 422 and message in page(response)
    assert count(db, ExAequoDecision) == 0


def test_a_second_decision_on_the_same_tier_is_refused(db, judged, login_as, client):
    j = judged()
    codes = f"{j.registrations[0].code}, {j.registrations[1].code}"
    login_as("organiser")
    decide(client, j.contest, codes)
    response = decide(client, j.contest, codes)
    assert response.status_code == 422 and "already decided on this tier" in page(response)


def test_published_results_carry_both_to_the_public_page_the_protocol_and_the_diplomas(db, judged, login_as,
                                                                                       client):
    j = judged()
    a1, a2 = j.registrations[:2]
    login_as("organiser")
    add_points(client, j.contest, j.registrations[4], "-1", reason="Entry sent two days late", kind="late_entry")
    decide(client, j.contest, f"{a1.code}, {a2.code}")
    assert client.post_form(f"/manage/contests/{j.contest.id}/results/publish", {}, headers=EN).status_code == 302
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/manage/contests/{j.contest.id}/results/protocol-en.pdf").data)).pages)
    assert "Entry sent two days late" in text and "Late entry" in text
    assert "Ex aequo by the jury's decision: “First degree”" in text and "“Second degree” is not awarded." in text
    assert "The jury found both readings equally strong" in text and "First degree\n(shared)" in text
    kazakh = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(
        client.get(f"/manage/contests/{j.contest.id}/results/protocol-kk.pdf").data)).pages)
    assert "Entry sent two days late" in kazakh
    body = page(client.get(f"/contests/{j.contest.slug}/results?lang=en"))
    assert body.count("First degree (shared)") == 2 and "The jury found both readings equally strong" in body
    assert "Penalties and bonuses" in body and "18.00" in body  # B1: 19.00 from the jury, minus 1
    export = client.get(f"/manage/contests/{j.contest.id}/results/export.csv", headers=EN).get_data(as_text=True)
    assert "Jury's score" in export and "Penalties and bonuses" in export and "-1.00" in export
    shared = {award.registration.id: award.shared for award in snapshot_awards(j.contest)}
    assert shared[a1.id] and shared[a2.id] and not shared[j.registrations[5].id]
    # Published: nothing can change until the results are withdrawn.
    response = add_points(client, j.contest, a1, "-1")
    assert response.status_code == 422 and "only while the contest is in judging" in page(response)
    assert "These can be changed only while the contest is in judging." in page(client.get(outside_url(j.contest),
                                                                                             headers=EN))


def test_a_decision_that_no_longer_fits_stops_the_standings_with_an_explanation(db, judged, login_as, client):
    j = judged()
    a1, a2 = j.registrations[:2]
    login_as("organiser")
    decide(client, j.contest, f"{a1.code}, {a2.code}")
    add_points(client, j.contest, j.registrations[2], "5", kind="objective", reason="Objective score")
    body = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert "the standings have changed since, so review the decision" in body
    response = client.post_form(f"/manage/contests/{j.contest.id}/results/publish", {}, headers=EN)
    assert response.status_code == 422
    decision = db.session.scalar(select(ExAequoDecision))
    url = f"/manage/contests/{j.contest.id}/results/ex-aequo/{decision.id}/remove"
    assert client.post_form(url).status_code == 302 and count(db, ExAequoDecision) == 0
    assert "review the decision" not in page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))


def test_the_standings_with_adjustments_and_decisions_take_the_same_queries_for_any_field(
        db, judged, login_as, client, count_queries):
    user = login_as("organiser")
    counts = []
    for size in (3, 10):
        j = judged(entries_a=size, entries_b=size)
        for registration in j.registrations[2:]:
            adjusting.add_adjustment(j.contest, j.contest.rounds[0], registration_id=registration.id, kind="other",
                                     points="-0.5", reason="Constructed", actor=user)
        adjusting.decide_ex_aequo(j.contest, j.contest.rounds[0], category_id=j.contest.categories[0].id,
                                  tier_id=j.contest.award_tiers[0].id,
                                  codes=f"{j.registrations[0].code}, {j.registrations[1].code}", skip_next=True,
                                  reason="Constructed", actor=user)
        db.session.commit()
        for url in (f"/manage/contests/{j.contest.id}/results", outside_url(j.contest)):
            with count_queries() as log:
                assert client.get(url).status_code == 200
            counts.append(log.count)
    assert counts[:2] == counts[2:]


def test_another_contests_points_and_decisions_cannot_be_removed_through_this_contest(db, judged, login_as, client):
    j, other = judged(), judged()
    login_as("organiser")
    add_points(client, other.contest, other.registrations[0], "-1")
    decide(client, other.contest, f"{other.registrations[0].code}, {other.registrations[1].code}")
    adjustment, decision = db.session.scalar(select(Adjustment)), db.session.scalar(select(ExAequoDecision))
    for url in (f"/manage/contests/{j.contest.id}/results/adjustments/{adjustment.id}/remove",
                f"/manage/contests/{j.contest.id}/results/ex-aequo/{decision.id}/remove"):
        body = page(client.post_form(url, headers=EN, follow_redirects=True))
        assert "no longer exists" in body
    assert count(db, Adjustment) == 1 and count(db, ExAequoDecision) == 1
