"""Properties the engine must keep for any panel, found by hypothesis."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from contest.results.ranking import Criterion, Juror, Method, Panel, Rules, rank
from tests.results.panels import scored_panel

HALF = Decimal("0.5")
CHAINS = [(), ("shared",), ("chair_total", "first_places"), ("first_places", "chair_total", "shared")]


@st.composite
def panels(draw) -> Panel:
    juror_count = draw(st.integers(1, 6))
    entry_count = draw(st.integers(1, 8))
    criteria = [Criterion(number, Decimal(draw(st.sampled_from(["1", "2", "0.5"]))), Decimal(10))
                for number in range(1, draw(st.integers(1, 3)) + 1)]
    chair = draw(st.integers(0, juror_count))  # 0: no chair
    jurors = [Juror(number, is_chair=number == chair, is_honorary=draw(st.booleans()) and number > 1)
              for number in range(1, juror_count + 1)]
    sheets = [(juror.id, entry) for juror in jurors for entry in range(1, entry_count + 1)]
    missing = set(draw(st.lists(st.sampled_from(sheets), max_size=len(sheets) // 3)))
    abstained = frozenset(draw(st.lists(st.sampled_from(sheets), max_size=len(sheets) // 3)))
    scores = [(juror, entry, criterion.id, draw(st.integers(0, 20)) * HALF)
              for juror, entry in sheets if (juror, entry) not in missing for criterion in criteria]
    return scored_panel(list(range(1, entry_count + 1)), jurors, criteria, scores, abstained)


rules = st.builds(Rules, method=st.sampled_from([Method.MEAN, Method.TRIMMED_MEAN, Method.MEDIAN]),
                  normalise=st.booleans(), decimals=st.integers(0, 3), tie_break=st.sampled_from(CHAINS))


def shuffled(panel: Panel, seed: int) -> Panel:
    generator = random.Random(seed)
    jurors, entries, scores = list(panel.jurors), list(panel.entries), list(panel.scores)
    for items in (jurors, entries, scores):
        generator.shuffle(items)
    return scored_panel(entries, jurors, panel.criteria, scores, panel.excluded)


@settings(max_examples=200, deadline=None)
@given(panels(), rules, st.integers())
def test_result_is_independent_of_juror_entry_and_score_order(panel, rules, seed):
    assert rank(shuffled(panel, seed), rules) == rank(panel, rules)


@settings(max_examples=200, deadline=None)
@given(panels(), rules, st.data())
def test_a_constant_added_to_one_jurors_scores_changes_nothing_under_normalisation(panel, rules, data):
    juror = data.draw(st.sampled_from(panel.jurors)).id
    constant = data.draw(st.integers(-20, 20)) * HALF
    moved = scored_panel(panel.entries, panel.jurors, panel.criteria,
                  [(j, e, c, points + constant if j == juror else points) for j, e, c, points in panel.scores],
                  panel.excluded)
    rules = Rules(rules.method, normalise=True, decimals=rules.decimals, tie_break=rules.tie_break)

    def outcome(ranking):  # the chair's raw total may move as a whole, so its explanation values may too
        return [(row.entry, row.place, row.score, row.decided_by) for row in ranking.standings]

    assert outcome(rank(moved, rules)) == outcome(rank(panel, rules))


@settings(max_examples=200, deadline=None)
@given(panels(), rules)
def test_places_follow_standard_competition_ranking(panel, rules):
    ranking = rank(panel, rules)
    ranked = [row for row in ranking.standings if row.place is not None]
    for index, row in enumerate(ranked):
        # Either a new place equal to the count of entries ahead plus one, or shared with the one before.
        assert row.place == index + 1 or (index and row.place == ranked[index - 1].place)
        if index and row.place == ranked[index - 1].place:
            assert row.score == ranked[index - 1].score and row.decided_by == "shared"
        if index:
            assert row.score <= ranked[index - 1].score
    assert all(row.place is None for row in ranking.standings[len(ranked):])


def test_shared_places_are_numbered_1_2_2_4():
    scores = [(1, entry, 1, Decimal(points)) for entry, points in [(1, 9), (2, 8), (3, 8), (4, 7)]]
    ranking = rank(scored_panel([1, 2, 3, 4], [Juror(1)], [Criterion(1)], scores), Rules(tie_break=("shared",)))
    assert [row.place for row in ranking.standings] == [1, 2, 2, 4]


@settings(max_examples=100, deadline=None)
@given(panels(), rules)
def test_ranking_is_deterministic(panel, rules):
    assert rank(panel, rules) == rank(panel, rules)
