"""Contest covers over HTTP: uploaded with the setup form, checked by content, stored in three
widths as WebP and JPEG, shown through <picture>/srcset on the home page, the list and the
contest page, refused with a message and no file when bad."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from PIL import Image

from contest import pictures
from tests.conftest import stored_bytes, stored_names
from tests.contests.test_views import contest_form
from tests.news.images import image_bytes

EN = {"Accept-Language": "en"}


def page(response) -> str:
    return response.get_data(as_text=True)


def stored(app) -> set[str]:
    return set(stored_names("contests"))


def upload(size=(1600, 900), fmt="JPEG", name="poster.jpg"):
    return BytesIO(image_bytes(fmt, size=size)), name


@pytest.fixture
def contest(make_contest):
    return make_contest(status="registration_open", title_en="Young poets", slug="young-poets")


def test_a_cover_is_resized_into_three_widths_in_webp_and_jpeg(app, client, db, login_as, contest, file_store):
    login_as("organiser")
    before = stored(app)
    response = client.post_form(f"/manage/contests/{contest.id}/edit",
                                contest_form(slug="young-poets", cover=upload(), cover_alt_en="A stage"))
    assert response.status_code == 302
    db.session.refresh(contest)
    assert (contest.cover_width, contest.cover_height) == (1440, 810) and contest.cover_alt_en == "A stage"
    assert stored(app) - before == {f"{contest.cover_image}-{width}.{kind}"
                                    for width in (480, 960, 1440) for kind in ("webp", "jpg")}
    for width in (480, 960, 1440):
        for kind, fmt in (("webp", "WEBP"), ("jpg", "JPEG")):
            with Image.open(BytesIO(stored_bytes("contests", f"{contest.cover_image}-{width}.{kind}"))) as image:
                assert image.format == fmt and image.width == width


@pytest.mark.parametrize(("content", "message"), [
    ((b"%PDF-1.7 a programme, not a picture", "programme.jpg"), "not a JPEG, PNG or WebP"),
    ((image_bytes("GIF"), "old.gif"), "not a JPEG, PNG or WebP"),
    ((b"\xff\xd8\xff" + b"0" * (pictures.MAX_BYTES + 1), "huge.jpg"), "larger than 5 MB"),
])
def test_a_bad_cover_is_refused_with_a_message_and_nothing_is_written(app, client, db, login_as, contest,
                                                                       content, message, file_store):
    login_as("organiser")
    before = stored(app)
    response = client.post_form(f"/manage/contests/{contest.id}/edit",
                                contest_form(slug="young-poets", title_en="Renamed",
                                             cover=(BytesIO(content[0]), content[1])), headers=EN)
    assert response.status_code == 422
    html = page(response)
    assert message in html and re.search(r'id="cover"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="cover"', html)
    db.session.refresh(contest)
    assert contest.cover_image is None and contest.title_en == "Young poets"
    assert stored(app) == before


def test_the_refusal_is_translated(client, login_as, contest):
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{contest.id}/edit",
                                contest_form(slug="young-poets", cover=(BytesIO(b"not an image"), "a.jpg")),
                                headers={"Accept-Language": "kk"})
    assert response.status_code == 422 and "This file is not" not in page(response)


def test_public_pages_show_the_cover_with_srcset_sizes_and_alt_text(app, client, db, login_as, contest,
                                                                     file_store):
    login_as("organiser")
    client.post_form(f"/manage/contests/{contest.id}/edit", contest_form(slug="young-poets", cover=upload()))
    db.session.refresh(contest)
    client.post_form("/logout")
    stem = contest.cover_image
    webp = ", ".join(f"/covers/contests/{stem}-{width}.webp {width}w" for width in (480, 960, 1440))
    for url in ("/", "/contests", "/contests/young-poets"):
        html = page(client.get(url, headers=EN))
        picture = html[html.index("<picture"):html.index("</picture>")]
        assert f'srcset="{webp}"' in picture and 'type="image/webp"' in picture
        assert f'src="/covers/contests/{stem}-960.jpg"' in picture
        assert 'width="1440" height="810" alt="Young poets"' in picture  # no description: the title
    response = client.get(f"/covers/contests/{stem}-480.webp")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.data == stored_bytes("contests", f"{stem}-480.webp")
    assert client.get(f"/covers/contests/{stem}-480.webp",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert "max-age=31536000" in response.headers["Cache-Control"]


def test_a_drafts_cover_is_hidden_from_the_public(client, db, login_as, make_contest, file_store):
    draft = make_contest(status="draft")
    login_as("organiser")
    client.post_form(f"/manage/contests/{draft.id}/edit", contest_form(slug=draft.slug, cover=upload((600, 300))))
    db.session.refresh(draft)
    name = f"{draft.cover_image}-600.jpg"
    assert client.get(f"/covers/contests/{name}").headers["Cache-Control"] == "private, no-store"
    client.post_form("/logout")
    assert client.get(f"/covers/contests/{name}").status_code == 404
    assert client.get(f"/covers/contests/{draft.cover_image}-480.jpg").status_code == 404  # a size it lacks


def test_removing_the_cover_deletes_its_files(app, client, db, login_as, contest):
    login_as("organiser")
    client.post_form(f"/manage/contests/{contest.id}/edit", contest_form(slug="young-poets", cover=upload()))
    db.session.refresh(contest)
    names = set(contest.cover.names())
    assert names <= stored(app)
    assert client.post_form(f"/manage/contests/{contest.id}/edit",
                            contest_form(slug="young-poets", remove_cover="y")).status_code == 302
    db.session.refresh(contest)
    assert contest.cover is None and not names & stored(app)
    assert "<picture" not in page(client.get("/contests/young-poets"))
