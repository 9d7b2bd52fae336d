"""Fonts for the PDF documents (jury protocol; the certificates ship the same files).

DejaVu Sans covers Kazakh and Russian Cyrillic and Kazakh Latin. The files live in static/fonts/
with their licence (LICENSE-DejaVu.txt), so a document never depends on the fonts a machine
happens to have; the copies there are the trimmed ones the certificates branch made (Latin,
Cyrillic and punctuation only). reportlab embeds only the glyphs a document uses."""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
SANS = "DocumentSans"
SANS_BOLD = "DocumentSans-Bold"
FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf"}

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the fonts with reportlab once per process (its registry is global)."""
    global _registered
    if _registered:
        return
    with _lock:
        if not _registered:
            for name, filename in FILES.items():
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
            pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
            _registered = True
