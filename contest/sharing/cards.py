"""Share cards: the 1200×630 PNG pictures that social networks and messengers show beside a
link to a contest, a news post or a published result (Open Graph `og:image`).

Pure drawing: a `Card` (plain texts, already in the page's language) in, PNG bytes out; no
database, no request. The layout (`layout`) is a function of its own so that tests check the
lines a card prints without OCR. The typefaces are the DejaVu files the PDFs use
(contest/fonts.py), which draw every Kazakh letter (ә ғ қ ң ө ұ ү һ і)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from contest.fonts import FILES, FONT_DIR, SANS, SANS_BOLD, SERIF_BOLD

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
TEXT_WIDTH = WIDTH - 2 * MARGIN
# The site's palette (static/css/site.css): the primary blue, its ink and a warm paper.
PRIMARY = (22, 64, 107)
INK = (33, 37, 41)
MUTED = (73, 80, 87)
PAPER = (251, 248, 241)
BAND = 18  # the ornament band's height, top and bottom
# Bump when the drawing changes: the digest (and so every cached file and ETag) changes with it.
DRAWING_VERSION = "2"

# Title sizes tried from the largest down until the title fits its lines.
TITLE_SIZES = (68, 60, 52, 46)
TITLE_LINES = 3
KICKER_SIZE, SUBTITLE_SIZE, FOOTER_SIZE = 28, 34, 26
SUBTITLE_LINES = 2
RULE_SPACE = 34  # the motif under the title and the space below it
FOOTER_TOP = HEIGHT - BAND - 36 - FOOTER_SIZE
# What the blocks above the footer may take, leaving a clear band above it.
CONTENT_HEIGHT = FOOTER_TOP - 40 - MARGIN
ELLIPSIS = "…"


@dataclass(frozen=True)
class Card:
    """What a card says, top to bottom: a small line above the title, the title, up to two lines
    below it, and the site's name at the foot."""

    kicker: str
    title: str
    subtitle: str
    footer: str

    def digest(self) -> str:
        """Names the picture: the same texts always give the same bytes, so the file and the ETag."""
        raw = json.dumps([DRAWING_VERSION, asdict(self)], ensure_ascii=False, sort_keys=True)
        return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Block:
    font_name: str
    size: int
    lines: tuple[str, ...]


@cache
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FILES[name]), size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to `width` pixels; a word wider than a line is cut between letters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if face.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while face.getlength(word) > width:
            cut = _longest_prefix(word, face, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _longest_prefix(word: str, face: ImageFont.FreeTypeFont, width: int) -> int:
    cut = len(word) - 1
    while cut > 1 and face.getlength(word[:cut]) > width:
        cut -= 1
    return cut


def _clip(lines: list[str], limit: int, face: ImageFont.FreeTypeFont, width: int) -> tuple[str, ...]:
    """At most `limit` lines; when text is left over, the last line ends with an ellipsis."""
    if len(lines) <= limit:
        return tuple(lines)
    last = lines[limit - 1]
    while last and face.getlength(last + ELLIPSIS) > width:
        last = last[:-1].rstrip()
    return (*lines[:limit - 1], last + ELLIPSIS)


def layout(card: Card) -> list[Block]:
    """The card's blocks with their lines: the title at the largest size at which it fits its
    three lines and leaves room for the rest above the footer (else the smallest, clipped), the
    others at fixed sizes."""
    head: list[Block] = []
    if card.kicker:
        face = font(SANS_BOLD, KICKER_SIZE)
        head.append(Block(SANS_BOLD, KICKER_SIZE, _clip(wrap(card.kicker.upper(), face, TEXT_WIDTH), 1, face,
                                                        TEXT_WIDTH)))
    tail: list[Block] = []
    if card.subtitle:
        face = font(SANS, SUBTITLE_SIZE)
        lines = [line for part in card.subtitle.split("\n") for line in wrap(part, face, TEXT_WIDTH)]
        tail.append(Block(SANS, SUBTITLE_SIZE, _clip(lines, SUBTITLE_LINES, face, TEXT_WIDTH)))
    for size in TITLE_SIZES:
        face = font(SERIF_BOLD, size)
        lines = wrap(card.title, face, TEXT_WIDTH)
        title = Block(SERIF_BOLD, size, _clip(lines, TITLE_LINES, face, TEXT_WIDTH))
        if len(lines) <= TITLE_LINES and height([*head, title, *tail]) <= CONTENT_HEIGHT:
            break
    return [*head, title, *tail]


def line_step(block: Block) -> int:
    return round(block.size * 1.25)


def gap_after(block: Block, index: int) -> int:
    """The space below a block: more under the kicker; under the title, the motif and its margin."""
    if block.font_name == SERIF_BOLD:
        return 16 + RULE_SPACE
    return 24 if index == 0 else 16


def height(blocks: list[Block]) -> int:
    return sum(len(block.lines) * line_step(block) + gap_after(block, index) for index, block in enumerate(blocks))


def render(card: Card) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    _ornament(draw, 0)
    _ornament(draw, HEIGHT - BAND)
    y = MARGIN
    for index, block in enumerate(layout(card)):
        face = font(block.font_name, block.size)
        colour = PRIMARY if block.font_name == SANS_BOLD else INK if block.font_name == SERIF_BOLD else MUTED
        for line in block.lines:
            draw.text((MARGIN, y), line, font=face, fill=colour)
            y += line_step(block)
        if block.font_name == SERIF_BOLD:  # the motif under the title, as on the site's pages
            draw.rectangle((MARGIN, y + 16, MARGIN + 120, y + 22), fill=PRIMARY)
        y += gap_after(block, index)
    footer = font(SANS_BOLD, FOOTER_SIZE)
    draw.text((MARGIN, FOOTER_TOP), card.footer, font=footer, fill=PRIMARY)
    output = BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def _ornament(draw: ImageDraw.ImageDraw, top: int) -> None:
    """A band of the primary colour with a row of paper diamonds: the site's ornament band."""
    draw.rectangle((0, top, WIDTH, top + BAND - 1), fill=PRIMARY)
    middle, half = top + BAND // 2, BAND // 2 - 3
    for x in range(12, WIDTH, 24):
        draw.polygon([(x, middle - half), (x + half, middle), (x, middle + half), (x - half, middle)], fill=PAPER)
