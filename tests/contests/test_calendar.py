"""The iCalendar feeds (RFC 5545): parsed back with `icalendar`, times right on both sides of
Kazakhstan's move to UTC+5 on 1 March 2024, only public contests, bounded queries."""

from __future__ import annotations

import shutil
import zoneinfo
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
from icalendar import Calendar

from contest import i18n
from contest.db import utcnow

ALMATY = i18n.LOCAL_ZONE


def almaty(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ALMATY).astimezone(UTC)


def parsed(response) -> Calendar:
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    lines = response.data.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines)  # CRLF, folded at 75 octets
    return Calendar.from_ical(response.data)


def events(feed: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in feed.walk("VEVENT")}


def test_event_times_are_right_on_both_sides_of_the_move_to_utc_plus_5(client, make_contest):
    before = make_contest(slug="winter", status="archived", event_at=almaty(2024, 2, 28, 10),
                          registration_opens_at=almaty(2024, 1, 10, 9), registration_closes_at=almaty(2024, 2, 20, 18))
    after = make_contest(slug="spring", status="archived", event_at=almaty(2024, 3, 2, 10),
                         registration_opens_at=almaty(2024, 1, 10, 9), registration_closes_at=almaty(2024, 2, 20, 18))
    for contest, utc_hour, offset in ((before, 4, timedelta(hours=6)), (after, 5, timedelta(hours=5))):
        feed = parsed(client.get(f"/contests/{contest.slug}/calendar.ics?lang=en"))
        (event,) = feed.walk("VEVENT")
        assert event.decoded("DTSTART").astimezone(UTC) == datetime(2024, contest.event_at.month,
                                                                    contest.event_at.day, utc_hour, tzinfo=UTC)
        assert event["DTSTART"].params["TZID"] == "Asia/Almaty"
        # The feed's own VTIMEZONE says the same, so an app that trusts it over its own data agrees.
        (zone,) = feed.walk("VTIMEZONE")
        local = event.decoded("DTSTART").replace(tzinfo=None)
        assert local.replace(tzinfo=zone.to_tz()).utcoffset() == offset


def test_the_zone_comes_from_the_shipped_tzdata_not_an_old_system_database(tmp_path):
    # An "old system database": Asia/Almaty still at UTC+6 (Dhaka's rules) in March 2024.
    fake = tmp_path / "Asia"
    fake.mkdir()
    with resources.files("tzdata.zoneinfo").joinpath("Asia", "Dhaka").open("rb") as source, \
            open(fake / "Almaty", "wb") as target:
        shutil.copyfileobj(source, target)
    zoneinfo.reset_tzpath([str(tmp_path)])
    try:
        stale = zoneinfo.ZoneInfo.no_cache("Asia/Almaty")
        assert datetime(2024, 3, 2, 10, tzinfo=stale).utcoffset() == timedelta(hours=6)
        shipped = i18n.shipped_zone("Asia/Almaty")
        assert datetime(2024, 3, 2, 10, tzinfo=shipped).utcoffset() == timedelta(hours=5)
        assert datetime(2024, 2, 28, 10, tzinfo=shipped).utcoffset() == timedelta(hours=6)
    finally:
        zoneinfo.reset_tzpath()


def test_site_feed_has_public_contests_ahead_with_their_deadlines_in_the_language_asked(client, make_contest):
    open_ = make_contest(slug="open", status="registration_open", title_ru="Весенние стихи", title_en="Spring verses",
                         venue_ru="Центральная библиотека", description_ru="Стихи **о весне** & природе.")
    closed = make_contest(slug="closed", status="judging", title_en="Autumn prose")
    make_contest(slug="draft", status="draft", title_en="Secret draft")
    make_contest(slug="long-ago", status="archived", event_at=utcnow() - timedelta(days=40),
                 registration_opens_at=utcnow() - timedelta(days=90),
                 registration_closes_at=utcnow() - timedelta(days=50))
    feed = parsed(client.get("/contests/calendar.ics?lang=ru"))
    found = events(feed)
    assert set(found) == {f"contest-{open_.id}-event@localhost", f"contest-{open_.id}-registration-deadline@localhost",
                          f"contest-{closed.id}-event@localhost"}
    event = found[f"contest-{open_.id}-event@localhost"]
    assert str(event["SUMMARY"]) == "Весенние стихи" and event["SUMMARY"].params["LANGUAGE"] == "ru"
    assert str(event["LOCATION"]) == "Центральная библиотека"
    assert str(event["URL"]) == "http://localhost/contests/open?lang=ru"
    assert str(event["DESCRIPTION"]) == "Стихи о весне & природе.\n\nhttp://localhost/contests/open?lang=ru"
    assert event.decoded("DTSTAMP") == open_.updated_at.replace(microsecond=0)
    deadline = found[f"contest-{open_.id}-registration-deadline@localhost"]
    assert deadline.decoded("DTSTART") == open_.registration_closes_at
    assert str(deadline["SUMMARY"]) == "Завершение регистрации: Весенние стихи"
    assert not list(feed.walk("VALARM"))
    for name in ("VERSION", "PRODID"):
        assert name in feed
    assert str(feed["X-WR-TIMEZONE"]) == "Asia/Almaty"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\nX-PUBLISHED-TTL:PT6H\r\n" in client.get(
        "/contests/calendar.ics?lang=ru").data


def test_uids_and_bytes_stay_the_same_across_requests_and_languages(client, make_contest):
    make_contest(slug="open", status="registration_open", title_kk="Көктем жырлары", title_en="Spring verses")
    first = client.get("/contests/calendar.ics?lang=kk")
    kazakh, english = parsed(first), parsed(client.get("/contests/calendar.ics?lang=en"))
    assert set(events(kazakh)) == set(events(english))
    assert {str(event["SUMMARY"]) for event in events(kazakh).values()} == {
        "Көктем жырлары", "Тіркеу аяқталады: Көктем жырлары"}
    assert client.get("/contests/calendar.ics?lang=kk").data == first.data  # DTSTAMP is not the request's time


def test_kazakh_is_the_feed_default_and_an_unknown_language_is_refused(client, make_contest):
    make_contest(slug="open", status="registration_open", title_kk="Көктем жырлары", title_en="Spring verses")
    assert "Көктем жырлары" in client.get("/contests/calendar.ics").get_data(as_text=True)
    refused = client.get("/contests/calendar.ics?lang=xx", headers={"Accept-Language": "en"})
    assert refused.status_code == 400 and "This language is not available" in refused.get_data(as_text=True)


def test_a_contest_feed_exists_only_for_public_contests(client, make_contest, login_as):
    make_contest(slug="draft", status="draft")
    assert client.get("/contests/draft/calendar.ics").status_code == 404
    assert client.get("/contests/nowhere/calendar.ics").status_code == 404
    login_as("organiser")  # organisers preview a draft's page, but a draft has no calendar to share
    assert client.get("/contests/draft/calendar.ics").status_code == 404


def test_a_closed_registration_has_no_deadline_event(client, make_contest):
    contest = make_contest(slug="closed", status="registration_closed")
    found = events(parsed(client.get("/contests/closed/calendar.ics")))
    assert list(found) == [f"contest-{contest.id}-event@localhost"]


def test_an_empty_feed_is_still_a_valid_calendar(client):
    feed = parsed(client.get("/contests/calendar.ics?lang=en"))
    assert not list(feed.walk("VEVENT")) and not list(feed.walk("VTIMEZONE"))


def test_the_site_feed_runs_the_same_queries_for_one_contest_or_many(client, make_contest, count_queries):
    def queries() -> int:
        with count_queries() as log:
            assert client.get("/contests/calendar.ics?lang=en").status_code == 200
        return log.count

    make_contest(status="registration_open")
    one = queries()
    for _ in range(5):
        make_contest(status="published")
    assert queries() == one


@pytest.mark.parametrize("url", ["/contests", "/contests/open"])
def test_pages_offer_to_subscribe(client, make_contest, url):
    make_contest(slug="open", status="registration_open")
    html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    calendar_url = "/contests/calendar.ics?lang=en" if url == "/contests" else "/contests/open/calendar.ics?lang=en"
    assert f'href="webcal://localhost{calendar_url}"' in html
    assert f'href="{calendar_url}" download' in html


def test_a_cached_feed_shows_a_change_at_once(client, make_contest, db):
    contest = make_contest(slug="open", status="registration_open", title_en="Spring verses")
    first = client.get("/contests/open/calendar.ics?lang=en")
    assert client.get("/contests/open/calendar.ics?lang=en").headers["ETag"] == first.headers["ETag"]
    contest.title_en = "Summer verses"
    db.session.commit()
    again = client.get("/contests/open/calendar.ics?lang=en")
    assert again.headers["ETag"] != first.headers["ETag"] and b"Summer verses" in again.data
