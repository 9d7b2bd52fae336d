"""Rounds combined: the final standings from the scores of several rounds.

Each round is first ranked on its own, by its own method (and its own clamping); its rounded
score per entry is what is combined, so every number in the combination is one the round's
standings show. Two combinations, as regulations state them:

* the sum of the rounds' scores;
* a weighted combination: sum of weight x score over the sum of the weights, so weights are
  shares (30 and 70 give 0.3 x qualifying + 0.7 x final; 10/20/35/35 weighs four stages; weights
  that do not add up to 100 are read as the same proportions).

A round scored by places enters with its Borda score, or, ranked by the sum of places (lower is
better), with its place as Borda points of its standings: see rankings.py.

The combined score is rounded half up to the contest's decimals. Only entries with a score in
every combined round are ranked: one that did not reach a later round has no combined score
(its earlier round's standings still show it). Equal combined scores go through the
contest's tie-break chain on the last round's sheets (the round the results are about)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from contest.results.ranking import Panel, Ranking, Rules, quantizer
from contest.results.rankings import combination_scores, rerank_panel

ZERO = Decimal(0)


class Combination(enum.StrEnum):
    SUM = "sum"
    WEIGHTED = "weighted"


@dataclass(frozen=True)
class CombinedRanking:
    ranking: Ranking  # the combined standings (its totals: the last round's counted totals)
    # entry -> each combined round's rounded score, in round order (None: not scored in that round).
    round_scores: Mapping[int, tuple[Decimal | None, ...]]
    # Each round's own ranking, in round order: its jurors' totals (clamped and as given) and its
    # points outside the jury, which the protocol shows round by round.
    rounds: tuple[Ranking, ...] = ()


def combined_scores(round_scores: Sequence[Mapping[int, Decimal]], weights: Sequence[Decimal],
                    combination: Combination, decimals: int) -> dict[int, Decimal]:
    """entry -> combined score (rounded), for the entries scored in every round (at least one round)."""
    step = quantizer(decimals)
    weight_sum = sum(weights, ZERO)
    common = set(round_scores[0]).intersection(*round_scores[1:])
    result = {}
    for entry in common:
        if combination is Combination.SUM:
            value = sum((scores[entry] for scores in round_scores), ZERO)
        else:
            value = sum((weight * scores[entry] for weight, scores in zip(weights, round_scores, strict=True)),
                        ZERO) / weight_sum
        result[entry] = value.quantize(step, ROUND_HALF_UP)
    return result


def combine_rounds(rankings: Sequence[Ranking], weights: Sequence[Decimal], combination: Combination,
                   last_panel: Panel, last_rules: Rules) -> CombinedRanking:
    """The final standings of one category from its rankings in each round (in round order); the
    tie-break chain runs on the last round's panel under that round's rules."""
    scores = [combination_scores(ranking) for ranking in rankings]
    combined = combined_scores(scores, weights, combination, last_rules.decimals)
    ranking = rerank_panel(last_panel, last_rules, rankings[-1], combined)
    per_round = {standing.entry: tuple(round_.get(standing.entry) for round_ in scores)
                 for standing in ranking.standings}
    return CombinedRanking(ranking, per_round, tuple(rankings))
