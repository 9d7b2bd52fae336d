"""What search engines and feed readers read: schema.org JSON-LD checked against the rules the
search engines document, sitemap.xml with hreflang alternates, robots.txt, the Atom link on
every page and `?lang=` addresses."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

import pytest

from contest import syndication
from contest.db import utcnow
from contest.extensions import db
from contest.results.models import ResultSnapshot
from contest.site.sitemap import PRIVATE_PREFIXES
from contest.web import CONTENT_SECURITY_POLICY
from tests.contests.test_calendar import almaty

EN = {"Accept-Language": "en"}
SCHEMA = "https://schema.org/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"


def page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def json_ld_of(html: str) -> list[dict[str, Any]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


# A checker of the rules Google documents for its rich results (developers.google.com/search/docs/
# appearance/structured-data/event and .../article): required properties make the data usable at
# all, recommended ones are what a good listing shows; values must have the documented form.

EVENT_STATUSES = {f"{SCHEMA}{name}" for name in
                  ("EventScheduled", "EventCancelled", "EventMovedOnline", "EventPostponed", "EventRescheduled")}
ATTENDANCE_MODES = {f"{SCHEMA}{name}" for name in
                    ("OfflineEventAttendanceMode", "OnlineEventAttendanceMode", "MixedEventAttendanceMode")}
AVAILABILITY = {f"{SCHEMA}{name}" for name in ("InStock", "SoldOut", "PreOrder")}


def _dated(value: Any) -> bool:
    """ISO 8601 with a time zone: without one, search engines guess the visitor's."""
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except (TypeError, ValueError):
        return False


def _url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def event_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    if data.get("@context") != "https://schema.org" or data.get("@type") != "Event":
        problems.append("not a schema.org Event")
    for name in ("name", "startDate", "location"):  # required
        if not data.get(name):
            problems.append(f"missing required {name}")
    for name in ("description", "eventStatus", "eventAttendanceMode", "organizer", "image", "offers"):
        if name not in data:
            problems.append(f"missing recommended {name}")
    if "startDate" in data and not _dated(data["startDate"]):
        problems.append("startDate without a time zone")
    if "eventStatus" in data and data["eventStatus"] not in EVENT_STATUSES:
        problems.append("unknown eventStatus")
    if "eventAttendanceMode" in data and data["eventAttendanceMode"] not in ATTENDANCE_MODES:
        problems.append("unknown eventAttendanceMode")
    location = data.get("location") or {}
    if location.get("@type") == "Place":
        address = location.get("address") or {}
        if not location.get("name") or address.get("@type") != "PostalAddress" or not address.get("addressCountry"):
            problems.append("a Place needs a name and a PostalAddress")
    elif location.get("@type") != "VirtualLocation" or not _url(location.get("url")):
        problems.append("location must be a Place or a VirtualLocation with a url")
    organizer = data.get("organizer") or {}
    if organizer and (organizer.get("@type") not in ("Organization", "Person") or not organizer.get("name")
                      or not _url(organizer.get("url"))):
        problems.append("organizer needs a type, a name and a url")
    offer = data.get("offers")
    if offer is not None:
        if offer.get("@type") != "Offer" or not _url(offer.get("url")) or offer.get("availability") not in AVAILABILITY:
            problems.append("offers need a url and a known availability")
        currency = offer.get("priceCurrency", "")
        if not isinstance(offer.get("price"), (int, float)) or not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append("offers need a numeric price and an ISO 4217 currency")
        if not _dated(offer.get("validFrom")):
            problems.append("offers need validFrom with a time zone")
    if "image" in data and not all(_url(image) for image in data["image"]):
        problems.append("images must be absolute addresses")
    return problems


def article_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    if data.get("@context") != "https://schema.org" or data.get("@type") not in ("Article", "NewsArticle"):
        problems.append("not a schema.org NewsArticle")
    for name in ("headline", "datePublished", "dateModified", "author"):  # recommended (Article has no required)
        if not data.get(name):
            problems.append(f"missing recommended {name}")
    if len(data.get("headline", "")) > 110:
        problems.append("headline longer than 110 characters")
    for name in ("datePublished", "dateModified"):
        if name in data and not _dated(data[name]):
            problems.append(f"{name} without a time zone")
    for author in data.get("author") or []:
        if author.get("@type") not in ("Organization", "Person") or not author.get("name"):
            problems.append("an author needs a type and a name")
    logo = (data.get("publisher") or {}).get("logo") or {}
    if not _url(logo.get("url")):
        problems.append("the publisher's logo needs an address")
    if "image" in data and not all(_url(image) for image in data["image"]):
        problems.append("images must be absolute addresses")
    return problems


def test_the_checkers_catch_what_search_engines_refuse():
    assert "missing required startDate" in event_problems({"@context": "https://schema.org", "@type": "Event"})
    broken = {"@context": "https://schema.org", "@type": "Event", "name": "x", "startDate": "2027-05-01T10:00",
              "location": {"@type": "Place", "name": "Library"}, "eventStatus": "Scheduled",
              "offers": {"@type": "Offer", "url": "/x", "price": "free", "availability": "Open"}}
    assert {"startDate without a time zone", "unknown eventStatus", "a Place needs a name and a PostalAddress",
            "offers need a url and a known availability",
            "offers need a numeric price and an ISO 4217 currency"} <= set(event_problems(broken))
    assert "headline longer than 110 characters" in article_problems({"headline": "x" * 111})


# JSON-LD on the pages ------------------------------------------------------------------------------------

def test_an_open_contest_page_describes_a_complete_event(client, make_contest):
    make_contest(slug="open", status="registration_open", title_en="Spring verses", venue_en="Central library",
                 description_en="Poems about **spring** & rivers.", min_age=7, max_age=12)
    html = page(client.get("/contests/open", headers=EN))
    (data,) = json_ld_of(html)
    problems = event_problems(data)
    assert problems == ["missing recommended image"]  # this contest has no cover picture
    assert data["name"] == "Spring verses" and data["description"] == "Poems about spring & rivers."
    assert data["location"]["name"] == "Central library"
    assert data["location"]["address"]["addressLocality"] == "Almaty"
    assert data["offers"]["availability"] == f"{SCHEMA}InStock" and data["offers"]["priceCurrency"] == "KZT"
    assert data["organizer"]["name"] == "Almaty Centralized Library System"
    assert data["typicalAgeRange"] == "7-12"
    assert data["url"] == "http://localhost/contests/open?lang=en"


def test_event_dates_carry_almatys_offset_of_their_day(client, make_contest):
    make_contest(slug="winter", status="archived", event_at=almaty(2024, 2, 28, 10),
                 registration_opens_at=almaty(2024, 1, 10, 9), registration_closes_at=almaty(2024, 2, 20, 18))
    make_contest(slug="spring", status="archived", event_at=almaty(2024, 3, 2, 10),
                 registration_opens_at=almaty(2024, 1, 10, 9), registration_closes_at=almaty(2024, 2, 20, 18))
    assert json_ld_of(page(client.get("/contests/winter")))[0]["startDate"] == "2024-02-28T10:00:00+06:00"
    assert json_ld_of(page(client.get("/contests/spring")))[0]["startDate"] == "2024-03-02T10:00:00+05:00"


def test_a_contest_without_a_venue_is_held_online_and_after_registration_offers_nothing(client, make_contest):
    make_contest(slug="judging", status="judging", title_en="Autumn prose")
    (data,) = json_ld_of(page(client.get("/contests/judging", headers=EN)))
    assert data["eventAttendanceMode"] == f"{SCHEMA}OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": "http://localhost/contests/judging?lang=en"}
    assert "offers" not in data
    assert set(event_problems(data)) == {"missing recommended image", "missing recommended description",
                                         "missing recommended offers"}


def test_an_announced_contest_sells_registration_in_advance(client, make_contest):
    make_contest(slug="soon", status="published", venue_kk="Орталық кітапхана", title_kk="Көктем жырлары")
    (data,) = json_ld_of(page(client.get("/contests/soon")))
    assert data["offers"]["availability"] == f"{SCHEMA}PreOrder"
    assert data["inLanguage"] == "kk" and data["location"]["address"]["addressLocality"] == "Алматы"


def test_text_cannot_break_out_of_the_script_element(client, make_contest):
    make_contest(slug="sly", status="published", title_en="</script><script>alert(1)</script> & <!--")
    html = page(client.get("/contests/sly", headers=EN))
    (data,) = json_ld_of(html)
    assert data["name"] == "</script><script>alert(1)</script> & <!--"
    assert "<script>alert" not in html.split("application/ld+json")[1].split("</script>")[0]
    assert str(syndication.json_ld({"a": "</script>\u2028"})) == '{"a":"\\u003c/script\\u003e\\u2028"}'


def test_a_draft_preview_carries_no_structured_data(client, make_contest, login_as):
    make_contest(slug="draft", status="draft")
    login_as("organiser")
    assert json_ld_of(page(client.get("/contests/draft"))) == []


def test_a_news_post_is_a_news_article(client, make_post):
    make_post(slug="bridge", title_ru="Литературный мост", body_ru="57 книг & журналов", title_en="Literary bridge",
              body_en="57 books")
    html = page(client.get("/news/bridge?lang=ru"))
    (data,) = json_ld_of(html)
    assert article_problems(data) == []
    assert data["headline"] == "Литературный мост" and data["description"] == "57 книг & журналов"
    assert data["inLanguage"] == "ru" and data["url"] == "http://localhost/news/bridge?lang=ru"
    assert "image" not in data


def test_long_headlines_are_cut_at_a_word(client, make_post):
    make_post(slug="long", title_en=" ".join(["word"] * 40), body_en="Text")
    (data,) = json_ld_of(page(client.get("/news/long", headers=EN)))
    assert article_problems(data) == [] and data["headline"].endswith("word…")


@pytest.mark.parametrize("url", ["/", "/contests/open", "/news/bridge"])
def test_the_policy_stays_strict_on_pages_with_structured_data(client, make_contest, make_post, url):
    make_contest(slug="open", status="registration_open")
    make_post(slug="bridge")
    response = client.get(url, headers=EN)
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY and "unsafe-inline" not in policy
    # The only inline script elements are data blocks, which browsers do not run.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page(response))
    assert all('type="application/ld+json"' in attributes for attributes in inline)


# Feeds advertised --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/contests", "/news", "/verify", "/login"])
def test_every_page_advertises_the_news_feed(client, url):
    html = page(client.get(url, headers=EN))
    assert ('<link rel="alternate" type="application/atom+xml" title="News (Atom)" '
            'href="/news/feed.atom?lang=en">') in html


def test_a_contest_page_advertises_its_own_news_and_dates(client, make_contest):
    make_contest(slug="open", status="registration_open", title_en="Spring verses")
    html = page(client.get("/contests/open", headers=EN))
    assert 'href="/news/feed.atom?lang=en"' in html
    assert ('<link rel="alternate" type="application/atom+xml" title="News: Spring verses (Atom)" '
            'href="/contests/open/news/feed.atom?lang=en">') in html
    assert 'type="text/calendar"' in html and 'href="/contests/open/calendar.ics?lang=en"' in html


def test_a_contest_news_feed_has_only_that_contests_posts(client, make_contest, make_post):
    contest = make_contest(slug="open", status="registration_open", title_en="Spring verses")
    make_post(slug="ours", title_en="Our news", body_en="Text", contest_id=contest.id)
    make_post(slug="other", title_en="Other news", body_en="Text")
    make_post(slug="later", title_en="Scheduled", body_en="Text", contest_id=contest.id,
              published_at=utcnow() + timedelta(days=1))
    response = client.get("/contests/open/news/feed.atom?lang=en")
    assert response.content_type == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    for name in ("id", "title", "updated"):  # required of a feed by RFC 4287
        assert root.find(f"{ATOM}{name}").text
    assert root.find(f"{ATOM}title").text == "News · Spring verses"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/contests/open/news/feed.atom?lang=en"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Our news"]
    for name in ("id", "title", "updated"):  # required of an entry
        assert entries[0].find(f"{ATOM}{name}").text


def test_a_contest_news_feed_exists_only_for_public_contests(client, make_contest):
    make_contest(slug="draft", status="draft")
    assert client.get("/contests/draft/news/feed.atom").status_code == 404
    assert client.get("/contests/open/news/feed.atom?lang=xx").status_code == 404
    make_contest(slug="open", status="published")
    assert client.get("/contests/open/news/feed.atom?lang=xx", headers=EN).status_code == 400


# Addresses per language -----------------------------------------------------------------------------------

def test_lang_in_the_address_chooses_the_pages_language_for_anyone(client, make_contest, login_as):
    make_contest(slug="open", status="registration_open", title_kk="Көктем жырлары", title_ru="Весенние стихи")
    assert '<html lang="ru">' in page(client.get("/contests/open?lang=ru", headers=EN))
    assert '<html lang="kk">' in page(client.get("/contests/open?lang=kk", headers=EN))
    login_as("participant", preferred_language="en")
    assert '<html lang="ru">' in page(client.get("/contests/open?lang=ru"))


def test_choosing_a_language_leaves_the_addresss_lang_behind(client):
    response = client.get("/language/kk?next=/contests/open%3Flang%3Dru%26page%3D2")
    assert response.status_code == 302 and response.headers["Location"] == "/contests/open?page=2"


# sitemap.xml and robots.txt ---------------------------------------------------------------------------------

@pytest.fixture
def public_site(make_contest, make_post):
    open_ = make_contest(slug="open", status="registration_open")
    over = make_contest(slug="over", status="results_published")
    make_contest(slug="secret", status="draft")
    make_contest(slug="unpublished", status="results_published")  # its results were withdrawn
    db.session.add(ResultSnapshot(contest_id=over.id, data={"categories": []},
                                  published_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    make_post(slug="hello")
    make_post(slug="tomorrow", published_at=utcnow() + timedelta(days=1))
    make_post(slug="draft-post", published_at=None)
    return open_, over


def sitemap_urls(client) -> dict[str, ET.Element]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.content_type == "application/xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    return {url.find(f"{SITEMAP}loc").text: url for url in root.findall(f"{SITEMAP}url")}


def test_the_sitemap_lists_public_pages_in_each_language_with_their_alternates(client, public_site):
    urls = sitemap_urls(client)
    paths = {loc.removeprefix("http://localhost") for loc in urls}
    expected = {"/", "/contests", "/news", "/contests/open", "/contests/over", "/contests/unpublished",
                "/contests/over/results", "/news/hello"}
    assert paths == {f"{path}?lang={code}" for path in expected for code in ("kk", "ru", "en")}
    entry = urls["http://localhost/contests/open?lang=ru"]
    alternates = {link.get("hreflang"): link.get("href") for link in entry.findall(f"{XHTML}link")}
    assert alternates == {"kk": "http://localhost/contests/open?lang=kk", "ru": "http://localhost/contests/open?lang=ru",
                          "en": "http://localhost/contests/open?lang=en", "x-default": "http://localhost/contests/open"}
    assert all(link.get("rel") == "alternate" for link in entry.findall(f"{XHTML}link"))
    assert _dated(entry.find(f"{SITEMAP}lastmod").text)
    assert urls["http://localhost/?lang=kk"].find(f"{SITEMAP}lastmod") is None


def test_every_sitemap_address_opens_in_its_language(client, public_site):
    for loc in sitemap_urls(client):
        if "/results" in loc:  # the fixture's snapshot holds no standings; tests/results cover that page's ?lang=
            continue
        code = loc.rsplit("lang=", 1)[1]
        assert f'<html lang="{code}">' in page(client.get(loc.removeprefix("http://localhost")))


def test_the_sitemap_runs_the_same_queries_whatever_the_number_of_pages(client, make_contest, make_post, count_queries):
    def queries() -> int:
        with count_queries() as log:
            assert client.get("/sitemap.xml").status_code == 200
        return log.queries

    make_contest(status="published")
    make_post()
    few = queries()
    for _ in range(4):
        make_contest(status="published")
        make_post()
    assert queries() == few == 3


def test_robots_keep_crawlers_out_of_every_page_not_open_to_the_public(app, client):
    text = page(client.get("/robots.txt"))
    disallowed = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Disallow:")]
    assert disallowed == list(PRIVATE_PREFIXES)
    assert "Sitemap: http://localhost/sitemap.xml" in text.splitlines()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access_rule", None) != "public" and rule.endpoint not in ("static", "bootstrap.static"):
            assert rule.rule.startswith(tuple(disallowed)), rule.rule


def test_nothing_in_the_sitemap_is_kept_out_by_robots(client, public_site):
    for loc in sitemap_urls(client):
        assert not loc.removeprefix("http://localhost").startswith(PRIVATE_PREFIXES), loc
