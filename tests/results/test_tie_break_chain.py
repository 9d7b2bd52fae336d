"""The tie-break chain rule by rule: the chair's total, a named criterion (rounded half up, as
published), first places, and a second rule for the entries the first left level."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contest.results.ranking import Criterion, Juror, Panel, Rules, rank
from tests.results.panels import scored_panel

D = Decimal
A, B, C = 1, 2, 3
CONTENT, FORM = 7, 8  # criterion ids unlike any entry id, so the two are never confused


def panel(sheets: dict[int, dict[int, tuple[int, int]]], jurors: list[Juror]) -> Panel:
    """{juror: {entry: (Content, Form)}}, both criteria of weight one."""
    scores = [(juror, entry, criterion, D(value)) for juror, by_entry in sheets.items()
              for entry, points in by_entry.items() for criterion, value in zip((CONTENT, FORM), points, strict=True)]
    entries = sorted({entry for by_entry in sheets.values() for entry in by_entry})
    return scored_panel(entries, jurors, [Criterion(CONTENT), Criterion(FORM)], scores, frozenset())


def places(ranking) -> dict[int, tuple[int, str]]:
    return {row.entry: (row.place, row.decided_by) for row in ranking.standings}


# A, B and C all average 15. The chair (juror 2, not the lowest id) gave A 16, B and C 14 each;
# then Content splits B (7 and 6: 6.5, rounded half up to 7) from C (7 and 5: 6).
CHAIN = {
    1: {A: (7, 7), B: (7, 9), C: (7, 9)},
    2: {A: (8, 8), B: (6, 8), C: (5, 9)},
}


def test_the_chair_decides_first_and_a_criterion_then_splits_the_rest():
    ranking = rank(panel(CHAIN, [Juror(1), Juror(2, is_chair=True)]),
                   Rules(decimals=0, tie_break=("chair_total", f"criterion:{CONTENT}", "shared")))
    assert places(ranking) == {A: (1, "chair_total"), B: (2, f"criterion:{CONTENT}"), C: (3, f"criterion:{CONTENT}")}
    by_entry = ranking.by_entry()
    assert by_entry[A].tie_values == (("chair_total", D(16)),)
    assert by_entry[B].tie_values == (("chair_total", D(14)), (f"criterion:{CONTENT}", D(7)))
    assert by_entry[C].tie_values == (("chair_total", D(14)), (f"criterion:{CONTENT}", D(6)))


def test_the_chairs_total_decides_alone():
    ranking = rank(panel(CHAIN, [Juror(1), Juror(2, is_chair=True)]), Rules(decimals=0, tie_break=("chair_total",)))
    assert places(ranking) == {A: (1, "chair_total"), B: (2, "shared"), C: (2, "shared")}


# Totals (Content + Form): juror 1 puts A first, jurors 2 and 3 put C first; A and B both
# average 15, C is ahead. Among A and B, A has one first place and B none.
FIRSTS = {
    1: {A: (15, 15), B: (5, 5), C: (10, 10)},
    2: {A: (2, 3), B: (7, 8), C: (12, 13)},
    3: {A: (5, 5), B: (10, 10), C: (12, 13)},
}


def test_first_places_decide_even_when_a_tied_entry_has_none():
    ranking = rank(panel(FIRSTS, [Juror(1), Juror(2), Juror(3)]), Rules(tie_break=("first_places", "shared")))
    assert places(ranking) == {C: (1, "score"), A: (2, "first_places"), B: (3, "first_places")}
    assert ranking.by_entry()[A].tie_values == (("first_places", 1),)
    assert ranking.by_entry()[B].tie_values == (("first_places", 0),)


def test_first_places_are_counted_per_juror():
    # A is best on two sheets, B on one: the aggregate is level (15 each), A has more first places.
    sheets = {1: {A: (10, 10), B: (5, 5)}, 2: {A: (8, 8), B: (7, 7)}, 3: {A: (2, 7), B: (10, 11)}}
    ranking = rank(panel(sheets, [Juror(1), Juror(2), Juror(3)]), Rules(tie_break=("first_places", "shared")))
    assert places(ranking) == {A: (1, "first_places"), B: (2, "first_places")}
    assert [value for _, value in ranking.by_entry()[A].tie_values] == [2]


def test_an_unknown_rule_names_itself():
    sheets = {1: {A: (5, 5), B: (5, 5)}}
    with pytest.raises(ValueError, match="'coin toss'"):
        rank(panel(sheets, [Juror(1)]), Rules(tie_break=("coin toss",)))
