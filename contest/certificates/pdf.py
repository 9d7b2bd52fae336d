"""Certificates as PDF: plain data in, bytes out.

Nothing here reads the database or a request: issuing (later) fills a `Document` with the
holder's name, the texts with their placeholders already replaced, the code and the
verification URL, and calls `render`, `render_many` (one print-ready PDF) or `write_zip`
(one PDF per person, streamed). The printed labels come from the catalogs in the holder's
language through `flask_babel.force_locale`, so call these inside an app context.

Every text is drawn with `drawString`: a name such as `<b>x</b>` is printed as those very
characters, never interpreted as markup; control and format characters are dropped.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import BinaryIO

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from contest.certificates.qr import draw_qr
from contest.db import LabelledEnum, set_labels
from contest.downloads import safe_file_name
from contest.fonts import SANS, SANS_BOLD, SERIF_BOLD, register_fonts
from contest.i18n import format_prose_date

# reportlab wraps binary streams (images) in ASCII85 by default: a quarter larger and slower
# to write, for 7-bit transports nobody uses. Process-wide, and this is reportlab's only user.
rl_config.useA85 = 0

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
CENTRE = PAGE_WIDTH / 2
MIN_FONT_SIZE = 6.0
QR_SIZE = 84.0
IMAGE_OVERSAMPLING = 3  # pixels per point kept from an uploaded image (~216 dpi): sharp in print, small in the PDF


class DocumentKind(LabelledEnum):
    WINNER_DIPLOMA = "winner_diploma"
    PARTICIPATION_CERTIFICATE = "participation_certificate"
    LETTER_OF_THANKS = "letter_of_thanks"


KIND_LABELS = set_labels({
    DocumentKind.WINNER_DIPLOMA: _l("Winner diploma"),
    DocumentKind.PARTICIPATION_CERTIFICATE: _l("Participation certificate"),
    DocumentKind.LETTER_OF_THANKS: _l("Letter of thanks"),
})

# The heading printed on the page, in capitals as it is printed (str.upper() would get
# the dotted/dotless i of Kazakh Latin wrong).
PRINTED_TITLES = {
    DocumentKind.WINNER_DIPLOMA: _l("DIPLOMA"),
    DocumentKind.PARTICIPATION_CERTIFICATE: _l("CERTIFICATE"),
    DocumentKind.LETTER_OF_THANKS: _l("LETTER OF THANKS"),
}


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str
    signature: bytes | None = None  # an image file (PNG with transparency looks best)


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    language: str
    holder_name: str
    contest_title: str
    verification_code: str
    verification_url: str
    body: str = ""  # placeholders already filled; line breaks start new paragraphs
    dedication: str = ""
    award: str = ""  # as `awards.award_wording` states it: "II орын (ортақ)", never a place number
    category: str = ""
    date: date | None = None
    signatories: tuple[Signatory, ...] = ()
    logo: bytes | None = None
    frame_style: str = "classic"


@dataclass(frozen=True)
class Labels:
    """The printed words of one language, resolved once and reused for a whole batch."""

    language: str
    titles: dict[DocumentKind, str]
    category: str
    code: str
    check: str

    def date(self, value: date) -> str:
        return format_prose_date(value, self.language)


def printed_labels(language: str) -> Labels:
    with force_locale(language):
        return Labels(
            language=language,
            titles={kind: str(title) for kind, title in PRINTED_TITLES.items()},
            category=str(_l("Category: %(category)s")),
            code=str(_l("Verification code: %(code)s")),
            check=str(_l("Check authenticity")),
        )


# Text --------------------------------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")


def clean_line(text: str | None) -> str:
    """One printable line: composed (NFC), control/format characters dropped, whitespace runs one space."""
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text or ""))
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("C")).strip()


def clean_paragraphs(text: str | None) -> list[str]:
    return [line for line in (clean_line(part) for part in (text or "").splitlines()) if line]


def fit_font_size(text: str, font: str, max_size: float, width: float, min_size: float = MIN_FONT_SIZE) -> float:
    """The largest size up to `max_size` at which `text` fits `width` (never below `min_size`)."""
    natural = stringWidth(text, font, max_size)
    if natural <= width:
        return max_size
    # Width grows linearly with size; round down to a tenth so rounding never overflows.
    return max(min_size, math.floor(max_size * width / natural * 10) / 10)


def fit_line(text: str, font: str, max_size: float, width: float) -> tuple[str, float]:
    """Shrink to fit; a text too long even at the smallest size is cut with an ellipsis."""
    size = fit_font_size(text, font, max_size, width)
    if stringWidth(text, font, size) <= width:
        return text, size
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…", size


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; a single word wider than the line is split between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while stringWidth(current, font, size) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and stringWidth(current[:cut], font, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def fit_paragraphs(paragraphs: list[str], font: str, max_size: float, min_size: float,
                   width: float, height: float) -> tuple[list[str], float]:
    """Wrap at the largest size whose lines fit the box; at the smallest, drop what overflows."""
    size = max_size
    while True:
        lines = [line for paragraph in paragraphs for line in wrap(paragraph, font, size, width)]
        capacity = int(height // (size * 1.35))
        if len(lines) <= capacity or size <= min_size:
            break
        size -= 0.5
    if len(lines) > capacity:
        lines = lines[:capacity]
        lines[-1], _ = fit_line(lines[-1] + "…", font, size, width)
    return lines, size


# Images ------------------------------------------------------------------------------------

class ImageError(ValueError):
    """An uploaded logo or signature that is not a readable image."""


def is_image(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False


@lru_cache(maxsize=32)
def _prepared_image(data: bytes, max_width: float, max_height: float) -> ImageReader:
    """Decode once per batch and scale down to the printed size: the same logo goes into
    every document, and a 4000-pixel photo would make each PDF megabytes."""
    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ImageError("not a readable image") from error
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode == "P" else "RGB")
    image.thumbnail((int(max_width * IMAGE_OVERSAMPLING), int(max_height * IMAGE_OVERSAMPLING)))
    return ImageReader(image)


def _draw_image(canvas: Canvas, data: bytes, x: float, y: float, width: float, height: float) -> None:
    """Fit the image into the box, centred horizontally, resting on its bottom edge."""
    canvas.drawImage(_prepared_image(data, width, height), x, y, width, height,
                     preserveAspectRatio=True, anchor="s", mask="auto")


# Frames ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FrameStyle:
    label: object
    draw: Callable[[Canvas], None]
    accent: tuple[float, float, float]
    ink: tuple[float, float, float] = (0.12, 0.12, 0.16)


NAVY = (0.11, 0.21, 0.34)
GOLD = (0.69, 0.55, 0.34)
TEAL = (0.06, 0.46, 0.43)


def _corner_ornament(canvas: Canvas) -> None:
    """A curled "ram's horn" (қошқар мүйіз) motif drawn in the corner's own coordinates."""
    path = canvas.beginPath()
    path.moveTo(0, 46)
    path.lineTo(0, 0)
    path.lineTo(46, 0)
    path.moveTo(8, 38)
    path.curveTo(8, 14, 14, 8, 38, 8)
    # the two horns curl back towards the corner
    path.moveTo(8, 38)
    path.curveTo(8, 46, 18, 46, 18, 38)
    path.curveTo(18, 32, 12, 32, 12, 36)
    path.moveTo(38, 8)
    path.curveTo(46, 8, 46, 18, 38, 18)
    path.curveTo(32, 18, 32, 12, 36, 12)
    canvas.drawPath(path, stroke=1, fill=0)
    diamond = canvas.beginPath()
    diamond.moveTo(16, 21)
    diamond.lineTo(21, 16)
    diamond.lineTo(26, 21)
    diamond.lineTo(21, 26)
    diamond.close()
    canvas.drawPath(diamond, stroke=0, fill=1)


def _draw_classic(canvas: Canvas) -> None:
    canvas.setStrokeColorRGB(*NAVY)
    canvas.setLineWidth(2.5)
    canvas.rect(18, 18, PAGE_WIDTH - 36, PAGE_HEIGHT - 36)
    canvas.setStrokeColorRGB(*GOLD)
    canvas.setLineWidth(0.8)
    canvas.rect(26, 26, PAGE_WIDTH - 52, PAGE_HEIGHT - 52)
    canvas.setFillColorRGB(*GOLD)
    canvas.setLineWidth(1.1)
    for x, y, sx, sy in ((32, 32, 1, 1), (PAGE_WIDTH - 32, 32, -1, 1),
                         (32, PAGE_HEIGHT - 32, 1, -1), (PAGE_WIDTH - 32, PAGE_HEIGHT - 32, -1, -1)):
        canvas.saveState()
        canvas.translate(x, y)
        canvas.scale(sx, sy)
        _corner_ornament(canvas)
        canvas.restoreState()


def _draw_modern(canvas: Canvas) -> None:
    canvas.setFillColorRGB(*TEAL)
    canvas.rect(0, 0, 30, PAGE_HEIGHT, stroke=0, fill=1)
    canvas.setFillColorRGB(*GOLD)
    canvas.rect(30, 0, 5, PAGE_HEIGHT, stroke=0, fill=1)
    canvas.setStrokeColorRGB(*TEAL)
    canvas.setLineWidth(0.6)
    canvas.rect(50, 20, PAGE_WIDTH - 70, PAGE_HEIGHT - 40)
    canvas.setLineWidth(2)
    canvas.line(CENTRE - 60, 388, CENTRE + 60, 388)  # a short rule under the heading


FRAME_STYLES: dict[str, FrameStyle] = {
    "classic": FrameStyle(_l("Classic: double border with ornamented corners"), _draw_classic, NAVY),
    "modern": FrameStyle(_l("Modern: coloured band and thin rule"), _draw_modern, TEAL),
}


# Page layout -------------------------------------------------------------------------------

TEXT_WIDTH = 600.0
NAME_WIDTH = 640.0


def _centred(canvas: Canvas, text: str, font: str, max_size: float, y: float, width: float = TEXT_WIDTH) -> None:
    if text:
        text, size = fit_line(text, font, max_size, width)
        canvas.setFont(font, size)
        canvas.drawCentredString(CENTRE, y, text)


def _draw_signatories(canvas: Canvas, signatories: tuple[Signatory, ...]) -> None:
    shown = signatories[:3]
    if not shown:
        return
    left, right = 80.0, PAGE_WIDTH - 230.0
    column = (right - left) / len(shown)
    for index, signatory in enumerate(shown):
        centre = left + column * (index + 0.5)
        half = min(80.0, column / 2 - 8)
        if signatory.signature:
            _draw_image(canvas, signatory.signature, centre - half, 100, 2 * half, 36)
        canvas.setLineWidth(0.5)
        canvas.line(centre - half, 99, centre + half, 99)
        for text, font, size, y in ((signatory.name, SANS_BOLD, 10, 87), (signatory.title, SANS, 8.5, 76)):
            text, size = fit_line(clean_line(text), font, size, 2 * half)
            canvas.setFont(font, size)
            canvas.drawCentredString(centre, y, text)


def _draw_verification(canvas: Canvas, document: Document, labels: Labels, qr: bool) -> None:
    x, y = PAGE_WIDTH - 120 - QR_SIZE, 52.0
    if qr:
        draw_qr(canvas, document.verification_url, x, y, QR_SIZE)
    canvas.setFont(SANS, 7)
    canvas.drawCentredString(x + QR_SIZE / 2, y + QR_SIZE + 2, labels.check)
    code_line, size = fit_line(labels.code % {"code": document.verification_code}, SANS, 7, QR_SIZE + 64)
    canvas.setFont(SANS, size)
    canvas.drawCentredString(x + QR_SIZE / 2, y - 6, code_line)


def draw_page(canvas: Canvas, document: Document, labels: Labels, *, qr: bool = True) -> None:
    """Draw one document on the canvas's current page (the caller ends the page)."""
    style = FRAME_STYLES[document.frame_style]
    canvas.saveState()
    style.draw(canvas)
    canvas.restoreState()
    if document.logo:
        _draw_image(canvas, document.logo, CENTRE - 60, PAGE_HEIGHT - 102, 120, 54)

    canvas.setFillColorRGB(*style.ink)
    _centred(canvas, clean_line(document.contest_title), SANS_BOLD, 13, PAGE_HEIGHT - 120)
    _centred(canvas, clean_line(document.dedication), SANS, 10.5, PAGE_HEIGHT - 136)

    canvas.setFillColorRGB(*style.accent)
    _centred(canvas, labels.titles[document.kind], SERIF_BOLD, 42, 400)
    canvas.setFillColorRGB(*style.ink)
    _centred(canvas, clean_line(document.award), SANS_BOLD, 16, 364)
    _centred(canvas, clean_line(document.holder_name), SERIF_BOLD, 30, 318, NAME_WIDTH)
    category = clean_line(document.category)
    if category:
        _centred(canvas, labels.category % {"category": category}, SANS, 12, 294)

    lines, size = fit_paragraphs(clean_paragraphs(document.body), SANS, 13, 8, TEXT_WIDTH, 120)
    canvas.setFont(SANS, size)
    y = 268.0
    for line in lines:
        canvas.drawCentredString(CENTRE, y, line)
        y -= size * 1.35

    _draw_signatories(canvas, document.signatories)
    if document.date:
        canvas.setFont(SANS, 9.5)
        canvas.drawString(80, 52, labels.date(document.date))
    _draw_verification(canvas, document, labels, qr)


# Output ------------------------------------------------------------------------------------

def _canvas(output: BinaryIO, title: str) -> Canvas:
    register_fonts()
    canvas = Canvas(output, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Almaty CLS literary contests")
    return canvas


@dataclass
class _LabelCache:
    by_language: dict[str, Labels] = field(default_factory=dict)

    def __call__(self, language: str) -> Labels:
        if language not in self.by_language:
            self.by_language[language] = printed_labels(language)
        return self.by_language[language]


def render(document: Document, *, labels: Labels | None = None, qr: bool = True) -> bytes:
    """One document as a one-page PDF. `qr=False` leaves out only the QR symbol (the benchmark's baseline)."""
    labels = labels or printed_labels(document.language)
    buffer = io.BytesIO()
    canvas = _canvas(buffer, f"{labels.titles[document.kind]} — {clean_line(document.holder_name)}")
    draw_page(canvas, document, labels, qr=qr)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_many(documents: Iterable[Document], output: BinaryIO, *, title: str = "") -> int:
    """Every document as a page of one print-ready PDF written to `output`; returns the page count.

    reportlab keeps the finished (compressed) pages until it saves, so this suits a contest's
    print run; for very large runs use `write_zip`, whose memory stays flat.
    """
    labels = _LabelCache()
    canvas = _canvas(output, title)
    pages = 0
    for document in documents:
        draw_page(canvas, document, labels(document.language))
        canvas.showPage()
        pages += 1
    canvas.save()
    return pages


def pdf_filename(document: Document) -> str:
    """The holder's name with every letter kept (Әлихан stays Әлихан; only characters file systems
    refuse are dropped) and the code, which keeps namesakes apart. zipfile marks such names UTF-8."""
    return f"{safe_file_name(clean_line(document.holder_name))} {document.verification_code}.pdf"


def write_zip(documents: Iterable[Document], output: BinaryIO) -> int:
    """One PDF per document into a ZIP on `output`, each written as soon as it is rendered.

    `output` may be a file, a temporary file or an unseekable stream; only one PDF is held in
    memory at a time. PDFs are already compressed, so entries are stored, not deflated.
    Returns the number of entries.
    """
    labels = _LabelCache()
    written = 0
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as archive:
        for document in documents:
            archive.writestr(pdf_filename(document), render(document, labels=labels(document.language)))
            written += 1
    return written
