"""Contest pages over HTTP: what visitors see, what organisers can do, bad input, query counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from contest.contests.models import Category, Contest, ContestStatusChange, Criterion

EN = {"Accept-Language": "en"}


def page(response) -> str:
    return response.get_data(as_text=True)


def contest_form(**values):
    form = {"title_kk": "Жас ақындар", "title_ru": "Молодые поэты", "title_en": "Young poets", "kind": "writing",
            "level": "city", "registration_opens_at": "2026-03-01T09:00", "registration_closes_at": "2026-03-31T18:00",
            "event_at": "2026-04-10T11:00", "aggregation": "mean", "with_default_criteria": "y"}
    return form | values


def contests_in_db(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Contest))


# Public pages ------------------------------------------------------------------------------

def test_a_draft_is_not_found_for_the_public_but_organisers_may_preview_it(client, make_contest, login_as):
    contest = make_contest(status="draft", title_en="Secret plans")
    assert client.get(f"/contests/{contest.slug}").status_code == 404
    login_as("participant")
    assert client.get(f"/contests/{contest.slug}").status_code == 404
    login_as("organiser")
    assert "Secret plans" in page(client.get(f"/contests/{contest.slug}", headers=EN))


def test_unknown_slug_is_not_found(client):
    assert client.get("/contests/no-such-contest").status_code == 404


def test_contest_page_shows_dates_in_almaty_time_setup_and_sharing_tags(
        client, make_contest, make_category, make_criterion, make_award_tier):
    contest = make_contest(status="registration_open", title_en="Young poets", dedication_en="To Abai",
                           description_en="Poems **about** the city.", prize_fund=1_850_000,
                           registration_opens_at=datetime(2026, 1, 10, 4, 0, tzinfo=UTC),
                           registration_closes_at=datetime(2026, 2, 10, 13, 0, tzinfo=UTC),
                           event_at=datetime(2026, 2, 20, 5, 30, tzinfo=UTC))
    make_category(contest, name_en="Grades 5-7")
    make_criterion(contest, name_en="Diction", max_score=25)
    make_award_tier(contest, name_en="Grand Prix", prize_amount=300_000)
    html = page(client.get(f"/contests/{contest.slug}", headers=EN))
    assert "<h1>Young poets</h1>" in html and "To Abai" in html and "<strong>about</strong>" in html
    assert "February 20, 2026" in html or "20 February 2026" in html
    assert "10:30" in html or "11:30" in html  # 05:30 UTC shown in Almaty time
    assert "Grades 5-7" in html and "Diction" in html and "25" in html and "Grand Prix" in html
    assert "1,850,000 tenge" in html and "300,000 tenge" in html
    assert "Registration is open until" in html and 'href="/signup"' in html
    assert '<meta property="og:title" content="Young poets">' in html
    assert '<meta property="og:description" content="Poems about the city.">' in html


def test_contest_page_speaks_the_visitors_language_and_falls_back(client, make_contest):
    contest = make_contest(status="published", title_kk="Жас ақындар", title_ru="Молодые поэты", title_en="",
                           venue_kk="", venue_ru="Библиотека")
    kazakh = page(client.get(f"/contests/{contest.slug}", headers={"Accept-Language": "kk"}))
    english = page(client.get(f"/contests/{contest.slug}", headers=EN))
    assert "<h1>Жас ақындар</h1>" in kazakh and "Библиотека" in kazakh
    assert "<h1>Жас ақындар</h1>" in english and "Registration opens on" in english


def test_contest_list_hides_drafts_and_filters_by_status_and_year(client, make_contest):
    make_contest(status="draft", title_en="Hidden draft")
    make_contest(status="registration_open", title_en="Open now",
                 registration_opens_at=datetime(2026, 6, 1, tzinfo=UTC),
                 registration_closes_at=datetime(2026, 8, 1, tzinfo=UTC),
                 event_at=datetime(2026, 9, 1, 6, 0, tzinfo=UTC))
    make_contest(status="results_published", title_en="Last year",
                 registration_opens_at=datetime(2025, 1, 1, tzinfo=UTC),
                 registration_closes_at=datetime(2025, 2, 1, tzinfo=UTC),
                 event_at=datetime(2025, 12, 31, 20, 0, tzinfo=UTC))  # 1 January 2026 in Almaty
    everything = page(client.get("/contests", headers=EN))
    assert "Open now" in everything and "Last year" in everything and "Hidden draft" not in everything
    by_status = page(client.get("/contests?status=registration_open", headers=EN))
    assert "Open now" in by_status and "Last year" not in by_status
    by_year = page(client.get("/contests?year=2025", headers=EN))
    assert "No contests match" in by_year
    assert "Last year" in page(client.get("/contests?year=2026&status=results_published", headers=EN))


@pytest.mark.parametrize("query", ["status=draft", "status=%00", "year=abc", "year=99999999999999999999",
                                   "page=-3", "page=abc", "page=99999999999999999999", "status[]=1&year="])
def test_junk_filters_never_fail_and_never_reveal_drafts(client, make_contest, query):
    make_contest(status="draft", title_en="Hidden draft")
    make_contest(status="published", title_en="Announced")
    response = client.get(f"/contests?{query}", headers=EN)
    assert response.status_code == (400 if "%00" in query else 200)  # NUL: refused app-wide
    assert "Hidden draft" not in page(response)


def test_home_page_sorts_contests_into_its_sections(client, make_contest):
    now = datetime.now(UTC)
    make_contest(status="registration_open", title_en="Open contest")
    make_contest(status="published", title_en="Announced contest")
    make_contest(status="results_published", title_en="Finished contest",
                 registration_opens_at=now - timedelta(days=90), registration_closes_at=now - timedelta(days=60),
                 event_at=now - timedelta(days=30))
    make_contest(status="draft", title_en="Draft contest")
    html = page(client.get("/", headers=EN))
    open_part, rest = html.split("Upcoming events")
    upcoming_part, results_part = rest.split("Recently published results")
    assert "Open contest" in open_part and "Announced contest" not in open_part
    assert "Announced contest" in upcoming_part and "Open contest" in upcoming_part
    assert "Finished contest" in results_part and "Finished contest" not in upcoming_part
    assert "Draft contest" not in html


def _many_contests(db, number: int) -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    statuses = ["published", "registration_open", "results_published", "draft", "judging"]
    db.session.add_all(Contest(
        slug=f"bulk-{index}", title_en=f"Bulk {index}", kind="writing", level="city",
        status=statuses[index % len(statuses)], registration_opens_at=start,
        registration_closes_at=start + timedelta(days=10), event_at=start + timedelta(days=20 + index % 50))
        for index in range(number))
    db.session.commit()


@pytest.mark.parametrize("url", ["/", "/contests", "/contests?status=published&year=2026", "/manage/contests"])
def test_list_pages_run_the_same_number_of_queries_for_1_or_1000_contests(client, db, login_as, count_queries, url):
    login_as("organiser")
    _many_contests(db, 1)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _many_contests_more = 1000
    db.session.execute(Contest.__table__.delete())
    _many_contests(db, _many_contests_more)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count


def test_contest_page_query_count_does_not_grow_with_its_setup(client, db, make_contest, make_criterion,
                                                               count_queries):
    contest = make_contest(status="published")
    make_criterion(contest)
    with count_queries() as few:
        client.get(f"/contests/{contest.slug}")
    for _ in range(30):
        make_criterion(contest)
    with count_queries() as many:
        client.get(f"/contests/{contest.slug}")
    assert many.count == few.count


# Organiser pages ---------------------------------------------------------------------------

def test_organiser_creates_a_contest_and_times_are_taken_as_almaty_time(client, db, login_as):
    login_as("organiser")
    response = client.post_form("/manage/contests/new", contest_form(capacity="40", min_grade="5", max_grade="7"))
    assert response.status_code == 302
    contest = db.session.scalar(select(Contest))
    assert response.headers["Location"] == f"/manage/contests/{contest.id}"
    assert contest.slug == "young-poets-2026" and contest.status == "draft"
    assert contest.event_at == datetime(2026, 4, 10, 6, 0, tzinfo=UTC)  # 11:00 in Almaty (UTC+5)
    assert (contest.capacity, contest.min_grade, contest.max_grade) == (40, 5, 7)
    assert len(contest.criteria) == 4


@pytest.mark.parametrize(("values", "message"), [
    ({"registration_closes_at": "2026-02-01T09:00"}, "Registration must close after it opens."),
    ({"event_at": "2026-03-05T10:00"}, "The event cannot take place before registration closes."),
    ({"capacity": "-3"}, "Enter a whole number from 1 to"),
    ({"capacity": "99999999999999999999"}, "Enter a whole number from 1 to"),
    ({"event_at": "20th of Feb"}, "Enter a date and time."),
    ({"kind": "dance"}, "Not a valid choice"),
    ({"title_kk": "", "title_ru": "", "title_en": ""}, "Give the contest a title in at least one language."),
    ({"slug": "taken-slug"}, "Another contest already uses this address."),
])
def test_bad_contest_input_is_shown_beside_the_field_and_nothing_is_written(
        client, db, login_as, make_contest, values, message):
    make_contest(slug="taken-slug")
    login_as("organiser")
    response = client.post_form("/manage/contests/new", contest_form(**values), headers=EN)
    assert response.status_code == 422
    assert message in page(response)
    assert contests_in_db(db) == 1


def test_errors_come_in_the_organisers_language(client, db, login_as):
    login_as("organiser", preferred_language="ru")
    response = client.post_form("/manage/contests/new", contest_form(registration_closes_at="2026-02-01T09:00"))
    assert response.status_code == 422
    assert "Регистрация должна закрываться позже, чем открывается." in page(response)


def test_edit_form_shows_local_times_and_saves_changes(client, db, login_as, make_contest):
    contest = make_contest(event_at=datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=60))
    login_as("organiser")
    local = contest.event_at.astimezone(ZoneInfo("Asia/Almaty")).strftime("%Y-%m-%dT%H:%M")
    html = page(client.get(f"/manage/contests/{contest.id}/edit"))
    assert re.search(f'id="event_at"[^>]*value="{local}"', html)
    form = contest_form(title_en="Renamed", slug="renamed-contest",
                        registration_opens_at="2030-01-01T09:00", registration_closes_at="2030-02-01T09:00",
                        event_at="2030-03-01T09:00")
    assert client.post_form(f"/manage/contests/{contest.id}/edit", form).status_code == 302
    db.session.refresh(contest)
    assert (contest.title_en, contest.slug) == ("Renamed", "renamed-contest")


def test_criterion_with_zero_maximum_or_negative_weight_is_refused(client, db, login_as, make_contest):
    contest = make_contest()
    login_as("organiser")
    url = f"/manage/contests/{contest.id}/criteria/new"
    base = {"name_en": "Imagery", "max_score": "10", "step": "1", "weight": "1"}
    for values, message in [({"max_score": "0"}, "The maximum must be a whole number from 1 to 1000 points."),
                            ({"weight": "-1"}, "The weight must be above 0"),
                            ({"weight": "nan"}, "Enter a number"),
                            ({"step": "11"}, "The step must be above 0 and not above the maximum.")]:
        response = client.post_form(url, base | values, headers=EN)
        assert response.status_code == 422, values
        assert message in page(response)
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == 0
    assert client.post_form(url, base).status_code == 302
    assert db.session.scalar(select(Criterion.name_en)) == "Imagery"


def test_organiser_edits_and_deletes_setup_rows(client, db, login_as, make_contest, make_category):
    contest = make_contest()
    category = make_category(contest, name_en="Old name")
    login_as("organiser")
    url = f"/manage/contests/{contest.id}/categories/{category.id}"
    assert "Old name" in page(client.get(url))
    assert client.post_form(url, {"name_en": "Grades 5-7", "position": "1"}).status_code == 302
    db.session.refresh(category)
    assert category.name_en == "Grades 5-7"
    assert client.post_form(f"{url}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Category)) == 0


def test_setup_rows_of_another_contest_or_unknown_kinds_are_not_found(client, login_as, make_contest,
                                                                      make_category):
    mine, other = make_contest(), make_contest()
    category = make_category(other)
    login_as("organiser")
    assert client.get(f"/manage/contests/{mine.id}/categories/{category.id}").status_code == 404
    assert client.get(f"/manage/contests/{mine.id}/prizes/new").status_code == 404
    assert client.get("/manage/contests/999999").status_code == 404


def test_status_buttons_move_the_contest_and_the_history_shows_who(client, db, login_as, make_contest,
                                                                    make_category, make_criterion):
    contest = make_contest(status="draft")
    organiser = login_as("organiser", name="Aigerim Sarsenbayeva")
    url = f"/manage/contests/{contest.id}/status"
    html = page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    assert 'value="published"' in html and 'value="judging"' not in html
    client.post_form(url, {"status": "published"})
    refused = client.post_form(url, {"status": "registration_open"}, headers=EN, follow_redirects=True)
    assert "Add at least one category before opening registration." in page(refused)
    make_category(contest)
    make_criterion(contest)
    opened = client.post_form(url, {"status": "registration_open"}, headers=EN, follow_redirects=True)
    assert "The contest is now: Registration open." in page(opened)
    assert "Aigerim Sarsenbayeva" in page(opened)
    changes = db.session.scalars(select(ContestStatusChange)).all()
    assert [(c.to_status, c.actor_id) for c in changes] == [("published", organiser.id),
                                                            ("registration_open", organiser.id)]
    skipped = client.post_form(url, {"status": "archived"}, headers=EN, follow_redirects=True)
    assert "cannot move" in page(skipped)


def test_frozen_setup_offers_no_edit_buttons_and_refuses_changes(client, db, login_as, make_contest,
                                                                 make_criterion):
    contest = make_contest(status="judging")
    criterion = make_criterion(contest, max_score=10)
    login_as("organiser")
    html = page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    assert "are frozen" in html and "criteria/new" not in html
    response = client.post_form(f"/manage/contests/{contest.id}/criteria/{criterion.id}",
                                {"name_en": "Changed", "max_score": "50", "step": "1", "weight": "1"}, headers=EN)
    assert response.status_code == 422 and "judging has started" in page(response)
    db.session.refresh(criterion)
    assert criterion.max_score == 10


def test_copy_page_creates_a_draft_with_new_dates(client, db, login_as, make_contest, make_category):
    source = make_contest(status="results_published", title_en="Aqynfest 2022",
                          registration_opens_at=datetime(2022, 6, 1, tzinfo=UTC),
                          registration_closes_at=datetime(2022, 8, 1, tzinfo=UTC),
                          event_at=datetime(2022, 9, 20, 10, tzinfo=UTC))
    make_category(source, name_en="Ages 14-18")
    login_as("organiser")
    bad = client.post_form(f"/manage/contests/{source.id}/copy", {
        "registration_opens_at": "2027-06-01T09:00", "registration_closes_at": "2027-05-01T09:00",
        "event_at": "2027-09-20T15:00"}, headers=EN)
    assert bad.status_code == 422 and "Registration must close after it opens." in page(bad)
    response = client.post_form(f"/manage/contests/{source.id}/copy", {
        "registration_opens_at": "2027-06-01T09:00", "registration_closes_at": "2027-08-01T18:00",
        "event_at": "2027-09-20T15:00"})
    assert response.status_code == 302
    copy = db.session.scalar(select(Contest).where(Contest.id != source.id))
    assert (copy.title_en, copy.slug, copy.status) == ("Aqynfest 2027 (copy)", "aqynfest-2027", "draft")
    assert [c.name_en for c in copy.categories] == ["Ages 14-18"]
    assert re.search(r"/manage/contests/\d+$", response.headers["Location"])


def test_navigation_offers_manage_only_to_organisers(client, login_as):
    assert "/manage/contests" not in page(client.get("/"))
    assert 'href="/contests"' in page(client.get("/"))
    login_as("organiser")
    assert "/manage/contests" in page(client.get("/"))


def test_organiser_sets_what_an_entry_holds_and_a_copy_keeps_it(client, db, login_as):
    login_as("organiser")
    html = page(client.get("/manage/contests/new"))
    # Kazakh labels (the default language) for the entry rules.
    assert "Бір тіркеудегі жұмыс саны" in html and "Мәтін немесе тіркелген файл" in html
    response = client.post_form("/manage/contests/new", contest_form(
        works_required="3", work_requires="text_and_file", video_required="y"))
    assert response.status_code == 302
    contest = db.session.scalar(select(Contest))
    assert (contest.works_required, contest.work_requires, contest.video_required) == (3, "text_and_file", True)
    too_many = client.post_form(f"/manage/contests/{contest.id}/edit", contest_form(works_required="6"),
                                headers={"Accept-Language": "en"})
    assert too_many.status_code == 422 and "Enter a whole number from 1 to 5." in page(too_many)
    db.session.expire_all()
    assert db.session.get(Contest, contest.id).works_required == 3


def test_the_management_page_is_titled_apart_from_the_public_page(client, make_contest, login_as):
    # A browser tab or the history list must tell the organiser's page from the public one.
    contest = make_contest(status="published", title_en="Young poets")
    login_as("organiser")

    def title(url: str) -> str:
        return re.search(r"<title>(.*?)</title>", page(client.get(url, headers=EN))).group(1)

    assert title(f"/contests/{contest.slug}").startswith("Young poets · Almaty")
    assert title(f"/manage/contests/{contest.id}").startswith("Young poets · Manage contests · Almaty")
