"""News over HTTP: what visitors and organisers see, what bad input gets, and how many queries."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from contest import pictures
from contest.db import utcnow
from contest.news.models import NewsPost
from tests.news.images import image_bytes

EN = {"Accept-Language": "en"}
ATOM = "{http://www.w3.org/2005/Atom}"


def page(response) -> str:
    return response.get_data(as_text=True)


def post_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(NewsPost))


def form(**changes) -> dict:
    values = {"title_en": "Aqynfest 2022 awards", "body_en": "**83** young poets took part.",
              "title_kk": "«Aqynfest 2022» марапаттауы", "body_kk": "83 жас ақын қатысты.",
              "published_at": "2022-09-20T18:00", "action": "save"}
    values.update(changes)
    return values


@pytest.fixture
def organiser(login_as):
    return login_as("organiser")


def many_posts(db, count: int, **values) -> None:
    """`count` published posts in one statement (the factory would take a commit each)."""
    moment = utcnow() - timedelta(days=1)
    prefix = f"bulk{post_count(db)}"
    db.session.execute(insert(NewsPost), [
        {"slug": f"{prefix}-{n}", "title_en": f"Bulk post {n}", "body_en": f"Text {n}", "title_kk": "", "title_ru": "",
         "body_kk": "", "body_ru": "", "summary_kk": "", "summary_ru": "", "summary_en": "",
         "published_at": moment - timedelta(minutes=n), "created_at": moment, "updated_at": moment, **values}
        for n in range(count)])
    db.session.commit()


# Public pages --------------------------------------------------------------------------------------

def test_news_list_shows_published_posts_in_the_visitors_language(client, make_post):
    make_post(title_kk="Әдеби көпір", body_kk="Бішкек", title_ru="Литературный мост", body_ru="Бишкек")
    make_post(title_en="Secret draft", published_at=None)
    make_post(title_en="Tomorrow's news", published_at=utcnow() + timedelta(days=1))
    kk = page(client.get("/news"))
    assert "Әдеби көпір" in kk and "Литературный мост" not in kk
    assert "Литературный мост" in page(client.get("/news", headers={"Accept-Language": "ru"}))
    english = page(client.get("/news", headers=EN))
    assert "Әдеби көпір" in english  # no English text: shown in a language it has, marked as such
    assert 'lang="kk"' in english
    assert "Secret draft" not in english and "Tomorrow" not in english


@pytest.mark.parametrize("query", ["page=abc", "page=", "page=1.5", "page=" + "9" * 5000])
def test_junk_page_numbers_show_the_first_page(client, make_post, query):
    make_post(title_en="First post")
    response = client.get(f"/news?{query}", headers=EN)
    assert response.status_code == 200 and "First post" in page(response)


@pytest.mark.parametrize("number", ["0", "-1", "3", "99999999999999999999999999"])
def test_pages_that_do_not_exist_are_404(client, make_post, number):
    make_post()
    assert client.get(f"/news?page={number}").status_code == 404


def test_pagination_links_move_through_the_posts(client, db):
    many_posts(db, 25)
    first = page(client.get("/news", headers=EN))
    assert "Bulk post 0" in first and "Bulk post 10" not in first
    assert 'href="/news?page=2"' in first and "Page 1 of 3" in first
    assert "Bulk post 24" in page(client.get("/news?page=3", headers=EN))


def test_post_page_has_title_description_and_opengraph(client, make_post):
    make_post(slug="night-in-the-library", title_ru="Ночь в библиотеке", body_ru="Книжные *сумерки*",
              summary_ru="Праздник книги", cover_image="A" * 22, cover_width=1440, cover_height=720)
    html = page(client.get("/news/night-in-the-library", headers={"Accept-Language": "ru"}))
    assert "<title>Ночь в библиотеке ·" in html
    assert '<meta name="description" content="Праздник книги">' in html
    assert '<meta property="og:title" content="Ночь в библиотеке">' in html
    assert '<meta property="og:url" content="http://localhost/news/night-in-the-library">' in html
    # The share card (contest/sharing) in the post's language, drawn with its title; the lead
    # photo stays on the page.
    assert '<meta property="og:image" content="http://localhost/cards/news/night-in-the-library/ru.png">' in html
    assert "<em>сумерки</em>" in html
    assert len(re.findall(r"<h1[ >]", html)) == 1


def test_post_page_escapes_what_is_sanitised_away(client, make_post):
    # Written straight to the database, past the editor's checks: rendering must still be safe.
    make_post(slug="bad", title_en='<b onmouseover="x">T</b>',
              body_en="[x](javascript:alert(1)) <script>alert(1)</script>")
    html = page(client.get("/news/bad", headers=EN))
    assert "<script>alert" not in html and 'href="javascript' not in html and '<b onmouseover' not in html


@pytest.mark.parametrize("published_at", [None, "future"])
def test_unpublished_posts_are_404_for_visitors(client, make_post, login_as, published_at):
    when = utcnow() + timedelta(hours=2) if published_at else None
    make_post(slug="hidden", published_at=when)
    assert client.get("/news/hidden").status_code == 404
    login_as("participant")
    assert client.get("/news/hidden").status_code == 404


def test_public_pages_are_shared_only_when_nobody_is_signed_in(client, make_post, login_as):
    make_post(slug="p")
    for url in ("/news", "/news/p"):
        assert client.get(url).headers["Cache-Control"] == "public, max-age=30"
    login_as("participant")
    for url in ("/news", "/news/p"):
        assert client.get(url).headers["Cache-Control"] == "no-store"


# Atom feed ---------------------------------------------------------------------------------------

def test_feed_is_valid_atom_with_absolute_links_in_the_requested_language(client, make_post):
    make_post(slug="bridge", title_kk="Әдеби көпір", body_kk="57 кітап", title_ru="Литературный мост",
              body_ru="57 книг & <журналов>", title_en="Literary Bridge", body_en="57 books")
    make_post(title_en="Draft", published_at=None)
    response = client.get("/news/feed.atom?lang=ru")
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.find(f"{ATOM}title").text == "Литературный мост"
    assert entry.find(f"{ATOM}link").get("href") == "http://localhost/news/bridge?lang=ru"
    assert "57 книг &amp; &lt;журналов&gt;" in entry.find(f"{ATOM}content").text
    datetime.fromisoformat(entry.find(f"{ATOM}published").text)
    assert "Әдеби көпір" in page(client.get("/news/feed.atom"))  # Kazakh by default


def test_feed_may_be_cached_and_sets_no_cookie(client, make_post):
    make_post()
    response = client.get("/news/feed.atom?lang=en")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in response.headers


def test_feed_in_an_unknown_language_is_refused_with_a_message(client):
    response = client.get("/news/feed.atom?lang=xx", headers=EN)
    assert response.status_code == 400
    assert "This language is not available" in page(response)


# Constant queries ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/news", "/news?page=2", "/news/feed.atom", "/manage/news", "/manage/news?page=2"])
def test_lists_and_feed_run_a_constant_number_of_queries(client, db, count_queries, organiser, make_user, url):
    def queries() -> int:
        with count_queries() as log:
            assert client.get(url).status_code == 200
        return log.count

    many_posts(db, 60, author_id=make_user(role="organiser").id)
    with_few = queries()
    many_posts(db, 1000, author_id=make_user(role="organiser").id)
    assert queries() == with_few <= 5


# Covers ------------------------------------------------------------------------------------------

def saved_cover(client, db, **changes) -> NewsPost:
    client.post_form("/manage/news/new", form(cover=(BytesIO(image_bytes("PNG")), "holiday.png"), **changes))
    return db.session.scalar(select(NewsPost).order_by(NewsPost.id.desc()))


def test_cover_is_served_with_a_long_cache_under_a_random_name(client, db, organiser):
    post = saved_cover(client, db)
    assert "holiday" not in post.cover_image
    client.post_form("/logout")
    for name, mimetype in ((post.cover.name(post.cover.width, "jpg"), "image/jpeg"),
                           (post.cover.name(post.cover.width, "webp"), "image/webp")):
        response = client.get(f"/news/covers/{name}")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "public" in response.headers["Cache-Control"]


def test_cover_of_an_unpublished_post_is_404_for_the_public(client, db, organiser):
    post = saved_cover(client, db, published_at="")
    name = post.cover.name(post.cover.width, "webp")
    assert client.get(f"/news/covers/{name}").headers["Cache-Control"] == "private, no-store"
    client.post_form("/logout")
    assert client.get(f"/news/covers/{name}").status_code == 404


def test_lead_photo_is_a_picture_with_webp_and_jpeg_sizes_and_alt_text(client, db, organiser):
    post = saved_cover(client, db, cover_alt_en="Poets on the library stage")
    stem = post.cover_image
    client.post_form("/logout")
    for url in ("/news", f"/news/{post.slug}"):
        html = page(client.get(url, headers=EN))
        picture = html[html.index("<picture"):html.index("</picture>")]
        webp = rf'<source type="image/webp" sizes="[^"]+" srcset="/news/covers/{stem}-40\.webp 40w">'
        assert re.search(webp, picture)
        assert f'src="/news/covers/{stem}-40.jpg"' in picture and f'srcset="/news/covers/{stem}-40.jpg 40w"' in picture
        assert 'width="40" height="30" alt="Poets on the library stage"' in picture


def test_without_a_description_the_lead_photo_is_described_by_the_title(client, db, organiser):
    post = saved_cover(client, db)
    html = page(client.get(f"/news/{post.slug}", headers=EN))
    assert 'alt="Aqynfest 2022 awards"' in html


@pytest.mark.parametrize("name", ["..%2F..%2Fconfig.py", "x.jpg", "A" * 22 + "-480.png", "A" * 22 + "-480.jpg",
                                  "A" * 22 + ".jpg"])
def test_unknown_or_odd_cover_names_are_404(client, name):
    assert client.get(f"/news/covers/{name}").status_code == 404


def test_a_size_the_cover_does_not_have_is_404(client, db, organiser):
    post = saved_cover(client, db)
    assert client.get(f"/news/covers/{post.cover_image}-960.jpg").status_code == 404  # the upload is 40 wide


# Organiser editor ---------------------------------------------------------------------------------

def test_visitors_and_other_roles_cannot_reach_the_editor(client, login_as):
    assert client.get("/manage/news").status_code == 302
    login_as("juror")
    assert client.get("/manage/news/new").status_code == 403


def test_organiser_creates_a_post_in_almaty_time(client, db, organiser):
    response = client.post_form("/manage/news/new", form(), headers=EN)
    assert response.status_code == 302
    post = db.session.scalar(select(NewsPost))
    assert post.slug == "aqynfest-2022-awards"
    assert post.published_at == datetime(2022, 9, 20, 12, 0, tzinfo=UTC)  # 18:00 in Almaty (UTC+6 then)
    assert post.author_id == organiser.id
    edit_page = page(client.get(response.headers["Location"], headers=EN))
    assert 'value="2022-09-20T18:00"' in edit_page and "Published" in edit_page


def test_manage_list_shows_status_badges(client, make_post, organiser):
    make_post(title_en="A draft", published_at=None)
    make_post(title_en="Coming soon", published_at=utcnow() + timedelta(days=3))
    make_post(title_en="Out now")
    html = page(client.get("/manage/news", headers=EN))
    for title, badge in (("A draft", "Draft"), ("Coming soon", "Scheduled"), ("Out now", "Published")):
        row = html[html.index(title):]
        assert badge in row[:row.index("</tr>")]


def test_preview_shows_the_rendered_post_and_writes_nothing(client, db, organiser):
    response = client.post_form("/manage/news/new", form(action="preview", body_en="Hello *world*"), headers=EN)
    assert response.status_code == 200
    html = page(response)
    assert "Preview" in html and "<em>world</em>" in html and "Nothing has been saved yet" in html
    assert 'value="Aqynfest 2022 awards"' in html  # the form keeps what was typed
    assert post_count(db) == 0


def test_preview_of_an_existing_post_leaves_it_unchanged(client, db, make_post, organiser):
    post = make_post(title_en="Before", body_en="Old")
    response = client.post_form(f"/manage/news/{post.id}/edit", form(action="preview", title_en="After"))
    assert response.status_code == 200 and "After" in page(response)
    assert db.session.get(NewsPost, post.id).title_en == "Before"


def test_editing_changes_the_post(client, db, make_post, organiser):
    post = make_post(slug="old-address", title_en="Before", body_en="Old")
    response = client.post_form(f"/manage/news/{post.id}/edit", form(slug="new-address", title_en="After"))
    assert response.status_code == 302
    post = db.session.get(NewsPost, post.id)
    assert (post.slug, post.title_en) == ("new-address", "After")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"slug": "taken"}, "slug", "Another post already uses this web address"),
    ({"body_en": "<script>alert(1)</script>"}, "body_en", "HTML or a link that is not allowed"),
    ({"body_en": "[x](javascript:alert(1))"}, "body_en", "HTML or a link that is not allowed"),
    ({"title_en": "", "title_kk": "", "body_en": "", "body_kk": ""}, "title_kk", "at least one language"),
    ({"title_en": "x" * 201}, "title_en", "too long"),
    ({"published_at": "20.09.2022 evening"}, "published_at", "Enter a date and time"),
    ({"published_at": "2022-02-30T10:00"}, "published_at", "Enter a date and time"),
    ({"cover": (BytesIO(b"MZ\x90\x00 not an image"), "photo.jpg")}, "cover", "not a JPEG, PNG or WebP"),
])
def test_bad_input_is_explained_beside_the_field_and_nothing_is_written(
        client, db, make_post, organiser, app, changes, field, message):
    make_post(slug="taken")
    before = post_count(db)
    response = client.post_form("/manage/news/new", form(**changes), headers=EN)
    assert response.status_code == 422
    html = page(response)
    assert message in html
    assert f'id="{field}-error"' in html
    assert post_count(db) == before


@pytest.mark.parametrize(("body", "named"), [
    ("<script>alert(1)</script>", "&lt;script&gt;"),
    ('Read <iframe src="https://x.kz"></iframe> and <b onmouseover="steal()">this</b>',
     "&lt;iframe src&gt;, &lt;b onmouseover&gt;"),
    ("[x](javascript:alert(1))", "javascript:alert(1)"),
])
def test_refused_html_is_named_and_escaped_in_the_message(client, db, organiser, body, named):
    response = client.post_form("/manage/news/new", form(body_en=body), headers=EN)
    assert response.status_code == 422
    html = page(response)
    match = re.search(r'id="body_en-error"[^>]*>([^<]*)<', html)
    assert match and f"not allowed: {named}." in match.group(1)
    assert "<script>alert" not in html and "<iframe" not in html and "<b onmouseover" not in html
    assert post_count(db) == 0


def test_saving_without_a_publication_time_says_the_post_stays_a_draft(client, db, organiser):
    response = client.post_form("/manage/news/new", form(published_at=""), headers=EN, follow_redirects=True)
    assert response.status_code == 200
    assert "saved as a draft: it has no publication time, so visitors do not see it" in page(response)
    assert db.session.scalar(select(NewsPost)).published_at is None
    response = client.post_form("/manage/news/new", form(title_en="Out", slug="out"), headers=EN,
                                follow_redirects=True)
    assert "The post has been saved." in page(response) and "saved as a draft" not in page(response)


def test_errors_come_in_the_organisers_language(client, make_post, organiser):
    make_post(slug="taken")
    html = page(client.post_form("/manage/news/new", form(slug="taken"), headers={"Accept-Language": "ru"}))
    assert "Этот веб-адрес уже занят другой публикацией" in html


def test_oversized_cover_is_refused_and_no_file_is_kept(client, db, organiser, app):
    directory = Path(app.config["UPLOAD_DIR"]) / "news"
    files_before = set(directory.iterdir()) if directory.exists() else set()
    big = b"\xff\xd8\xff" + b"0" * (pictures.MAX_BYTES + 1)
    response = client.post_form("/manage/news/new", form(cover=(BytesIO(big), "big.jpg")), headers=EN)
    assert response.status_code == 422 and "larger than 5 MB" in page(response)
    assert post_count(db) == 0
    assert (set(directory.iterdir()) if directory.exists() else set()) == files_before


def test_a_rejected_form_leaves_no_cover_file_behind(client, db, make_post, organiser, app):
    make_post(slug="taken")
    directory = Path(app.config["UPLOAD_DIR"]) / "news"
    files_before = set(directory.iterdir()) if directory.exists() else set()
    response = client.post_form("/manage/news/new", form(slug="taken", cover=(BytesIO(image_bytes()), "a.png")))
    assert response.status_code == 422
    files_after = set(directory.iterdir()) if directory.exists() else set()
    assert files_after == files_before


def test_delete_removes_the_post_and_its_page(client, db, make_post, organiser):
    post = make_post(slug="gone")
    response = client.post_form(f"/manage/news/{post.id}/delete")
    assert response.status_code == 302
    assert post_count(db) == 0
    assert client.get("/news/gone").status_code == 404


def test_delete_needs_a_post_request_with_a_token(client, make_post, organiser):
    post = make_post()
    assert client.get(f"/manage/news/{post.id}/delete").status_code == 405
    assert client.post(f"/manage/news/{post.id}/delete").status_code == 400


def test_latest_news_partial_renders_for_the_home_page(app, make_post):
    from flask import render_template

    from contest.news.services import latest_posts

    make_post(slug="fresh", title_en="Fresh news")
    with app.test_request_context("/", headers=EN):
        html = render_template("news/_latest.html", posts=latest_posts(3))
    assert "Fresh news" in html and 'href="/news/fresh"' in html and 'href="/news"' in html


def test_nav_links_to_news(client):
    assert 'href="/news"' in page(client.get("/"))


def test_a_post_about_a_contest_shows_on_the_contest_page(client, make_post, make_contest):
    contest = make_contest(status="registration_open")
    make_post(title_en="Aqynfest jury announced", contest_id=contest.id)
    make_post(title_en="Unrelated library evening")
    html = client.get(f"/contests/{contest.slug}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "News about this contest" in html
    assert "Aqynfest jury announced" in html and "Unrelated library evening" not in html


def test_organiser_links_a_post_to_a_contest_and_an_unknown_contest_is_refused(client, db, login_as, make_contest):
    from sqlalchemy import select

    from contest.news.models import NewsPost

    login_as("organiser")
    contest = make_contest()
    form = {"title_en": "Shakarim round", "body_en": "Twenty pupils recited.", "action": "save"}
    response = client.post_form("/manage/news/new", {**form, "contest_id": "999999"},
                                headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Choose a contest from the list" in response.get_data(as_text=True)
    assert db.session.scalar(select(NewsPost)) is None
    assert client.post_form("/manage/news/new", {**form, "contest_id": "abc"}).status_code == 422

    assert client.post_form("/manage/news/new", {**form, "contest_id": str(contest.id)}).status_code == 302
    assert db.session.scalar(select(NewsPost)).contest_id == contest.id


def test_home_page_shows_the_latest_news(client, make_post):
    make_post(title_en="Night in the Library")
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Latest news" in html and "Night in the Library" in html
