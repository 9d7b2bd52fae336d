"""Juries that rank instead of score: rank sum and Borda count (contest/results/rankings.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.results import statistics
from contest.results.combining import Combination, combine_rounds
from contest.results.ranking import CHAIR_TOTAL, FIRST_PLACES, Juror, Method, Panel, RankingError, Rules
from contest.results.rankings import averaged_ranks, combination_scores, rank_by_places

D = Decimal
RANK_SUM = Rules(method=Method.RANK_SUM, decimals=2)
BORDA = Rules(method=Method.BORDA, decimals=2)


def panel(places: dict[int, dict[int, int]], *, jurors=None, excluded=(), adjustments=None, entries=None) -> Panel:
    """places: juror -> entry -> the place the juror gave."""
    all_entries = entries or sorted({entry for given in places.values() for entry in given})
    return Panel(entries=all_entries, jurors=jurors or [Juror(juror) for juror in places], criteria=(),
                 totals={(juror, entry): D(place) for juror, given in places.items() for entry, place in given.items()},
                 excluded=frozenset(excluded), adjustments=adjustments or {}, places=True)


def table(ranking) -> list[tuple[int, int | None, Decimal | None]]:
    return [(standing.entry, standing.place, standing.score) for standing in ranking.standings]


# Averaged ranks -------------------------------------------------------------------------------

def test_a_tie_for_second_gives_both_entries_two_and_a_half():
    assert averaged_ranks({"a": 1, "b": 2, "c": 2, "d": 4}) == {"a": 1, "b": D("2.5"), "c": D("2.5"), "d": 4}


def test_three_tied_for_first_share_rank_two():
    assert averaged_ranks({"a": 1, "b": 1, "c": 1, "d": 4}) == {"a": 2, "b": 2, "c": 2, "d": 4}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=12))
def test_averaged_ranks_keep_the_order_share_ties_and_sum_as_without_ties(values):
    places = dict(enumerate(values))
    ranks = averaged_ranks(places)
    n = len(values)
    assert sum(ranks.values()) == D(n * (n + 1)) / 2
    for first in places:
        for second in places:
            if places[first] < places[second]:
                assert ranks[first] < ranks[second]
            if places[first] == places[second]:
                assert ranks[first] == ranks[second]


# Worked examples from published sources ------------------------------------------------------

# The Borda count example of the "Tennessee capital" election (Wikipedia, "Borda count", the
# example used across the voting literature): 100 voters, four cities, n - rank points.
TENNESSEE = [  # (voters, order from first to last); 1 Memphis, 2 Nashville, 3 Chattanooga, 4 Knoxville
    (42, (1, 2, 3, 4)), (26, (2, 3, 4, 1)), (15, (3, 4, 2, 1)), (17, (4, 3, 2, 1)),
]


def _tennessee() -> Panel:
    places, juror = {}, 0
    for voters, order in TENNESSEE:
        for _ in range(voters):
            juror += 1
            places[juror] = {city: place for place, city in enumerate(order, start=1)}
    return panel(places)


def test_borda_count_of_the_tennessee_capital_example():
    """Published Borda scores: Nashville 194, Chattanooga 173, Memphis 126, Knoxville 107."""
    assert table(rank_by_places(_tennessee(), BORDA)) == [
        (2, 1, D(194)), (3, 2, D(173)), (1, 3, D(126)), (4, 4, D(107))]


def test_rank_sum_of_the_same_ballots_is_the_mirror_of_borda():
    """Rank sums of the same 100 ballots: 400 - Borda (each voter ranks all four cities)."""
    assert table(rank_by_places(_tennessee(), RANK_SUM)) == [
        (2, 1, D(206)), (3, 2, D(227)), (1, 3, D(274)), (4, 4, D(293))]


def test_kendalls_w_on_ranks_with_ties_by_the_tie_corrected_formula():
    """W = 12 S / (m^2 (n^3 - n) - m sum T), T = sum (t^3 - t) per juror, as published in Siegel &
    Castellan, Nonparametric Statistics for the Behavioral Sciences (1988), section 9.4 (and NAG
    g08da). Three jurors, four entries; the second ties entries 2 and 3 for second place, the third
    ties 1 and 2 for first. Worked by hand:
      ranks  J1: 1 2 3 4   J2: 1 2.5 2.5 4   J3: 1.5 1.5 3 4
      sums R: 3.5 6 8.5 12; mean m(n+1)/2 = 7.5; S = 16 + 2.25 + 1 + 20.25 = 39.5
      T = (8 - 2) + (8 - 2) = 12; W = 12 x 39.5 / (9 x 60 - 3 x 12) = 474 / 504 = 0.94048"""
    ranking = rank_by_places(panel({1: {1: 1, 2: 2, 3: 3, 4: 4}, 2: {1: 1, 2: 2, 3: 2, 4: 4},
                                    3: {1: 1, 2: 1, 3: 3, 4: 4}}), RANK_SUM)
    assert table(ranking) == [(1, 1, D("3.5")), (2, 2, D(6)), (3, 3, D("8.5")), (4, 4, D(12))]
    ratings = {juror: {entry: sheet[juror] for entry, sheet in ranking.totals.items()} for juror in (1, 2, 3)}
    found = statistics.concordance(ratings)
    assert isinstance(found, statistics.Concordance)
    assert found.w == pytest.approx(474 / 504)
    assert found.chi_square == pytest.approx(3 * 3 * 474 / 504)


# Constructed panels ---------------------------------------------------------------------------

def test_places_shared_when_the_sums_are_equal_and_no_rule_breaks_the_tie():
    ranking = rank_by_places(panel({1: {1: 1, 2: 2, 3: 3}, 2: {1: 2, 2: 1, 3: 3}}), RANK_SUM)
    assert table(ranking) == [(1, 1, D(3)), (2, 1, D(3)), (3, 3, D(6))]
    assert [standing.decided_by for standing in ranking.standings] == ["shared", "shared", "score"]


def test_the_chairs_better_place_breaks_a_tie():
    jurors = [Juror(1), Juror(2, is_chair=True)]
    ranking = rank_by_places(panel({1: {1: 1, 2: 2, 3: 3}, 2: {1: 2, 2: 1, 3: 3}}, jurors=jurors),
                             Rules(method=Method.RANK_SUM, tie_break=(CHAIR_TOTAL,)))
    assert table(ranking)[:2] == [(2, 1, D(3)), (1, 2, D(3))]
    assert ranking.standings[0].decided_by == CHAIR_TOTAL


def test_more_first_places_break_a_borda_tie():
    places = {1: {1: 1, 2: 2, 3: 3, 4: 4}, 2: {1: 4, 2: 2, 3: 3, 4: 1}, 3: {1: 1, 2: 2, 3: 3, 4: 4}}
    ranking = rank_by_places(panel(places), Rules(method=Method.BORDA, tie_break=(FIRST_PLACES,)))
    # Borda: entry 1 = 3 + 0 + 3 = 6, entry 2 = 2 + 2 + 2 = 6: two first places against none.
    assert table(ranking)[:2] == [(1, 1, D(6)), (2, 2, D(6))]
    assert ranking.standings[0].decided_by == FIRST_PLACES


def test_tied_places_give_averaged_borda_points():
    # n = 3; the juror ties entries 1 and 2 for first: each gets 3 - 1.5 = 1.5 points.
    ranking = rank_by_places(panel({1: {1: 1, 2: 1, 3: 3}}), BORDA)
    assert table(ranking) == [(1, 1, D("1.5")), (2, 1, D("1.5")), (3, 3, D(0))]


def test_honorary_juror_does_not_count():
    jurors = [Juror(1), Juror(2), Juror(3, is_honorary=True)]
    places = {1: {1: 1, 2: 2}, 2: {1: 1, 2: 2}, 3: {1: 2, 2: 1}}
    ranking = rank_by_places(panel(places, jurors=jurors), RANK_SUM)
    assert table(ranking) == [(1, 1, D(2)), (2, 2, D(4))]
    assert {standing.jurors_counted for standing in ranking.standings} == {2}


def test_an_excluded_sheet_is_left_out_and_the_jurors_other_places_close_the_gap():
    # Juror 3 placed entry 1 first but is recused from it: their places 2 and 3 become ranks 1 and 2,
    # and entry 1's sum is the mean of the two counting ranks times the three counting jurors.
    places = {1: {1: 1, 2: 2, 3: 3}, 2: {1: 1, 2: 3, 3: 2}, 3: {1: 1, 2: 2, 3: 3}}
    ranking = rank_by_places(panel(places, excluded={(3, 1)}), RANK_SUM)
    assert ranking.totals[2][3] == 1 and ranking.totals[3][3] == 2
    assert table(ranking) == [(1, 1, D(3)), (2, 2, D(6)), (3, 3, D(7))]
    assert [standing.fell_back for standing in ranking.standings] == [True, False, False]
    assert ranking.standings[0].jurors_counted == 2


def test_an_entry_nobody_ranked_is_unranked():
    ranking = rank_by_places(panel({1: {1: 1, 2: 2}}, entries=[1, 2, 3]), RANK_SUM)
    assert table(ranking)[-1] == (3, None, None)


def test_penalties_move_a_borda_score_and_are_refused_on_a_rank_sum():
    places = {1: {1: 1, 2: 2}, 2: {1: 1, 2: 2}}
    ranking = rank_by_places(panel(places, adjustments={1: D(-3)}), BORDA)
    assert table(ranking) == [(2, 1, D(0)), (1, 2, D(-1))]
    with pytest.raises(RankingError) as refused:
        rank_by_places(panel(places, adjustments={1: D(-3)}), RANK_SUM)
    assert str(refused.value.message) == ("A sum of places has no points to add or take away: remove the penalties "
                                          "and bonuses of this round, or rank it by the Borda count.")


def test_a_sum_that_falls_on_a_half_is_rounded_up():
    # Juror 3 is recused from entry 1: its sum is (1 + 2) x 3 jurors / 2 counted = 4.5, which a
    # contest without decimals shows as 5 (half up), not 4 (half to even), behind entry 2's 4.
    places = {1: {1: 1, 2: 2}, 2: {1: 2, 2: 1}, 3: {1: 1, 2: 1}}
    ranking = rank_by_places(panel(places, excluded={(3, 1)}), Rules(method=Method.RANK_SUM, decimals=0))
    assert table(ranking) == [(2, 1, D(4)), (1, 2, D(5))]


def test_a_points_method_is_not_a_method_for_places():
    with pytest.raises(ValueError, match="not a method for places"):
        rank_by_places(panel({1: {1: 1}}), Rules(method=Method.MEAN))


# Rounds combined ------------------------------------------------------------------------------

def test_a_rank_sum_round_enters_a_combination_with_its_place_as_borda_points():
    first = rank_by_places(panel({1: {1: 1, 2: 2, 3: 3}, 2: {1: 2, 2: 1, 3: 3}}), RANK_SUM)
    assert combination_scores(first) == {1: D(2), 2: D(2), 3: D(0)}  # places 1, 1, 3 of three
    final_panel = panel({1: {1: 3, 2: 1, 3: 2}, 2: {1: 3, 2: 2, 3: 1}})
    final = rank_by_places(final_panel, BORDA)  # Borda: 1 -> 0, 2 -> 3, 3 -> 3
    combined = combine_rounds([first, final], [D(1), D(1)], Combination.SUM, final_panel, BORDA)
    assert table(combined.ranking) == [(2, 1, D(5)), (3, 2, D(3)), (1, 3, D(2))]
    assert combined.round_scores[2] == (D(2), D(3))
    assert combined.ranking.totals == final.totals  # the protocol's jurors' ranks of the last round


def test_a_penalty_counts_once_in_its_round_and_is_not_shown_again_on_the_combined_standing():
    first = rank_by_places(panel({1: {1: 1, 2: 2}, 2: {1: 1, 2: 2}}), BORDA)  # 1 -> 2, 2 -> 0
    final_panel = panel({1: {1: 2, 2: 1}, 2: {1: 2, 2: 1}}, adjustments={2: D(-1)})
    final = rank_by_places(final_panel, BORDA)  # 1 -> 0, 2 -> 2 - 1
    assert [standing.adjustment for standing in final.standings] == [D(-1), D(0)]
    combined = combine_rounds([first, final], [D(1), D(1)], Combination.SUM, final_panel, BORDA)
    assert table(combined.ranking) == [(1, 1, D(2)), (2, 2, D(1))]
    assert {standing.adjustment for standing in combined.ranking.standings} == {D(0)}


# Properties -----------------------------------------------------------------------------------

rankings_strategy = st.integers(min_value=2, max_value=7).flatmap(lambda n: st.lists(
    st.permutations(range(1, n + 1)), min_size=1, max_size=6))


def _full_panel(orders: list[list[int]], entry_ids: list[int] | None = None) -> Panel:
    ids = entry_ids or list(range(1, len(orders[0]) + 1))
    return panel({juror: {ids[index]: place for index, place in enumerate(order)}
                  for juror, order in enumerate(orders, start=1)})


@settings(max_examples=150, deadline=None)
@given(rankings_strategy)
def test_rank_sum_order_is_borda_order_reversed_when_everyone_ranks_everything(orders):
    by_sum = rank_by_places(_full_panel(orders), RANK_SUM).by_entry()
    by_borda = rank_by_places(_full_panel(orders), BORDA).by_entry()
    n, m = len(orders[0]), len(orders)
    for entry, standing in by_sum.items():
        assert by_borda[entry].score == m * n - standing.score
        assert by_borda[entry].place == standing.place


@settings(max_examples=150, deadline=None)
@given(rankings_strategy, st.randoms(use_true_random=False))
def test_order_of_jurors_and_entries_does_not_matter(orders, random):
    rules = Rules(method=Method.RANK_SUM, tie_break=(FIRST_PLACES,))
    base = table(rank_by_places(_full_panel(orders), rules))
    shuffled_orders = list(orders)
    random.shuffle(shuffled_orders)
    shuffled = _full_panel(shuffled_orders)
    reordered = Panel(entries=list(reversed(shuffled.entries)), jurors=list(reversed(shuffled.jurors)), criteria=(),
                      totals=dict(reversed(list((shuffled.totals or {}).items()))), places=True)
    # The same juror orders in another sequence, the input lists reversed: the same table.
    assert table(rank_by_places(reordered, rules)) == base


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=8))
def test_a_tied_ranking_counts_as_its_averaged_ranks(given_places):
    # Turn any list into a valid competition ranking (1, 2, 2, 4), rank it, compare with the ranks typed in.
    ordered = sorted(given_places)
    places = {index: 1 + sum(1 for other in ordered if other < value) for index, value in enumerate(ordered)}
    ranking = rank_by_places(panel({1: places}), RANK_SUM)
    assert {entry: sheet[1] for entry, sheet in ranking.totals.items()} == averaged_ranks(places)
    assert {standing.entry: standing.place for standing in ranking.standings} == places


def test_agreement_on_places_with_an_abstention_is_the_mean_pairwise_spearman():
    """With a conflict W is not defined on the whole field: the engine's method for incomplete
    rankings (statistics.py) applies, on each pair's shared entries. Jurors 1 and 2 agree on all
    four entries (rho 1); juror 3, recused from entry 4, reverses the other three (rho -1 with each)."""
    places = {1: {1: 1, 2: 2, 3: 3, 4: 4}, 2: {1: 1, 2: 2, 3: 3, 4: 4}, 3: {1: 3, 2: 2, 3: 1, 4: 4}}
    found = statistics.concordance(statistics.ratings_of(panel(places, excluded={(3, 4)})))
    assert isinstance(found, statistics.PairwiseAgreement)
    assert (found.pairs, found.incomplete) == (3, 1)
    assert found.rho == pytest.approx((1 - 1 - 1) / 3)
