"""Penalties and bonuses outside the jury: points that no juror gives.

A time-limit overrun in a recitation round, a late-entry penalty, an objective score (a
measured result that is not a juror's opinion): the organiser enters each one for an entry,
with a reason, as a signed number of points (negative: a penalty, positive: a bonus).

The rule, as the protocol states it: the jury's aggregate is computed and rounded to the
contest's decimals first, exactly as without adjustments; then the sum of the entry's
adjustments is added to it. Places, tie-breaks, awards and advancement are all decided on
that final score. Adjustments are entered with at most the contest's decimals (the form
refuses more), so the final score needs no second rounding. An entry no juror's score counts
for stays unranked whatever its adjustments: they adjust a jury's score, they do not replace it.
The final score may go below zero: regulations that subtract a penalty from the total do not
stop at zero, and the protocol shows both parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TypeVar

ZERO = Decimal(0)
T = TypeVar("T")


def adjustment_totals(items: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """entry -> the sum of its adjustments, from (entry, points) pairs in any order; entries whose
    adjustments cancel out are left out, as if they had none."""
    totals: defaultdict[int, Decimal] = defaultdict(Decimal)
    for entry, points in items:
        totals[entry] += points
    return {entry: total for entry, total in totals.items() if total}


def with_adjustments(aggregates: Mapping[int, tuple[Decimal, T]],
                     adjustments: Mapping[int, Decimal]) -> dict[int, tuple[Decimal, T]]:
    """The rounded jury aggregates with each entry's adjustment added; entries without a jury
    aggregate are not given one."""
    if not adjustments:
        return dict(aggregates)
    return {entry: (score + adjustments.get(entry, ZERO), rest) for entry, (score, rest) in aggregates.items()}
