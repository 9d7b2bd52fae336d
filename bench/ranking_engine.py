"""Micro-benchmark of the pure ranking engine: 10,000 entries x 10 jurors x 5 criteria.

Runs with no arguments and makes its own data; each sheet's total comes summed beside the raw
points, as loading.py hands them over from SQL (tests/results/panels.py builds the panel).
Prints the engine's time for a few rule sets and ends with `ratio: <n>`: the engine's time
(mean, tie-break chain, no normalisation) divided by the time of simply iterating once over
the same 500,000 scores and summing them.
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.results.ranking import Criterion, Juror, Method, Panel, Rules, rank  # noqa: E402
from tests.results.panels import scored_panel  # noqa: E402

ENTRIES, JURORS, CRITERIA = 10_000, 10, 5
REPEATS = 5


def make_panel() -> Panel:
    generator = random.Random(2027)
    steps = [Decimal(half) / 2 for half in range(21)]  # 0, 0.5, ..., 10
    jurors = [Juror(juror, is_chair=juror == 1) for juror in range(1, JURORS + 1)]
    criteria = [Criterion(criterion, Decimal(criterion % 3 + 1)) for criterion in range(1, CRITERIA + 1)]
    scores = [(juror.id, entry, criterion.id, generator.choice(steps))
              for entry in range(1, ENTRIES + 1) for juror in jurors for criterion in criteria]
    # Kept in the order sheets are saved (one sheet's scores together), as a SELECT returns them.
    excluded = {(generator.randint(1, JURORS), generator.randint(1, ENTRIES)) for _ in range(200)}
    return scored_panel(range(1, ENTRIES + 1), jurors, criteria, scores, frozenset(excluded))


def best_of(function) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def interleaved(first, second) -> tuple[float, float]:
    """Best times of two functions measured in turns, so a busy machine skews both alike."""
    best = [float("inf"), float("inf")]
    for _ in range(REPEATS):
        for index, function in enumerate((first, second)):
            started = time.perf_counter()
            function()
            best[index] = min(best[index], time.perf_counter() - started)
    return best[0], best[1]


def baseline(panel: Panel) -> Decimal:
    total = Decimal(0)
    for _juror, _entry, _criterion, points in panel.scores:
        total += points
    return total


def main() -> None:
    panel = make_panel()
    chain = ("criterion:1", "chair_total", "first_places", "shared")
    headline_rules = Rules(Method.MEAN, tie_break=chain)
    base, headline = interleaved(lambda: baseline(panel), lambda: rank(panel, headline_rules))
    print(f"scores: {len(panel.scores):,}; baseline (iterate and sum once): {base * 1000:.0f} ms")
    print(f"engine, mean + tie-break chain: {headline * 1000:.0f} ms")
    for label, rules in [
        ("trimmed mean + chain", Rules(Method.TRIMMED_MEAN, tie_break=chain)),
        ("median, no chain", Rules(Method.MEDIAN)),
        ("mean, normalised + chain", Rules(Method.MEAN, normalise=True, tie_break=chain)),
    ]:
        seconds = best_of(lambda rules=rules: rank(panel, rules))
        print(f"engine, {label}: {seconds * 1000:.0f} ms ({seconds / base:.2f} x baseline)")
    print(f"ratio: {headline / base:.2f}")


if __name__ == "__main__":
    main()
