"""The widget other sites embed: its own frame-ancestors (and only its own), no script, what it
lists, and the organisers' copy-paste snippet."""

from __future__ import annotations

import re

import pytest

from contest import create_app
from contest.db import utcnow
from contest.sharing import services
from contest.web import CONTENT_SECURITY_POLICY, embed_origins

EN = {"Accept-Language": "en"}


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]*)", response.headers["Content-Security-Policy"]).group(1)


def test_by_default_only_this_site_may_frame_the_widget(client):
    response = client.get("/embed")
    assert response.status_code == 200
    assert frame_ancestors(response) == "'self'" and "X-Frame-Options" not in response.headers
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    home = client.get("/")
    assert home.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert frame_ancestors(home) == "'none'" and home.headers["X-Frame-Options"] == "DENY"


def test_the_widget_lists_exactly_the_configured_origins(tmp_path, monkeypatch):
    app = create_app("testing", EMBED_ORIGINS="https://www.kitaphana.kz, https://kitaphana.kz/",
                     PUBLIC_VERSION_FILE=str(tmp_path / "version"))
    monkeypatch.setattr(services, "widget_contests", lambda: [])
    monkeypatch.setattr(services, "widget_results", lambda language: [])
    client = app.test_client()
    widget = client.get("/embed?lang=ru")
    assert widget.status_code == 200
    assert frame_ancestors(widget) == "'self' https://www.kitaphana.kz https://kitaphana.kz"
    assert "X-Frame-Options" not in widget.headers
    other = client.get("/cards/site/ru.png")
    assert frame_ancestors(other) == "'none'" and other.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("value", ["https://kitaphana.kz; script-src *", "javascript:alert(1)", "*",
                                   "https://kitaphana.kz/path", "'unsafe-inline'"])
def test_anything_but_an_origin_is_refused_at_start(value):
    with pytest.raises(RuntimeError, match="EMBED_ORIGINS"):
        embed_origins(value)


def test_the_widget_shows_open_contests_and_latest_results_without_script(client, published, open_contest):
    contest = open_contest(title_kk="Жас ақын", title_en="Young poet")
    body = client.get("/embed?lang=en").get_data(as_text=True)
    assert "<script" not in body and "style=" not in body
    assert "Young poet" in body and f"/contests/{contest.slug}" in body
    assert published.contest.title_en in body and f"/contests/{published.contest.slug}/results?lang=en" in body
    # Winners as consent allows; never a phone or a date of birth.
    assert "Juniors1 Aruzhan" in body and "First degree" in body and "+7 777" not in body
    links = re.findall(r"<a [^>]*>", body)
    assert links and all('target="_blank"' in link and 'rel="noopener"' in link for link in links)
    assert 'lang="en"' in body
    kazakh = client.get("/embed?lang=kk").get_data(as_text=True)
    assert "Жас ақын" in kazakh and '<html lang="kk">' in kazakh


def test_a_winner_without_consent_is_not_named_in_the_widget(client, published, db):
    winner = published.registrations[0].participant
    winner.birth_date = winner.birth_date.replace(year=utcnow().year - 12)
    winner.consent_at = winner.consent_withdrawn_at = utcnow()
    db.session.commit()
    body = client.get("/embed?lang=en").get_data(as_text=True)
    assert "Juniors1 Aruzhan" not in body and published.registrations[0].code in body


def test_the_widget_is_served_from_the_public_pages_cache(client, open_contest, count_queries):
    open_contest()
    first = client.get("/embed?lang=kk")
    with count_queries() as log:
        again = client.get("/embed?lang=kk")
    assert again.data == first.data and log.count == 0 and "ETag" in again.headers


def test_organisers_get_the_snippet_in_each_language(client, login_as):
    assert client.get("/manage/embed").status_code in (302, 401)
    login_as("participant")
    assert client.get("/manage/embed").status_code == 403
    login_as("organiser")
    body = client.get("/manage/embed", headers=EN).get_data(as_text=True)
    for code in ("kk", "ru", "en"):
        assert f'&lt;iframe src=&#34;http://localhost/embed?lang={code}&#34; title=' in body
    assert '<iframe class="embed-preview" src="/embed?lang=en" title="Library contests"' in body
