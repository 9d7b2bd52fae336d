"""Rebuild the web fonts in static/fonts/ (the site's typeface, declared in static/css/identity.css).

    python -m contest.site.web_fonts [SOURCE_DIR]

The source is Debian's `fonts-noto-core` (Noto Sans and Noto Serif 2.x, SIL Open Font
License 1.1; the licence ships beside the files as LICENSE-Noto.txt): `apt-get download
fonts-noto-core && dpkg -x fonts-noto-core_*.deb x`, then pass x/usr/share/fonts/truetype/noto.
Noto draws every Kazakh letter in every face, so no letter falls back to another font.

The files are trimmed to the scripts the site writes in (the same ranges as the PDF fonts) and
saved as WOFF (zlib): WOFF2 needs the brotli module, which the project does not install.
Kerning and the layout features stay: a browser uses them, unlike reportlab.
"""

from __future__ import annotations

from pathlib import Path

from contest.fonts import FONT_DIR, UNICODE_RANGES

# Source file -> served file. Sans for text (regular, bold, italic), serif bold for headings.
WEB_FONTS = {
    "NotoSans-Regular.ttf": "NotoSans-Regular.woff",
    "NotoSans-Bold.ttf": "NotoSans-Bold.woff",
    "NotoSans-Italic.ttf": "NotoSans-Italic.woff",
    "NotoSerif-Bold.ttf": "NotoSerif-Bold.woff",
}


def build(source_dir: str) -> None:
    from fontTools import subset  # development dependency: only needed to rebuild the files

    for source, target in WEB_FONTS.items():
        subset.main([str(Path(source_dir) / source), f"--unicodes={UNICODE_RANGES}", "--no-hinting",
                     "--layout-features=kern,liga,locl,mark,mkmk,ccmp", "--flavor=woff",
                     "--name-IDs=0,1,2,3,4,5,6,13,14", f"--output-file={FONT_DIR / target}"])


if __name__ == "__main__":
    import sys

    build(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/noto")
