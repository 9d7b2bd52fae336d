"""Where diplomas learn who won: the one seam between certificates and the results workflow.

`published_awards(contest)` returns, for a contest whose results are published, one
`PublishedAward` per awarded registration, read from the published results snapshot. The
results branch (which builds that snapshot) was not yet committed when certificates were
written, so the snapshot reader is plugged in here with `set_awards_source`; until then no
diplomas are planned. Tests plug in their own source. Nothing else in certificates knows
how results are stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from contest.contests.models import Contest
from contest.registration.models import Registration


class PublishedAward(NamedTuple):
    registration: Registration
    place: int | None
    award_name: str  # the award tier's name in the holder's language is looked up by the caller
    category: str


AwardsSource = Callable[[Contest], list[PublishedAward]]


def _no_awards(contest: Contest) -> list[PublishedAward]:
    return []


_source: AwardsSource = _no_awards


def set_awards_source(source: AwardsSource | None) -> None:
    """Plug in the reader of published results (None restores "no awards")."""
    global _source
    _source = source or _no_awards


def published_awards(contest: Contest) -> list[PublishedAward]:
    """[(registration, place, award name, category name)] of the published results."""
    return [PublishedAward(*award) for award in _source(contest)]
