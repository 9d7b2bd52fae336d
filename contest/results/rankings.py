"""Juries that rank instead of score: each juror gives every entry of a category a place (1 = best).

Pure functions over the engine's `Panel` with `places=True` (its `totals` hold the place each
juror gave, as typed: tied entries share a place and the places they cover are skipped, 1, 2, 2, 4).
The rules, as regulations state them and as we decided where they leave a choice:

* Honorary jurors, abstentions and conflicts do not count (the panel lists them, as for points).
  Each counting juror's places over the entries that count are turned into averaged ranks:
  ranks 1..m over the juror's m entries, tied entries sharing the mean of the ranks they span
  (two entries tied for 2nd both get 2.5). So a juror recused from an entry after ranking it
  still ranks the rest 1..m without a gap.
* Rank sum: an entry's score is the sum of its ranks; lower is better.
  Borda count: from each juror an entry gets m - rank points (m: the entries that juror ranked,
  so n - rank when everybody ranks everything; tied ranks give averaged points); higher is better.
  When every juror ranks every entry the two orders are exact mirrors (Borda = m x n - rank sum).
* An entry some counting juror did not rank (a conflict) is not penalised or favoured by the
  missing rank: its sum is the mean of the ranks (or points) it got times the number of counting
  jurors of the category, the missing rank replaced by the mean of the others. Its standing is
  marked (`Standing.fell_back`) so the page and the protocol can say so.
* Scores are rounded half up to the contest's decimals; places are standard competition ranking
  (1, 2, 2, 4) through the contest's tie-break chain. The chain reads the jurors' Borda points:
  the chair's "total" is the chair's points (the chair's better place wins), a "first place" is
  a juror's best rank (ties for first all count); criterion rules have no points to read and pass.
* Points outside the jury (penalties, bonuses) add to a Borda score like to points. A sum of
  places has no points to add to: the results workflow refuses them on such a round, and the
  engine refuses to rank one that has some.
* Rounds combined (combining.py): a Borda round enters with its score; a rank-sum round, whose
  score runs the other way, enters with its place turned into Borda points of the round's
  standings: placed entries - place (the first of ten gets 9, shared places the same points).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from contest.results.adjustments import with_adjustments

# The points engine's ordering and tie-break chain, shared on purpose: places and points must
# break ties and share places by the very same code.
from contest.results.ranking import (
    Method,
    Panel,
    Ranking,
    RankingError,
    Rules,
    _standings,
    _TieContext,
    quantizer,
    rank,
    rerank,
)

RANK_METHODS = frozenset({Method.RANK_SUM, Method.BORDA})
ZERO = Decimal(0)

Key = TypeVar("Key", bound=Hashable)


def averaged_ranks(places: Mapping[Key, Decimal | int]) -> dict[Key, Decimal]:
    """Rank 1 for the lowest place; tied places share the mean of the ranks they span:
    places {a: 1, b: 2, c: 2, d: 4} give ranks {a: 1, b: 2.5, c: 2.5, d: 4}."""
    ordered = sorted(places, key=places.__getitem__)
    ranks: dict[Key, Decimal] = {}
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and places[ordered[end + 1]] == places[ordered[start]]:
            end += 1
        shared = Decimal(start + end + 2) / 2
        for key in ordered[start:end + 1]:
            ranks[key] = shared
        start = end + 1
    return ranks


def counted_ranks(panel: Panel) -> dict[int, dict[int, Decimal]]:
    """juror -> entry -> averaged rank, over the sheets that count (not honorary, not excluded,
    entry still in), each juror's places ranked again among just those entries."""
    counting = {juror.id for juror in panel.jurors if not juror.is_honorary}
    entries = set(panel.entries)
    places: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for (juror, entry), place in (panel.totals or {}).items():
        if juror in counting and entry in entries and (juror, entry) not in panel.excluded:
            places[juror][entry] = place
    return {juror: averaged_ranks(given) for juror, given in places.items()}


def borda_points(ranks: Mapping[int, Mapping[int, Decimal]]) -> dict[int, dict[int, Decimal]]:
    """entry -> juror -> m - rank, m being the number of entries the juror ranked."""
    points: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for juror, given in ranks.items():
        ranked = len(given)
        for entry, value in given.items():
            points[entry][juror] = ranked - value
    return dict(points)


def rank_by_places(panel: Panel, rules: Rules) -> Ranking:
    """Standings of one category scored by places, best first; `Ranking.totals` holds each
    counting juror's averaged rank per entry (what the protocol shows)."""
    if rules.method not in RANK_METHODS:
        raise ValueError(f"{rules.method} is not a method for places")
    if rules.method is Method.RANK_SUM and panel.adjustments:
        raise RankingError(_l("A sum of places has no points to add or take away: remove the penalties and "
                              "bonuses of this round, or rank it by the Borda count."))
    ranks = counted_ranks(panel)
    by_entry: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for juror, given in ranks.items():
        for entry, value in given.items():
            by_entry[entry][juror] = value
    points = borda_points(ranks)
    counted = points if rules.method is Method.BORDA else by_entry
    aggregates, imputed = _sums(counted, len(ranks), rules)
    if rules.method is Method.BORDA:
        aggregates = with_adjustments(aggregates, panel.adjustments)
    context = _borda_context(panel, rules, points)
    standings = _standings(panel.entries, aggregates, context, higher_is_better=rules.method is Method.BORDA)
    marked = tuple(replace(standing, fell_back=True) if standing.entry in imputed else standing
                   for standing in standings)
    return Ranking(marked, dict(by_entry))


def _sums(values: Mapping[int, Mapping[int, Decimal]], jurors: int,
          rules: Rules) -> tuple[dict[int, tuple[Decimal, Method]], set[int]]:
    """entry -> (rounded sum, method), a missing juror's value replaced by the mean of the others';
    and the entries where that happened."""
    step = quantizer(rules.decimals)
    result, imputed = {}, set()
    for entry, sheet in values.items():
        total = sum(sorted(sheet.values()), ZERO)
        if len(sheet) < jurors:
            total = total * jurors / len(sheet)
            imputed.add(entry)
        result[entry] = (total.quantize(step, ROUND_HALF_UP), rules.method)
    return result, imputed


def _borda_context(panel: Panel, rules: Rules, points: Mapping[int, Mapping[int, Decimal]]) -> _TieContext:
    """The tie-break chain over the jurors' Borda points (higher is better, as the chain reads
    totals), so that the chair's better place wins and first places are counted as places."""
    flat = {(juror, entry): value for entry, sheet in points.items() for juror, value in sheet.items()}
    return _TieContext(replace(panel, totals=flat), rules, points)


def rank_panel(panel: Panel, rules: Rules) -> Ranking:
    """The category's standings by points or by places, as the round scores."""
    return rank_by_places(panel, rules) if panel.places else rank(panel, rules)


def rerank_panel(panel: Panel, rules: Rules, ranking: Ranking, scores: Mapping[int, Decimal]) -> Ranking:
    """`ranking.rerank` (rounds combined: higher combined scores are better) for either kind of
    round; for places the tie-break chain reads the jurors' Borda points, as in `rank_by_places`."""
    if not panel.places:
        return rerank(panel, rules, ranking, scores)
    aggregates = {entry: (score, rules.method) for entry, score in scores.items()}
    points = borda_points(counted_ranks(panel))
    context = _borda_context(replace(panel, adjustments={}), rules, points)
    # A combined score is points of several rounds, not a sum of places nor Borda points of this
    # one: no single method made it.
    standings = tuple(replace(standing, method=None) for standing in _standings(panel.entries, aggregates, context))
    return Ranking(standings, ranking.totals)


def combination_scores(ranking: Ranking) -> dict[int, Decimal]:
    """What a round brings to rounds combined: its score, or for a rank sum (lower is better)
    its place as Borda points of the standings, placed entries - place."""
    placed = [(standing.entry, standing.place, standing.score, standing.method) for standing in ranking.standings
              if standing.place is not None and standing.score is not None]
    if any(method is Method.RANK_SUM for _entry, _place, _score, method in placed):
        return {entry: Decimal(len(placed) - place) for entry, place, _score, _method in placed}
    return {entry: score for entry, _place, score, _method in placed}
