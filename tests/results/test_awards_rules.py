"""Awards, prize money and advancement read off the standings: shared places, unranked entries,
a minimum score inside a tier of several winners."""

from __future__ import annotations

from decimal import Decimal

from contest.results.awards import AwardTier, advancing, assign_awards, prize_total
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
