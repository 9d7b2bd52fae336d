"""Share cards: the layout's lines (the text a card prints, checked without OCR), every letter
drawn by the font, the picture's size and format, the cache, and what each card may show."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from contest.fonts import FILES, FONT_DIR
from contest.sharing import cards, services
from contest.sharing.cards import Card

KAZAKH = "ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І"
LONG_TITLE = ("«Ақынфест 2027» жас ақындардың республикалық байқауы: Әлихан Бөкейхан атындағы "
              "Қазақстан Республикасының Ұлттық академиялық кітапханасы мен Алматы қалалық кітапханалары")


def png_of(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    assert image.format == "PNG"
    return image


def glyphs_of(font_name: str) -> set[int]:
    return set(TTFont(str(FONT_DIR / FILES[font_name])).getBestCmap())


def test_every_kazakh_letter_is_printed_by_a_font_that_has_it():
    card = Card(kicker="Нәтижелер", title=f"I орын — Ақынфест 2027 {KAZAKH}", subtitle=f"Қасымов Әлихан\n{KAZAKH}",
                footer="Алматы қаласының орталықтандырылған кітапханалар жүйесі")
    blocks = cards.layout(card)
    for block in blocks:
        covered = glyphs_of(block.font_name)
        assert not [char for line in block.lines for char in line if ord(char) not in covered]
    # Nothing lost on the way: the title's words come out in their order.
    assert " ".join(blocks[1].lines).split() == card.title.split()
    assert blocks[0].lines == ("НӘТИЖЕЛЕР",)
    assert blocks[2].lines[0] == "Қасымов Әлихан"
    assert cards.height(blocks) <= cards.CONTENT_HEIGHT  # the footer stays clear


def test_a_long_title_is_wrapped_to_fit_and_clipped_with_an_ellipsis():
    blocks = cards.layout(Card(kicker="Нәтижелер", title=LONG_TITLE * 2, subtitle="Қасымов Әлихан\n12–14 жас",
                               footer=""))
    title = blocks[1]
    assert title.size == cards.TITLE_SIZES[-1] and len(title.lines) == cards.TITLE_LINES
    assert title.lines[-1].endswith(cards.ELLIPSIS)
    assert cards.height(blocks) <= cards.CONTENT_HEIGHT
    face = cards.font(title.font_name, title.size)
    assert all(face.getlength(line) <= cards.TEXT_WIDTH for line in title.lines)


def test_a_short_title_keeps_the_largest_size():
    title = cards.layout(Card(kicker="", title="Ақынфест", subtitle="", footer=""))[0]
    assert (title.size, title.lines) == (cards.TITLE_SIZES[0], ("Ақынфест",))


def test_a_word_wider_than_the_card_is_cut_between_letters():
    face = cards.font(cards.SERIF_BOLD, 68)
    lines = cards.wrap("Ә" * 60, face, cards.TEXT_WIDTH)
    assert len(lines) > 1 and "".join(lines) == "Ә" * 60
    assert all(face.getlength(line) <= cards.TEXT_WIDTH for line in lines)


def test_the_picture_is_a_1200_by_630_png_with_the_title_drawn():
    image = png_of(cards.render(Card(kicker="Байқау", title="Ақынфест", subtitle="", footer="ОКЖ")))
    assert image.size == (1200, 630)
    # Where the title stands, the card has the ink colour; the empty right edge is paper.
    title_area = image.crop((cards.MARGIN, 140, 500, 200)).getcolors(maxcolors=100_000)
    assert any(colour == cards.INK for _, colour in title_area)
    assert image.getpixel((1150, 300)) == cards.PAPER


def test_a_contest_card_is_served_in_the_page_language_and_cached(client, make_contest, monkeypatch, card_folder):
    contest = make_contest(status="published", title_kk="Ақынфест 2027", title_en="Aqynfest 2027",
                           venue_kk="Ұлттық кітапхана")
    drawn = []
    real_render = cards.render
    monkeypatch.setattr(cards, "render", lambda card: drawn.append(card) or real_render(card))
    response = client.get(f"/cards/contests/{contest.slug}/kk.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert png_of(response.data).size == (1200, 630)
    assert drawn[0].title == "Ақынфест 2027" and "Ұлттық кітапхана" in drawn[0].subtitle
    assert "max-age=86400" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    assert list(card_folder.iterdir()) == [card_folder / f"{drawn[0].digest()}.png"]
    # Asked again: read from the folder, not drawn; with its ETag, a 304 and no body.
    again = client.get(f"/cards/contests/{contest.slug}/kk.png")
    assert again.data == response.data and len(drawn) == 1
    assert client.get(f"/cards/contests/{contest.slug}/kk.png", headers={"If-None-Match": etag}).status_code == 304
    # Another language is another card.
    client.get(f"/cards/contests/{contest.slug}/en.png")
    assert drawn[1].title == "Aqynfest 2027" and len(drawn) == 2


def test_cards_of_what_visitors_may_not_see_do_not_exist(client, make_contest, make_post):
    draft = make_contest(status="draft")
    post = make_post(published_at=None)
    assert client.get(f"/cards/contests/{draft.slug}/kk.png").status_code == 404
    assert client.get(f"/cards/news/{post.slug}/kk.png").status_code == 404
    assert client.get("/cards/site/de.png").status_code == 404


def test_a_news_card_prints_the_post_title(client, make_post, monkeypatch):
    post = make_post(title_ru="Ночь в библиотеке", body_ru="Текст.")
    drawn = []
    monkeypatch.setattr(cards, "render", lambda card: drawn.append(card) or b"")
    assert client.get(f"/cards/news/{post.slug}/ru.png").status_code == 200
    assert drawn[0].title == "Ночь в библиотеке" and drawn[0].kicker == "Новости"


def test_result_cards_exist_only_for_published_results(client, judged):
    j = judged()
    registration = j.registrations[0]
    assert client.get(f"/cards/contests/{j.contest.slug}/results/{registration.code}/en.png").status_code == 404
    assert client.get(f"/cards/contests/{j.contest.slug}/results/en.png").status_code == 404


@pytest.mark.parametrize("index, named", [(0, True), (2, False)])
def test_a_result_card_names_only_as_consent_allows(client, published, monkeypatch, index, named):
    registration = published.registrations[index]
    drawn = []
    monkeypatch.setattr(cards, "render", lambda card: drawn.append(card) or b"")
    response = client.get(f"/cards/contests/{published.contest.slug}/results/{registration.code}/en.png")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, no-cache"
    card = drawn[0]
    contest_title = published.contest.title_en
    if named:  # the winner of category A: the award as the tier is named
        assert card.title == f"First degree — {contest_title}"
        assert card.subtitle.splitlines() == [registration.participant.full_name, "Juniors"]
    else:  # a minor whose guardian withdrew consent: no name, no code
        assert card.title == f"Place: 3 — {contest_title}"
        assert card.subtitle == "Juniors" and registration.code not in card.subtitle
    assert client.get(f"/cards/contests/{published.contest.slug}/results/NOPE-0001/en.png").status_code == 404


def test_the_kazakh_result_card_says_i_oryn(app, published):
    registration = published.registrations[0]
    found = services.published_result(published.contest.slug, registration.code)
    assert found is not None
    row = {**found.row, "award_name": {"kk": "I орын", "ru": "I место", "en": "First place"}}
    assert services.result_title(row, "Aqynfest 2027", "kk") == "I орын — Aqynfest 2027"
    assert services.result_title({**row, "award_name": None}, "Aqynfest 2027", "kk").startswith("Орны: 1")


def meta(body: str, key: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', body)


def test_every_public_page_carries_the_site_card_by_default(client):
    body = client.get("/contests", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert meta(body, "og:image") == ["http://localhost/cards/site/ru.png"]
    assert meta(body, "og:locale") == ["ru_RU"] and meta(body, "og:locale:alternate") == ["kk_KZ", "en_US"]
    assert meta(body, "og:url") == ["http://localhost/contests"]
    assert meta(body, "twitter:card") == ["summary_large_image"]
    assert meta(body, "og:image:width") == ["1200"] and meta(body, "og:image:height") == ["630"]
    assert meta(body, "og:title")[0].startswith("Конкурсы")


def test_contest_news_and_results_pages_carry_their_own_cards(client, make_contest, make_post, published):
    contest = make_contest(status="published", title_kk="Ақынфест 2027")
    body = client.get(f"/contests/{contest.slug}", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert meta(body, "og:image") == [f"http://localhost/cards/contests/{contest.slug}/kk.png"]
    assert meta(body, "og:title") == ["Ақынфест 2027"] and meta(body, "og:image:alt") == ["Ақынфест 2027"]
    post = make_post(title_ru="Ночь в библиотеке", body_ru="Текст.")
    body = client.get(f"/news/{post.slug}", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert meta(body, "og:image") == [f"http://localhost/cards/news/{post.slug}/ru.png"]
    assert meta(body, "og:type") == ["article"] and meta(body, "og:locale") == ["ru_RU"]
    slug = published.contest.slug
    body = client.get(f"/contests/{slug}/results?lang=en").get_data(as_text=True)
    assert meta(body, "og:image") == [f"http://localhost/cards/contests/{slug}/results/en.png"]
    assert meta(body, "og:url") == [f"http://localhost/contests/{slug}/results?lang=en"]
    assert client.get(f"/cards/contests/{slug}/results/en.png").status_code == 200
