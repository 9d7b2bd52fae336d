"""Anonymous public pages from the shared cache (contest/pagecache.py): served without the
database, replaced at once by any change they show, never shared with signed-in visitors or
carrying a message, a CSRF token or a cookie."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest import create_app, pagecache
from contest.contests import services as contests
from contest.contests.models import Contest
from contest.db import utcnow
from contest.extensions import db as _db
from contest.news import services as news
from contest.news.services import PostData
from tests.conftest import free_port

EN = {"Accept-Language": "en"}


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def site(make_contest, make_category, make_post):
    """An open contest with a category and a news post about it."""
    contest = make_contest(slug="open", title_en="Spring verses", status="registration_open")
    category = make_category(contest, name_en="Juniors")
    post = make_post(slug="hello", title_en="Hello readers", body_en="Welcome **all**", contest_id=contest.id)
    return contest, category, post


PAGES = ["/", "/contests", "/contests/open", "/news", "/news/hello", "/news/feed.atom?lang=en",
         "/contests/open/news/feed.atom?lang=en", "/contests/calendar.ics?lang=en", "/contests/open/calendar.ics",
         "/sitemap.xml", "/robots.txt", "/contests/open?lang=ru"]


@pytest.mark.parametrize("url", PAGES)
def test_a_cached_page_asks_nothing_of_the_database_and_answers_304(site, client, count_queries, url):
    first = client.get(url, headers=EN)
    assert first.status_code == 200 and first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"] and "Set-Cookie" not in first.headers
    with count_queries() as log:
        again = client.get(url, headers=EN)
        not_modified = client.get(url, headers={**EN, "If-None-Match": first.headers["ETag"]})
    assert log.count == 0
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert not_modified.status_code == 304 and not not_modified.data
    assert again.headers["X-Frame-Options"] == "DENY"  # the security headers come with cached pages too


@pytest.mark.parametrize("url", ["/", "/contests", "/contests/open", "/news", "/news/hello"])
def test_anonymous_pages_carry_no_csrf_token_and_switch_language_by_links(site, client, url):
    html = page(client.get(url, headers=EN))
    assert "csrf_token" not in html and 'method="post"' not in html
    assert f'href="/language/ru?next={url}"' in html


def test_pages_browsers_and_proxies_may_keep_briefly_and_per_language(site, client):
    response = client.get("/news", headers=EN)
    assert response.headers["Cache-Control"] == "public, max-age=30"
    # nginx in front keeps it for visitors without cookies only this long (deploy/nginx/contest.conf)
    assert response.headers["X-Accel-Expires"] == str(pagecache.PROXY_CACHE_SECONDS) == "2"
    vary = ", ".join(response.headers.get_all("Vary"))
    assert "Cookie" in vary and "Accept-Language" in vary
    assert client.get("/news/feed.atom?lang=en").headers["Cache-Control"] == "public, max-age=300"


def test_each_language_has_its_own_copy(site, client):
    assert '<html lang="en">' in page(client.get("/news", headers=EN))
    assert '<html lang="ru">' in page(client.get("/news", headers={"Accept-Language": "ru"}))
    client.set_cookie("lang", "kk")
    assert '<html lang="kk">' in page(client.get("/news", headers=EN))


def test_the_language_link_sets_the_cookie_and_comes_back(client):
    response = client.get("/language/ru?next=/news")
    assert response.status_code == 302 and response.headers["Location"] == "/news"
    assert '<html lang="ru">' in page(client.get("/news", headers=EN))
    assert client.get("/language/de?next=/news").status_code == 404
    assert client.get("/language/en?next=https://evil.example/").headers["Location"] == "/"


def test_signed_in_visitors_never_get_the_cached_page(site, client, login_as):
    anonymous = client.get("/contests/open", headers=EN)
    user = login_as("participant", name="Aigerim Test")
    mine = client.get("/contests/open", headers=EN)
    assert mine.headers["Cache-Control"] == "no-store" and "ETag" not in mine.headers
    assert "Aigerim Test" in page(mine) and "Aigerim Test" not in page(anonymous)
    assert "Register a participant" in page(mine) and user.name == "Aigerim Test"


def test_a_visitor_with_a_message_waiting_gets_a_page_of_their_own(site, client, app):
    client.get("/", headers=EN)  # cached without any message
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for you alone")]
    mine = client.get("/", headers=EN)
    assert "A message for you alone" in page(mine) and mine.headers["Cache-Control"] == "no-store"
    with app.test_client() as other:
        assert "A message for you alone" not in page(other.get("/", headers=EN))


def test_unknown_arguments_are_not_cached(site, client, count_queries):
    client.get("/news?utm=1", headers=EN)
    with count_queries() as log:
        response = client.get("/news?utm=1", headers=EN)
    assert log.count > 0 and "ETag" not in response.headers


# A change replaces every page that shows it, at once -------------------------------------------

def test_an_edited_contest_shows_at_once_on_its_page_the_list_and_home(site, client, organiser):
    contest, _category, _post = site
    for url in ("/", "/contests", "/contests/open"):
        assert "Spring verses" in page(client.get(url, headers=EN))
    data = {name: getattr(contest, name) for name in contests.CONTEST_FIELDS} | {"title_en": "Autumn verses"}
    contests.update_contest(contest, data, actor=organiser)
    _db.session.commit()
    for url in ("/", "/contests", "/contests/open"):
        body = page(client.get(url, headers=EN))
        assert "Autumn verses" in body and "Spring verses" not in body


def test_a_status_change_shows_at_once(site, client, organiser):
    contest, _category, _post = site
    assert "Spring verses" in page(client.get("/", headers=EN))
    contests.change_status(contest, "registration_closed", actor=organiser)
    _db.session.commit()
    assert "Registration closed" in page(client.get("/contests/open", headers=EN))
    assert "No contest is taking registrations right now" in page(client.get("/", headers=EN))


def test_an_edited_category_shows_at_once_on_the_contest_page(site, client, organiser):
    _contest, category, _post = site
    assert "Juniors" in page(client.get("/contests/open", headers=EN))
    contests.update_part(category, {"name_en": "Young poets"}, actor=organiser)
    _db.session.commit()
    assert "Young poets" in page(client.get("/contests/open", headers=EN))


def test_an_edited_post_shows_at_once_wherever_it_is_listed(site, client, organiser):
    _contest, _category, post = site
    urls = ("/", "/news", "/news/hello", "/news/feed.atom?lang=en", "/contests/open")
    for url in urls:
        assert "Hello readers" in page(client.get(url, headers=EN))
    news.update_post(post, PostData(texts={"en": {"title": "Hello again", "summary": "", "body": "New *text*"}},
                                    slug="hello", published_at=post.published_at, contest_id=post.contest_id),
                     actor=organiser)
    _db.session.commit()
    for url in urls:
        body = page(client.get(url, headers=EN))
        assert "Hello again" in body and "Hello readers" not in body
    assert "<em>text</em>" in page(client.get("/news/hello", headers=EN))


def test_a_new_and_a_deleted_post_show_at_once(site, client, organiser):
    _contest, _category, post = site
    assert "Fresh news" not in page(client.get("/news", headers=EN))
    news.create_post(PostData(texts={"en": {"title": "Fresh news", "summary": "", "body": "Body"}},
                              published_at=utcnow() - timedelta(minutes=1)), actor=organiser)
    _db.session.commit()
    assert "Fresh news" in page(client.get("/news", headers=EN))
    news.delete_post(post, actor=organiser)
    _db.session.commit()
    assert client.get("/news/hello", headers=EN).status_code == 404
    assert "Hello readers" not in page(client.get("/news", headers=EN))


def test_a_refused_change_leaves_what_is_current(site, app, organiser):
    contest, _category, _post = site
    before = pagecache.version()
    contest.title_en = "Never saved"
    _db.session.flush()
    _db.session.rollback()
    assert pagecache.version() == before
    contest.title_en = "Saved"
    _db.session.commit()
    assert pagecache.version() != before


def test_workers_sharing_the_version_file_see_a_change_at_once(site, app, client):
    """Without Redis, each worker keeps its own pages and all read the same version file."""
    contest, _category, _post = site
    first = app.extensions[pagecache.EXTENSION]
    second = pagecache.PublicPages(pagecache.FileBackend(app.config["PUBLIC_VERSION_FILE"]), first.watched)
    try:
        app.extensions[pagecache.EXTENSION] = second
        assert "Spring verses" in page(client.get("/contests/open", headers=EN))  # kept by the second
        app.extensions[pagecache.EXTENSION] = first
        contest.title_en = "Summer verses"
        _db.session.commit()  # committed in the first worker
        app.extensions[pagecache.EXTENSION] = second
        assert "Summer verses" in page(client.get("/contests/open", headers=EN))
    finally:
        app.extensions[pagecache.EXTENSION] = first


@pytest.fixture
def organiser(make_user):
    return make_user(role="organiser")


def test_pages_and_changes_still_work_while_redis_is_down(site, app):
    contest_id = site[0].id
    _db.session.remove()  # no transaction left open on SQLite while the other app writes
    down = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", UPLOAD_DIR=app.config["UPLOAD_DIR"])
    try:
        visitor = down.test_client()
        assert "Spring verses" in page(visitor.get("/contests/open", headers=EN))
        with down.app_context():
            _db.session.get(Contest, contest_id).title_en = "Winter verses"
            _db.session.commit()  # saved, although the version could not be bumped
        assert "Winter verses" in page(visitor.get("/contests/open", headers=EN))
    finally:
        with down.app_context():
            _db.engine.dispose()


def test_a_bulk_update_of_a_shown_model_changes_what_is_current(site, client):
    from sqlalchemy import update

    contest, _category, _post = site
    assert "Spring verses" in page(client.get("/contests/open", headers=EN))
    _db.session.execute(update(Contest).where(Contest.id == contest.id).values(title_en="Bulk verses"))
    _db.session.commit()
    assert "Bulk verses" in page(client.get("/contests/open", headers=EN))


def test_what_time_alone_changes_shows_once_the_cached_page_expires(site, client, make_post, app, monkeypatch):
    import time

    make_post(title_en="Scheduled news", published_at=utcnow() + timedelta(seconds=1))
    assert "Scheduled news" not in page(client.get("/news", headers=EN))
    time.sleep(1.1)  # the post is now public, but nothing was saved to say so
    assert "Scheduled news" not in page(client.get("/news", headers=EN))  # the cached copy, within its TTL
    later = time.monotonic() + app.config["PUBLIC_PAGE_TTL"] + 1
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: later)
    assert "Scheduled news" in page(client.get("/news", headers=EN))
