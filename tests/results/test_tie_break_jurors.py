"""Only the sheets that count may break a tie: an honorary juror's or a conflicted juror's
points never decide who takes the higher place."""

from __future__ import annotations

from decimal import Decimal

from contest.results.ranking import Criterion, Juror, Panel, Rules, rank
from tests.results.panels import scored_panel

D = Decimal
A, B = 1, 2


def panel(sheets: dict[int, dict[int, tuple[int, int]]], jurors: list[Juror], excluded=()) -> Panel:
    """{juror: {entry: (criterion 1, criterion 2)}} on two one-weight criteria."""
    scores = [(juror, entry, criterion, D(value)) for juror, by_entry in sheets.items()
              for entry, points in by_entry.items() for criterion, value in enumerate(points, start=1)]
    return scored_panel([A, B], jurors, [Criterion(1), Criterion(2)], scores, frozenset(excluded))


# Jurors 1 and 2 count: A and B total 15 on each sheet, and A is ahead on criterion 1 (8 to 7).
COUNTING = {1: {A: (8, 7), B: (7, 8)}, 2: {A: (8, 7), B: (7, 8)}}
# Juror 3's sheets total 15 too (so the aggregate stays level) but put B far ahead on criterion 1.
TILTING = {A: (0, 15), B: (15, 0)}


def places(ranking) -> dict[int, tuple[int, str]]:
    return {row.entry: (row.place, row.decided_by) for row in ranking.standings}


def test_an_honorary_jurors_criterion_points_do_not_break_the_tie():
    jurors = [Juror(1), Juror(2), Juror(3, is_honorary=True)]
    ranking = rank(panel({**COUNTING, 3: TILTING}, jurors), Rules(tie_break=("criterion:1", "shared")))
    assert places(ranking) == {A: (1, "criterion:1"), B: (2, "criterion:1")}
    assert ranking.by_entry()[B].tie_values == (("criterion:1", D("7.00")),)


def test_a_conflicted_jurors_criterion_points_do_not_break_the_tie():
    jurors = [Juror(1), Juror(2), Juror(3)]
    # Juror 3 counts for A (8, 7) but declared a conflict with B: the sheet on B is left out.
    sheets = {**COUNTING, 3: {A: (8, 7), B: (15, 0)}}
    ranking = rank(panel(sheets, jurors, excluded={(3, B)}), Rules(tie_break=("criterion:1", "shared")))
    assert places(ranking) == {A: (1, "criterion:1"), B: (2, "criterion:1")}
    assert ranking.by_entry()[B].jurors_counted == 2


def test_an_honorary_chairs_total_does_not_break_the_tie():
    """The chair's total decides only if the chair's sheet counts; here it is skipped and the
    next rule (criterion 1 among counting jurors) decides."""
    jurors = [Juror(1), Juror(2), Juror(3, is_chair=True, is_honorary=True)]
    sheets = {**COUNTING, 3: {A: (5, 5), B: (10, 10)}}
    ranking = rank(panel(sheets, jurors), Rules(tie_break=("chair_total", "criterion:1", "shared")))
    assert places(ranking) == {A: (1, "criterion:1"), B: (2, "criterion:1")}


def test_a_conflicted_chairs_total_does_not_break_the_tie():
    jurors = [Juror(1), Juror(2), Juror(3, is_chair=True)]
    sheets = {**COUNTING, 3: {A: (8, 7), B: (10, 10)}}
    ranking = rank(panel(sheets, jurors, excluded={(3, B)}), Rules(tie_break=("chair_total", "criterion:1", "shared")))
    assert places(ranking) == {A: (1, "criterion:1"), B: (2, "criterion:1")}


def test_an_honorary_jurors_first_place_does_not_count_as_a_first_place():
    # Counting jurors each give one entry their best total: level at one first place each.
    counting = {1: {A: (8, 8), B: (7, 7)}, 2: {A: (7, 7), B: (8, 8)}}
    jurors = [Juror(1), Juror(2), Juror(3, is_honorary=True)]
    ranking = rank(panel({**counting, 3: {A: (1, 1), B: (9, 9)}}, jurors), Rules(tie_break=("first_places", "shared")))
    assert places(ranking) == {A: (1, "shared"), B: (1, "shared")}
    assert ranking.by_entry()[A].tie_values == (("first_places", 1),)
