"""Site-wide behaviour: languages, error pages, security headers, request limits."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from contest.auth.models import User


def page(response) -> str:
    return response.get_data(as_text=True)


def test_default_language_is_kazakh(client):
    response = client.get("/")
    assert '<html lang="kk">' in page(response)
    assert "Кіру" in page(response)  # "Sign in"


@pytest.mark.parametrize(("header", "lang"), [("ru-RU,ru;q=0.9", "ru"), ("en-GB", "en"), ("de-DE", "kk")])
def test_browser_language_is_used_when_nothing_was_chosen(client, header, lang):
    assert f'<html lang="{lang}">' in page(client.get("/", headers={"Accept-Language": header}))


def test_switcher_choice_beats_the_browser_and_is_kept(client):
    response = client.post_form("/language", {"language": "en", "next": "/login"},
                                headers={"Accept-Language": "ru"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert '<html lang="en">' in page(client.get("/login", headers={"Accept-Language": "ru"}))


def test_account_setting_beats_the_cookie(client, login_as):
    login_as(preferred_language="ru")
    client.set_cookie("lang", "en")
    assert '<html lang="ru">' in page(client.get("/"))


def test_switching_language_while_signed_in_saves_it(client, db, login_as):
    user = login_as(preferred_language="ru")
    client.post_form("/language", {"language": "kk", "next": "/"})
    assert db.session.get(User, user.id).preferred_language == "kk"


def test_unknown_language_code_is_refused_with_a_message(client):
    response = client.post_form("/language", {"language": "xx", "next": "/"}, headers={"Accept-Language": "en"},
                                follow_redirects=True)
    assert "This language is not available" in page(response)
    assert "lang=xx" not in str(client.get_cookie("lang"))


def test_language_switch_by_get_is_not_allowed(client):
    assert client.get("/language?language=en").status_code == 405


def test_not_found_page_is_translated(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "ru"})
    assert response.status_code == 404
    assert "Страница не найдена" in page(response)


def test_server_error_shows_a_friendly_page_without_traceback(app, client, monkeypatch):
    def broken():
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.view_functions, "site.home", broken)
    broken.access_rule = "public"
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in page(response)
    assert "secret internals" not in page(response) and "Traceback" not in page(response)


def test_oversized_body_is_refused_with_413_and_writes_nothing(app, client, db):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/signup", data={"name": big}, headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "larger than the site accepts" in page(response)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts(client):
    html = page(client.get("/"))
    assert "<script>" not in html and "onclick" not in html


def test_session_cookie_is_httponly_and_lax(client, make_user):
    from tests.conftest import TEST_PASSWORD

    make_user(email="poet@example.kz")
    response = client.post_form("/login", {"email": "poet@example.kz", "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_bootstrap_is_served_locally(client):
    html = page(client.get("/"))
    # Every stylesheet and script comes from this site: no host in their addresses.
    assets = re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', html)
    assert assets and all(url.startswith("/") and not url.startswith("//") for url in assets)
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200


def test_dates_are_shown_in_almaty_time_for_the_locale(app):
    from datetime import UTC, datetime

    from contest.i18n import format_prose_datetime

    moment = datetime(2026, 2, 20, 5, 30, tzinfo=UTC)  # 10:30 in Almaty (UTC+5 since March 2024)
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "ru"}):
        text = format_prose_datetime(moment)
    assert text == "20 февраля 2026 г., 10:30"


def nav_links(page: str) -> dict[str, str]:
    """Each top navigation link's text and its aria-current value ('' when it has none)."""
    nav = page.split('id="nav-main"', 1)[1].split("</nav>", 1)[0]
    return {text.strip(): current or "" for current, text in
            re.findall(r'<a class="nav-link[^"]*" href="[^"]*"(?: role="button" data-bs-toggle="dropdown"\s*'
                       r'aria-expanded="false")?(?: aria-current="(\w+)")?>([^<]+)</a>', nav)}


def test_the_navigation_marks_the_section_the_page_belongs_to(client, login_as):
    assert nav_links(client.get("/contests").get_data(as_text=True))["Байқаулар"] == "page"
    assert nav_links(client.get("/contests/no-such-contest").get_data(as_text=True))["Байқаулар"] == "true"
    on_news = nav_links(client.get("/news").get_data(as_text=True))
    assert (on_news["Жаңалықтар"], on_news["Байқаулар"]) == ("page", "")
    login_as("organiser")
    managing = nav_links(client.get("/manage/news").get_data(as_text=True))
    assert (managing["Басқару"], managing["Жаңалықтар"]) == ("true", "")
    assert nav_links(client.get("/").get_data(as_text=True)) == {"Байқаулар": "", "Жаңалықтар": "", "Басқару": ""}
