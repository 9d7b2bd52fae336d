"""Rebuild the PNG app icons in static/img/ from static/img/icon.svg.

    python -m contest.site.app_icons

Chromium draws the SVG (Playwright, a development dependency), so the PNGs are the favicon at
other sizes. The 180 px icon is for iOS, which shows transparent corners as black: it is drawn
on a square of the icon's own background and iOS rounds the corners itself.
"""

from __future__ import annotations

from pathlib import Path

IMG_DIR = Path(__file__).resolve().parents[2] / "static" / "img"
ICON_BACKGROUND = "#16406b"  # the rectangle's fill in icon.svg
# size -> square background behind the icon (None keeps the rounded corners transparent)
SIZES: dict[int, str | None] = {180: ICON_BACKGROUND, 192: None, 512: None}
SET_SIZE = "(svg, size) => { svg.setAttribute('width', size); svg.setAttribute('height', size); }"


def build(executable: str = "/usr/bin/chromium") -> None:
    from playwright.sync_api import sync_playwright  # development dependency

    svg = (IMG_DIR / "icon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        for size, background in SIZES.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f'<body style="margin:0;background:{background or "transparent"}">'
                             f'<div style="width:{size}px;height:{size}px">{svg}</div></body>')
            page.eval_on_selector("svg", SET_SIZE, size)
            page.screenshot(path=str(IMG_DIR / f"icon-{size}.png"), omit_background=background is None)
            page.close()
        browser.close()


if __name__ == "__main__":
    build()
