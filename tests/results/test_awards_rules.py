"""Awards, prize money and advancement read off the standings: shared places, unranked entries,
a minimum score inside a tier of several winners."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contest.results.awards import (
    AwardTier,
    PrizeFundError,
    advancing,
    assign_awards,
    check_prize_fund,
    prize_total,
)
from contest.results.ranking import Method, Standing

D = Decimal


def standing(entry: int, place: int | None, score: str | None) -> Standing:
    if place is None:
        return Standing(entry, None, None, 0, None, False, "unranked")
    return Standing(entry, place, D(score), 3, Method.MEAN, False, "score")


# A and B share first place, C is third, D fourth, E has no counting sheet.
STANDINGS = (standing(1, 1, "18"), standing(2, 1, "18"), standing(3, 3, "16"), standing(4, 4, "12"),
             standing(5, None, None))


def test_a_shared_place_pays_every_winner_and_the_fund_sees_it():
    tiers = [AwardTier("I", 1, D(300000)), AwardTier("II", 1, D(150000)), AwardTier("III", 1, D(50000))]
    awards = assign_awards(STANDINGS, tiers)
    assert [(award.entry, award.place, award.tier.name) for award in awards] == [
        (1, 1, "I"), (2, 1, "I"), (3, 3, "III")]
    assert prize_total(awards) == D(650000)


def test_a_minimum_inside_a_tier_of_several_winners_passes_the_rest_on():
    tiers = [AwardTier("Laureate", 3, min_score=D(17)), AwardTier("Diploma", 2)]
    awards = assign_awards(STANDINGS, tiers)
    # C (16) misses the laureates' minimum: place 3 goes to the diplomas, with D.
    assert [(award.entry, award.tier.name) for award in awards] == [
        (1, "Laureate"), (2, "Laureate"), (3, "Diploma"), (4, "Diploma")]


def test_more_places_than_entries_and_an_unranked_entry_get_nothing_extra():
    awards = assign_awards(STANDINGS, [AwardTier("Incentive", 10)])
    assert [award.entry for award in awards] == [1, 2, 3, 4]


def test_unranked_entries_never_advance():
    assert advancing(STANDINGS, top=4) == [1, 2, 3, 4]
    assert advancing(STANDINGS, top=3) == [1, 2, 3]
    assert advancing(STANDINGS, threshold=D(16)) == [1, 2, 3]
    assert advancing(STANDINGS, threshold=D(0)) == [1, 2, 3, 4]


def test_prizes_at_the_fund_pass_and_one_tenge_over_is_refused_with_both_amounts():
    check_prize_fund(D(650000), 650000)
    check_prize_fund(D(10 ** 9), None)  # no fund set: no limit
    with pytest.raises(PrizeFundError) as caught:
        check_prize_fund(D(650001), D(650000))
    assert str(caught.value.message) == ("The prizes add up to 650,001 tenge, more than the prize fund of "
                                         "650,000 tenge.")


def test_a_tier_without_winners_leaves_its_places_to_the_next_tier():
    tiers = [AwardTier("Grand Prix", 0), AwardTier("I", 1), AwardTier("II", 2)]
    awards = assign_awards(STANDINGS, tiers)
    assert [(award.entry, award.tier.name) for award in awards] == [(1, "I"), (2, "I"), (3, "II")]


def test_a_grand_prix_nobody_reaches_moves_every_place_down_one_tier():
    tiers = [AwardTier("Grand Prix", 1, min_score=D(19)), AwardTier("I", 1), AwardTier("II", 3, min_score=D(16)),
             AwardTier("III", 1)]
    awards = assign_awards(STANDINGS, tiers)
    # A and B share the I degree; C (3rd, exactly the II degree's minimum of 16) gets the II,
    # D (12) misses it, so its place 4 goes to the III degree.
    assert [(award.entry, award.place, award.tier.name) for award in awards] == [
        (1, 1, "I"), (2, 1, "I"), (3, 3, "II"), (4, 4, "III")]


def test_advancement_needs_exactly_one_rule():
    with pytest.raises(ValueError):
        advancing(STANDINGS)
    with pytest.raises(ValueError):
        advancing(STANDINGS, top=2, threshold=D(10))
    assert advancing(STANDINGS, top=1) == [1, 2]
    assert advancing(STANDINGS, threshold=D("16.01")) == [1, 2]
