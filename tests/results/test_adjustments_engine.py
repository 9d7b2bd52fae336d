"""Penalties and bonuses outside the jury in the engine: added to the rounded jury score, then ranked."""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from contest.results.adjustments import adjustment_totals
from contest.results.ranking import Criterion, Juror, Panel, Rules, rank
from tests.results.panels import scored_panel
from tests.results.test_ranking_properties import panels, rules

D = Decimal


def panel_of(totals: dict[int, list[str]], adjustments: dict[int, Decimal] | None = None) -> Panel:
    """One criterion; totals[entry] lists each juror's points in juror order."""
    jurors = [Juror(number) for number in range(1, max(len(v) for v in totals.values()) + 1)]
    scores = [(juror, entry, 1, D(points)) for entry, values in totals.items()
              for juror, points in enumerate(values, start=1)]
    return scored_panel(list(totals), jurors, [Criterion(1, max_score=D(100))], scores, adjustments=adjustments or {})


def outcome(ranking):
    return [(row.entry, row.place, row.score) for row in ranking.standings]


def test_a_penalty_is_subtracted_after_rounding_and_can_change_places():
    """Constructed, in the manner of figure skating's deductions (a fall, a time violation), which
    are taken off the panel's rounded segment score: recitation, three jurors, mean to one decimal.
    A: (8.25 + 8.25 + 8.3)/3 = 8.2667 -> 8.3, then 1 point off for running over time -> 7.3.
    B: 7.9 with no adjustment; C: 7.0 plus a 0.5 objective bonus -> 7.5."""
    panel = panel_of({1: ["8.25", "8.25", "8.3"], 2: ["7.9", "7.9", "7.9"], 3: ["7", "7", "7"]},
                     {1: D("-1"), 3: D("0.5")})
    ranking = rank(panel, Rules(decimals=1))
    assert outcome(ranking) == [(2, 1, D("7.9")), (3, 2, D("7.5")), (1, 3, D("7.3"))]
    by_entry = ranking.by_entry()
    assert (by_entry[1].adjustment, by_entry[2].adjustment, by_entry[3].adjustment) == (D(-1), D(0), D("0.5"))
    # Rounded first, then added. With adjustments at the contest's decimals the order shows only
    # across zero, where half-up rounds away from zero: 0.005 -> 0.01, minus 1 -> -0.99 (rounding
    # the sum -0.995 would have given -1.00).
    across_zero = rank(panel_of({1: ["0.005"]}, {1: D(-1)}), Rules(decimals=2))
    assert across_zero.standings[0].score == D("-0.99")


def test_an_adjustment_makes_a_tie_that_the_tie_break_chain_decides():
    """Constructed: the penalty brings A level with B; the chair's total (juror 1) decides."""
    panel = panel_of({1: ["9", "7"], 2: ["7", "8"]}, {1: D("-0.5")})
    panel = dataclasses.replace(panel, jurors=[Juror(1, is_chair=True), Juror(2)])
    ranking = rank(panel, Rules(decimals=1, tie_break=("chair_total",)))
    assert [(row.entry, row.place, row.score, row.decided_by) for row in ranking.standings] == [
        (1, 1, D("7.5"), "chair_total"), (2, 2, D("7.5"), "chair_total")]


def test_an_entry_no_juror_scored_stays_unranked_whatever_its_bonus():
    panel = panel_of({1: ["5"]}, {2: D(3)})
    panel = dataclasses.replace(panel, entries=[1, 2])
    assert outcome(rank(panel, Rules())) == [(1, 1, D(5)), (2, None, None)]


def test_a_penalty_may_take_the_score_below_zero():
    assert outcome(rank(panel_of({1: ["1"], 2: ["0"]}, {1: D(-3)}), Rules(decimals=0))) == [
        (2, 1, D(0)), (1, 2, D(-2))]


def test_adjustment_totals_sum_per_entry_and_drop_what_cancels():
    assert adjustment_totals([(1, D(-1)), (2, D("0.5")), (1, D("-0.5")), (3, D(1)), (3, D(-1))]) == {
        1: D("-1.5"), 2: D("0.5")}


adjustment_values = st.integers(-20, 20).map(lambda n: n * D("0.25"))


@settings(max_examples=150, deadline=None)
@given(panels(), rules)
def test_a_penalty_of_zero_changes_nothing(panel, rules):
    zero = dataclasses.replace(panel, adjustments={entry: D(0) for entry in panel.entries})
    assert rank(zero, rules) == rank(panel, rules)


@settings(max_examples=150, deadline=None)
@given(panels(), rules, st.data())
def test_adjustments_in_any_order_give_the_same_standings(panel, rules, data):
    items = data.draw(st.lists(st.tuples(st.sampled_from(list(panel.entries)), adjustment_values), max_size=8))
    shuffled = list(items)
    random.Random(data.draw(st.integers())).shuffle(shuffled)
    first = dataclasses.replace(panel, adjustments=adjustment_totals(items))
    second = dataclasses.replace(panel, adjustments=adjustment_totals(shuffled))
    assert rank(first, rules) == rank(second, rules)


@settings(max_examples=150, deadline=None)
@given(panels(), rules, adjustment_values)
def test_the_same_bonus_for_everyone_keeps_every_place(panel, rules, bonus):
    everyone = dataclasses.replace(panel, adjustments={entry: bonus for entry in panel.entries})
    plain, adjusted = rank(panel, rules), rank(everyone, rules)
    assert [(r.entry, r.place) for r in adjusted.standings] == [(r.entry, r.place) for r in plain.standings]
    pairs = zip(adjusted.standings, plain.standings, strict=True)
    assert all(a.score == p.score + bonus for a, p in pairs if p.score is not None)


@settings(max_examples=150, deadline=None)
@given(panels(), rules, st.data())
def test_a_penalty_never_improves_the_place_and_a_bonus_never_worsens_it(panel, rules, data):
    entry = data.draw(st.sampled_from(list(panel.entries)))
    points = data.draw(adjustment_values)
    plain = rank(panel, rules).by_entry()[entry]
    adjusted = rank(dataclasses.replace(panel, adjustments={entry: points}), rules).by_entry()[entry]
    if plain.place is None:
        assert adjusted.place is None
    elif points < 0:
        assert adjusted.place >= plain.place
    elif points > 0:
        assert adjusted.place <= plain.place
    if plain.score is not None:
        assert adjusted.score == plain.score + points
