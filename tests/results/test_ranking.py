"""The ranking engine against published and worked competition results."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

from contest.results.awards import (
    AwardTier,
    PrizeFundError,
    advancing,
    assign_awards,
    check_prize_fund,
    prize_total,
)
from contest.results.ranking import Criterion, Juror, Method, Panel, RankingError, Rules, rank
from tests.results.panels import scored_panel

D = Decimal


def panel_of(sheets: dict[str, list], *, criteria=None, jurors=None, excluded=()) -> Panel:
    """A one-criterion panel from {entry: [juror 1's points, juror 2's, ...]}; None = no sheet."""
    names = list(sheets)
    count = len(next(iter(sheets.values())))
    jurors = jurors or [Juror(number) for number in range(1, count + 1)]
    scores = [(juror, names.index(name) + 1, 1, D(str(points)))
              for name, row in sheets.items() for juror, points in enumerate(row, start=1) if points is not None]
    return scored_panel(range(1, len(names) + 1), jurors, criteria or [Criterion(1, D(1), D(20))], scores,
                 frozenset(excluded))


def table(ranking, names) -> list[tuple[int | None, str, Decimal | None]]:
    return [(row.place, names[row.entry - 1], row.score) for row in ranking.standings]


# Ski jumping style marks: five judges, each 0..20 in half points; the highest and the lowest
# mark are dropped and the middle three summed (ICR art. 434). Kazuyoshi Funaki's second jump in
# the Nagano 1998 large hill received 20.0 from all five judges, 60.0 style points. The other
# jumps are worked examples: 18.5 18.5 19.0 18.5 18.0 -> drop 19.0 and 18.0 -> 55.5.
SKI_JUMPS = {
    "Funaki": [20, 20, 20, 20, 20],
    "Jump B": [18.5, 18.5, 19.0, 18.5, 18.0],   # 18.5 + 18.5 + 18.5 = 55.5
    "Jump C": [17.5, 19.5, 18.5, 18.5, 18.5],   # drop 19.5, 17.5: 55.5, the same as B
    "Jump D": [19.0, 19.0, 19.5, 16.0, 19.0],   # drop 19.5, 16.0: 57.0 (untrimmed: 92.5, the same as B)
    "Jump E": [17.0, 17.5, 17.5, 18.0, 17.0],   # drop 18.0 and one 17.0: 17.0 + 17.5 + 17.5 = 52.0
}
SKI_RULES = Rules(Method.TRIMMED_SUM, trim=1, decimals=1, tie_break=("shared",))


def test_ski_jumping_style_panel_drops_highest_and_lowest_and_sums_the_middle_three():
    ranking = rank(panel_of(SKI_JUMPS), SKI_RULES)
    assert table(ranking, list(SKI_JUMPS)) == [
        (1, "Funaki", D("60.0")),
        (2, "Jump D", D("57.0")),
        (3, "Jump B", D("55.5")),
        (3, "Jump C", D("55.5")),
        (5, "Jump E", D("52.0")),
    ]
    assert {row.decided_by for row in ranking.standings if row.place == 3} == {"shared"}
    assert all(row.method is Method.TRIMMED_SUM and row.jurors_counted == 5 for row in ranking.standings)


def test_one_wild_mark_does_not_move_a_trimmed_jump():
    """Jump D's 16.0 would have cost it under a plain mean; trimming is why it is second."""
    plain = rank(panel_of(SKI_JUMPS), Rules(Method.MEAN, decimals=2)).by_entry()
    assert plain[4].score == D("18.50") and plain[2].score == D("18.50")  # D and B level without trimming


# The Judgment of Paris (1976): eleven judges tasted, but only the nine French judges' scores
# (out of 20) were added up; Steven Spurrier's and Patricia Gallagher's did not count. Published
# red-wine totals: Stag's Leap 127.5, Mouton-Rothschild 126, Montrose 122, Haut-Brion 118,
# Ridge Monte Bello 104.5. The per-judge split below is a worked one that adds up to those
# totals; the two organisers' marks are chosen to show they would have changed the order.
PARIS_REDS = {
    "Stag's Leap 1973": [14, 15, 16, 14, 13, 14.5, 14, 13, 14, 10, 12],
    "Mouton-Rothschild 1970": [16, 14, 12, 15, 14, 14, 15, 12, 14, 20, 19],
    "Montrose 1970": [14, 14, 12, 14, 14, 13, 13, 14, 14, 16, 17],
    "Haut-Brion 1970": [13, 14, 13, 13, 14, 13, 12, 13, 13, 15, 15],
    "Ridge Monte Bello 1971": [12, 12, 11.5, 11, 12, 11, 12, 11, 12, 12, 12],
}


def test_paris_1976_only_nine_of_eleven_judges_count():
    jurors = [Juror(number) for number in range(1, 10)] + [Juror(10, is_honorary=True), Juror(11, is_honorary=True)]
    ranking = rank(panel_of(PARIS_REDS, jurors=jurors), Rules(Method.SUM, decimals=1))
    assert table(ranking, list(PARIS_REDS)) == [
        (1, "Stag's Leap 1973", D("127.5")),
        (2, "Mouton-Rothschild 1970", D("126.0")),
        (3, "Montrose 1970", D("122.0")),
        (4, "Haut-Brion 1970", D("118.0")),
        (5, "Ridge Monte Bello 1971", D("104.5")),
    ]
    assert all(row.jurors_counted == 9 for row in ranking.standings)
    with_everyone = rank(panel_of(PARIS_REDS), Rules(Method.SUM, decimals=1)).standings
    assert with_everyone[0].entry == 2  # counting the organisers would have crowned Mouton


def test_wine_panel_of_eleven_trimmed_by_one_counts_nine_and_by_two_counts_seven():
    sheet = {"Wine": [80, 82, 84, 85, 86, 86, 87, 88, 90, 91, 99]}
    by_one = rank(panel_of(sheet), Rules(Method.TRIMMED_MEAN, trim=1)).standings[0]
    by_two = rank(panel_of(sheet), Rules(Method.TRIMMED_MEAN, trim=2)).standings[0]
    assert by_one.score == D("86.56")  # (82 + 84 + 85 + 86 + 86 + 87 + 88 + 90 + 91) / 9 = 779 / 9
    assert by_two.score == D("86.57")  # (84 + 85 + 86 + 86 + 87 + 88 + 90) / 7 = 606 / 7 = 86.571...
    assert by_two.method is Method.TRIMMED_MEAN and not by_two.fell_back


# A music competition, worked example: five jurors score 0..25; jurors 2 and 4 teach pianists
# B and D and abstain on their own pupils (conflict of interest), so those entries are averaged
# over four jurors. The regulations rank by the mean rounded to two decimals and share ties.
MUSIC = {
    "Pianist A": [23, 22, 24, 21, 22],  # 112 / 5 = 22.40
    "Pianist B": [22, 25, 23, 22, 22],  # juror 2 abstains: 89 / 4 = 22.25 (with the teacher: 22.80)
    "Pianist C": [24, 21, 22, 23, 22],  # 112 / 5 = 22.40
    "Pianist D": [20, 21, 21, 25, 19],  # juror 4 abstains: 81 / 4 = 20.25
    "Pianist E": [21, 22, 22, 22, 23],  # 110 / 5 = 22.00
}


def test_music_competition_with_abstaining_teachers_and_shared_places():
    panel = panel_of(MUSIC, criteria=[Criterion(1, D(1), D(25))], excluded={(2, 2), (4, 4)})
    ranking = rank(panel, Rules(Method.MEAN, decimals=2, tie_break=("shared",)))
    assert table(ranking, list(MUSIC)) == [
        (1, "Pianist A", D("22.40")),
        (1, "Pianist C", D("22.40")),
        (3, "Pianist B", D("22.25")),
        (4, "Pianist E", D("22.00")),
        (5, "Pianist D", D("20.25")),
    ]
    assert [row.jurors_counted for row in ranking.standings] == [5, 5, 4, 5, 4]
    awards = assign_awards(ranking.standings, [AwardTier("I", 1, D(300000)), AwardTier("II", 1, D(200000)),
                                               AwardTier("III", 1, D(100000))])
    # Two first prizes, no second (place 2 does not exist), the third to B.
    assert [(award.entry, award.tier.name) for award in awards] == [(1, "I"), (3, "I"), (2, "III")]
    assert prize_total(awards) == D(700000)


def test_weighted_criteria_make_the_juror_total():
    panel = scored_panel([1, 2], [Juror(1)], [Criterion(1, D(2)), Criterion(2, D("0.5"))],
                  [(1, 1, 1, D(8)), (1, 1, 2, D(4)), (1, 2, 1, D(7)), (1, 2, 2, D(9))])
    ranking = rank(panel, Rules())
    assert [(row.entry, row.score) for row in ranking.standings] == [(2, D("18.50")), (1, D("18.00"))]
    assert ranking.totals[1][1] == D(18)


def test_median_of_an_even_panel_is_the_mean_of_the_middle_two():
    ranking = rank(panel_of({"A": [1, 4, 9, 10]}), Rules(Method.MEDIAN))
    assert ranking.standings[0].score == D("6.50")


def test_rounding_is_half_up_on_the_final_aggregate_and_optionally_on_each_juror():
    sheets = {"A": [D("7.125"), D("7.125")], "B": [D("7.12"), D("7.13")]}
    final_only = rank(panel_of(sheets), Rules(decimals=2))
    assert [row.score for row in final_only.standings] == [D("7.13"), D("7.13")]  # 7.125 -> 7.13, not banker's 7.12
    assert final_only.standings[1].place == 1
    sheet = {"A": [D("7.005"), D("7.005"), D("7.0")]}
    assert rank(panel_of(sheet), Rules(decimals=2)).standings[0].score == D("7.00")  # 21.01 / 3 = 7.0033
    per_juror = rank(panel_of(sheet), Rules(decimals=2, round_juror_totals=True))
    assert per_juror.standings[0].score == D("7.01")  # (7.01 + 7.01 + 7.00) / 3 = 7.0067


def test_trimmed_mean_falls_back_to_the_mean_below_the_minimum_and_says_so():
    panel = panel_of({"A": [10, 12, 20, 0, None], "B": [11, 11, None, None, None]})
    ranking = rank(panel, Rules(Method.TRIMMED_MEAN, trim=1, trim_min_jurors=4)).by_entry()
    assert ranking[1].score == D("11.00") and ranking[1].method is Method.TRIMMED_MEAN  # (10 + 12) / 2
    assert ranking[2].score == D("11.00") and ranking[2].method is Method.MEAN and ranking[2].fell_back


def test_trimmed_mean_with_two_jurors_and_no_fallback_is_refused_clearly():
    with pytest.raises(RankingError) as caught:
        rank(panel_of({"A": [10, 12]}), Rules(Method.TRIMMED_MEAN, allow_fallback=False))
    assert "needs at least 3 jurors per entry, but an entry has only 2" in str(caught.value.message)


def test_a_trim_that_leaves_nothing_and_sums_over_unequal_panels_are_refused():
    with pytest.raises(RankingError, match="leaves nothing"):
        rank(panel_of({"A": [1, 2, 3]}), Rules(Method.TRIMMED_MEAN, trim=1, trim_min_jurors=2))
    with pytest.raises(RankingError, match="different numbers of jurors"):
        rank(panel_of({"A": [1, 2, 3], "B": [1, 2, None]}), Rules(Method.SUM))


def test_honorary_and_excluded_sheets_are_left_out_and_an_entry_without_sheets_is_unranked():
    panel = panel_of({"A": [10, 1], "B": [5, None], "C": [None, 9]},
                     jurors=[Juror(1), Juror(2, is_honorary=True)])
    ranking = rank(panel, Rules())
    assert [(row.entry, row.place, row.decided_by) for row in ranking.standings] == [
        (1, 1, "score"), (2, 2, "score"), (3, None, "unranked")]


# Tie-breaks: A and B both average 15; C too; D below.
def tie_panel(excluded=()) -> Panel:
    criteria = [Criterion(1), Criterion(2)]
    points = {  # entry: (juror 1 = chair: c1, c2), (juror 2: c1, c2), (juror 3: c1, c2)
        1: [(8, 7), (7, 8), (8, 7)],
        2: [(7, 8), (9, 6), (8, 7)],
        3: [(8, 7), (8, 7), (6, 9)],
        4: [(5, 5), (5, 5), (5, 5)],
    }
    scores = [(juror, entry, criterion, D(value)) for entry, sheets in points.items()
              for juror, sheet in enumerate(sheets, start=1) for criterion, value in enumerate(sheet, start=1)]
    jurors = [Juror(1, is_chair=True), Juror(2), Juror(3)]
    return scored_panel([1, 2, 3, 4], jurors, criteria, scores, frozenset(excluded))


def test_tie_broken_by_a_criterion_then_the_chair_and_each_row_says_how():
    ranking = rank(tie_panel(), Rules(tie_break=("criterion:1", "chair_total", "shared")))
    rows = [(row.entry, row.place, row.decided_by) for row in ranking.standings]
    # Criterion 1 means: A 7.67, B 8.00, C 7.33 -> B, A, C; nothing left for the chair.
    assert rows == [(2, 1, "criterion:1"), (1, 2, "criterion:1"), (3, 3, "criterion:1"), (4, 4, "score")]
    assert ranking.by_entry()[2].tie_values == (("criterion:1", D("8.00")),)


def test_first_places_then_shared_when_nothing_separates():
    ranking = rank(tie_panel(), Rules(tie_break=("chair_total", "first_places", "shared")))
    # The chair gave A, B and C 15 each, and every juror's best total (15) went to all three.
    rows = {row.entry: (row.place, row.decided_by) for row in ranking.standings}
    assert rows[1] == rows[2] == rows[3] == (1, "shared")
    assert rows[4] == (4, "score")


def test_chair_rule_is_skipped_when_the_chair_abstained_on_a_tied_entry():
    ranking = rank(tie_panel(excluded={(1, 2)}), Rules(tie_break=("chair_total", "criterion:2")))
    by_entry = ranking.by_entry()
    # Without the chair, B averages (15 + 15) / 2 = 15 still: tied, and criterion 2 decides.
    assert [rule for rule, _ in by_entry[2].tie_values] == ["criterion:2"]
    assert by_entry[3].decided_by == "criterion:2" and by_entry[3].place == 1  # C: (7 + 7 + 9) / 3 = 7.67


def test_normalisation_puts_each_jurors_z_scores_on_the_scale():
    # Juror 2 is juror 1 plus 10 (lenient); once normalised both say the same thing.
    # Juror 1: mean 13, deviations 2, 1, -3, sd = sqrt(14 / 3) = 2.1602; the scale 0..40 has
    # its middle at 20 and one sd worth 40 / 6: A = 20 + 2 / 2.1602 * 6.667 = 26.17,
    # B = 20 + 1 / 2.1602 * 6.667 = 23.09, C = 20 - 3 / 2.1602 * 6.667 = 10.74.
    panel = panel_of({"A": [15, 25], "B": [14, 24], "C": [10, 20]}, criteria=[Criterion(1, D(1), D(40))])
    ranking = rank(panel, Rules(normalise=True))
    assert [(row.entry, row.score) for row in ranking.standings] == [(1, D("26.17")), (2, D("23.09")), (3, D("10.74"))]
    assert ranking.totals[1][1] == ranking.totals[1][2]


def test_grand_prix_below_its_minimum_is_not_awarded_and_places_move_on():
    ranking = rank(panel_of({"A": [18], "B": [17], "C": [16], "D": [15]}), Rules())
    tiers = [AwardTier("Grand Prix", 1, D(500000), min_score=D(19)), AwardTier("I", 1, D(300000)),
             AwardTier("II", 2, D(150000)), AwardTier("Incentive", 1, D(20000))]
    awards = assign_awards(ranking.standings, tiers)
    assert [(award.entry, award.tier.name) for award in awards] == [
        (1, "I"), (2, "II"), (3, "II"), (4, "Incentive")]
    awarded_gp = assign_awards(ranking.standings, [AwardTier("Grand Prix", 1, min_score=D(18)), tiers[1]])
    assert [(award.entry, award.tier.name) for award in awarded_gp] == [(1, "Grand Prix"), (2, "I")]


def test_a_tie_starting_inside_a_tier_takes_the_tier_for_all_and_uses_up_the_next_places():
    ranking = rank(panel_of({"A": [18], "B": [17], "C": [17], "D": [16], "E": [15]}), Rules())
    awards = assign_awards(ranking.standings, [AwardTier("I", 1), AwardTier("II", 1), AwardTier("III", 1)])
    assert [(award.entry, award.place, award.tier.name) for award in awards] == [
        (1, 1, "I"), (2, 2, "II"), (3, 2, "II")]  # D is 4th: the III-degree place went to the tie


def test_prize_fund_check_gives_a_clear_error():
    check_prize_fund(D(600000), 600000)
    check_prize_fund(D(10**9), None)
    with pytest.raises(PrizeFundError) as caught:
        check_prize_fund(D(600000), 500000)
    assert str(caught.value.message) == \
        "The prizes add up to 600,000 tenge, more than the prize fund of 500,000 tenge."
    with force_locale("kk"), pytest.raises(PrizeFundError) as kazakh:  # no-break spaces group digits
        check_prize_fund(D(600000), 500000)
    assert "600\N{NO-BREAK SPACE}000" in str(kazakh.value.message)


def test_advancement_by_top_n_keeps_boundary_ties_and_by_threshold():
    ranking = rank(panel_of({"A": [18], "B": [17], "C": [17], "D": [16]}), Rules())
    assert advancing(ranking.standings, top=2) == [1, 2, 3]
    assert advancing(ranking.standings, threshold=D(17)) == [1, 2, 3]
    assert advancing(ranking.standings, threshold=D("17.01")) == [1]
    with pytest.raises(ValueError):
        advancing(ranking.standings)


def test_refusals_read_in_the_organisers_language():
    from flask_babel import force_locale

    with pytest.raises(RankingError) as caught:
        rank(panel_of({"A": [10, 12]}), Rules(Method.TRIMMED_MEAN, allow_fallback=False))
    with force_locale("kk"):
        assert "кемінде 3 қазы керек" in str(caught.value.message)
    with force_locale("ru"):
        assert "не меньше 3 членов жюри" in str(caught.value.message)
