"""Deleting a setup row that other records still refer to: the service refuses with a message
and deletes nothing; an IntegrityError that slips past the services becomes a 409 page in the
visitor's language, rolled back and logged, never a 500."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.contests import services, signals
from contest.contests.models import AwardTier, Category, Criterion, Round
from contest.errors import ServiceError
from contest.extensions import db as _db
from contest.judging import jury

EN = {"Accept-Language": "en"}
KK = {"Accept-Language": "kk"}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused(action) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        action()
    return caught.value


@pytest.mark.parametrize("status", ["registration_open", "withdrawn"])
def test_a_category_with_registrations_is_refused_whatever_their_status(db, make_registration, make_category,
                                                                        open_contest, status):
    contest = open_contest()
    make_category(contest)
    category = contest.categories[0]
    make_registration(contest, status="withdrawn" if status == "withdrawn" else "pending")
    error = refused(lambda: services.delete_part(category, actor=None))
    assert "Registrations have been made in this category (1" in str(error.message)
    assert count(db, Category) == 2


def test_a_category_without_registrations_is_deleted(db, open_contest, make_category, make_registration):
    contest = open_contest()
    spare = make_category(contest)
    make_registration(contest)  # in the first category
    services.delete_part(spare, actor=None)
    assert [category.id for category in contest.categories] == [contest.categories[0].id]


def test_a_category_a_juror_is_restricted_to_is_refused(db, open_contest, make_category, make_juror, make_user):
    contest = open_contest()
    category = make_category(contest)
    member = make_juror(contest, user=make_user(role="juror", name="Мұхтар Құлжанов"))
    jury.set_member_categories(member, [category], actor=None)
    error = refused(lambda: services.delete_part(category, actor=None))
    assert "Jurors score only this category: Мұхтар Құлжанов" in str(error.message)
    assert count(db, Category) == 2 and [c.id for c in member.categories] == [category.id]


def test_rounds_with_sheets_and_criteria_with_scores_are_refused_and_tiers_go(
        db, open_contest, make_round, make_award_tier, make_registration, make_juror, make_sheet):
    contest = open_contest(status="registration_closed")
    scored_round, spare_round, tier = make_round(contest), make_round(contest), make_award_tier(contest)
    criterion = contest.criteria[0]
    services.delete_part(tier, actor=None)  # nothing refers to a tier until results are published
    make_sheet(make_juror(contest), make_registration(contest, status="approved"), scored_round,
               points={criterion: 5})
    for part in (scored_round, spare_round, criterion):
        assert "Scoring has started" in str(refused(lambda part=part: services.delete_part(part, actor=None)).message)
    assert count(db, Round) == 2 and count(db, Criterion) == 1 and count(db, AwardTier) == 0


def test_deleting_a_category_with_registrations_over_http_says_why(client, login_as, open_contest, make_registration,
                                                                   make_category):
    contest = open_contest()
    make_category(contest)
    category = contest.categories[0]
    make_registration(contest)
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{contest.id}/categories/{category.id}/delete", headers=EN,
                                follow_redirects=True)
    assert response.status_code == 200
    assert "Registrations have been made in this category (1" in response.get_data(as_text=True)
    assert count(_db, Category) == 2


# The safety net at the mechanism ----------------------------------------------------------------

@pytest.fixture
def without_deletion_checks(monkeypatch):
    """As if the services had not foreseen the foreign key: the database alone refuses."""
    monkeypatch.setattr(signals.part_deleting, "is_muted", True)


def test_an_integrity_error_in_a_view_becomes_a_409_page_in_the_users_language(
        client, login_as, open_contest, make_registration, without_deletion_checks, caplog):
    contest = open_contest()
    category = contest.categories[0]
    make_registration(contest)
    login_as("organiser")
    events = count(_db, AuditEvent)
    with caplog.at_level(logging.WARNING):
        response = client.post_form(f"/manage/contests/{contest.id}/categories/{category.id}/delete", headers=KK)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Сақталмады" in body and "Ештеңе сақталмады" in body
    assert response.headers["Content-Security-Policy"]
    assert "Refused by a database constraint" in caplog.text
    assert count(_db, Category) == 1 and count(_db, AuditEvent) == events  # rolled back


def test_an_integrity_error_at_commit_becomes_a_409_page_too(client, login_as, open_contest, make_registration,
                                                            monkeypatch, caplog):
    contest = open_contest()
    category = contest.categories[0]
    make_registration(contest)
    login_as("organiser")

    def delete_without_flushing(part, *, actor):  # the DELETE reaches the database only at commit
        _db.session.delete(part)

    monkeypatch.setattr(services, "delete_part", delete_without_flushing)
    with caplog.at_level(logging.WARNING):
        response = client.post_form(f"/manage/contests/{contest.id}/categories/{category.id}/delete", headers=EN)
    assert response.status_code == 409
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert "Refused by a database constraint" in caplog.text
    assert count(_db, Category) == 1
