"""Tie-break rules at their edges: an entry no juror put first, a rule name the engine does not know."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contest.results.ranking import Criterion, Juror, Panel, Rules, rank
from tests.results.panels import scored_panel

D = Decimal


def crossed_panel() -> Panel:
    """A, B and C all average 8: juror 1 put A first, juror 2 put C first, nobody put B first."""
    points = {1: (10, 6), 2: (8, 8), 3: (6, 10)}
    scores = [(juror, entry, 1, D(pair[juror - 1])) for entry, pair in points.items() for juror in (1, 2)]
    return scored_panel([1, 2, 3], [Juror(1), Juror(2)], [Criterion(1)], scores)


def test_an_entry_nobody_put_first_counts_zero_first_places_and_comes_after():
    ranking = rank(crossed_panel(), Rules(tie_break=("first_places", "shared")))
    rows = [(row.entry, row.place, row.decided_by, row.tie_values) for row in ranking.standings]
    assert rows == [(1, 1, "shared", (("first_places", 1),)), (3, 1, "shared", (("first_places", 1),)),
                    (2, 3, "first_places", (("first_places", 0),))]


def test_a_rule_the_engine_does_not_know_is_a_programming_error_not_a_silent_tie():
    with pytest.raises(ValueError, match="unknown tie-break rule 'best_costume'"):
        rank(crossed_panel(), Rules(tie_break=("best_costume",)))


def test_normalisation_puts_a_juror_without_spread_in_the_middle_of_the_weighted_scale():
    # The scale is 2 x 10 + 1 x 20 = 40, its middle 20. Juror 1 gave A and B the same total and
    # juror 2 scored only A: neither says anything about order, so all their entries get 20.
    # Juror 3 gave A 30 and B 10: one standard deviation either side, 20 +- 40 / 6.
    criteria = [Criterion(1, D(2), D(10)), Criterion(2, D(1), D(20))]
    sheets = {(1, 1): (5, 10), (1, 2): (8, 4), (2, 1): (3, 3), (3, 1): (10, 10), (3, 2): (0, 10)}
    scores = [(juror, entry, criterion, D(points)) for (juror, entry), pair in sheets.items()
              for criterion, points in enumerate(pair, start=1)]
    ranking = rank(scored_panel([1, 2], [Juror(1), Juror(2), Juror(3)], criteria, scores), Rules(normalise=True))
    assert {juror: round(total, 4) for juror, total in ranking.totals[1].items()} == {
        1: D("20.0000"), 2: D("20.0000"), 3: D("26.6667")}
    assert {juror: round(total, 4) for juror, total in ranking.totals[2].items()} == {1: D("20.0000"), 3: D("13.3333")}
    assert [(row.entry, row.score) for row in ranking.standings] == [(1, D("22.22")), (2, D("16.67"))]


def test_the_chair_decides_even_when_another_juror_has_a_lower_id():
    # Juror 2 chairs. A and B both average 15; juror 1 preferred A, the chair B.
    scores = [(1, 1, 1, D(18)), (1, 2, 1, D(12)), (2, 1, 1, D(12)), (2, 2, 1, D(18)), (3, 1, 1, D(15)),
              (3, 2, 1, D(15))]
    panel = scored_panel([1, 2], [Juror(1), Juror(2, is_chair=True), Juror(3)], [Criterion(1, D(1), D(20))], scores)
    ranking = rank(panel, Rules(tie_break=("chair_total",)))
    assert [(row.entry, row.place, row.decided_by, row.tie_values) for row in ranking.standings] == [
        (2, 1, "chair_total", (("chair_total", D(18)),)), (1, 2, "chair_total", (("chair_total", D(12)),))]
