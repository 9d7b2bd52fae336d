"""Regulations that cannot work are refused before anything is ranked, with a message that says
why; the limits themselves (a trim that leaves one juror, no decimals) are allowed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contest.results.awards import advancing
from contest.results.ranking import Criterion, Juror, Method, Panel, RankingError, Rules, Standing, rank
from tests.results.panels import scored_panel

D = Decimal


def three_jurors() -> Panel:
    scores = [(juror, 1, 1, D(points)) for juror, points in ((1, 4), (2, 7), (3, 9))]
    return scored_panel([1], [Juror(1), Juror(2), Juror(3)], [Criterion(1)], scores)


@pytest.mark.parametrize(("rules", "message"), [
    (Rules(Method.TRIMMED_MEAN, trim=0), "Trimming 0 scores at each end leaves nothing to count with 1 jurors."),
    (Rules(Method.TRIMMED_SUM, trim=1, trim_min_jurors=2),
     "Trimming 1 scores at each end leaves nothing to count with 2 jurors."),
    (Rules(Method.TRIMMED_MEAN, trim=2, trim_min_jurors=4),
     "Trimming 2 scores at each end leaves nothing to count with 4 jurors."),
    (Rules(decimals=-1), "The number of decimals cannot be negative."),
])
def test_impossible_rules_are_refused_with_the_reason(rules, message):
    with pytest.raises(RankingError) as caught:
        rank(three_jurors(), rules)
    assert str(caught.value.message) == message


def test_the_least_that_works_is_allowed():
    # Trimming one at each end of three leaves the middle juror's 7.
    assert rank(three_jurors(), Rules(Method.TRIMMED_MEAN, trim=1, trim_min_jurors=3)).standings[0].score == D("7.00")
    assert rank(three_jurors(), Rules(decimals=0)).standings[0].score == D(7)  # (4 + 7 + 9) / 3 = 6.67
    # An untrimmed method does not care what the trim would be.
    assert rank(three_jurors(), Rules(Method.MEDIAN, trim=0)).standings[0].score == D("7.00")


def test_sums_over_unequal_panels_are_refused_with_the_range_of_panel_sizes():
    scores = [(juror, entry, 1, D(5)) for juror in (1, 2, 3) for entry in (1, 2) if (juror, entry) != (3, 2)]
    panel = scored_panel([1, 2], [Juror(1), Juror(2), Juror(3)], [Criterion(1)], scores)
    with pytest.raises(RankingError) as caught:
        rank(panel, Rules(Method.SUM))
    assert str(caught.value.message) == ("Sums cannot compare entries judged by different numbers of jurors "
                                         "(here from 2 to 3); use the mean or the median.")


def test_an_entry_no_counting_juror_scored_is_listed_unranked():
    panel = scored_panel([1, 2], [Juror(1)], [Criterion(1)], [(1, 1, 1, D(5))])
    assert rank(panel, Rules()).by_entry()[2] == Standing(2, None, None, 0, None, False, "unranked")


def test_advancement_takes_exactly_one_of_top_and_threshold():
    standings = rank(three_jurors(), Rules()).standings
    for arguments in ({}, {"top": 1, "threshold": D(5)}):
        with pytest.raises(ValueError, match="^give exactly one of top and threshold$"):
            advancing(standings, **arguments)


def test_a_trimmed_method_without_fallback_names_the_jurors_it_needs():
    rules = Rules(Method.TRIMMED_MEAN, trim=2, allow_fallback=False)
    with pytest.raises(RankingError) as caught:
        rank(three_jurors(), rules)
    assert str(caught.value.message) == ("The trimmed method drops 2 highest and 2 lowest scores, so it needs at least "
                                         "5 jurors per entry, but an entry has only 3.")
