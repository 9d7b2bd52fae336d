"""Ex aequo prizes decided by the jury: a tier to several entries, the next tier skipped or still awarded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.results.awards import AwardTier, assign_awards, prize_total
from contest.results.exaequo import ExAequo, ExAequoError, assign_with_decisions
from contest.results.ranking import Method, Standing

D = Decimal
TIERS = [AwardTier("I", 1, D(300)), AwardTier("II", 1, D(200)), AwardTier("III", 1, D(100))]


def standing(entry: int, place: int, score: str) -> Standing:
    return Standing(entry, place, D(score), 3, Method.MEAN, False, "score")


# Five entries with different totals: 1st 19.5, 2nd 19.2, 3rd 17, 4th 16, 5th 15.
FIELD = (standing(1, 1, "19.5"), standing(2, 2, "19.2"), standing(3, 3, "17"), standing(4, 4, "16"),
         standing(5, 5, "15"))


def summary(awards):
    return [(award.entry, award.tier.name, award.ex_aequo) for award in awards]


def test_two_first_prizes_with_the_second_not_awarded():
    """Constructed: the jury gives the I degree to the 1st and 2nd ex aequo; the II degree is then
    not awarded, as regulations that say "if two first prizes are awarded, the second is not"."""
    awards = assign_with_decisions(FIELD, TIERS, [ExAequo("I", {1, 2}, skip_next=True)])
    assert summary(awards) == [(1, "I", True), (2, "I", True), (3, "III", False)]
    assert prize_total(awards) == D(700)


def test_two_first_prizes_with_the_second_still_awarded():
    """Constructed: the same decision, but the jury keeps the II degree for the next entry."""
    awards = assign_with_decisions(FIELD, TIERS, [ExAequo("I", {1, 2}, skip_next=False)])
    assert summary(awards) == [(1, "I", True), (2, "I", True), (3, "II", False), (4, "III", False)]


def test_a_lower_tier_ex_aequo_after_ordinary_tiers():
    awards = assign_with_decisions(FIELD, TIERS, [ExAequo("III", {3, 4, 5}, skip_next=True)])
    assert summary(awards) == [(1, "I", False), (2, "II", False), (3, "III", True), (4, "III", True),
                               (5, "III", True)]


def test_a_jury_keeps_the_next_tier_after_a_tie_in_the_totals():
    """A tie in the total shares the place and, by default, leaves the next tier empty; the jury
    may decide to award it all the same."""
    tied = (standing(1, 1, "19"), standing(2, 1, "19"), standing(3, 3, "17"), standing(4, 4, "16"))
    assert summary(assign_awards(tied, TIERS)) == [(1, "I", False), (2, "I", False), (3, "III", False)]
    assert summary(assign_with_decisions(tied, TIERS, [ExAequo("I", {1, 2}, skip_next=False)])) == [
        (1, "I", True), (2, "I", True), (3, "II", False), (4, "III", False)]


@pytest.mark.parametrize(("decision", "message"), [
    (ExAequo("I", {1, 3}, True), "best entries not yet awarded"),
    (ExAequo("I", {1}, True), "at least two entries"),
    (ExAequo("IV", {1, 2}, True), "no longer has"),
])
def test_a_decision_that_does_not_fit_is_refused(decision, message):
    with pytest.raises(ExAequoError) as refusal:
        assign_with_decisions(FIELD, TIERS, [decision])
    assert message in str(refusal.value.message)


def test_a_decision_cannot_split_a_shared_place_nor_award_a_skipped_tier_nor_pass_a_minimum():
    tied = (standing(1, 1, "19"), standing(2, 2, "18"), standing(3, 2, "18"), standing(4, 4, "16"))
    refusals = [(tied, TIERS, [ExAequo("I", {1, 2}, True)], "splits a shared place"),
                (FIELD, TIERS, [ExAequo("I", {1, 2}, True), ExAequo("II", {3, 4}, True)], "is skipped"),
                (FIELD, [AwardTier("Grand Prix", 1, min_score=D("19.4")), *TIERS],
                 [ExAequo("Grand Prix", {1, 2}, True)], "minimum score")]
    for standings, tiers, decisions, message in refusals:
        with pytest.raises(ExAequoError) as refusal:
            assign_with_decisions(standings, tiers, decisions)
        assert message in str(refusal.value.message)


@st.composite
def fields(draw):
    """Standings with ties, in standard competition ranking."""
    scores = sorted(draw(st.lists(st.integers(0, 6), min_size=1, max_size=8)), reverse=True)
    rows = []
    for index, score in enumerate(scores):
        place = rows[-1].place if rows and rows[-1].score == score else index + 1
        rows.append(standing(index + 1, place, str(score)))
    return tuple(rows)


tier_lists = st.lists(st.builds(AwardTier, st.sampled_from(["I", "II", "III", "IV"]), st.integers(1, 3)),
                      min_size=1, max_size=4, unique_by=lambda tier: tier.name)


@settings(max_examples=200, deadline=None)
@given(fields(), tier_lists)
def test_without_decisions_the_awards_follow_the_places(field, tiers):
    assert assign_with_decisions(field, tiers, []) == assign_awards(field, tiers)


@settings(max_examples=200, deadline=None)
@given(fields(), st.data())
def test_a_decision_on_a_tie_at_the_top_that_skips_the_next_tier_is_what_the_places_give(field, data):
    """With one winner per tier, a jury that confirms a shared first place and skips the next
    tier awards exactly what standard competition ranking already gives."""
    tiers = [AwardTier(name, 1) for name in ("I", "II", "III", "IV")]
    top = [row.entry for row in field if row.place == 1]
    if len(top) < 2:
        return
    decided = assign_with_decisions(field, tiers, [ExAequo("I", set(top), skip_next=True)])
    plain = assign_awards(field, tiers)
    if len(top) == 2:  # more than two tied use up more than one following tier by place arithmetic
        assert [(a.entry, a.tier.name) for a in decided] == [(a.entry, a.tier.name) for a in plain]
    assert all(a.ex_aequo == (a.tier.name == "I") for a in decided)


@settings(max_examples=200, deadline=None)
@given(fields(), tier_lists, st.data())
def test_each_entry_gets_at_most_one_award_and_better_places_never_get_a_later_tier(field, tiers, data):
    ranked = [row.entry for row in field]
    count = data.draw(st.integers(2, max(2, len(ranked))))
    names = [tier.name for tier in tiers]
    decision = ExAequo(data.draw(st.sampled_from(names)), set(ranked[:count]), data.draw(st.booleans()))
    try:
        awards = assign_with_decisions(field, tiers, [decision])
    except ExAequoError:
        return
    entries = [award.entry for award in awards]
    assert len(entries) == len(set(entries))
    order = {name: index for index, name in enumerate(names)}
    positions = [order[award.tier.name] for award in awards]
    assert positions == sorted(positions)


LABELS = {"I": "First degree", "II": "Second degree", "III": "Third degree", "Grand Prix": "Grand Prix"}


def full(awards):
    return [(award.entry, award.place, award.tier.name, award.ex_aequo) for award in awards]


@pytest.mark.parametrize(("standings", "tiers", "decisions", "message"), [
    (FIELD, TIERS, [ExAequo("I", {1}, True)], "An ex aequo decision for “First degree” needs at least two entries."),
    (FIELD, TIERS, [ExAequo("II", {2, 4}, True)],
     "The ex aequo decision for “Second degree” must name the best entries not yet awarded; the standings have "
     "changed since, so review the decision."),
    ((standing(1, 1, "19"), standing(2, 2, "18"), standing(3, 2, "18")), TIERS, [ExAequo("I", {1, 2}, True)],
     "The ex aequo decision for “First degree” splits a shared place: name every entry on place 2."),
    (FIELD, TIERS, [ExAequo("I", {1, 2}, True), ExAequo("II", {3, 4}, True)],
     "The tier “Second degree” is skipped by the ex aequo decision before it, so it cannot be awarded ex aequo."),
    (FIELD, [AwardTier("Grand Prix", 1, min_score=D("19.3")), *TIERS], [ExAequo("Grand Prix", {1, 2}, True)],
     "The ex aequo decision for “Grand Prix” names an entry below the tier's minimum score."),
    (FIELD, TIERS, [ExAequo("IV", {1, 2}, True)],
     "An ex aequo decision names an award tier the contest no longer has."),
])
def test_each_refusal_names_the_tier_as_people_know_it(standings, tiers, decisions, message):
    with pytest.raises(ExAequoError) as refusal:
        assign_with_decisions(standings, tiers, decisions, LABELS)
    assert str(refusal.value.message) == message


def test_a_refusal_without_labels_names_the_tier_by_its_key():
    with pytest.raises(ExAequoError) as refusal:
        assign_with_decisions(FIELD, TIERS, [ExAequo("II", {2, 4}, True)])
    assert "“II”" in str(refusal.value.message)


def test_a_decision_between_tiers_leaves_the_rest_to_the_places_and_unranked_entries_out():
    """Constructed: I to the 1st, II ex aequo to the 2nd and 3rd (III still awarded), III to the 4th;
    an entry no juror scored gets nothing; places stay as the totals give them."""
    field = (*FIELD, Standing(6, None, None, 0, None, False, "unranked"))
    awards = assign_with_decisions(field, TIERS, [ExAequo("II", {2, 3}, skip_next=False)], LABELS)
    assert full(awards) == [(1, 1, "I", False), (2, 2, "II", True), (3, 3, "II", True), (4, 4, "III", False)]


def test_a_minimum_exactly_reached_counts_with_and_without_a_decision():
    tiers = [AwardTier("I", 1), AwardTier("Laureate", 2, min_score=D(16)), AwardTier("Diploma", 2)]
    awards = assign_with_decisions(FIELD, tiers, [ExAequo("I", {1, 2}, skip_next=False)], LABELS)
    # The Laureate tier starts at place 3: 17 and 16 reach its minimum (16 exactly), 15 goes on to the diplomas.
    assert full(awards) == [(1, 1, "I", True), (2, 2, "I", True), (3, 3, "Laureate", False),
                            (4, 4, "Laureate", False), (5, 5, "Diploma", False)]
    grand = [AwardTier("Grand Prix", 1, min_score=D("19.2")), *TIERS]
    assert full(assign_with_decisions(FIELD, grand, [ExAequo("Grand Prix", {1, 2}, skip_next=True)], LABELS))[:2] == [
        (1, 1, "Grand Prix", True), (2, 2, "Grand Prix", True)]
    strict = [AwardTier("I", 1), AwardTier("Laureate", 1, min_score=D("17.5")), AwardTier("Diploma", 1)]
    assert full(assign_with_decisions(FIELD, strict, [ExAequo("I", {1, 2}, skip_next=False)], LABELS)) == [
        (1, 1, "I", True), (2, 2, "I", True), (3, 3, "Diploma", False)]


def test_a_refused_minimum_after_a_decision_hands_its_places_to_the_next_tier():
    tiers = [AwardTier("I", 1), AwardTier("Laureate", 2, min_score=D("17.5")), AwardTier("Diploma", 1)]
    awards = assign_with_decisions(FIELD, tiers, [ExAequo("I", {1, 2}, skip_next=False)], LABELS)
    # Place 3 (17) misses the laureates' minimum: the one diploma goes to place 3, and no further.
    assert full(awards) == [(1, 1, "I", True), (2, 2, "I", True), (3, 3, "Diploma", False)]


def test_a_decision_of_three_that_splits_the_third_place_is_refused_with_that_place():
    tied = (standing(1, 1, "19"), standing(2, 2, "18"), standing(3, 3, "17"), standing(4, 3, "17"))
    with pytest.raises(ExAequoError) as refusal:
        assign_with_decisions(tied, TIERS, [ExAequo("I", {1, 2, 3}, True)], LABELS)
    assert str(refusal.value.message) == ("The ex aequo decision for “First degree” splits a shared place: "
                                          "name every entry on place 3.")
