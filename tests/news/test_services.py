"""News rules without HTTP: visibility in time, slugs, languages, Markdown, covers, audit."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from contest import pictures
from contest.audit.models import AuditEvent
from contest.db import utcnow
from contest.errors import ServiceError
from contest.news import services
from contest.news.models import NewsPost, PostStatus
from contest.news.services import PostData
from tests.news.images import image_bytes, jpeg_with_gps


def texts(**languages: tuple[str, str]) -> dict:
    return {code: {"title": title, "body": body} for code, (title, body) in languages.items()}


def data(**changes) -> PostData:
    values = {"texts": texts(en=("Aqynfest 2022 awards", "83 young poets took part."))}
    values.update(changes)
    return PostData(**values)


def post_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(NewsPost))


def cover_files(app) -> list[str]:
    directory = Path(app.config["UPLOAD_DIR"]) / "news"
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@pytest.fixture(autouse=True)
def empty_cover_dir(app):
    for name in cover_files(app):
        (Path(app.config["UPLOAD_DIR"]) / "news" / name).unlink()


# Visibility ---------------------------------------------------------------------------------

def test_status_follows_the_publication_time(make_post):
    now = utcnow()
    assert make_post(published_at=None).status(now) is PostStatus.DRAFT
    assert make_post(published_at=now + timedelta(days=1)).status(now) is PostStatus.SCHEDULED
    assert make_post(published_at=now - timedelta(minutes=1)).status(now) is PostStatus.PUBLISHED


def test_public_lists_show_only_published_posts_newest_first(make_post):
    now = utcnow()
    older = make_post(published_at=now - timedelta(days=2))
    newer = make_post(published_at=now - timedelta(days=1))
    make_post(published_at=None)
    make_post(published_at=now + timedelta(hours=1))
    assert services.latest_posts(10) == [newer, older]
    assert services.published_page(1).items == [newer, older]
    assert services.feed_posts() == [newer, older]


def test_scheduled_and_draft_posts_are_not_found_by_slug(make_post):
    make_post(slug="later", published_at=utcnow() + timedelta(minutes=5))
    make_post(slug="draft", published_at=None)
    make_post(slug="now")
    assert services.public_post("later") is None
    assert services.public_post("draft") is None
    assert services.public_post("now").slug == "now"


def test_latest_posts_takes_extra_conditions_and_a_limit(make_post):
    for _ in range(4):
        make_post()
    make_post(title_en="Shakarim contest", body_en="x")
    assert len(services.latest_posts(3)) == 3
    assert [p.title_en for p in services.latest_posts(5, NewsPost.title_en == "Shakarim contest")] == [
        "Shakarim contest"]


def test_pages_beyond_the_last_do_not_exist(make_post):
    for _ in range(services.PER_PAGE + 1):
        make_post()
    assert services.published_page(2).items and services.published_page(2).pages == 2
    assert services.published_page(3) is None
    assert services.published_page(0) is None
    assert services.published_page(10**30) is None


# Creating and editing -----------------------------------------------------------------------------

def test_create_post_makes_a_slug_from_the_english_title_and_records_it(db, make_user):
    author = make_user(role="organiser")
    post = services.create_post(data(), actor=author)
    assert post.slug == "aqynfest-2022-awards"
    assert post.author_id == author.id
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.object_id, event.actor_id) == ("news.created", post.id, author.id)


def test_kazakh_title_becomes_a_readable_latin_slug(db):
    post = services.create_post(PostData(texts=texts(kk=("Әдеби көпір: Бішкектегі кездесу", "Мәтін"))),
                                actor=None)
    assert post.slug == "adebi-kopir-bishkektegi-kezdesu"


def test_a_taken_title_slug_gets_a_number(db):
    first = services.create_post(data(), actor=None)
    second = services.create_post(data(), actor=None)
    third = services.create_post(data(), actor=None)
    assert [first.slug, second.slug, third.slug] == [
        "aqynfest-2022-awards", "aqynfest-2022-awards-2", "aqynfest-2022-awards-3"]


def test_a_chosen_slug_that_is_taken_is_refused(db, make_post):
    make_post(slug="aqynfest")
    with pytest.raises(ServiceError) as error:
        services.create_post(data(slug="Aqynfest"), actor=None)
    assert error.value.field == "slug" and "already uses this web address" in str(error.value.message)


def test_a_chosen_slug_is_normalised_and_editing_keeps_it(db):
    post = services.create_post(data(slug="  Night in the Library! "), actor=None)
    assert post.slug == "night-in-the-library"
    services.update_post(post, data(texts=texts(en=("New title", "New text"))), actor=None)
    assert post.slug == "night-in-the-library"
    assert post.title_en == "New title"


def test_a_post_may_keep_its_own_slug_when_edited(db):
    post = services.create_post(data(slug="bridge"), actor=None)
    services.update_post(post, data(slug="bridge"), actor=None)
    assert post.slug == "bridge"


def test_a_slug_without_latin_letters_or_digits_is_refused(db):
    with pytest.raises(ServiceError) as error:
        services.create_post(data(slug="!!!"), actor=None)
    assert error.value.field == "slug"


def test_unknown_language_is_refused(db):
    with pytest.raises(ServiceError) as error:
        services.create_post(PostData(texts=texts(de=("Titel", "Text"))), actor=None)
    assert "Unknown language" in str(error.value.message)
    assert post_count(db) == 0


@pytest.mark.parametrize(("languages", "field"), [
    ({}, "title_kk"),
    ({"ru": ("", "Текст без заголовка")}, "title_ru"),
    ({"kk": ("Тақырып", "")}, "body_kk"),
])
def test_each_language_needs_both_a_title_and_a_text(db, languages, field):
    with pytest.raises(ServiceError) as error:
        services.create_post(PostData(texts=texts(**languages)), actor=None)
    assert error.value.field == field


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>",
    'Hello <img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "<javascript:alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "![pic](data:text/html;base64,PHNjcmlwdD4=)",
])
def test_malicious_markdown_is_refused_and_nothing_is_written(db, body):
    with pytest.raises(ServiceError) as error:
        services.create_post(PostData(texts=texts(ru=("Заголовок", body))), actor=None)
    assert error.value.field == "body_ru"
    assert "not allowed" in str(error.value.message)


def test_ordinary_markdown_with_safe_links_is_accepted(db):
    body = "**Aqynfest** — [rules](https://example.kz/rules), [mail](mailto:info@example.kz), [page](/news)\n\n- a < b"
    post = services.create_post(PostData(texts=texts(en=("Rules", body))), actor=None)
    assert post.body_en == body


def test_preview_writes_nothing_even_for_an_existing_post(db, make_post):
    post = make_post(title_en="Before", body_en="Old text")
    preview = services.preview_post(data(texts=texts(en=("After", "New *text*"))), post)
    assert preview.title_en == "After" and preview.slug == post.slug
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(NewsPost, post.id).title_en == "Before"
    assert post_count(db) == 1


def test_update_records_what_changed(db, make_post):
    post = make_post(slug="old", published_at=None)
    when = utcnow()
    services.update_post(post, data(slug="new", published_at=when), actor=None)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "news.updated"))
    assert event.data["slug"] == ["old", "new"]
    assert event.data["published_at"] == [None, when.isoformat()]


def test_delete_removes_the_post(db, make_post):
    post = make_post()
    services.delete_post(post, actor=None)
    db.session.commit()
    assert post_count(db) == 0


def test_summary_falls_back_to_the_start_of_the_text(make_post):
    post = make_post(title_ru="Заголовок", body_ru="**Жирный** текст " + "слово " * 100, summary_en="")
    assert post.summary_in("ru").startswith("Жирный текст")
    assert len(post.summary_in("ru")) <= 200
    post.summary_ru = "Краткое описание"
    assert post.summary_in("ru") == "Краткое описание"


def test_page_language_falls_back_to_a_written_one(make_post):
    post = make_post(title_ru="Заголовок", body_ru="Текст")
    assert post.written_language("ru") == "ru"
    assert post.written_language("kk") == "ru"


# Covers ------------------------------------------------------------------------------------------

def test_cover_is_reencoded_in_every_size_and_format_without_metadata(app, db):
    post = services.create_post(data(cover=BytesIO(jpeg_with_gps())), actor=None)
    db.session.commit()
    assert post.cover == pictures.Picture(post.cover_image, 1440, 720)
    assert cover_files(app) == sorted(f"{post.cover_image}-{width}.{kind}"
                                      for width in (480, 960, 1440) for kind in ("jpg", "webp"))
    for width in (480, 960, 1440):
        for kind, fmt in (("jpg", "JPEG"), ("webp", "WEBP")):
            with Image.open(Path(app.config["UPLOAD_DIR"]) / "news" / f"{post.cover_image}-{width}.{kind}") as stored:
                assert stored.format == fmt and stored.size == (width, width // 2)
                assert not stored.getexif()


def test_a_small_cover_keeps_its_own_width(app, db):
    post = services.create_post(data(cover=BytesIO(image_bytes("PNG", size=(700, 350)))), actor=None)
    db.session.commit()
    assert post.cover.widths == (480, 700)
    assert cover_files(app) == sorted(post.cover.names()) and len(cover_files(app)) == 4


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_covers_are_accepted(app, db, fmt):
    post = services.create_post(data(cover=BytesIO(image_bytes(fmt, mode="RGBA"))), actor=None)
    db.session.commit()
    assert cover_files(app) == sorted(post.cover.names())


@pytest.mark.parametrize(("content", "message"), [
    (b"GIF89a not really an image", "not a JPEG, PNG or WebP"),
    (b"%PDF-1.7 pretending to be a photo", "not a JPEG, PNG or WebP"),
    (image_bytes("GIF"), "not a JPEG, PNG or WebP"),
    (image_bytes("PNG")[:60], "not a JPEG, PNG or WebP"),
    (b"\xff\xd8\xff" + b"0" * (pictures.MAX_BYTES + 10), "larger than 5 MB"),
])
def test_fake_truncated_or_oversized_images_are_refused(app, db, content, message):
    with pytest.raises(ServiceError) as error:
        services.create_post(data(cover=BytesIO(content)), actor=None)
    assert error.value.field == "cover" and message in str(error.value.message)
    db.session.rollback()
    assert cover_files(app) == [] and post_count(db) == 0


def test_decompression_bomb_is_refused_before_decoding(app, db):
    # A few kilobytes of PNG that would unpack to 10000 x 10000 pixels.
    bomb = image_bytes("PNG", size=(10_000, 10_000), mode="1", optimize=True)
    assert len(bomb) < pictures.MAX_BYTES
    with pytest.raises(ServiceError) as error:
        services.create_post(data(cover=BytesIO(bomb)), actor=None)
    assert "megapixels" in str(error.value.message)


def test_a_stored_cover_is_removed_when_the_change_is_rolled_back(app, db, make_post):
    make_post(slug="taken")
    post = services.create_post(data(cover=BytesIO(image_bytes())), actor=None)
    assert cover_files(app) == sorted(post.cover.names())
    db.session.rollback()
    assert cover_files(app) == []


def test_replacing_or_removing_a_cover_deletes_the_old_file_after_commit(app, db):
    post = services.create_post(data(cover=BytesIO(image_bytes())), actor=None)
    db.session.commit()
    first = post.cover.names()
    services.update_post(post, data(cover=BytesIO(image_bytes("JPEG"))), actor=None)
    assert set(first) <= set(cover_files(app))  # still needed if the change were rolled back
    db.session.commit()
    assert cover_files(app) == sorted(post.cover.names()) and post.cover.names() != first
    services.update_post(post, data(remove_cover=True), actor=None)
    db.session.commit()
    assert post.cover is None and post.cover_width is None and cover_files(app) == []


def test_deleting_a_post_deletes_its_cover(app, db):
    post = services.create_post(data(cover=BytesIO(image_bytes())), actor=None)
    db.session.commit()
    services.delete_post(post, actor=None)
    db.session.commit()
    assert cover_files(app) == []


# Demo data --------------------------------------------------------------------------------------

def test_demo_news_loads_once(db):
    from contest.news.demo import DEMO_POSTS, load_news

    load_news()
    db.session.commit()
    load_news()
    db.session.commit()
    assert post_count(db) == len(DEMO_POSTS)
    bridge = services.public_post("literary-bridge-bishkek")
    assert "57" in bridge.body_kk and "57" in bridge.body_ru and "57" in bridge.body_en
