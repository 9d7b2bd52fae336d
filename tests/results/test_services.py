"""The results workflow's services: loading, standings, publishing and its refusals, snapshots."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from contest.audit.models import AuditEvent
from contest.contests import services as contests
from contest.errors import ServiceError
from contest.judging import services as judging
from contest.judging.models import Advancement, Conflict, Score
from contest.results import services
from contest.results.loading import load_panels
from contest.results.models import ResultSnapshot


def organiser(make_user):
    return make_user(role="organiser")


def test_standings_order_entries_by_weighted_total_per_category(db, judged, make_user):
    j = judged()
    standings = services.live_standings(j.contest, j.contest.rounds[0])
    juniors, seniors = standings.categories
    assert [row.registration.participant.surname for row in juniors.rows] == [
        "Juniors1", "Juniors2", "Juniors3", "Juniors4"]
    assert [row.standing.place for row in juniors.rows] == [1, 2, 3, 4]
    assert juniors.rows[0].standing.score == Decimal("19.00")  # 10 + 9, every juror alike
    assert juniors.rows[0].standing.jurors_counted == 3
    assert [row.award.name_en if row.award else None for row in seniors.rows] == ["First degree", "Second degree"]


def test_weights_are_summed_by_sql_and_conflicts_are_left_out(db, judged):
    j = judged(entries_b=0)
    j.criteria[0].weight = 2.0
    db.session.add(Conflict(member_id=j.jurors[0].id, registration_id=j.registrations[0].id, kind="declared",
                            reason="own pupil"))
    db.session.commit()
    standings = services.live_standings(j.contest, j.contest.rounds[0])
    first = standings.categories[0].rows[0].standing
    assert first.score == Decimal("29.00")  # 2 x 10 + 9
    assert first.jurors_counted == 2


def test_criteria_all_weighted_alike_still_multiply_the_points_in_sql(db, judged):
    # SQL skips the multiplication only when every weight is 1 (loading._weighted_sum).
    j = judged(entries_b=0)
    for criterion in j.criteria:
        criterion.weight = 2.0
    db.session.commit()
    first = services.live_standings(j.contest, j.contest.rounds[0]).categories[0].rows[0].standing
    assert first.score == Decimal("38.00")  # 2 x 10 + 2 x 9


def test_a_juror_recused_after_submitting_stops_counting(db, judged, make_user):
    j = judged(entries_b=0)
    first = j.registrations[0]
    assert services.live_standings(j.contest, j.contest.rounds[0]).categories[0].rows[0].standing.jurors_counted == 3
    judging.recuse_juror(j.jurors[0], first, reason="Found out she is his teacher", actor=organiser(make_user))
    db.session.commit()
    standing = services.live_standings(j.contest, j.contest.rounds[0]).categories[0].rows[0].standing
    assert standing.jurors_counted == 2 and standing.score == Decimal("19.00")


def test_only_submitted_sheets_of_members_who_are_not_honorary_count(db, judged, make_juror, make_sheet):
    j = judged(entries_b=0, submit_all=False)  # the last juror's sheets are drafts
    honorary = make_juror(j.contest, is_honorary=True)
    make_sheet(honorary, j.registrations[0], points={j.criteria[0]: 0, j.criteria[1]: 0}, status="submitted")
    standing = services.live_standings(j.contest, j.contest.rounds[0]).categories[0].rows[0].standing
    assert standing.jurors_counted == 2 and standing.score == Decimal("19.00")


def test_loading_takes_the_same_number_of_queries_for_any_field(db, judged, count_queries):
    small = judged(entries_a=2, entries_b=1)
    with count_queries() as few:
        services.live_standings(small.contest, small.contest.rounds[0])
    large = judged(entries_a=12, entries_b=8)
    with count_queries() as many:
        services.live_standings(large.contest, large.contest.rounds[0])
    # The standings (with adjustments and ex aequo decisions), and the contest setup loaded on the way.
    assert few.count == many.count <= 12


def test_tie_break_criterion_scores_are_the_only_raw_scores_fetched(db, judged):
    j = judged()
    j.contest.tie_break_rules = [f"criterion:{j.criteria[1].id}"]
    db.session.commit()
    panels = load_panels(j.contest, j.contest.rounds[0])
    assert {row[2] for panel in panels.panels.values() for row in panel.scores} == {j.criteria[1].id}


def test_publishing_freezes_a_snapshot_and_moves_the_status(db, judged, make_user):
    j = judged()
    actor = organiser(make_user)
    snapshot = services.publish_results(j.contest, actor=actor)
    assert j.contest.status == "results_published"
    assert snapshot.published_by_id == actor.id
    rows = snapshot.data["categories"][0]["rows"]
    assert [row["place"] for row in rows] == [1, 2, 3, 4]
    assert rows[0]["award_name"]["en"] == "First degree"
    assert [event.action for event in db.session.scalars(select(AuditEvent))][-2:] == [
        "results.publish", "contest.status"]


def test_a_later_score_change_does_not_alter_the_snapshot(db, judged, make_user):
    j = judged()
    snapshot = services.publish_results(j.contest, actor=organiser(make_user))
    before = snapshot.data
    for score in db.session.scalars(select(Score)):
        score.points = Decimal(0)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ResultSnapshot, snapshot.id).data == before


def test_missing_sheets_need_a_reason_and_nothing_is_written(db, judged, make_user):
    j = judged(submit_all=False)
    actor = organiser(make_user)
    with pytest.raises(services.MissingSheetsError) as refusal:
        services.publish_results(j.contest, actor=actor)
    assert len(refusal.value.missing) == 6  # the last juror's six drafts
    assert refusal.value.missing[0].state == "draft"
    assert db.session.scalar(select(ResultSnapshot)) is None and j.contest.status == "judging"
    snapshot = services.publish_results(j.contest, actor=actor, reason="The juror fell ill; chair agreed.")
    assert snapshot.missing_sheets == 6 and snapshot.publish_reason.startswith("The juror")


def test_prizes_above_the_fund_are_refused(db, judged, make_user):
    j = judged(prize_fund=200_000)  # two categories x 150 000 = 300 000
    with pytest.raises(ServiceError, match="more than the prize fund"):
        services.publish_results(j.contest, actor=organiser(make_user))
    assert j.contest.status == "judging" and db.session.scalar(select(ResultSnapshot)) is None


def test_only_organisers_publish_and_only_while_judging(db, judged, make_user):
    j = judged()
    with pytest.raises(ServiceError):
        services.publish_results(j.contest, actor=make_user(role="juror"))
    j.contest.status = "registration_closed"
    with pytest.raises(ServiceError, match="only while the contest is in judging"):
        services.publish_results(j.contest, actor=organiser(make_user))


def test_the_status_button_cannot_skip_the_snapshot_once_scored(db, judged, make_user):
    j = judged()
    with pytest.raises(ServiceError, match="results page"):
        contests.change_status(j.contest, "results_published", actor=organiser(make_user))


def test_unpublishing_needs_a_reason_and_returns_to_judging(db, judged, make_user):
    j = judged()
    actor = organiser(make_user)
    snapshot = services.publish_results(j.contest, actor=actor)
    with pytest.raises(ServiceError, match="Say why"):
        services.unpublish_results(j.contest, reason="  ", actor=actor)
    with pytest.raises(ServiceError, match="results page"):
        contests.change_status(j.contest, "judging", actor=actor)
    services.unpublish_results(j.contest, reason="A score was typed wrong.", actor=actor)
    assert j.contest.status == "judging" and snapshot.retired_at is not None
    assert services.current_snapshot(j.contest.id) is None
    assert db.session.scalars(select(AuditEvent.action)).all()[-2:] == ["results.unpublish", "contest.status"]
    second = services.publish_results(j.contest, actor=actor)
    assert second.id != snapshot.id


def test_consent_decides_whether_the_name_is_public(db, judged, make_user):
    j = judged()
    rows = services.publish_results(j.contest, actor=organiser(make_user)).data["categories"][0]["rows"]
    hidden = rows[2]
    assert hidden["named"] is False
    assert services.public_name(hidden) == f"Participant {hidden['code']}"
    assert services.public_name(rows[0]) == rows[0]["name"]


def test_advancement_marks_the_best_of_each_category(db, judged, make_user, make_round):
    j = judged()
    qualifying = j.contest.rounds[0]
    qualifying.stage, qualifying.advance_count = "qualifying", 2
    db.session.commit()
    assert services.mark_advancement(j.contest, qualifying, actor=organiser(make_user)) == 4
    advanced = set(db.session.scalars(select(Advancement.registration_id)))
    assert advanced == {j.registrations[0].id, j.registrations[1].id, j.registrations[4].id, j.registrations[5].id}


def test_advancement_needs_a_qualifying_round(db, judged, make_user):
    j = judged()
    with pytest.raises(ServiceError, match="qualifying"):
        services.mark_advancement(j.contest, j.contest.rounds[0], actor=organiser(make_user))


def test_agreement_gives_kendalls_w_and_a_chart_per_criterion(db, judged):
    j = judged()
    juniors = services.agreement(j.contest, j.contest.rounds[0])[0]
    assert juniors.concordance.w == pytest.approx(1.0)
    assert len(juniors.jurors) == 3 and not any(item.diverges for _member, item in juniors.jurors)
    assert len(juniors.charts) == 2 and juniors.charts[0][1].startswith("<svg")
