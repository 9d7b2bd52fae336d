"""Pictures for the demo data, drawn here with Pillow: abstract covers built from the ram's-horn
(қошқар мүйіз) ornament, so the demo shows covers and lead photos without borrowing anyone's
photograph. They reach the site the way an organiser's upload does (contest/pictures.py)."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw

SUPERSAMPLE = 2  # drawn twice as large, then reduced: smooth curves without an antialiasing API
GOLD = (226, 181, 84)

# name -> (background, ornament) colours of each demo picture
PALETTES = {
    "teal": ((17, 78, 84), GOLD),
    "crimson": ((122, 28, 38), GOLD),
    "blue": ((22, 64, 107), GOLD),
    "green": ((36, 86, 52), (236, 214, 150)),
}


def ornament_cover(palette: str, width: int = 1600, height: int = 900) -> bytes:
    """A JPEG: bands of horns along the top and bottom edges, a medallion in the middle."""
    background, ink = PALETTES[palette]
    w, h = width * SUPERSAMPLE, height * SUPERSAMPLE
    image = Image.new("RGB", (w, h), background)
    draw = ImageDraw.Draw(image)
    line = max(2, w // 320)
    _bands(draw, w, h, ink, line)
    _medallion(draw, w // 2, h // 2, h // 4, ink, line)
    buffer = BytesIO()
    image.resize((width, height), Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def _horns(draw: ImageDraw.ImageDraw, cx: float, cy: float, size: float, ink, line: int, up: bool = True) -> None:
    """A pair of horns on a stem: each a half circle that curls back into a smaller one."""
    sign = -1 if up else 1
    big, small = size / 2, size / 4
    draw.line([(cx, cy), (cx, cy - sign * size * 0.9)], fill=ink, width=line)
    for side in (-1, 1):
        centre = cx + side * big
        top = cy - sign * size * 0.9
        start, end = (180, 360) if up else (0, 180)
        draw.arc([centre - big, top - big, centre + big, top + big], start, end, fill=ink, width=line)
        inner = centre + side * small
        curl = (0, 180) if up else (180, 360)  # the other half: the horn turns back under itself
        draw.arc([inner - small, top - small, inner + small, top + small], *curl, fill=ink, width=line)


def _bands(draw: ImageDraw.ImageDraw, w: int, h: int, ink, line: int) -> None:
    step = h / 6
    size = step * 0.4
    margin = step * 0.2
    for y, up in ((margin + size * 1.4, True), (h - margin - size * 1.4, False)):
        draw.line([(0, y + (size * 0.3 if up else -size * 0.3)), (w, y + (size * 0.3 if up else -size * 0.3))],
                  fill=ink, width=line)
        x = step / 2
        while x < w:
            _horns(draw, x, y, size, ink, line, up)
            _lozenge(draw, x + step / 2, y - (size * 0.4 if up else -size * 0.4), size * 0.18, ink)
            x += step


def _lozenge(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, ink) -> None:
    draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=ink)


def _medallion(draw: ImageDraw.ImageDraw, cx: int, cy: int, r: int, ink, line: int) -> None:
    """A lozenge in a lozenge, with a pair of horns rising from each of its four sides."""
    for radius in (r, r * 0.82):
        draw.polygon([(cx, cy - radius), (cx + radius, cy), (cx, cy + radius), (cx - radius, cy)],
                     outline=ink, width=line)
    _horns(draw, cx, cy + r * 0.25, r * 0.42, ink, line, up=True)
    _horns(draw, cx, cy - r * 0.25, r * 0.42, ink, line, up=False)
    _lozenge(draw, cx, cy, r * 0.08, ink)
