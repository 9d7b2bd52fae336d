"""How far the jurors agree: figures for organisers, never for the ranking itself.

* When every counting juror scored every entry that has a counted sheet (complete rankings):
  Kendall's W with the tie correction and the chi-square test  chi2 = m (n - 1) W  on n - 1
  degrees of freedom (the same as Friedman's). Per juror, the Spearman correlation between their
  totals and the consensus, the mean of the *other* jurors' totals on the same entries (leaving
  the juror out keeps them from agreeing with themselves).
* When some juror did not score some entry (an abstention, a conflict, an assignment plan that
  gives each juror part of the field), W is not defined on the whole field, and W over the entries
  everyone scored would silently drop the rest. Then the figure is the mean pairwise Spearman
  correlation: each pair of jurors sharing at least three entries is correlated on the entries both
  scored, and the correlations are averaged (Kendall's rho-bar; for complete rankings without ties
  it equals (mW - 1) / (m - 1)). A juror's figure is the mean of their correlations with each
  other juror, on the entries the two share: comparing them with the others' mean would mix
  different jurors from entry to entry. With two shared entries a correlation is always +-1, so
  such pairs are left out.
* Per juror also the mean and sample standard deviation of their totals. A juror is flagged as
  diverging when their correlation is below 0.3 over at least four entries (with fewer, Spearman
  jumps in steps of 0.5 or more and says little).

Floats are fine here: these figures are shown, not compared for places.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from contest.results.ranking import Panel, Rules, counting_sheets
from contest.results.rankings import counted_ranks

DIVERGENCE_THRESHOLD = 0.3
MIN_ENTRIES_FOR_FLAG = 4
MIN_SHARED_ENTRIES = 3  # a pair's correlation on two entries is always +-1

Key = TypeVar("Key", bound=Hashable)
# juror -> entry -> the juror's total (or rank: only the order matters to W and Spearman)
Ratings = Mapping[int, Mapping[int, float | Decimal]]


@dataclass(frozen=True, slots=True)
class Concordance:
    w: float
    chi_square: float
    degrees_of_freedom: int
    p_value: float
    jurors: int
    entries: int  # entries every juror scored: the ones W is computed on


@dataclass(frozen=True, slots=True)
class PairwiseAgreement:
    """The mean pairwise Spearman correlation, for rankings some jurors left incomplete."""

    rho: float
    pairs: int  # pairs of jurors sharing at least MIN_SHARED_ENTRIES entries, with spread on them
    jurors: int
    entries: int  # entries with a counted sheet
    incomplete: int  # of them, the entries some juror did not score


@dataclass(frozen=True, slots=True)
class JurorAgreement:
    juror: int
    entries: int
    mean: float
    sd: float | None  # None with a single entry
    correlation: float | None  # None when it cannot be computed (too few entries, no spread)
    diverges: bool


def ratings_of(panel: Panel) -> dict[int, dict[int, Decimal]]:
    """The counting jurors' raw totals, juror -> entry -> total; for a round scored by places,
    each juror's averaged ranks over the entries that count, on which W is computed directly (a
    rank is best when lowest, a total when highest: reversing every juror's order alike changes
    neither W, with its tie correction, nor any Spearman correlation)."""
    if panel.places:
        return counted_ranks(panel)
    ratings: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for entry, sheet in counting_sheets(panel, Rules()).items():
        for juror, total in sheet.items():
            ratings[juror][entry] = total
    return dict(ratings)


def average_ranks(values: Mapping[Key, float | Decimal]) -> dict[Key, float]:
    """Rank 1 for the highest value; tied values share the mean of the ranks they span."""
    ordered = sorted(values, key=lambda key: values[key], reverse=True)
    ranks: dict[Key, float] = {}
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and values[ordered[end + 1]] == values[ordered[start]]:
            end += 1
        for key in ordered[start:end + 1]:
            ranks[key] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def _tie_term(values: Iterable[float | Decimal]) -> int:
    """Sum of t^3 - t over groups of t tied values: the correction W and Friedman use."""
    counts: dict[float | Decimal, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return sum(t ** 3 - t for t in counts.values())


def kendall_w(ratings: Ratings) -> Concordance | None:
    """Tie-corrected coefficient of concordance, or None with fewer than two jurors or entries."""
    jurors = [juror for juror, scored in ratings.items() if scored]
    if len(jurors) < 2:
        return None
    common = set.intersection(*(set(ratings[juror]) for juror in jurors))
    m, n = len(jurors), len(common)
    if n < 2:
        return None
    rank_sums: dict[int, float] = defaultdict(float)
    ties = 0
    for juror in jurors:
        block = {entry: ratings[juror][entry] for entry in common}
        for entry, value in average_ranks(block).items():
            rank_sums[entry] += value
        ties += _tie_term(block.values())
    mean_sum = m * (n + 1) / 2
    spread = sum((total - mean_sum) ** 2 for total in rank_sums.values())
    denominator = m * m * (n ** 3 - n) - m * ties
    w = 12 * spread / denominator if denominator else 1.0  # every juror tied everything: no disagreement
    chi_square = m * (n - 1) * w
    return Concordance(w, chi_square, n - 1, chi_square_sf(chi_square, n - 1), m, n)


def chi_square_sf(x: float, degrees_of_freedom: int) -> float:
    """P(X >= x) for a chi-square variable: the regularized upper incomplete gamma Q(k/2, x/2)."""
    return regularized_upper_gamma(degrees_of_freedom / 2, x / 2)


def regularized_upper_gamma(a: float, x: float) -> float:
    """Q(a, x) = Gamma(a, x) / Gamma(a): the power series below a + 1, Lentz's continued fraction
    above (each converges fast on its side; Numerical Recipes, section 6.2)."""
    if x <= 0:
        return 1.0
    log_prefactor = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1 / a
        denominator = a
        for _ in range(1000):
            denominator += 1
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1 - total * math.exp(log_prefactor))
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    fraction = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        fraction *= step
        if abs(step - 1) < 1e-16:
            break
    return fraction * math.exp(log_prefactor)


def spearman(first: Mapping[Key, float | Decimal], second: Mapping[Key, float | Decimal]) -> float | None:
    """Spearman's rho over the keys both have (Pearson on average ranks, so ties are right)."""
    keys = [key for key in first if key in second]
    if len(keys) < 2:
        return None
    xs = average_ranks({key: first[key] for key in keys})
    ys = average_ranks({key: second[key] for key in keys})
    return _pearson([xs[key] for key in keys], [ys[key] for key in keys])


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    spread_x = math.sqrt(sum((x - mean_x) ** 2 for x in xs))
    spread_y = math.sqrt(sum((y - mean_y) ** 2 for y in ys))
    if not spread_x or not spread_y:
        return None
    return covariance / (spread_x * spread_y)


def juror_agreement(ratings: Ratings) -> list[JurorAgreement]:
    """Each juror's mean, spread and agreement with the others, in juror id order."""
    # Complete rankings compare each juror with the others' consensus, others pair by pair.
    correlations = pair_correlations(ratings) if incomplete_entries(ratings) else None
    result = []
    for juror in sorted(ratings):
        own = ratings[juror]
        if not own:
            continue
        values = [float(value) for value in own.values()]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else None
        if correlations is None:
            consensus = _consensus_without(ratings, juror)
            correlation = spearman(own, consensus)
            compared = len(consensus)
        else:
            correlation, compared = _mean_correlation(ratings, correlations, juror)
        diverges = correlation is not None and compared >= MIN_ENTRIES_FOR_FLAG and correlation < DIVERGENCE_THRESHOLD
        result.append(JurorAgreement(juror, len(own), mean, sd, correlation, diverges))
    return result


def _consensus_without(ratings: Ratings, left_out: int) -> dict[int, float]:
    """The other jurors' sum per entry: each of them scored every entry, so the sum orders the
    entries as their mean does."""
    sums: dict[int, float] = defaultdict(float)
    for juror, scored in ratings.items():
        if juror != left_out:
            for entry, value in scored.items():
                sums[entry] += float(value)
    return dict(sums)


def incomplete_entries(ratings: Ratings) -> int:
    """How many entries with a counted sheet some counting juror did not score."""
    scored = [set(entries) for entries in ratings.values() if entries]
    if not scored:
        return 0
    first, *rest = scored
    return len(first.union(*rest) - first.intersection(*rest))


def concordance(ratings: Ratings) -> Concordance | PairwiseAgreement | None:
    """Kendall's W for complete rankings, else the mean pairwise Spearman correlation."""
    if incomplete_entries(ratings):
        return pairwise_agreement(ratings)
    return kendall_w(ratings)


def pair_correlations(ratings: Ratings) -> dict[tuple[int, int], float]:
    """Spearman's rho of each pair of jurors (lower id first) on the entries both scored, for the
    pairs sharing at least MIN_SHARED_ENTRIES entries with some spread on them."""
    jurors = sorted(juror for juror, scored in ratings.items() if scored)
    result = {}
    for index, first in enumerate(jurors):
        for second in jurors[index + 1:]:
            if len(ratings[first].keys() & ratings[second].keys()) >= MIN_SHARED_ENTRIES:
                rho = spearman(ratings[first], ratings[second])
                if rho is not None:
                    result[first, second] = rho
    return result


def pairwise_agreement(ratings: Ratings) -> PairwiseAgreement | None:
    """The mean of the pairwise correlations, or None when no pair can be correlated."""
    correlations = pair_correlations(ratings)
    if not correlations:
        return None
    scored = [set(entries) for entries in ratings.values() if entries]
    first, *rest = scored
    return PairwiseAgreement(math.fsum(correlations.values()) / len(correlations), len(correlations),
                             len(scored), len(first.union(*rest)), incomplete_entries(ratings))


def _mean_correlation(ratings: Ratings, correlations: Mapping[tuple[int, int], float],
                      juror: int) -> tuple[float | None, int]:
    """The juror's mean correlation with the other jurors, and how many of their entries it rests on."""
    own = [rho for pair, rho in correlations.items() if juror in pair]
    partners = {other for pair in correlations if juror in pair for other in pair if other != juror}
    compared = set().union(*(ratings[juror].keys() & ratings[other].keys() for other in partners))
    return (math.fsum(own) / len(own) if own else None), len(compared)


def criterion_points(panel: Panel) -> dict[int, list[Decimal]]:
    """Every counting point given per criterion, for the distribution charts."""
    counting = {(juror, entry) for entry, sheet in counting_sheets(panel, Rules()).items()
                for juror in sheet}
    points: dict[int, list[Decimal]] = {criterion.id: [] for criterion in panel.criteria}
    for juror, entry, criterion, value in panel.scores:
        if (juror, entry) in counting and criterion in points:
            points[criterion].append(value)
    return points
