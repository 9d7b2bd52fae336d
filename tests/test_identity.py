"""The site's own look: a typeface that has every Kazakh letter in every face the CSS declares,
served from static/ (no outside font or CDN), the favicon, app icons and the web manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from contest.fonts import KAZAKH_CYRILLIC, KAZAKH_LATIN, RUSSIAN

STATIC = Path(__file__).resolve().parents[1] / "static"
IDENTITY_CSS = (STATIC / "css" / "identity.css").read_text()
FACES = re.findall(r"@font-face\s*{([^}]*)}", IDENTITY_CSS)


def test_identity_css_declares_the_faces_the_pages_use():
    declared = {(re.search(r'font-family: "([^"]+)"', face).group(1), re.search(r"font-weight: (\d+)", face).group(1),
                 re.search(r"font-style: (\w+)", face).group(1)) for face in FACES}
    assert declared == {("Site Sans", "400", "normal"), ("Site Sans", "700", "normal"),
                        ("Site Sans", "400", "italic"), ("Site Serif", "700", "normal")}


@pytest.mark.parametrize("face", FACES)
def test_every_declared_face_draws_every_kazakh_letter(face):
    url = re.search(r'url\("\.\./fonts/([^"]+)"\)', face).group(1)
    font = TTFont(STATIC / "fonts" / url)
    letters = set(font.getBestCmap())
    missing = [char for char in KAZAKH_CYRILLIC + KAZAKH_LATIN + RUSSIAN + "«»—–№₸" if ord(char) not in letters]
    assert missing == []


def test_fonts_ship_with_their_licence():
    licence = (STATIC / "fonts" / "LICENSE-Noto.txt").read_text()
    assert "SIL OPEN FONT LICENSE" in licence and "Version 1.1" in licence


def test_no_style_or_page_head_loads_anything_from_another_site():
    base = (Path(__file__).resolve().parents[1] / "templates" / "base.html").read_text()
    for text in (IDENTITY_CSS, (STATIC / "css" / "site.css").read_text(), base):
        assert not re.search(r"""(url\(|href=|src=)["']?(https?:)?//""", text)


def test_pages_link_the_favicon_icons_and_manifest(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/img/icon.svg" type="image/svg+xml">' in html
    assert '<link rel="apple-touch-icon" href="/static/img/icon-180.png">' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'href="/static/css/identity.css"' in html


@pytest.mark.parametrize("size", [180, 192, 512])
def test_app_icons_have_their_sizes(size):
    with Image.open(STATIC / "img" / f"icon-{size}.png") as icon:
        assert icon.format == "PNG" and icon.size == (size, size)


def test_manifest_names_the_site_in_the_visitors_language(client):
    response = client.get("/manifest.webmanifest", headers={"Accept-Language": "kk"})
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["short_name"] == "Кітапхана байқаулары" and manifest["lang"] == "kk"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512", "any"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    russian = json.loads(client.get("/manifest.webmanifest", headers={"Accept-Language": "ru"}).get_data(as_text=True))
    assert russian["lang"] == "ru" and russian["short_name"] != manifest["short_name"]
