"""The public API: what each endpoint shows (and never shows), cursors, ETags, CORS, the limit,
problem details and languages."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis
from sqlalchemy import select

from contest.api import cursors
from contest.certificates import services as certificates
from contest.certificates.models import Certificate
from contest.db import utcnow
from contest.ratelimit import MemoryStore, RedisStore
from tests.conftest import redis_url

JSON = {"Accept": "application/json"}
PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and "#problem-" in body["type"]
    return body


# Contests ------------------------------------------------------------------------------------

def test_contests_list_shows_public_contests_only(client, make_contest, make_category):
    shown = make_contest(status="registration_open", title_en="Open one", venue_en="Central library")
    make_contest(status="draft", title_en="Secret draft")
    body = client.get("/api/v1/contests?lang=en", headers=JSON).get_json()
    assert [item["slug"] for item in body["items"]] == [shown.slug]
    item = body["items"][0]
    assert item["title"] == "Open one" and item["venue"] == "Central library"
    assert item["status"] == "registration_open" and item["registration"]["is_open"] is True
    assert item["links"]["page"].endswith(f"/contests/{shown.slug}") and item["links"]["results"] is None
    assert body["next_cursor"] is None


def test_contest_detail_has_categories_with_limits_and_rounds(client, make_contest, make_category, make_round):
    contest = make_contest(status="published", title_en="Poetry", min_grade=5, max_grade=11)
    make_category(contest, name_en="Juniors", min_age=10, max_age=13)
    make_round(contest, name_en="Final")
    body = client.get(f"/api/v1/contests/{contest.slug}?lang=en", headers=JSON).get_json()
    assert body["min_grade"] == 5 and body["max_grade"] == 11
    assert body["categories"][0]["name"] == "Juniors" and body["categories"][0]["min_age"] == 10
    assert "10" in body["categories"][0]["limits"]
    assert body["rounds"][0]["stage"] == "final"


def test_a_draft_contest_is_not_found(client, make_contest):
    draft = make_contest(status="draft")
    _problem(client.get(f"/api/v1/contests/{draft.slug}", headers=JSON), 404)
    _problem(client.get(f"/api/v1/contests/{draft.slug}/results", headers=JSON), 404)
    _problem(client.get(f"/api/v1/news?contest={draft.slug}", headers=JSON), 404)


def test_cursors_walk_every_contest_once_even_when_contests_are_added(client, make_contest):
    start = utcnow() + timedelta(days=30)
    made = [make_contest(status="published", event_at=start + timedelta(days=index),
                         registration_opens_at=start - timedelta(days=20),
                         registration_closes_at=start - timedelta(days=10)) for index in range(5)]
    first = client.get("/api/v1/contests?limit=2", headers=JSON).get_json()
    assert [item["slug"] for item in first["items"]] == [made[4].slug, made[3].slug]
    # A newer contest appears between two pages: the next page goes on where the first ended.
    make_contest(status="published", event_at=start + timedelta(days=99),
                 registration_opens_at=start - timedelta(days=20), registration_closes_at=start - timedelta(days=10))
    seen = [item["slug"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/contests?limit=2&cursor={cursor}", headers=JSON).get_json()
        seen += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [contest.slug for contest in reversed(made)]


@pytest.mark.parametrize("cursor", ["nonsense", "e30", cursors.encode("news", cursors.Position(utcnow(), 1)),
                                    "WyJjb250ZXN0cyIsIjIwMjYtMDEtMDEiLDFd"])  # the last: a time without zone
def test_a_cursor_that_is_not_one_of_ours_is_a_bad_request(client, cursor):
    body = _problem(client.get(f"/api/v1/contests?cursor={cursor}", headers=JSON), 400)
    assert "cursor" in body["errors"]


def test_bad_arguments_are_problems_that_name_the_argument(client):
    body = _problem(client.get("/api/v1/contests?limit=0", headers=JSON), 400)
    assert "limit" in body["errors"]
    _problem(client.get("/api/v1/contests?status=draft", headers=JSON), 400)
    _problem(client.get("/api/v1/contests?lang=xx", headers=JSON), 400)


def test_list_pages_run_a_bounded_number_of_queries(client, make_contest, make_post, count_queries):
    for index in range(3):
        contest = make_contest(status="published")
        make_post(contest_id=contest.id, title_kk=f"Жаңалық {index}")
    client.get("/api/v1/contests", headers=JSON)  # warms what every request loads once
    with count_queries() as few:
        client.get("/api/v1/contests?limit=1", headers=JSON)
        client.get("/api/v1/news?limit=1", headers=JSON)
    for index in range(10):
        contest = make_contest(status="published")
        make_post(contest_id=contest.id, title_kk=f"Тағы {index}")
    with count_queries() as many:
        client.get("/api/v1/contests?limit=50", headers=JSON)
        client.get("/api/v1/news?limit=50", headers=JSON)
    assert many.count == few.count <= 6


# News ----------------------------------------------------------------------------------------

def test_news_shows_published_posts_only_and_by_contest(client, make_contest, make_post):
    contest = make_contest(status="published")
    about = make_post(title_en="About it", body_en="Some **text**", contest_id=contest.id)
    other = make_post(title_en="Other news")
    make_post(title_en="Draft", published_at=None)
    make_post(title_en="Later", published_at=utcnow() + timedelta(days=1))
    every = client.get("/api/v1/news?lang=en", headers=JSON).get_json()
    assert {item["slug"] for item in every["items"]} == {about.slug, other.slug}
    mine = client.get(f"/api/v1/news?contest={contest.slug}", headers=JSON).get_json()
    assert [item["slug"] for item in mine["items"]] == [about.slug]
    assert mine["items"][0]["contest"] == contest.slug
    post = client.get(f"/api/v1/news/{about.slug}?lang=en", headers=JSON).get_json()
    assert post["title"] == "About it" and "<strong>text</strong>" in post["body_html"]
    _problem(client.get("/api/v1/news/no-such-post", headers=JSON), 404)


# Results -------------------------------------------------------------------------------------

def test_results_name_only_as_consent_allows_and_carry_no_contact_data(client, published_contest):
    j = published_contest()
    response = client.get(f"/api/v1/contests/{j.contest.slug}/results?lang=en", headers=JSON)
    body = response.get_json()
    text = response.get_data(as_text=True)
    juniors = body["categories"][0]
    first, hidden = juniors["rows"][0], juniors["rows"][2]
    assert first["place"] == 1 and first["award"] == "First degree" and first["name"] == "Juniors1 Aruzhan"
    assert first["school"] or first["district"] == "Almaly"
    assert first["total"].count(".") == 1
    linked = client.get(f"/api/v1/contests/{j.contest.slug}", headers=JSON).get_json()["links"]["results"]
    assert linked.endswith(f"/contests/{j.contest.slug}/results")
    minor = j.registrations[2]
    assert hidden["named"] is False and hidden["name"] == f"Participant {minor.code}"
    assert minor.participant.surname not in text
    for secret in ("+7 777 123 45 67", minor.participant.account.email, "birth", "guardian", "phone", "Teacher T."):
        assert secret not in text
    only = client.get(f"/api/v1/contests/{j.contest.slug}/results?category={juniors['id']}", headers=JSON)
    assert [item["id"] for item in only.get_json()["categories"]] == [juniors["id"]]
    _problem(client.get(f"/api/v1/contests/{j.contest.slug}/results?category=999999", headers=JSON), 404)


def test_a_consent_withdrawn_after_publishing_hides_the_name_at_once(client, published_contest, db):
    from contest.registration.services import withdraw_consent

    j = published_contest()
    child = j.registrations[0].participant
    child.consent_at, child.consent_version = utcnow(), "test"  # a guardian's yes
    db.session.commit()
    url = f"/api/v1/contests/{j.contest.slug}/results?lang=en"
    first = client.get(url, headers=JSON)
    assert first.get_json()["categories"][0]["rows"][0]["name"] == "Juniors1 Aruzhan"
    withdraw_consent(child, actor=child.account)
    db.session.commit()
    again = client.get(url, headers={**JSON, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    row = again.get_json()["categories"][0]["rows"][0]
    assert row["named"] is False and row["name"] == f"Participant {j.registrations[0].code}"


def test_results_are_not_found_until_published(client, judged, make_contest):
    j = judged()
    _problem(client.get(f"/api/v1/contests/{j.contest.slug}/results", headers=JSON), 404)
    archived = make_contest(status="archived")  # archived without ever publishing: no results to link
    _problem(client.get(f"/api/v1/contests/{archived.slug}/results", headers=JSON), 404)
    items = client.get("/api/v1/contests", headers=JSON).get_json()["items"]
    assert [item["links"]["results"] for item in items] == [None, None]


# Certificates --------------------------------------------------------------------------------

def test_certificate_verification_hides_a_name_without_consent(client, published_contest, db):
    j = published_contest()
    certificates.issue_documents(j.contest, certificates.planned_documents(j.contest))
    db.session.commit()
    hidden = db.session.scalar(select(Certificate).where(Certificate.registration_id == j.registrations[2].id))
    named = db.session.scalar(select(Certificate).where(Certificate.registration_id == j.registrations[0].id))
    body = client.get(f"/api/v1/certificates/{hidden.code.lower()}", headers=JSON).get_json()
    assert body["valid"] is True and body["holder"] is None and body["code"] == hidden.code
    assert client.get(f"/api/v1/certificates/{named.code}", headers=JSON).get_json()["holder"] == named.holder_name
    _problem(client.get("/api/v1/certificates/AAAA-BBBB-CCCC-DDDD", headers=JSON), 404)


def test_certificate_checks_share_the_verification_pages_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_VERIFY_LIMIT", 2)
    for _attempt in range(2):
        assert client.get("/api/v1/certificates/AAAA-BBBB-CCCC-DDDD", headers=JSON).status_code == 404
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 429


# HTTP ----------------------------------------------------------------------------------------

def test_etag_answers_304_and_a_change_makes_a_new_one(client, make_contest, db):
    contest = make_contest(status="published", title_en="First title")
    url = f"/api/v1/contests/{contest.slug}?lang=en"
    first = client.get(url, headers=JSON)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**JSON, "If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    contest.title_en = "Second title"
    db.session.commit()
    changed = client.get(url, headers={**JSON, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["title"] == "Second title"


def test_an_answer_outside_the_page_cache_has_an_etag_too(client, make_contest):
    make_contest(status="published")
    url = "/api/v1/contests?unknown=1"  # an argument the cache does not key: served fresh
    etag = client.get(url, headers=JSON).headers["ETag"]
    assert client.get(url, headers={**JSON, "If-None-Match": etag}).status_code == 304


def test_cors_allows_reading_from_any_site_and_nothing_else(client):
    read = client.get("/api/v1/contests", headers={**JSON, "Origin": "https://school.example"})
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in read.headers
    preflight = client.options("/api/v1/contests", headers={"Origin": "https://school.example",
                                                            "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    refused = client.options("/api/v1/contests", headers={"Origin": "https://school.example",
                                                          "Access-Control-Request-Method": "DELETE"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def _redis_store() -> RedisStore:
    try:
        redis.Redis.from_url(redis_url()).ping()
    except redis.ConnectionError:
        pytest.skip(f"Redis is not running at {redis_url()}")
    return RedisStore(redis_url(), prefix=f"test:{uuid.uuid4().hex}:")


@pytest.mark.parametrize("store", [MemoryStore, _redis_store], ids=["memory", "redis"])
def test_too_many_requests_from_one_address_get_429_with_retry_after(app, client, monkeypatch, store):
    monkeypatch.setitem(app.extensions, "counter_store", store())  # REDIS_URL makes the app use Redis
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 3)
    for _attempt in range(3):
        assert client.get("/api/v1/contests", headers=JSON).status_code == 200
    refused = client.get("/api/v1/contests", headers=JSON)
    _problem(refused, 429)
    assert refused.headers["Access-Control-Allow-Origin"] == "*"  # a page on another site can read why
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    other = client.get("/api/v1/contests", headers=JSON, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_other_methods_unknown_addresses_and_other_types_are_problems(client):
    refused = client.post("/api/v1/contests")
    _problem(refused, 405)
    assert "GET" in refused.headers["Allow"]
    _problem(client.delete("/api/v1/no-such-thing"), 404)
    _problem(client.get("/api/v1/no/such/thing", headers=JSON), 404)
    _problem(client.get("/api/v1/contests", headers={"Accept": "text/html"}), 406)
    # What the site's own rules refuse before any view (control characters, a NUL) is a problem here too.
    _problem(client.get("/api/v1/news/a%04b", headers=JSON), 404)
    _problem(client.get("/api/v1/contests/a%0Ab/results", headers=JSON), 404)
    _problem(client.get("/api/v1/contests?x=%00", headers=JSON), 400)


def test_language_from_lang_then_accept_language(client):
    kazakh = client.get("/api/v1/contests/none", headers=JSON)
    assert kazakh.headers["Content-Language"] == "kk" and "Accept-Language" in kazakh.headers["Vary"]
    russian = client.get("/api/v1/contests/none", headers={**JSON, "Accept-Language": "ru-RU,ru;q=0.9"})
    assert russian.headers["Content-Language"] == "ru" and russian.get_json()["title"] == "Не найдено"
    english = client.get("/api/v1/contests/none?lang=en", headers={**JSON, "Accept-Language": "ru"})
    assert english.get_json()["title"] == "Not found"
    client.set_cookie("lang", "en")  # the site's language switcher: a page's own script calling the API
    assert client.get("/api/v1/contests/none", headers={**JSON, "Accept-Language": "ru"}).get_json()["title"] \
        == "Not found"


def test_the_description_is_openapi_3_1_in_the_chosen_language(client):
    english = client.get("/api/v1/openapi.json?lang=en", headers=JSON).get_json()
    russian = client.get("/api/v1/openapi.json?lang=ru", headers=JSON).get_json()
    assert english["openapi"] == "3.1.0"
    assert set(english["paths"]) == {"/api/v1/contests", "/api/v1/contests/{slug}", "/api/v1/contests/{slug}/results",
                                     "/api/v1/news", "/api/v1/news/{slug}", "/api/v1/certificates/{code}"}
    assert english["paths"]["/api/v1/contests"]["get"]["summary"] == "Contests"
    assert russian["paths"]["/api/v1/contests"]["get"]["summary"] == "Конкурсы"
    assert "Problem" in english["components"]["schemas"]


def test_the_page_for_people_is_rendered_from_the_description(client):
    page = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "GET /api/v1/contests/{slug}/results" in page and "problem-too-many-requests" in page
    assert "<script>" not in page and "style=" not in page
    russian = client.get("/api/v1/docs?lang=ru").get_data(as_text=True)
    assert "Открытый API" in russian and 'lang="ru"' in russian
