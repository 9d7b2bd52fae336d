"""A criterion's score distribution as an inline SVG bar chart, drawn on the server.

No script and no style attribute (the CSP forbids inline style): bars carry a class for the
stylesheet and presentation attributes as a fallback. Every text is escaped; the caller
passes already translated labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 320, 160
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 28, 22, 8
MAX_BARS = 20


def score_bins(points: Iterable[Decimal], max_score: Decimal) -> list[tuple[str, int]]:
    """(label, count) per bar: one bar per whole point up to 20, else 10 equal bands.

    A half point falls into the bar of the whole point below it (7.5 counts as 7), and the
    maximum into the last bar, so every score lands in exactly one bar."""
    top = int(math.ceil(max_score))
    whole_points = top <= MAX_BARS
    bars = top + 1 if whole_points else 10
    width = Decimal(1) if whole_points else Decimal(max_score) / bars
    counts = [0] * bars
    for value in points:
        index = int(value // width) if value >= 0 else 0
        counts[min(index, bars - 1)] += 1
    if whole_points:
        return [(str(index), count) for index, count in enumerate(counts)]
    return [(f"{_short(index * width)}–{_short((index + 1) * width)}", count) for index, count in enumerate(counts)]


def _short(value: Decimal) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def histogram_svg(bins: list[tuple[str, int]], *, title: str, count_text: Callable[[int], str]) -> str:
    """The chart; `title` names it for screen readers, `count_text(n)` ("12 scores") reads in each bar's
    tooltip: a function, so each language puts its own plural form and word order around the number."""
    tallest = max((count for _, count in bins), default=0) or 1
    plot_width = WIDTH - MARGIN_LEFT
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    step = plot_width / max(len(bins), 1)
    every = max(1, math.ceil(len(bins) / 10))  # label at most ten bars so the text never overlaps
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="score-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text class="score-chart-axis" x="{MARGIN_LEFT - 4}" y="{MARGIN_TOP + 8}" text-anchor="end" '
        f'font-size="9">{tallest}</text>',
        f'<line class="score-chart-axis" x1="{MARGIN_LEFT}" y1="{HEIGHT - MARGIN_BOTTOM}" x2="{WIDTH}" '
        f'y2="{HEIGHT - MARGIN_BOTTOM}" stroke="currentColor"/>',
    ]
    for index, (label, count) in enumerate(bins):
        height = plot_height * count / tallest
        x = MARGIN_LEFT + index * step
        y = HEIGHT - MARGIN_BOTTOM - height
        parts.append(
            f'<rect class="score-chart-bar" x="{x + 1:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{height:.1f}" fill="#0d6efd">'
            f"<title>{escape(label)}: {escape(count_text(count))}</title></rect>")
        if index % every == 0:
            parts.append(f'<text class="score-chart-axis" x="{x + step / 2:.1f}" y="{HEIGHT - 8}" '
                         f'text-anchor="middle" font-size="9">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
