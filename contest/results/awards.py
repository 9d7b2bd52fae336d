"""Award tiers, the prize fund and advancement, read off the engine's standings.

Places map to tiers in order, by place number: a tier of `winners_count` covers that many
places. A tie that starts inside a tier gives the tier to every tied entry, and (as
standard competition ranking skips places) it uses up the following places: two entries
sharing the only I-degree place leave the II-degree place empty, and the next entry, placed
3rd, gets the III degree. So the same place always means the same award.

A tier with a minimum score (a Grand Prix awarded only for an outstanding result) goes
only to entries that reach it; places it leaves unused move on to the next tier, so the
best entry below the minimum gets the I degree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from contest.errors import ServiceError
from contest.i18n import format_amount
from contest.results.ranking import Standing

ZERO = Decimal(0)


class PrizeFundError(ServiceError):
    """The prizes would cost more than the contest's prize fund."""


@dataclass(frozen=True, slots=True)
class AwardTier:
    name: str
    winners_count: int
    prize_amount: Decimal = ZERO  # per winner
    min_score: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Award:
    entry: int
    place: int
    tier: AwardTier
    ex_aequo: bool = False  # given by the jury's decision to several entries (exaequo.py)


class _Placed(NamedTuple):
    """A ranked standing: its place and score are known."""

    entry: int
    place: int
    score: Decimal


def assign_awards(standings: Sequence[Standing], tiers: Sequence[AwardTier]) -> tuple[Award, ...]:
    """Awards in standing order; entries outside every tier get none."""
    ranked = [_Placed(standing.entry, standing.place, standing.score) for standing in standings
              if standing.place is not None and standing.score is not None]
    awards: list[Award] = []
    # Index into ranked of the first entry not yet awarded or refused. Places never go down
    # along the standings, and a tier stops at the first entry it does not award, so that
    # entry's place is where the next tier starts (or beyond it): nothing is ever skipped.
    cursor = 0
    start = 1  # first place the next tier covers
    for tier in tiers:
        end = start + tier.winners_count
        refused_at = None
        while cursor < len(ranked) and ranked[cursor].place < end:
            standing = ranked[cursor]
            if tier.min_score is not None and standing.score < tier.min_score:
                refused_at = standing.place
                break
            awards.append(Award(standing.entry, standing.place, tier))
            cursor += 1
        start = refused_at if refused_at is not None else end
    return tuple(awards)


def prize_total(awards: Iterable[Award]) -> Decimal:
    """What the awards actually cost: shared places can give one tier more winners than planned."""
    return sum((Decimal(award.tier.prize_amount) for award in awards), ZERO)


def check_prize_fund(total: Decimal, fund: Decimal | int | None) -> None:
    """Refuse prizes above the fund; a contest without a fund has no limit."""
    if fund is not None and total > fund:
        raise PrizeFundError(_l("The prizes add up to %(total)s tenge, more than the prize fund of %(fund)s tenge.",
                                total=format_amount(total), fund=format_amount(fund)))


def advancing(standings: Iterable[Standing], *, top: int | None = None,
              threshold: Decimal | None = None) -> list[int]:
    """Entries that move on to the final, in standing order.

    `top`: every entry placed N or better, so a tie at the boundary takes all tied entries
    (as with awards). `threshold`: every entry whose aggregate reaches it. Exactly one of the two."""
    if (top is None) == (threshold is None):
        raise ValueError("give exactly one of top and threshold")
    if top is not None:
        return [s.entry for s in standings if s.place is not None and s.place <= top]
    assert threshold is not None  # exactly one of the two, checked above
    return [s.entry for s in standings if s.score is not None and s.score >= threshold]
