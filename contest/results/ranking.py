"""The ranking engine: jurors' scores in, ordered and explained standings out.

Pure functions over plain values: no database, no request. The results workflow loads a
category's submitted score sheets into a `Panel`, calls `rank(panel, rules)` and keeps the
returned `Ranking`; awards and advancement are read off the standings afterwards.

Decisions the regulations leave to us, so organisers can explain every number:

* A juror's total for an entry is the weighted sum of their criterion points, summed by the
  caller (SQL, in loading.py) and handed over in `Panel.totals`.
* Honorary jurors, and sheets that are missing, abstained or conflicted, are left out
  before anything is computed (the caller lists the last three in `Panel.excluded`).
* Normalisation (optional) replaces each juror's totals by z-scores over that juror's own
  entries, rescaled to the scale: z = 0 becomes the middle of the scale and one standard
  deviation one sixth of it, so ±3 sd span 0..max. The target does not depend on any
  juror's scores, which is why adding a constant to one juror's points (or multiplying
  them by a positive factor) changes nothing at all. A juror with a single entry, or who
  gave every entry the same total, says nothing about order: all their entries get the middle.
* Rounding (ROUND_HALF_UP, `Rules.decimals`) applies to the final aggregate, and also to
  each juror's total when the regulations say so (`Rules.round_juror_totals`). Places are
  decided on the rounded aggregate: what is published is what is compared.
* Points outside the jury (`Panel.adjustments`: penalties, bonuses) are added to the rounded
  aggregate, and places are decided on that final score (adjustments.py).
* Outlier clamping (optional, `Rules.clamp`, see clamping.py) replaces the counted totals,
  after normalisation and before the method aggregates them.
* Standard competition ranking (1, 2, 2, 4). Equal aggregates go through the tie-break
  chain; whatever is still equal at the end stays shared.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from flask_babel import lazy_gettext as _l

from contest.errors import ServiceError
from contest.results.adjustments import with_adjustments
from contest.results.clamping import clamped_sheets

ZERO = Decimal(0)
# Exact enough for the normalisation sums of 10,000 entries with four decimals each.
_NORMALISATION_CONTEXT = Context(prec=60)

# (juror id, entry id, criterion id, points): plain tuples keep the single pass over
# hundreds of thousands of scores cheap.
ScoreRow = tuple[int, int, int, Decimal]


class RankingError(ServiceError):
    """The contest's method cannot be applied to these sheets; nothing should be published."""


class Method(enum.StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    SUM = "sum"
    TRIMMED_SUM = "trimmed_sum"  # ski-jumping style: drop the extremes, add the rest
    # Rounds scored by ranks (rankings.py): the jurors' places summed, lower is better; Borda points.
    RANK_SUM = "rank_sum"
    BORDA = "borda"


_TRIMMED = {Method.TRIMMED_MEAN: Method.MEAN, Method.TRIMMED_SUM: Method.SUM}

# Tie-break rule names, as stored in Contest.tie_break_rules.
CRITERION_RULE = "criterion:"
CHAIR_TOTAL = "chair_total"
FIRST_PLACES = "first_places"
SHARED = "shared"
# How a place was decided when no tie-break was needed.
BY_SCORE = "score"


@dataclass(frozen=True, slots=True)
class Juror:
    id: int
    is_chair: bool = False
    is_honorary: bool = False


@dataclass(frozen=True, slots=True)
class Criterion:
    id: int
    weight: Decimal = Decimal(1)
    max_score: Decimal = Decimal(10)


@dataclass(frozen=True)
class Panel:
    """One category's judging: its entries, jurors, criteria and submitted scores."""

    entries: Sequence[int]
    jurors: Sequence[Juror]
    criteria: Sequence[Criterion]
    # Each submitted sheet's weighted total per (juror, entry), every sheet before anything is
    # left out: summed by the caller (SQL GROUP BY in loading.py).
    totals: Mapping[tuple[int, int], Decimal]
    # Raw points, needed only for the criteria the tie-break chain names.
    scores: Sequence[ScoreRow] = ()
    # (juror id, entry id) whose sheet is missing, abstained or conflicted.
    excluded: Collection[tuple[int, int]] = frozenset()
    # entry -> points outside the jury (penalties negative), added after rounding: adjustments.py.
    adjustments: Mapping[int, Decimal] = field(default_factory=dict)
    # A round scored by ranks: `totals` hold the place each juror gave (1 = best), no criteria.
    places: bool = False

    @property
    def max_total(self) -> Decimal:
        return sum((c.weight * c.max_score for c in self.criteria), ZERO)


@dataclass(frozen=True)
class Rules:
    """The contest's regulations as far as ranking goes."""

    method: Method = Method.MEAN
    trim: int = 1  # totals dropped at each end by the trimmed methods
    # Fewer counting jurors than this and a trimmed method falls back to its plain form
    # (or refuses, when fallback is not allowed). None means the least that works: 2*trim + 1.
    trim_min_jurors: int | None = None
    allow_fallback: bool = True
    normalise: bool = False
    decimals: int = 2
    round_juror_totals: bool = False
    tie_break: Sequence[str] = ()
    # Outlier clamping: each total brought to within this many points of the entry's rounded mean.
    clamp: Decimal | None = None

    @property
    def trim_threshold(self) -> int:
        return self.trim_min_jurors if self.trim_min_jurors is not None else 2 * self.trim + 1


@dataclass(frozen=True, slots=True)
class Standing:
    entry: int
    place: int | None  # None: no juror's score counts for this entry, so it is not ranked
    score: Decimal | None  # the rounded aggregate
    jurors_counted: int
    method: Method | None  # the method actually applied, after any fallback (None: unranked, or places combined)
    fell_back: bool
    # "score" when the aggregate alone decided, else the tie-break rule that separated the
    # entry from those tied with it, or "shared".
    decided_by: str
    # Values of each tie-break rule consulted for this entry, in order: the explanation.
    tie_values: tuple[tuple[str, Decimal | int], ...] = ()
    adjustment: Decimal = ZERO  # points outside the jury already in `score`; the jury gave score - adjustment


@dataclass(frozen=True)
class Ranking:
    standings: tuple[Standing, ...]
    # entry -> juror -> total as counted (normalised if the rules say so), for protocols.
    totals: Mapping[int, Mapping[int, Decimal]] = field(default_factory=dict)
    # With clamping: the same totals before they were clamped (the protocol shows both).
    unclamped: Mapping[int, Mapping[int, Decimal]] = field(default_factory=dict)

    def by_entry(self) -> dict[int, Standing]:
        return {standing.entry: standing for standing in self.standings}


def quantizer(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def rank(panel: Panel, rules: Rules) -> Ranking:
    """Standings of one category, best first; shared places ordered by entry id."""
    _check_rules(rules)
    sheets = counting_sheets(panel, rules)
    if rules.normalise:
        sheets = _normalised(sheets, panel.max_total)
    unclamped: dict[int, dict[int, Decimal]] = {}
    if rules.clamp is not None:
        unclamped, sheets = sheets, clamped_sheets(sheets, rules.clamp, rules.decimals)
    aggregates = with_adjustments(_aggregates(sheets, rules), panel.adjustments)
    context = _TieContext(panel, rules, sheets)
    standings = _standings(panel.entries, aggregates, context)
    return Ranking(standings, sheets, unclamped)


def rerank(panel: Panel, rules: Rules, ranking: Ranking, scores: Mapping[int, Decimal]) -> Ranking:
    """`ranking` (of `panel` under `rules`) placed again by other scores, such as rounds combined:
    the same tie-break chain over the same counted sheets. Entries without a score are unranked.
    The scores already hold whatever points outside the jury went into them, so the standings
    carry no adjustment of their own (the panel's belong to its round's score)."""
    methods = {standing.entry: standing.method or rules.method for standing in ranking.standings}
    aggregates = {entry: (score, methods[entry]) for entry, score in scores.items()}
    context = _TieContext(replace(panel, adjustments={}), rules, ranking.totals)
    return Ranking(_standings(panel.entries, aggregates, context), ranking.totals, ranking.unclamped)


def _check_rules(rules: Rules) -> None:
    if rules.method in _TRIMMED and (rules.trim < 1 or rules.trim_threshold < 2 * rules.trim + 1):
        raise RankingError(_l("Trimming %(trim)s scores at each end leaves nothing to count with %(count)s jurors.",
                              trim=rules.trim, count=rules.trim_threshold))
    if rules.decimals < 0:
        raise RankingError(_l("The number of decimals cannot be negative."))


def counting_sheets(panel: Panel, rules: Rules) -> dict[int, dict[int, Decimal]]:
    """entry -> juror -> total, for the sheets that count: not honorary, not excluded, entry still in."""
    counting = {juror.id for juror in panel.jurors if not juror.is_honorary}
    entries = set(panel.entries)
    excluded = panel.excluded
    step = quantizer(rules.decimals)
    sheets: defaultdict[int, dict[int, Decimal]] = defaultdict(dict)
    for key, total in panel.totals.items():
        juror, entry = key
        if juror in counting and entry in entries and key not in excluded:
            sheets[entry][juror] = total.quantize(step, ROUND_HALF_UP) if rules.round_juror_totals else total
    return dict(sheets)


def _normalised(sheets: Mapping[int, Mapping[int, Decimal]], max_total: Decimal) -> dict[int, dict[int, Decimal]]:
    """Each juror's totals as z-scores over their own entries, put back on the 0..max scale.

    z is computed from d = n*x - S (S the juror's sum), which is exact in Decimal and does
    not move when a constant is added to every x: the invariance holds to the last digit."""
    by_juror: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for entry, sheet in sheets.items():
        for juror, total in sheet.items():
            by_juror[juror].append((entry, total))
    middle, unit = max_total / 2, max_total / 6
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    with localcontext(_NORMALISATION_CONTEXT):
        for juror, pairs in by_juror.items():
            n = len(pairs)
            total_sum = sum((total for _, total in pairs), ZERO)
            deviations = [(entry, n * total - total_sum) for entry, total in pairs]
            square_sum = sum((d * d for _, d in deviations), ZERO)
            factor = (Decimal(n) / square_sum).sqrt() if square_sum else ZERO
            for entry, deviation in deviations:
                result[entry][juror] = middle + deviation * factor * unit
    return dict(result)


def aggregate(values: Sequence[Decimal], rules: Rules) -> tuple[Decimal, Method]:
    """One entry's (unrounded) aggregate of the counting jurors' values, and the method used."""
    method = rules.method
    # Sorted first: Decimal sums of long normalised values round, so a fixed order keeps the
    # result independent of the order jurors come in.
    values = sorted(values)
    count = len(values)
    if method in _TRIMMED:
        if count < rules.trim_threshold:
            if not rules.allow_fallback:
                raise RankingError(
                    _l("The trimmed method drops %(trim)s highest and %(trim)s lowest scores, so it needs at least "
                       "%(needed)s jurors per entry, but an entry has only %(count)s.",
                       trim=rules.trim, needed=rules.trim_threshold, count=count))
            method = _TRIMMED[method]
        else:
            values = values[rules.trim:count - rules.trim]
            count = len(values)
    if method is Method.MEDIAN:
        middle = count // 2
        return (values[middle] if count % 2 else (values[middle - 1] + values[middle]) / 2), method
    total = sum(values, ZERO)
    if method in (Method.SUM, Method.TRIMMED_SUM):
        return total, method
    return total / count, method


def _aggregates(sheets: Mapping[int, Mapping[int, Decimal]], rules: Rules) -> dict[int, tuple[Decimal, Method]]:
    step = quantizer(rules.decimals)
    result = {}
    for entry, sheet in sheets.items():
        value, method = aggregate(list(sheet.values()), rules)
        result[entry] = (value.quantize(step, ROUND_HALF_UP), method)
    _check_sums_comparable(sheets, rules)
    return result


def _check_sums_comparable(sheets: Mapping[int, Mapping[int, Decimal]], rules: Rules) -> None:
    """A sum over fewer jurors is not a lower score, so sums need the same panel size everywhere."""
    if rules.method not in (Method.SUM, Method.TRIMMED_SUM):
        return
    sizes = {len(sheet) for sheet in sheets.values()}
    if len(sizes) > 1:
        raise RankingError(_l("Sums cannot compare entries judged by different numbers of jurors "
                              "(here from %(least)s to %(most)s); use the mean or the median.",
                              least=min(sizes), most=max(sizes)))


class _TieContext:
    """What the tie-break rules need, computed only when a tie actually reaches them."""

    def __init__(self, panel: Panel, rules: Rules, sheets: Mapping[int, Mapping[int, Decimal]]):
        self.panel, self.rules, self.sheets = panel, rules, sheets
        # The lowest id if a panel names two chairs, so the input order never matters. An
        # honorary chair's scores do not count, so they cannot break a tie either.
        self.chair = min((juror.id for juror in panel.jurors if juror.is_chair and not juror.is_honorary),
                         default=None)
        self._criterion_scores: dict[tuple[int, int], Decimal] | None = None
        self._first_places: dict[int, int] | None = None
        self.tied_entries: set[int] = set()

    def key(self, rule: str, entry: int) -> Decimal | int | None:
        """The entry's value under `rule` (higher wins), or None when the rule has nothing to say."""
        if rule.startswith(CRITERION_RULE):
            return self.criterion_scores().get((int(rule.removeprefix(CRITERION_RULE)), entry))
        if rule == CHAIR_TOTAL:
            if self.chair is None:
                return None
            key = (self.chair, entry)
            return None if key in self.panel.excluded else self.panel.totals.get(key)
        if rule == FIRST_PLACES:
            return self.first_places().get(entry, 0)
        raise ValueError(f"unknown tie-break rule {rule!r}")

    def criterion_scores(self) -> dict[tuple[int, int], Decimal]:
        """Aggregated raw points per (criterion, entry) for tied entries: one more pass, only if needed."""
        if self._criterion_scores is None:
            wanted = {int(rule.removeprefix(CRITERION_RULE)) for rule in self.rules.tie_break
                      if rule.startswith(CRITERION_RULE)}
            tied, sheets = self.tied_entries, self.sheets
            # A comprehension filters the long list at C speed; the loop then sees only tied entries.
            rows = [row for row in self.panel.scores if row[2] in wanted and row[1] in tied]
            points: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
            for juror, entry, criterion, value in rows:
                if juror in sheets[entry]:
                    points[criterion, entry].append(value)
            step = quantizer(self.rules.decimals)
            self._criterion_scores = {
                key: aggregate(values, self.rules)[0].quantize(step, ROUND_HALF_UP) for key, values in points.items()}
        return self._criterion_scores

    def first_places(self) -> dict[int, int]:
        """How many counting jurors gave the entry their highest total in the category (ties all count)."""
        if self._first_places is None:
            best: dict[int, Decimal] = {}
            for sheet in self.sheets.values():
                for juror, total in sheet.items():
                    if juror not in best or total > best[juror]:
                        best[juror] = total
            counts: dict[int, int] = defaultdict(int)
            for entry, sheet in self.sheets.items():
                for juror, total in sheet.items():
                    if total == best[juror]:
                        counts[entry] += 1
            self._first_places = dict(counts)
        return self._first_places


def _standings(entries: Iterable[int], aggregates: Mapping[int, tuple[Decimal, Method]],
               context: _TieContext, *, higher_is_better: bool = True) -> tuple[Standing, ...]:
    # Best score first, equal scores by entry id: two stable sorts with C-level keys, as a lambda
    # building (-score, entry) tuples cost a tenth of the whole ranking of 10,000 entries. A sum
    # of places is best when lowest (rankings.py).
    scores = {entry: value for entry, (value, _method) in aggregates.items()}
    ranked = sorted(sorted(scores), key=scores.__getitem__, reverse=higher_is_better)
    groups = _equal_runs(ranked, scores.__getitem__)
    context.tied_entries = {entry for group in groups if len(group) > 1 for entry in group}
    rows: list[Standing] = []
    position = 1
    for group in groups:
        explanations: dict[int, list[tuple[str, Decimal | int]]] = defaultdict(list)
        decided = [(group, BY_SCORE)] if len(group) == 1 else _break_tie(
            group, tuple(context.rules.tie_break), context, explanations)
        for subgroup, decided_by in decided:
            for entry in sorted(subgroup):
                score, method = aggregates[entry]
                rows.append(Standing(
                    entry=entry, place=position, score=score, jurors_counted=len(context.sheets[entry]),
                    method=method, fell_back=method is not context.rules.method, decided_by=decided_by,
                    tie_values=tuple(explanations.get(entry, ())),
                    adjustment=context.panel.adjustments.get(entry, ZERO)))
            position += len(subgroup)
    unranked = sorted(set(entries) - set(aggregates))
    rows.extend(Standing(entry, None, None, 0, None, False, "unranked") for entry in unranked)
    return tuple(rows)


def _break_tie(group: list[int], chain: tuple[str, ...], context: _TieContext,
               explanations: dict[int, list[tuple[str, Decimal | int]]]) -> list[tuple[list[int], str]]:
    """Split an equal-score group by the first rule that tells its members apart, then recurse."""
    if not chain or chain[0] == SHARED:
        return [(group, SHARED)]
    rule, rest = chain[0], chain[1:]
    found = {entry: context.key(rule, entry) for entry in group}
    keys = {entry: value for entry, value in found.items() if value is not None}
    if len(keys) < len(found):
        # A rule that cannot speak for every tied entry (the chair abstained on one) is skipped:
        # ranking a missing value last would punish the entry for the chair's conflict.
        return _break_tie(group, rest, context, explanations)
    for entry, value in keys.items():
        explanations[entry].append((rule, value))
    ordered = sorted(group, key=lambda entry: (-keys[entry], entry))
    result: list[tuple[list[int], str]] = []
    for subgroup in _equal_runs(ordered, keys.__getitem__):
        result.extend([(subgroup, rule)] if len(subgroup) == 1 else _break_tie(subgroup, rest, context, explanations))
    return result


def _equal_runs(ordered: list[int], value_of: Callable[[int], object]) -> list[list[int]]:
    runs: list[list[int]] = []
    previous = object()
    for entry in ordered:
        value = value_of(entry)
        if runs and value == previous:
            runs[-1].append(entry)
        else:
            runs.append([entry])
        previous = value
    return runs
