"""Outlier clamping, as international music competitions apply it to a jury's marks.

For each entry: the mean of the counting jurors' totals, rounded half up to the contest's
decimals; every total further than k points from that mean is brought to mean - k or
mean + k; the entry's score is then the round's method (the mean, in the regulations that use
this rule) over the clamped totals. Jurors who abstained, were excluded for a conflict or are
honorary are not in the sheets given here, so they neither move the mean nor get clamped.

A k larger than the scale's width clamps nothing, so the rule is then the plain mean."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)


def clamped_sheets(sheets: Mapping[int, Mapping[int, Decimal]], k: Decimal,
                   decimals: int) -> dict[int, dict[int, Decimal]]:
    """entry -> juror -> total after clamping each total to within k of the entry's rounded mean."""
    step = Decimal(1).scaleb(-decimals)
    result: dict[int, dict[int, Decimal]] = {}
    for entry, sheet in sheets.items():
        # Sorted: the sum does not depend on the order jurors come in, even if a long value rounds.
        mean = (sum(sorted(sheet.values()), ZERO) / len(sheet)).quantize(step, ROUND_HALF_UP)
        low, high = mean - k, mean + k
        result[entry] = {juror: min(max(total, low), high) for juror, total in sheet.items()}
    return result
