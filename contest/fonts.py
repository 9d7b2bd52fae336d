"""The typefaces of every PDF (certificates, jury protocol): DejaVu, shipped in static/fonts/
with its licence.

DejaVu covers Kazakh in both scripts (Cyrillic ә ғ қ ң ө ұ ү һ і and Latin ä ğ ı ñ ö ş ū ü),
and the files travel with the repository, so rendering never depends on the fonts a machine
happens to have. reportlab embeds only the glyphs a document uses (a subset).

The shipped files are trimmed copies made by `python -m contest.certificates.trim_fonts SRC_DIR`
(fontTools, a development tool): Latin, Cyrillic and punctuation only, no hinting, and no
licence text in the font's name table. reportlab copies the name and hinting tables into
every embedded subset, and with the 15 KB licence record and the hinting each PDF carried
three ~20 KB fonts; the licence itself ships beside the fonts, in LICENSE-DejaVu.txt.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import cast

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parents[1] / "static" / "fonts"
LICENCE = FONT_DIR / "LICENSE-DejaVu.txt"

SANS = "DocumentSans"
SANS_BOLD = "DocumentSans-Bold"
SERIF_BOLD = "DocumentSerif-Bold"
FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf", SERIF_BOLD: "DejaVuSerif-Bold.ttf"}

KAZAKH_CYRILLIC = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
KAZAKH_LATIN = "äğıñöşūüÄĞİÑÖŞŪÜ"
RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
# Every letter a holder's name or a template may bring, plus the typography the layout prints.
REQUIRED_CHARACTERS = KAZAKH_CYRILLIC + KAZAKH_LATIN + RUSSIAN + "«»—–№…"

# What the trimmed fonts keep: Latin with its extensions (Kazakh, Turkish-style and older
# Kazakh Latin spellings), combining accents, Cyrillic with its supplement, punctuation,
# currency (₸), letterlike symbols (№) and the replacement character.
UNICODE_RANGES = "U+0020-007E,U+00A0-024F,U+0259,U+02B0-02FF,U+0300-036F,U+0400-052F,U+1E00-1EFF," \
                 "U+2000-206F,U+20A0-20CF,U+2100-214F,U+2212,U+FFFD"

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the typefaces with reportlab once per process (its font registry is global)."""
    global _registered
    if _registered:
        return
    with _lock:
        if not _registered:
            for name, filename in FILES.items():
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
            # Lets <b> in reportlab's table paragraphs pick the bold face (jury protocol).
            pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
            _registered = True


def missing_characters(font_name: str, characters: str = REQUIRED_CHARACTERS) -> list[str]:
    """Characters the font has no glyph for (an empty list means full coverage)."""
    register_fonts()
    font = cast(TTFont, pdfmetrics.getFont(font_name))  # every font we register is TrueType
    charmap = font.face.charToGlyph
    return [character for character in characters if ord(character) not in charmap]

