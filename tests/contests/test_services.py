"""Contest rules: creation and validation, slugs, the status flow and its guards, copying."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.contests import services
from contest.contests.demo import AQYNFEST_2022_SLUG, AQYNFEST_NEXT_SLUG, SHAKARIM_SLUG, load_contests
from contest.contests.models import AwardTier, Category, Contest, Criterion, Round
from contest.errors import ServiceError
from contest.i18n import localized

OPENS = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


def contest_data(**values):
    data = {"title_en": "Young poets", "kind": "writing", "level": "city", "registration_opens_at": OPENS,
            "registration_closes_at": OPENS + timedelta(days=30), "event_at": OPENS + timedelta(days=40)}
    return data | values


def count(model) -> int:
    from contest.extensions import db
    return db.session.scalar(select(func.count()).select_from(model))


def refused(action, field=None) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        action()
    if field is not None:
        assert caught.value.field == field
    return caught.value


def test_new_contest_is_a_draft_with_a_final_round_and_criteria_for_its_kind(db, make_user):
    organiser = make_user(role="organiser")
    writing = services.create_contest(contest_data(), actor=organiser)
    recitation = services.create_contest(contest_data(kind="recitation"), actor=organiser)
    assert writing.status == "draft"
    assert [r.name_en for r in writing.rounds] == ["Final"]
    assert [c.name_en for c in writing.criteria] == ["Content", "Originality", "Form", "Language"]
    assert [c.name_en for c in recitation.criteria] == ["Memorisation", "Expressiveness", "Diction", "Stage presence"]
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "contest.create")) == organiser.id


def test_default_criteria_can_be_left_out(db):
    contest = services.create_contest(contest_data(), actor=None, with_default_criteria=False)
    assert contest.criteria == []


def test_slug_is_made_from_the_title_and_year_and_never_clashes(db):
    first = services.create_contest(contest_data(title_en="", title_kk="Сөз сынап, өлең өлшемек"), actor=None)
    second = services.create_contest(contest_data(title_en="", title_kk="Сөз сынап, өлең өлшемек"), actor=None)
    assert first.slug == "soz-synap-olen-olshemek-2026"
    assert second.slug == "soz-synap-olen-olshemek-2026-2"


def test_a_chosen_slug_that_is_taken_or_malformed_is_refused(db):
    services.create_contest(contest_data(slug="aqynfest-2026"), actor=None)
    error = refused(lambda: services.create_contest(contest_data(slug="aqynfest-2026"), actor=None), "slug")
    assert "already uses this address" in str(error.message)
    refused(lambda: services.create_contest(contest_data(slug="Aqyn fest!"), actor=None), "slug")
    assert count(Contest) == 1


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"registration_closes_at": OPENS - timedelta(hours=1)}, "registration_closes_at", "close after it opens"),
    ({"event_at": OPENS + timedelta(days=2)}, "event_at", "before registration closes"),
    ({"capacity": -5}, "capacity", "at least 1"),
    ({"min_grade": 7, "max_grade": 5}, "max_grade", "upper limit"),
    ({"prize_fund": -1}, "prize_fund", "cannot be negative"),
    ({"kind": "dance"}, "kind", "offered options"),
    ({"aggregation": "max"}, "aggregation", "offered options"),
    ({"title_en": "  "}, "title_kk", "title in at least one language"),
    ({"tie_break_rules": ["coin_toss"]}, "tie_break_rules", "Unknown tie-break rule"),
    ({"tie_break_rules": ["shared", "chair_total"]}, "tie_break_rules", "last rule"),
])
def test_bad_contest_data_is_refused_with_a_clear_message_and_nothing_is_written(db, values, field, message):
    error = refused(lambda: services.create_contest(contest_data(**values), actor=None), field)
    assert message in str(error.message)
    assert count(Contest) == 0


def test_tie_break_rules_may_name_the_contests_own_criteria(db):
    contest = services.create_contest(contest_data(), actor=None)
    rule = f"criterion:{contest.criteria[1].id}"
    services.update_contest(contest, contest_data(tie_break_rules=[rule, "chair_total", "shared"]), actor=None)
    assert contest.tie_break_rules == [rule, "chair_total", "shared"]
    refused(lambda: services.update_contest(contest, contest_data(tie_break_rules=["criterion:99999"]), actor=None),
            "tie_break_rules")
    error = refused(lambda: services.delete_part(contest.criteria[1], actor=None))
    assert "tie-break" in str(error.message)


@pytest.mark.parametrize(("values", "field"), [
    ({"max_score": 0}, "max_score"),
    ({"weight": -1.0}, "weight"),
    ({"step": 20.0}, "step"),
    ({"name_en": "", "name_kk": ""}, "name_kk"),
])
def test_bad_criteria_are_refused_and_nothing_is_written(db, make_contest, values, field):
    contest = make_contest()
    data = {"name_en": "Imagery", "max_score": 10, "step": 1.0, "weight": 1.0} | values
    refused(lambda: services.add_part(contest, Criterion, data, actor=None), field)
    assert count(Criterion) == 0


def test_a_refused_edit_leaves_the_criterion_as_it_was(db, make_contest, make_criterion):
    criterion = make_criterion(make_contest(), max_score=10, weight=2.0)
    refused(lambda: services.update_part(criterion, {"weight": -3.0}, actor=None), "weight")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Criterion, criterion.id).weight == 2.0


def test_new_parts_go_to_the_end_of_their_list(db, make_contest):
    contest = make_contest()
    first = services.add_part(contest, Category, {"name_en": "Ages 10-13"}, actor=None)
    second = services.add_part(contest, Category, {"name_ru": "14–17 лет"}, actor=None)
    assert (first.position, second.position) == (1, 2)


def test_award_tiers_cannot_exceed_the_prize_fund(db, make_contest):
    contest = make_contest(prize_fund=500_000)
    tier = {"name_en": "First place", "winners_count": 2, "prize_amount": 200_000, "document_kind": "winner_diploma"}
    services.add_part(contest, AwardTier, tier, actor=None)
    error = refused(lambda: services.add_part(contest, AwardTier, tier, actor=None), "prize_amount")
    assert "500" in str(error.message)
    assert count(AwardTier) == 1


def test_prizes_count_once_per_category_against_the_fund(db, make_contest, make_category):
    contest = make_contest(prize_fund=500_000)
    make_category(contest)
    make_category(contest)  # two age groups, each awarded separately: 2 x 200,000 fits, 2 x 300,000 does not
    tier = {"name_en": "First place", "winners_count": 1, "prize_amount": 200_000, "document_kind": "winner_diploma"}
    services.add_part(contest, AwardTier, tier, actor=None)
    error = refused(lambda: services.add_part(contest, AwardTier, {**tier, "prize_amount": 100_000}, actor=None),
                    "prize_amount")
    assert "every category" in str(error.message)
    assert count(AwardTier) == 1


def test_registration_cannot_open_without_a_category_and_a_criterion(db, make_contest, make_user):
    organiser = make_user(role="organiser")
    contest = services.create_contest(contest_data(), actor=organiser, with_default_criteria=False)
    services.change_status(contest, "published", actor=organiser)
    assert "category" in str(refused(lambda: services.change_status(contest, "registration_open", actor=None)).message)
    services.add_part(contest, Category, {"name_en": "Open"}, actor=organiser)
    assert "criterion" in str(refused(lambda: services.change_status(contest, "registration_open",
                                                                     actor=None)).message)
    services.add_part(contest, Criterion, {"name_en": "Imagery", "max_score": 10, "step": 1.0, "weight": 1.0},
                      actor=organiser)
    services.change_status(contest, "registration_open", actor=organiser)
    assert contest.status == "registration_open"
    history = [(c.from_status, c.to_status, c.actor_id) for c in contest.status_changes]
    assert history == [("draft", "published", organiser.id), ("published", "registration_open", organiser.id)]
    assert all(change.at.tzinfo is not None for change in contest.status_changes)


@pytest.mark.parametrize(("status", "target"), [("draft", "judging"), ("draft", "results_published"),
                                                ("archived", "published"), ("registration_open", "draft")])
def test_moves_outside_the_flow_are_refused(db, make_contest, status, target):
    contest = make_contest(status=status)
    error = refused(lambda: services.change_status(contest, target, actor=None))
    assert "cannot move" in str(error.message)
    assert contest.status == status and contest.status_changes == []


def test_an_unknown_status_is_refused(db, make_contest):
    refused(lambda: services.change_status(make_contest(), "finished", actor=None))


def test_setup_freezes_once_judging_starts(db, make_contest, make_category, make_criterion):
    contest = make_contest(status="registration_closed")
    make_category(contest)
    criterion = make_criterion(contest)
    make_round_values = {"name_en": "Final", "stage": "final"}
    services.add_part(contest, Round, make_round_values, actor=None)
    services.change_status(contest, "judging", actor=None)
    refused(lambda: services.add_part(contest, Criterion, {"name_en": "Late", "max_score": 5}, actor=None))
    refused(lambda: services.update_part(criterion, {"max_score": 50}, actor=None))
    refused(lambda: services.delete_part(criterion, actor=None))
    assert criterion.max_score == 10


def test_results_are_published_only_through_a_snapshot_and_then_the_contest_can_be_archived(
        db, make_contest, make_award_tier):
    contest = make_contest(status="judging")
    assert "award tier" in str(refused(lambda: services.change_status(contest, "results_published",
                                                                      actor=None)).message)
    make_award_tier(contest)
    # Not even a contest judged on paper, with no score sheet here: the status button would
    # promise a results page that does not exist (publish_results writes the snapshot first).
    error = refused(lambda: services.change_status(contest, "results_published", actor=None))
    assert "Publish the results from the contest's results page" in str(error.message)
    assert contest.status == "judging" and contest.status_changes == []
    contest = make_contest(status="results_published")
    services.change_status(contest, "archived", actor=None)
    assert services.allowed_moves(contest) == []
    refused(lambda: services.update_contest(contest, contest_data(), actor=None))


def test_copy_makes_next_years_draft_with_the_whole_setup(db, make_user):
    organiser = make_user(role="organiser")
    source = services.create_contest(contest_data(title_en="Aqynfest 2026", title_ru="Aqynfest 2026",
                                                  prize_fund=1_850_000, min_age=14, max_age=29), actor=organiser)
    services.add_part(source, Category, {"name_en": "Ages 14-18"}, actor=organiser)
    services.add_part(source, AwardTier, {"name_en": "Grand Prix", "winners_count": 1, "prize_amount": 300_000,
                                          "document_kind": "winner_diploma"}, actor=organiser)
    services.update_contest(source, contest_data(
        title_en="Aqynfest 2026", title_ru="Aqynfest 2026", prize_fund=1_850_000, min_age=14, max_age=29,
        tie_break_rules=[f"criterion:{source.criteria[0].id}", "shared"]), actor=organiser)
    services.change_status(source, "published", actor=organiser)
    year = timedelta(days=365)

    copy = services.copy_contest(source, actor=organiser, event_at=source.event_at + year,
                                 registration_opens_at=source.registration_opens_at + year,
                                 registration_closes_at=source.registration_closes_at + year)

    assert copy.status == "draft" and copy.id != source.id
    assert (copy.title_en, copy.title_ru, copy.slug) == ("Aqynfest 2027 (copy)", "Aqynfest 2027 (копия)",
                                                         "aqynfest-2027")
    assert (copy.prize_fund, copy.min_age, copy.max_age) == (1_850_000, 14, 29)
    assert [c.name_en for c in copy.categories] == ["Ages 14-18"]
    assert [c.name_en for c in copy.criteria] == [c.name_en for c in source.criteria]
    assert [(t.name_en, t.prize_amount) for t in copy.award_tiers] == [("Grand Prix", 300_000)]
    assert copy.tie_break_rules == [f"criterion:{copy.criteria[0].id}", "shared"]
    assert len(source.categories) == 1 and source.status == "published"


def test_copy_checks_the_new_dates(db, make_contest):
    source = make_contest()
    refused(lambda: services.copy_contest(source, actor=None, event_at=OPENS, registration_opens_at=OPENS,
                                          registration_closes_at=OPENS - timedelta(days=1)), "registration_closes_at")
    assert count(Contest) == 1


def test_demo_contests_follow_the_seed_and_load_once(db):
    load_contests()
    load_contests()
    assert count(Contest) == 3
    shakarim = services.contest_by_slug(SHAKARIM_SLUG)
    assert (shakarim.min_grade, shakarim.max_grade, shakarim.kind) == (5, 7, "recitation")
    assert shakarim.event_at.astimezone(services.LOCAL_ZONE).strftime("%m-%d") == "02-20"
    assert "165" in shakarim.dedication_en
    aqynfest = services.contest_by_slug(AQYNFEST_2022_SLUG)
    assert aqynfest.prize_fund == 1_850_000
    assert services.prize_total(aqynfest.award_tiers, aqynfest) <= aqynfest.prize_fund
    assert aqynfest.event_at.astimezone(services.LOCAL_ZONE).strftime("%Y-%m-%d") == "2022-09-20"
    assert "Alatau Creative Hub" in aqynfest.venue_en and "83" in aqynfest.description_en
    assert services.contest_by_slug(AQYNFEST_NEXT_SLUG).status == "registration_open"


def test_texts_fall_back_to_a_filled_language_even_for_an_unknown_one(db, make_contest):
    contest = make_contest(title_kk="", title_ru="Конкурс чтецов", title_en="")
    assert localized(contest, "title", "xx") == "Конкурс чтецов"
    assert localized(contest, "title", "kk") == "Конкурс чтецов"


def test_status_moves_put_the_next_step_first_and_name_the_steps_back(make_contest):
    closed = make_contest(status="registration_closed")
    moves = services.status_moves(closed)
    assert [(move.target.value, move.is_forward) for move in moves] == [("judging", True), ("registration_open", False)]
    assert [move.label for move in moves] == ["Start judging", "Reopen registration"]
    published = make_contest(status="results_published")
    assert [(move.label, move.is_forward) for move in services.status_moves(published)] == [
        ("Archive", True), ("Reopen judging", False)]
    assert services.status_moves(make_contest(status="draft"))[0].question == (
        "Publish the announcement? The contest page becomes visible to everyone.")
