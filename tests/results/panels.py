"""Engine panels for tests and benches, built the way production builds them.

`loading.load_rounds` hands the engine each submitted sheet's weighted total, summed by SQL
(SUM(points x the criterion's weight) per sheet), beside the raw points; the engine never sums
raw points itself. `scored_panel` computes the same totals from constructed score rows, so a
test's panel takes the one path production takes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal

from contest.results.ranking import Criterion, Juror, Panel, ScoreRow


def sheet_totals(scores: Iterable[ScoreRow], criteria: Sequence[Criterion]) -> dict[tuple[int, int], Decimal]:
    """(juror, entry) -> the sheet's total: its points times each criterion's weight, summed."""
    weights = {criterion.id: criterion.weight for criterion in criteria}
    totals: defaultdict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for juror, entry, criterion, points in scores:
        totals[juror, entry] += points * weights[criterion]
    return dict(totals)


def scored_panel(entries: Iterable[int], jurors: Sequence[Juror], criteria: Sequence[Criterion],
                 scores: Sequence[ScoreRow] = (), excluded: Collection[tuple[int, int]] = frozenset(), *,
                 adjustments: Mapping[int, Decimal] | None = None) -> Panel:
    """A panel of these score rows with each sheet's total beside them, as loading.py passes it."""
    scores = list(scores)
    return Panel(entries=list(entries), jurors=jurors, criteria=criteria, totals=sheet_totals(scores, criteria),
                 scores=scores, excluded=frozenset(excluded), adjustments=adjustments or {})
