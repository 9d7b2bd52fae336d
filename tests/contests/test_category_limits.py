"""A category's limits in the organiser's setup (form, service, database, migration) and what a
copy of a contest takes along: limits, a title marked as a copy, suggested dates in the future."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from contest import create_app
from contest.contests import services
from contest.contests.demo import AQYNFEST_NEXT_SLUG, SHAKARIM_SLUG, load_contests
from contest.contests.models import Category, Contest
from contest.errors import ServiceError
from contest.extensions import db as _db
from contest.i18n import LOCAL_ZONE
from tests.databases import fresh_database_url

EN = {"Accept-Language": "en"}
KK = {"Accept-Language": "kk"}
LIMITS_REVISION = "4faefaa397e9"


def page(response) -> str:
    return response.get_data(as_text=True)


def categories(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Category))


# The category form ---------------------------------------------------------------------------------

def test_the_category_form_saves_the_limits(client, db, login_as, make_contest):
    contest = make_contest()
    login_as("organiser")
    form = page(client.get(f"/manage/contests/{contest.id}/categories/new", headers=KK))
    for label in ("Байқау күнгі ең кіші жас", "Байқау күнгі ең үлкен жас", "Ең төменгі сынып", "Ең жоғары сынып"):
        assert label in form
    response = client.post_form(f"/manage/contests/{contest.id}/categories/new", {
        "name_kk": "5–6-сыныптар", "min_grade": "5", "max_grade": "6", "min_age": "", "max_age": "12"})
    assert response.status_code == 302
    category = db.session.scalar(select(Category))
    assert (category.min_age, category.max_age, category.min_grade, category.max_grade) == (None, 12, 5, 6)
    overview = page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    assert "age on the event day: at most 12; grade: 5 – 6" in overview


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"min_age": "19", "max_age": "18"}, "max_age", "The upper limit must not be below the lower one."),
    ({"min_grade": "7", "max_grade": "5"}, "max_grade", "The upper limit must not be below the lower one."),
    ({"max_age": "130"}, "max_age", "Enter a whole number from 0 to 100."),
    ({"min_grade": "0"}, "min_grade", "Enter a whole number from 1 to 12."),
    ({"min_age": "-1"}, "min_age", "Enter a whole number from 0 to 100."),
])
def test_the_category_form_refuses_bad_limits_beside_the_field(client, db, login_as, make_contest, values, field,
                                                               message):
    contest = make_contest()
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{contest.id}/categories/new", {"name_en": "Ages", **values},
                                headers=EN)
    assert response.status_code == 422
    assert f'id="{field}-error" class="invalid-feedback">{message}' in page(response)
    assert categories(db) == 0


def test_the_service_refuses_bad_limits_too(db, make_contest, make_category):
    contest = make_contest()
    with pytest.raises(ServiceError) as refused:
        services.add_part(contest, Category, {"name_en": "Ages", "min_age": 19, "max_age": 18}, actor=None)
    assert refused.value.field == "max_age"
    with pytest.raises(ServiceError) as refused:
        services.add_part(contest, Category, {"name_en": "Grades", "max_grade": 13}, actor=None)
    assert refused.value.field == "max_grade"
    category = make_category(contest, min_age=14, max_age=18)
    with pytest.raises(ServiceError):
        services.update_part(category, {"min_age": 20}, actor=None)
    assert (category.min_age, category.max_age) == (14, 18)


def test_the_database_refuses_a_reversed_range(db, make_contest):
    contest = make_contest()
    db.session.add(Category(contest=contest, name_en="Broken", min_grade=7, max_grade=5))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_public_page_shows_the_limits(client, make_contest, make_category):
    contest = make_contest(status="published")
    make_category(contest, name_en="Ages 14–18", min_age=14, max_age=18)
    assert "Ages 14–18 <span class=\"text-body-secondary\">(age on the event day: 14 – 18)</span>" in page(
        client.get(f"/contests/{contest.slug}", headers=EN))


# Copying a contest ---------------------------------------------------------------------------------

def test_a_copy_is_marked_in_every_language_and_keeps_the_limits(db, make_contest, make_category):
    source = make_contest(title_kk="«Сөз сынап, өлең өлшемек» қалалық іріктеу байқауы",
                          title_ru="Конкурс чтецов «Сөз сынап»", title_en="Aqynfest 2022",
                          event_at=datetime(2022, 9, 20, 10, tzinfo=UTC),
                          registration_opens_at=datetime(2022, 6, 1, tzinfo=UTC),
                          registration_closes_at=datetime(2022, 8, 1, tzinfo=UTC))
    make_category(source, name_en="Grades 5–6", min_grade=5, max_grade=6)
    make_category(source, name_en="Ages 19–29", min_age=19, max_age=29)
    copy = services.copy_contest(source, actor=None, **services.suggested_copy_dates(source))
    assert copy.title_kk == "«Сөз сынап, өлең өлшемек» қалалық іріктеу байқауы (көшірме)"
    assert copy.title_ru == "Конкурс чтецов «Сөз сынап» (копия)"
    assert copy.title_en.endswith(" (copy)") and copy.slug.startswith("aqynfest-")
    assert "copy" not in copy.slug
    assert [(c.name_en, c.min_age, c.max_age, c.min_grade, c.max_grade) for c in copy.categories] == [
        ("Grades 5–6", None, None, 5, 6), ("Ages 19–29", 19, 29, None, None)]


def test_an_empty_title_stays_empty_and_a_long_one_still_fits(db, make_contest):
    source = make_contest(title_kk="", title_en="A" * 300)
    copy = services.copy_contest(source, actor=None, **services.suggested_copy_dates(source))
    assert copy.title_kk == ""
    assert len(copy.title_en) == 300 and copy.title_en.endswith("A (copy)")


def test_suggested_dates_move_on_by_whole_years_into_the_future(make_contest):
    source = make_contest(registration_opens_at=datetime(2022, 6, 1, 9, tzinfo=LOCAL_ZONE),
                          registration_closes_at=datetime(2022, 8, 15, 18, tzinfo=LOCAL_ZONE),
                          event_at=datetime(2022, 9, 20, 15, tzinfo=LOCAL_ZONE))
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    dates = services.suggested_copy_dates(source, now=now)
    # The same Almaty clock time (Almaty moved from UTC+6 to UTC+5 in 2024 in between).
    assert dates == {"registration_opens_at": datetime(2027, 6, 1, 9, tzinfo=LOCAL_ZONE),
                     "registration_closes_at": datetime(2027, 8, 15, 18, tzinfo=LOCAL_ZONE),
                     "event_at": datetime(2027, 9, 20, 15, tzinfo=LOCAL_ZONE)}
    # A contest whose registration opens later this year moves on by one year, not to this year.
    recent = make_contest(registration_opens_at=datetime(2026, 12, 20, 9, tzinfo=LOCAL_ZONE),
                          registration_closes_at=datetime(2027, 1, 20, 9, tzinfo=LOCAL_ZONE),
                          event_at=datetime(2027, 2, 20, 9, tzinfo=LOCAL_ZONE))
    assert services.suggested_copy_dates(recent, now=now)["event_at"] == datetime(2028, 2, 20, 9, tzinfo=LOCAL_ZONE)


def test_a_29_february_becomes_28_february():
    class Source:
        registration_opens_at = datetime(2024, 2, 29, 4, tzinfo=UTC)
        registration_closes_at = datetime(2024, 3, 10, 4, tzinfo=UTC)
        event_at = datetime(2024, 3, 20, 4, tzinfo=UTC)

    dates = services.suggested_copy_dates(Source, now=datetime(2024, 12, 1, tzinfo=UTC))
    assert dates["registration_opens_at"].astimezone(LOCAL_ZONE).date().isoformat() == "2025-02-28"


def test_the_copy_page_suggests_the_dates_and_the_copy_is_marked(client, db, login_as, make_contest,
                                                                 make_category):
    source = make_contest(status="results_published", title_en="Aqynfest 2022", title_kk="Aqynfest 2022 байқауы",
                          registration_opens_at=datetime(2022, 6, 1, 9, tzinfo=LOCAL_ZONE),
                          registration_closes_at=datetime(2022, 8, 1, 18, tzinfo=LOCAL_ZONE),
                          event_at=datetime(2022, 9, 20, 15, tzinfo=LOCAL_ZONE))
    make_category(source, name_en="Ages 14–18", min_age=14, max_age=18)
    login_as("organiser")
    form = page(client.get(f"/manage/contests/{source.id}/copy", headers=EN))
    suggested = services.suggested_copy_dates(source)
    year = suggested["event_at"].astimezone(LOCAL_ZONE).year
    assert suggested["registration_opens_at"] > datetime.now(UTC)
    assert f'value="{year}-09-20T15:00"' in form and f'value="{year - 1}-06-01T09:00"' not in form
    response = client.post_form(f"/manage/contests/{source.id}/copy", {
        "registration_opens_at": f"{year}-06-01T09:00", "registration_closes_at": f"{year}-08-01T18:00",
        "event_at": f"{year}-09-20T15:00"})
    assert response.status_code == 302
    copy = db.session.scalar(select(Contest).where(Contest.id != source.id))
    assert (copy.title_en, copy.title_kk) == (f"Aqynfest {year} (copy)", f"Aqynfest {year} байқауы (көшірме)")
    assert [(c.min_age, c.max_age) for c in copy.categories] == [(14, 18)]


# Demo data -----------------------------------------------------------------------------------------

def test_the_demo_categories_carry_the_seeds_limits(db):
    load_contests()
    shakarim = services.contest_by_slug(SHAKARIM_SLUG)
    assert [(c.name_en, c.min_grade, c.max_grade) for c in shakarim.categories] == [
        ("Grades 5–6", 5, 6), ("Grade 7", 7, 7)]
    edition = services.contest_by_slug(AQYNFEST_NEXT_SLUG)
    assert [(c.name_en, c.min_age, c.max_age) for c in edition.categories] == [
        ("Ages 14–18", 14, 18), ("Ages 19–29", 19, 29)]
    assert edition.title_en == "Aqynfest 2027: republican contest of young poets"  # the copy's marker dropped


# The migration -------------------------------------------------------------------------------------

def test_the_migration_keeps_existing_categories_without_limits_and_guards_new_ones():
    url, drop = fresh_database_url()
    try:
        scratch = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with scratch.app_context():
            upgrade(revision=f"{LIMITS_REVISION}-1")
            with _db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO contest (slug, status, kind, level, title_kk, title_ru, title_en, description_kk, "
                    "description_ru, description_en, rules_kk, rules_ru, rules_en, dedication_kk, dedication_ru, "
                    "dedication_en, venue_kk, venue_ru, venue_en, event_at, registration_opens_at, "
                    "registration_closes_at, is_blind, aggregation, tie_break_rules, created_at, updated_at) "
                    "VALUES ('old', 'draft', 'writing', 'city', '', '', 'Old', '', '', '', '', '', '', '', '', '', "
                    "'', '', '', :event, :opens, :closes, false, 'mean', '[]', :opens, :opens)"),
                    {"opens": datetime(2026, 1, 1, tzinfo=UTC), "closes": datetime(2026, 2, 1, tzinfo=UTC),
                     "event": datetime(2026, 3, 1, tzinfo=UTC)})
                connection.execute(text("INSERT INTO contest_category (contest_id, position, name_kk, name_ru, "
                                        "name_en) SELECT id, 1, '', '', 'Everyone' FROM contest"))
            upgrade(revision=LIMITS_REVISION)
            with _db.engine.begin() as connection:
                row = connection.execute(text(
                    "SELECT name_en, min_age, max_age, min_grade, max_grade FROM contest_category")).one()
            assert tuple(row) == ("Everyone", None, None, None, None)
            with pytest.raises(IntegrityError), _db.engine.begin() as connection:
                connection.execute(text("UPDATE contest_category SET min_age = 20, max_age = 10"))
            downgrade(revision=f"{LIMITS_REVISION}-1")
            with _db.engine.begin() as connection:
                assert connection.execute(text("SELECT name_en FROM contest_category")).scalar() == "Everyone"
            _db.engine.dispose()
    finally:
        drop()


def test_the_suite_runs_on_a_schema_with_the_limits(db):
    """On PostgreSQL (and with TEST_SCHEMA=migrations) the suite's schema comes from the migrations:
    every test of the limits then runs on the migrated columns and CHECK constraints."""
    columns = {column["name"] for column in _db.inspect(_db.engine).get_columns("contest_category")}
    assert {"min_age", "max_age", "min_grade", "max_grade"} <= columns
