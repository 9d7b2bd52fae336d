"""Rounds combined and outlier clamping in the engine: constructed panels worked by hand, and
the properties issue 15 asks for."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.results.clamping import clamped_sheets
from contest.results.combining import Combination, combine_rounds, combined_scores
from contest.results.ranking import Criterion, Juror, Method, Panel, Rules, rank
from tests.results.test_ranking import panel_of, table
from tests.results.test_ranking_properties import panels, rules, shuffled

D = Decimal


# Clamping -----------------------------------------------------------------------------------

# Constructed: seven jurors on a 1..25 scale, k = 3. Entry A: 136 / 7 = 19.4286 -> 19.43; the 12
# is brought up to 16.43 and the 25 down to 22.43; the clamped mean is 137.86 / 7 -> 19.69.
CLAMP_PANEL = {
    "A": [20, 21, 19, 12, 25, 19, 20],
    "B": [20, 20, 20, 20, 19, 19, 19],   # nothing further than 3 from 19.57: the plain mean 19.57
    "C": [18, 18, 19, 18, 24, 18, 18],   # mean 19 -> the 24 becomes 22: 131 / 7 = 18.71
}


def test_clamping_brings_far_scores_to_the_mean_plus_or_minus_k_and_takes_the_mean():
    names = list(CLAMP_PANEL)
    ranking = rank(panel_of(CLAMP_PANEL, criteria=[Criterion(1, D(1), D(25))]),
                   Rules(Method.MEAN, decimals=2, clamp=D(3), tie_break=("shared",)))
    assert table(ranking, names) == [(1, "A", D("19.69")), (2, "B", D("19.57")), (3, "C", D("18.71"))]
    assert ranking.totals[1][4] == D("16.43") and ranking.totals[1][5] == D("22.43")
    assert ranking.unclamped[1][4] == D(12) and ranking.unclamped[1][5] == D(25)
    assert ranking.totals[3][5] == D(22) and ranking.totals[2] == ranking.unclamped[2]
    # Without clamping the 12 and the 25 count as given: A 19.43, below B.
    plain = rank(panel_of(CLAMP_PANEL, criteria=[Criterion(1, D(1), D(25))]), Rules(Method.MEAN, decimals=2))
    assert table(plain, names)[:2] == [(1, "B", D("19.57")), (2, "A", D("19.43"))]
    assert plain.unclamped == {}


def test_the_mean_that_clamps_is_rounded_to_the_contests_decimals_first():
    # Constructed: 10, 10, 3 -> mean 7.666..; with 0 decimals the mean is 8 and k = 2 clamps the 3
    # to 6 (not to 5.67): (10 + 10 + 6) / 3 = 8.67 -> 9 with no decimals.
    panel = panel_of({"A": [10, 10, 3]})
    ranking = rank(panel, Rules(Method.MEAN, decimals=0, clamp=D(2)))
    assert ranking.totals[1][3] == D(6) and ranking.standings[0].score == D(9)
    assert rank(panel, Rules(Method.MEAN, decimals=2, clamp=D(2))).totals[1][3] == D("5.67")


def test_abstaining_excluded_and_honorary_jurors_neither_move_the_mean_nor_are_clamped():
    # Constructed: juror 4 (honorary) gave 1 and juror 3 abstained (excluded) after giving 2; the
    # counting jurors 1 and 2 gave 10 and 6: mean 8, k = 1 -> 9 and 7, mean 8.
    panel = panel_of({"A": [10, 6, 2, 1]}, jurors=[Juror(1), Juror(2), Juror(3), Juror(4, is_honorary=True)],
                     excluded={(3, 1)})
    ranking = rank(panel, Rules(Method.MEAN, decimals=2, clamp=D(1)))
    assert ranking.totals == {1: {1: D(9), 2: D(7)}}
    assert ranking.standings[0].score == D(8) and ranking.standings[0].jurors_counted == 2


def test_clamped_sheets_keep_every_juror_and_change_only_the_far_ones():
    sheets = {1: {1: D(10), 2: D(4), 3: D(7)}}
    assert clamped_sheets(sheets, D("2.5"), 1) == {1: {1: D("9.5"), 2: D("4.5"), 3: D(7)}}


@settings(max_examples=200, deadline=None)
@given(panels(), rules)
def test_a_clamp_wider_than_the_scale_is_the_plain_method(panel, rules):
    wide = Rules(rules.method, normalise=rules.normalise, decimals=rules.decimals, tie_break=rules.tie_break,
                 clamp=panel.max_total + 1)
    assert rank(panel, wide).standings == rank(panel, rules).standings


@settings(max_examples=200, deadline=None)
@given(panels(), rules, st.integers(0, 10), st.integers())
def test_clamped_results_do_not_depend_on_the_order_of_jurors_entries_or_scores(panel, rules, k, seed):
    clamped = Rules(rules.method, normalise=rules.normalise, decimals=rules.decimals, tie_break=rules.tie_break,
                    clamp=D(k))
    assert rank(shuffled(panel, seed), clamped) == rank(panel, clamped)


@settings(max_examples=200, deadline=None)
@given(panels(), st.integers(0, 10), st.integers(0, 3))
def test_every_clamped_total_is_within_k_of_the_rounded_mean(panel, k, decimals):
    ranking = rank(panel, Rules(Method.MEAN, decimals=decimals, clamp=D(k)))
    step = D(1).scaleb(-decimals)
    for entry, sheet in ranking.unclamped.items():
        mean = (sum(sheet.values(), D(0)) / len(sheet)).quantize(step, ROUND_HALF_UP)
        for juror, total in ranking.totals[entry].items():
            assert abs(total - mean) <= k
            assert total == sheet[juror] or abs(sheet[juror] - mean) > k


# Rounds combined ----------------------------------------------------------------------------

QUALIFYING = {"A": [18, 17, 19], "B": [20, 19, 20], "C": [15, 16, 14], "D": [12, 11, 13]}
FINAL = {"A": [19, 20, 20], "B": [17, 16, 18], "C": [18, 18, 19]}  # D did not reach the final


def _final_panel() -> Panel:
    # The same entry ids as the qualifying round: entry 4 (D) has no sheet in the final.
    return panel_of({**FINAL, "D": [None, None, None]})


def test_a_weighted_combination_30_70_ranks_the_finalists_on_each_rounds_own_method():
    # Constructed. Qualifying by the mean: A 18.00, B 19.67, C 15.00. Final by the median:
    # A 20, B 17, C 18. 0.3 x qualifying + 0.7 x final: A 19.40, B 17.80 (5.901 + 11.9),
    # C 17.10; D did not reach the final and is not ranked.
    qualifying_rules, final_rules = Rules(Method.MEAN), Rules(Method.MEDIAN, tie_break=("shared",))
    rankings = [rank(panel_of(QUALIFYING), qualifying_rules), rank(_final_panel(), final_rules)]
    result = combine_rounds(rankings, [D(30), D(70)], Combination.WEIGHTED, _final_panel(), final_rules)
    assert table(result.ranking, list(QUALIFYING)) == [
        (1, "A", D("19.40")), (2, "B", D("17.80")), (3, "C", D("17.10")), (None, "D", None)]
    assert result.round_scores[2] == (D("19.67"), D("17.00"))
    assert result.round_scores[4] == (D("12.00"), None)
    assert result.ranking.standings[0].method is Method.MEDIAN


def test_the_sum_of_rounds_adds_each_rounds_rounded_score():
    rankings = [rank(panel_of(QUALIFYING), Rules(Method.MEAN)), rank(_final_panel(), Rules(Method.MEAN))]
    result = combine_rounds(rankings, [D(1), D(1)], Combination.SUM, _final_panel(), Rules(Method.MEAN))
    # A 18.00 + 19.67, B 19.67 + 17.00, C 15.00 + 18.33
    assert table(result.ranking, list(QUALIFYING))[:3] == [
        (1, "A", D("37.67")), (2, "B", D("36.67")), (3, "C", D("33.33"))]


def test_stage_weights_10_20_70_as_the_chopin_competition_2025_weighed_stages_for_the_final():
    """Weights from the Chopin Competition 2025 (Rzeczpospolita, rp.pl, "Po trzecim etapie lista
    finalistów z niespodziankami": 70 % of stage III, 20 % of stage II, 10 % of stage I);
    the scores are constructed."""
    stages = [{1: D("22.93"), 2: D("21.50")}, {1: D("20.10"), 2: D("21.00")}, {1: D("21.00"), 2: D("21.40")}]
    # 1: 2.293 + 4.02 + 14.7 = 21.013 -> 21.01; 2: 2.15 + 4.2 + 14.98 = 21.33
    assert combined_scores(stages, [D(10), D(20), D(70)], Combination.WEIGHTED, 2) == {
        1: D("21.01"), 2: D("21.33")}


def test_equal_combined_scores_go_through_the_tie_break_chain_on_the_last_round():
    # Constructed: A 18 + 20 = 38 and B 20 + 18 = 38; the chair (juror 1) gave A 20 in the final.
    jurors = [Juror(1, is_chair=True), Juror(2), Juror(3)]
    qualifying = panel_of({"A": [18, 18, 18], "B": [20, 20, 20]}, jurors=jurors)
    final = panel_of({"A": [20, 19, 21], "B": [18, 18, 18]}, jurors=jurors)
    chain = Rules(Method.MEAN, tie_break=("chair_total", "shared"))
    result = combine_rounds([rank(qualifying, chain), rank(final, chain)], [D(1), D(1)], Combination.SUM,
                            final, chain)
    rows = [(row.entry, row.place, row.score, row.decided_by) for row in result.ranking.standings]
    assert rows == [(1, 1, D("38.00"), "chair_total"), (2, 2, D("38.00"), "chair_total")]


@settings(max_examples=100, deadline=None)
@given(panels(), rules, st.integers())
def test_a_single_round_combined_is_that_round(panel, rules, seed):
    ranking = rank(panel, rules)
    for combination in Combination:
        combined = combine_rounds([ranking], [D(random.Random(seed).randint(1, 100))], combination, panel, rules)
        assert combined.ranking.standings == ranking.standings


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.integers(1, 6), st.integers(0, 200).map(lambda n: D(n) / 4), min_size=1),
                min_size=1, max_size=4),
       st.data())
def test_combination_does_not_depend_on_the_order_of_rounds_and_equal_weights_rank_like_the_sum(scores, data):
    weights = [D(data.draw(st.integers(1, 100))) for _ in scores]
    order = data.draw(st.permutations(range(len(scores))))
    for combination in Combination:
        assert combined_scores(scores, weights, combination, 3) == combined_scores(
            [scores[i] for i in order], [weights[i] for i in order], combination, 3)
    total = combined_scores(scores, [D(1)] * len(scores), Combination.SUM, 3)
    mean = combined_scores(scores, [D(7)] * len(scores), Combination.WEIGHTED, 3)
    assert set(total) == set(mean) == set(scores[0]).intersection(*scores)
    for a in total:
        for b in total:
            if total[a] > total[b]:
                assert mean[a] >= mean[b]


def test_a_weighted_combination_refuses_weights_that_do_not_match_the_rounds():
    # A round without its weight must not drop out of the mean silently (zip would stop early).
    rounds = [{1: D(10)}, {1: D(20)}, {1: D(30)}]
    with pytest.raises(ValueError):
        combined_scores(rounds, [D(30), D(70)], Combination.WEIGHTED, 2)


def test_the_combination_rounds_half_up_to_the_contests_decimals():
    # Constructed halves: 0.125 + 0 = 0.125 and (0.25 + 0) / 2 = 0.125 -> 0.13 (half even would give 0.12).
    rounds = [{1: D("0.125"), 2: D("0.25")}, {1: D(0), 2: D(0)}]
    assert combined_scores(rounds, [D(1), D(1)], Combination.SUM, 2)[1] == D("0.13")
    assert combined_scores(rounds, [D(50), D(50)], Combination.WEIGHTED, 2)[2] == D("0.13")
    assert combined_scores(rounds, [D(50), D(50)], Combination.WEIGHTED, 1)[2] == D("0.1")
