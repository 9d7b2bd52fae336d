"""Agreement statistics against hand arithmetic, closed forms and Friedman's test."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.results.ranking import Criterion, Juror, Panel
from contest.results.statistics import (
    PairwiseAgreement,
    average_ranks,
    chi_square_sf,
    concordance,
    criterion_points,
    incomplete_entries,
    juror_agreement,
    kendall_w,
    pair_correlations,
    pairwise_agreement,
    ratings_of,
    spearman,
)
from contest.results.svg import histogram_svg, score_bins
from tests.results.panels import scored_panel


def by_juror(rows: list[list[float]]) -> dict[int, dict[int, float]]:
    return {juror: dict(enumerate(row, start=1)) for juror, row in enumerate(rows, start=1)}


def test_kendall_w_without_ties_matches_the_hand_computation():
    # Rank sums 4, 6, 9, 12, 15, 17 around m(n + 1)/2 = 10.5: S = 129.5,
    # W = 12 S / (m^2 (n^3 - n)) = 1554 / 1890 = 0.8222, chi2 = m (n - 1) W = 12.333 on 5 df.
    result = kendall_w(by_juror([[1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], [1, 3, 2, 5, 4, 6]]))
    assert result.w == pytest.approx(1554 / 1890)
    assert result.chi_square == pytest.approx(12.333333333)
    assert result.degrees_of_freedom == 5 and result.jurors == 3 and result.entries == 6
    assert result.p_value == pytest.approx(0.030495068288153064, rel=1e-9)  # Friedman's test gives the same


def test_kendall_w_with_ties_is_corrected_like_friedmans_test():
    # Friedman's test (with its tie correction) on the same table: chi2 = 11.1579, p = 0.024846.
    result = kendall_w(by_juror([[9, 8, 8, 6, 5], [7, 9, 6, 6, 4], [8, 8, 7, 5, 6], [5, 9, 9, 7, 4]]))
    assert result.chi_square == pytest.approx(11.157894736842115)
    assert result.w == pytest.approx(0.6973684210526322)
    assert result.p_value == pytest.approx(0.024845649547292546, rel=1e-9)


def test_kendall_w_extremes_and_incomplete_blocks():
    assert kendall_w(by_juror([[3, 2, 1], [30, 20, 10], [9, 5, 1]])).w == pytest.approx(1.0)
    assert kendall_w(by_juror([[1, 2, 3, 4], [4, 3, 2, 1]])).w == pytest.approx(0.0)
    assert kendall_w(by_juror([[1, 2, 3]])) is None
    # Juror 2 abstained on entry 3: W is computed on entries 1, 2 and 4 only.
    ratings = {1: {1: 1, 2: 2, 3: 3, 4: 4}, 2: {1: 1, 2: 2, 4: 4}}
    assert kendall_w(ratings).entries == 3


@pytest.mark.parametrize(("x", "df", "expected"), [
    (3.841458820694124, 1, 0.05),  # the 5% critical value from every chi-square table
    (6.6348966010212145, 1, 0.01),
    (5.991464547107979, 2, 0.05),
    (9.487729036781154, 4, 0.05),
    (0.5, 7, 0.9994464813904249),
    (40, 3, 1.065509033425585e-08),
    (100, 50, 3.454931382984871e-05),
])
def test_chi_square_survival_matches_tables(x, df, expected):
    assert chi_square_sf(x, df) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("x", [0.01, 0.7, 2.0, 5.5, 30.0])
def test_chi_square_survival_matches_closed_forms(x):
    assert chi_square_sf(x, 1) == pytest.approx(math.erfc(math.sqrt(x / 2)), rel=1e-12)
    assert chi_square_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12)
    assert chi_square_sf(0, 3) == 1.0


def test_average_ranks_and_spearman_with_ties():
    assert average_ranks({"a": 9, "b": 8, "c": 8, "d": 6}) == {"a": 1, "b": 2.5, "c": 2.5, "d": 4}
    first = dict(enumerate([9, 8, 8, 6, 5]))
    second = dict(enumerate([7, 9, 6, 6, 4]))
    assert spearman(first, second) == pytest.approx(0.7631578947368421)
    assert spearman({1: 1, 2: 1}, {1: 1, 2: 2}) is None  # no spread, no correlation


def test_a_juror_who_ranks_against_the_others_is_flagged():
    ratings = by_juror([[10, 9, 8, 7, 6], [9, 9, 7, 6, 5], [10, 8, 8, 6, 6], [5, 6, 7, 8, 9]])
    agreement = {row.juror: row for row in juror_agreement(ratings)}
    assert [juror for juror, row in agreement.items() if row.diverges] == [4]
    assert agreement[4].correlation == pytest.approx(-0.9, abs=0.11)
    assert agreement[1].mean == 8 and agreement[1].sd == pytest.approx(math.sqrt(2.5))
    assert agreement[1].correlation > 0.9 and agreement[1].entries == 5


def test_too_few_entries_are_never_flagged():
    agreement = juror_agreement(by_juror([[1, 2, 3], [3, 2, 1]]))
    assert all(row.correlation == pytest.approx(-1) and not row.diverges for row in agreement)


def panel() -> Panel:
    jurors = [Juror(1), Juror(2), Juror(3, is_honorary=True)]
    scores = [(juror, entry, 1, Decimal(juror + entry)) for juror in (1, 2, 3) for entry in (1, 2)]
    scores += [(1, 1, 2, Decimal("7.5"))]
    return scored_panel([1, 2], jurors, [Criterion(1), Criterion(2)], scores, frozenset({(2, 2)}))


def test_ratings_and_criterion_points_leave_out_honorary_and_excluded_sheets():
    assert ratings_of(panel()) == {1: {1: Decimal("9.5"), 2: Decimal(3)}, 2: {1: Decimal(3)}}
    assert criterion_points(panel()) == {1: [Decimal(2), Decimal(3), Decimal(3)], 2: [Decimal("7.5")]}


def test_distribution_chart_is_plain_escaped_svg_without_script_or_style():
    bins = score_bins([Decimal(0), Decimal("7.5"), Decimal(7), Decimal(10)], Decimal(10))
    assert len(bins) == 11 and bins[7] == ("7", 2) and bins[10] == ("10", 1)
    svg = histogram_svg(bins, title="Artistry <&>", count_text=lambda count: f"{count} entries")
    root = ElementTree.fromstring(svg)  # well-formed, so the title was escaped
    assert root.tag.endswith("svg") and root.get("aria-label") == "Artistry <&>"
    assert "script" not in svg and "style=" not in svg
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 11
    assert "<title>7: 2 entries</title>" in svg
    wide = score_bins([Decimal(0), Decimal(55), Decimal(100)], Decimal(100))
    assert [count for _, count in wide] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1] and wide[0][0] == "0–10"


def test_the_flag_starts_below_a_correlation_of_exactly_0_3():
    # Two jurors whose rank correlation is 0.3 to the last bit: each is the other's consensus.
    # Juror 1 scored nothing and is simply not listed.
    ratings = {1: {}, 2: dict(enumerate([2, 1, 1, 2, 2, 4])), 3: dict(enumerate([3, 2, 2, 4, 4, 2]))}
    agreement = juror_agreement(ratings)
    assert [(row.juror, row.correlation, row.diverges) for row in agreement] == [(2, 0.3, False), (3, 0.3, False)]


def test_four_common_entries_are_enough_to_flag():
    agreement = juror_agreement(by_juror([[1, 2, 3, 4], [4, 3, 2, 1]]))
    assert [(row.correlation, row.diverges) for row in agreement] == [(pytest.approx(-1), True)] * 2


def test_with_an_abstention_the_agreement_is_the_mean_pairwise_spearman():
    # Constructed. Juror 3 abstained on entry 1. Pair (1, 2) ranks entries 1-4 alike: rho = 1.
    # Pairs (1, 3) and (2, 3) on entries 2-4: ranks (1, 2, 3) against (2, 1, 3), sum d^2 = 2,
    # rho = 1 - 6 * 2 / (3 * 8) = 0.5. Mean over the three pairs: 2/3. W over the entries everyone
    # scored would have dropped entry 1 without a word.
    ratings = {1: {1: 10, 2: 8, 3: 6, 4: 4}, 2: {1: 9, 2: 8, 3: 7, 4: 1}, 3: {2: 5, 3: 9, 4: 3}}
    assert incomplete_entries(ratings) == 1
    assert pair_correlations(ratings) == {(1, 2): pytest.approx(1), (1, 3): pytest.approx(0.5),
                                          (2, 3): pytest.approx(0.5)}
    result = concordance(ratings)
    assert isinstance(result, PairwiseAgreement)
    assert result.rho == pytest.approx(2 / 3)
    assert (result.pairs, result.jurors, result.entries, result.incomplete) == (3, 3, 4, 1)
    agreement = {row.juror: row for row in juror_agreement(ratings)}
    # Each juror's figure is the mean of their own pairs: not the other jurors' mean per entry,
    # which for entry 1 would be juror 2 alone and for the others jurors 2 and 3 together.
    assert [agreement[juror].correlation for juror in (1, 2, 3)] == [
        pytest.approx(0.75), pytest.approx(0.75), pytest.approx(0.5)]
    assert not any(row.diverges for row in agreement.values())
    assert (agreement[3].entries, agreement[3].mean) == (3, pytest.approx(17 / 3))


def test_pairs_sharing_two_entries_or_without_spread_are_left_out():
    ratings = {1: {1: 1, 2: 2, 3: 3, 4: 4}, 2: {1: 4, 2: 4, 3: 4}, 3: {3: 1, 4: 2}, 4: {1: 2, 2: 1, 3: 3}}
    # (1, 2): no spread in juror 2; (1, 3), (2, 3), (3, 4): two shared entries; (2, 4): no spread.
    assert pair_correlations(ratings) == {(1, 4): pytest.approx(0.5)}
    assert concordance(ratings) == PairwiseAgreement(pytest.approx(0.5), 1, 4, 4, 3)
    figures = {row.juror: (row.correlation, row.diverges) for row in juror_agreement(ratings)}
    assert figures == {1: (pytest.approx(0.5), False), 2: (None, False), 3: (None, False),
                       4: (pytest.approx(0.5), False)}
    assert concordance({1: {1: 1, 2: 2}, 2: {2: 3, 3: 4}}) is None


def test_with_abstentions_a_juror_is_flagged_over_four_compared_entries_not_three():
    reversed_on_four = {1: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}, 2: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5},
                        3: {1: 4, 2: 3, 3: 2, 4: 1}}
    figures = {row.juror: (row.correlation, row.diverges) for row in juror_agreement(reversed_on_four)}
    # Juror 1 agrees with juror 2 (1) and not with juror 3 (-1): a mean of 0, below 0.3 as well.
    assert figures == {1: (pytest.approx(0), True), 2: (pytest.approx(0), True), 3: (pytest.approx(-1), True)}
    reversed_on_three = {1: {1: 1, 2: 2, 3: 3, 4: 4}, 2: {1: 1, 2: 2, 3: 3, 4: 4}, 3: {1: 3, 2: 2, 3: 1}}
    figures = {row.juror: (row.correlation, row.diverges) for row in juror_agreement(reversed_on_three)}
    assert figures == {1: (pytest.approx(0), True), 2: (pytest.approx(0), True), 3: (pytest.approx(-1), False)}


def test_with_abstentions_only_the_entries_shared_with_a_compared_juror_count_for_the_flag():
    # Juror 1 scored five entries but shares only three with the others: compared on three, not flagged.
    ratings = {1: {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}, 2: {1: 3, 2: 2, 3: 1}, 3: {1: 3, 2: 2, 3: 1}}
    figures = {row.juror: (row.entries, row.correlation, row.diverges) for row in juror_agreement(ratings)}
    assert figures[1] == (5, pytest.approx(-1), False)
    # Juror 1 is compared with juror 2 only: jurors 3 and 4 agree with each other on entries juror 1
    # never scored, and their pair is no business of juror 1's.
    ratings = {1: {1: 1, 2: 2, 3: 3, 4: 4}, 2: {1: 4, 2: 3, 3: 2, 4: 1}, 3: {5: 1, 6: 2, 7: 3}, 4: {5: 1, 6: 2, 7: 3}}
    figures = {row.juror: (row.correlation, row.diverges) for row in juror_agreement(ratings)}
    assert figures == {1: (pytest.approx(-1), True), 2: (pytest.approx(-1), True),
                       3: (pytest.approx(1), False), 4: (pytest.approx(1), False)}


def test_complete_rankings_keep_kendalls_w():
    ratings = by_juror([[1, 2, 3], [1, 3, 2]])
    assert incomplete_entries(ratings) == 0 and incomplete_entries({}) == 0
    assert concordance(ratings) == kendall_w(ratings)
    # A juror who scored nothing does not make the rankings incomplete.
    assert concordance({**ratings, 3: {}}) == kendall_w(ratings)


@given(st.integers(2, 6), st.integers(3, 7), st.data())
def test_on_complete_rankings_the_mean_pairwise_spearman_is_kendalls_identity(m, n, data):
    """rho-bar = (m W - 1) / (m - 1) for m complete rankings without ties (Kendall & Babington
    Smith, "The problem of m rankings", Ann. Math. Statist. 10 (1939)): the method for incomplete
    rankings says on complete ones what W says."""
    ratings = {juror: dict(enumerate(data.draw(st.permutations(range(n))))) for juror in range(m)}
    w = kendall_w(ratings).w
    result = pairwise_agreement(ratings)
    if result is not None:  # always, as a permutation has spread
        assert result.rho == pytest.approx((m * w - 1) / (m - 1), abs=1e-9)
        assert result.pairs == m * (m - 1) // 2


@given(st.dictionaries(st.integers(1, 6), st.dictionaries(st.integers(1, 6), st.integers(0, 10), max_size=6),
                       max_size=5), st.integers(1, 50))
def test_the_agreement_does_not_depend_on_juror_ids(ratings, shift):
    renamed = {juror * shift + 7: scored for juror, scored in reversed(list(ratings.items()))}
    assert concordance(renamed) == concordance(ratings)
    before = sorted((row.correlation or 0.0, row.diverges, row.entries) for row in juror_agreement(ratings))
    after = sorted((row.correlation or 0.0, row.diverges, row.entries) for row in juror_agreement(renamed))
    assert after == pytest.approx(before) if before else after == before


def test_two_entries_give_a_spread_and_a_correlation_of_plus_or_minus_one():
    agreement = juror_agreement({1: {1: 4, 2: 6}, 2: {1: 7, 2: 5}})
    assert agreement[0].sd == pytest.approx(math.sqrt(2)) and agreement[0].mean == 5
    assert agreement[0].correlation == pytest.approx(-1) and not agreement[0].diverges
    assert spearman({1: 1, 2: 2}, {1: 3, 2: 8}) == pytest.approx(1)
    assert spearman({1: 1, 2: 2}, {2: 3, 3: 8}) is None  # one common entry


def test_kendall_w_on_two_common_entries():
    result = kendall_w({1: {1: 1, 2: 2, 3: 9}, 2: {1: 3, 2: 5}})
    assert (result.w, result.chi_square, result.degrees_of_freedom, result.entries) == (1.0, 2.0, 1, 2)
    assert result.p_value == pytest.approx(math.erfc(1), rel=1e-12)
    assert kendall_w({1: {1: 1, 2: 2}, 2: {1: 3, 3: 5}}) is None  # one common entry


def test_jurors_who_tie_every_entry_do_not_disagree():
    result = kendall_w(by_juror([[5, 5, 5], [3, 3, 3]]))
    assert (result.w, result.chi_square, result.degrees_of_freedom) == (1.0, 4.0, 2)
    assert result.p_value == pytest.approx(math.exp(-2), rel=1e-12)
