"""Ex aequo prizes decided by the jury: one tier given to several entries at once.

Without a decision, tiers follow the places (awards.assign_awards): a tie in the total gives
a tier to every tied entry and uses up the places after it. Juries also decide, in their
minutes, to award a tier ex aequo to entries whose totals differ ("two first prizes"), and
whether the next tier is then skipped (as many regulations say: "if two first prizes are
awarded, the second is not") or still awarded. A decision names the tier, the entries and
that choice; its reason goes to the protocol.

The rule, tier by tier in order:

* A tier with a decision goes to exactly the decision's entries. They must be the best
  entries not yet awarded (a jury cannot give the I degree to the 3rd while the 2nd gets
  less), must not split a place (an entry tied with one of them shares it, so it must be
  named too), must reach the tier's minimum score and be at least two.
* If the decision skips the next tier, that tier awards nobody (and it cannot carry a
  decision of its own); the tier after it starts at the next entry's place.
* Otherwise the next tier starts at the next entry's place and follows the places as usual.

A decision that no longer fits the standings (scores changed since the jury decided) is
refused with an explanation rather than applied differently: the organiser reviews it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from contest.results.awards import Award, AwardTier, assign_awards
from contest.results.ranking import RankingError, Standing


class ExAequoError(RankingError):
    """A jury's ex aequo decision does not fit the standings or the tiers."""


@dataclass(frozen=True)
class ExAequo:
    tier: str  # AwardTier.name
    entries: Collection[int]
    skip_next: bool


def assign_with_decisions(standings: Sequence[Standing], tiers: Sequence[AwardTier],
                          decisions: Sequence[ExAequo], label: dict[str, str] | None = None) -> tuple[Award, ...]:
    """Awards in standing order, the jury's decisions applied; without decisions exactly
    awards.assign_awards. `label`: tier name -> how to name it in an error."""
    if not decisions:
        return assign_awards(standings, tiers)
    names = {tier.name for tier in tiers}
    by_tier: dict[str, ExAequo] = {}
    for item in decisions:
        if item.tier not in names:
            raise ExAequoError(_l("An ex aequo decision names an award tier the contest no longer has."))
        by_tier[item.tier] = item
    ranked = [(s.entry, s.place, s.score) for s in standings if s.place is not None and s.score is not None]
    awards: list[Award] = []
    cursor, start, skip = 0, 1, False
    for tier in tiers:
        decision = by_tier.get(tier.name)
        name = (label or {}).get(tier.name, tier.name)
        if skip:
            if decision is not None:
                raise ExAequoError(_l("The tier “%(tier)s” is skipped by the ex aequo decision before it, so it "
                                      "cannot be awarded ex aequo.", tier=name))
            skip = False
            continue
        if decision is not None:
            count = _check(decision, ranked, cursor, tier, name)
            awards.extend(Award(entry, place, tier, ex_aequo=True) for entry, place, _ in ranked[cursor:cursor + count])
            cursor += count
            start = ranked[cursor][1] if cursor < len(ranked) else start
            skip = decision.skip_next
            continue
        end = start + tier.winners_count
        refused_at = None
        while cursor < len(ranked) and ranked[cursor][1] < end:
            entry, place, score = ranked[cursor]
            if tier.min_score is not None and score < tier.min_score:
                refused_at = place
                break
            awards.append(Award(entry, place, tier))
            cursor += 1
        start = refused_at if refused_at is not None else end
    return tuple(awards)


def _check(decision: ExAequo, ranked: list[tuple[int, int, Decimal]], cursor: int, tier: AwardTier,
           name: str) -> int:
    """How many entries the decision awards, once it is sure to fit the standings."""
    count = len(set(decision.entries))
    if count < 2:
        raise ExAequoError(_l("An ex aequo decision for “%(tier)s” needs at least two entries.", tier=name))
    block = ranked[cursor:cursor + count]
    if {entry for entry, _place, _score in block} != set(decision.entries):
        raise ExAequoError(_l("The ex aequo decision for “%(tier)s” must name the best entries not yet awarded; "
                              "the standings have changed since, so review the decision.", tier=name))
    if cursor + count < len(ranked) and ranked[cursor + count][1] == block[-1][1]:
        raise ExAequoError(_l("The ex aequo decision for “%(tier)s” splits a shared place: name every entry "
                              "on place %(place)s.", tier=name, place=block[-1][1]))
    if tier.min_score is not None and any(score < tier.min_score for _e, _p, score in block):
        raise ExAequoError(_l("The ex aequo decision for “%(tier)s” names an entry below the tier's minimum score.",
                              tier=name))
    return count
