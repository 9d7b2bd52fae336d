"""Rounds scored by ranks: a juror's ranking of the entries of one category.

The ranking is written as one score sheet per entry (`ScoreSheet.place`), so drafts, submitting,
locking, reopening and the audit log work as for points. It is saved and submitted as a whole:
a place only means something next to the others. The rules of a ranking, as regulations state
them:

* every place is a whole number from 1 to n, n being the entries of the juror's ranking (their
  entries of the category in the round, conflicts left out);
* tied entries share a place and the places they cover are skipped, as in standings: 1, 2, 2, 4
  (the engine counts the two as 2.5 each); a ranking written 1, 2, 2, 3 is refused with the place
  it should have been, so nobody's intention is guessed;
* a draft may leave places empty; a submitted ranking places every entry.

Every bad value is reported at once and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from contest.auth.models import User
from contest.contests.models import Category, Round
from contest.errors import ServiceError, ServiceErrors
from contest.judging.models import JuryMember, ScoreSheet, SheetSource
from contest.judging.progress import QueueItem, juror_queue
from contest.judging.services import (
    STALE,
    check_scoring_open,
    finish_save,
    locked_or_new_sheet,
    the_juror,
)
from contest.registration.models import Registration

LOCKED = _l("This ranking is submitted and locked; an organiser can reopen it.")


def place_field(registration: Registration) -> str:
    """The form field (and error key) of an entry's place."""
    return f"place_{registration.id}"


@dataclass
class JurorRanking:
    """A juror's entries of one category in a round, with their sheets (None: not saved yet)."""

    round: Round
    category: Category
    items: list[QueueItem]

    @property
    def registrations(self) -> list[Registration]:
        return [item.registration for item in self.items]

    @property
    def submitted(self) -> bool:
        return bool(self.items) and all(item.sheet is not None and item.sheet.is_submitted for item in self.items)

    @property
    def locked(self) -> bool:
        """Some sheet is submitted: the ranking changes only after an organiser reopens it."""
        return any(item.sheet is not None and item.sheet.is_submitted for item in self.items)

    @property
    def version(self) -> str:
        """What the page was built from; a save from an older page is refused as stale."""
        return ",".join(f"{item.registration.id}:{item.sheet.version if item.sheet else 0}" for item in self.items)

    def by_place(self) -> list[tuple[int | None, Registration]]:
        """The entries best first, the unplaced last (the read-only view of a submitted ranking)."""
        places = self.places()
        return sorted(((places.get(registration.id), registration) for registration in self.registrations),
                      key=lambda pair: (pair[0] is None, pair[0] or 0))

    def places(self) -> dict[int, int]:
        return {item.registration.id: item.sheet.place for item in self.items
                if item.sheet is not None and item.sheet.place is not None}


def juror_ranking(member: JuryMember, round_: Round, category: Category) -> JurorRanking:
    """The juror's entries of `category` in `round_` (performance order) with their sheets. Two queries."""
    return JurorRanking(round_, category, [item for item in juror_queue(member, round_)
                                      if item.registration.category_id == category.id])


def rankings_in(round_: Round, items: Sequence[QueueItem]) -> list[JurorRanking]:
    """A juror's queue (`juror_queue`) as their rankings, one per category that has entries for them."""
    categories = [category for category in round_.contest.categories
                  if any(item.registration.category_id == category.id for item in items)]
    return [JurorRanking(round_, category, [item for item in items if item.registration.category_id == category.id])
            for category in categories]


def checked_places(registrations: Sequence[Registration], raw: Mapping[int, Any], *,
                   submit: bool) -> dict[int, int]:
    """registration id -> place for every filled place, or ServiceErrors naming every bad value."""
    count = len(registrations)
    places: dict[int, int] = {}
    refusals: list[ServiceError] = []
    for registration in registrations:
        text = str(raw.get(registration.id) or "").strip()
        if not text:
            continue
        place = int(text) if text.isdigit() and len(text) < 6 else None
        if place is None or not 1 <= place <= count:
            refusals.append(ServiceError(_l("“%(value)s” is not a place from 1 to %(count)s.",
                                            value=text[:20], count=count),
                                         place_field(registration)))
            continue
        places[registration.id] = place
    if submit and not refusals:
        refusals += _incomplete(registrations, places) or _misplaced(registrations, places)
    if refusals:
        raise ServiceErrors(refusals)
    return places


def _incomplete(registrations: Sequence[Registration], places: Mapping[int, int]) -> list[ServiceError]:
    missing = [registration for registration in registrations if registration.id not in places]
    if not missing:
        return []
    return [ServiceError(_l("Give every entry a place before submitting: %(codes)s has none.",
                            codes=", ".join(registration.code for registration in missing)),
                         place_field(missing[0]))]


def _misplaced(registrations: Sequence[Registration], places: Mapping[int, int]) -> list[ServiceError]:
    """One error per place that does not follow from the places above it (1, 2, 2, 4 is right)."""
    refusals = []
    for place in sorted(set(places.values())):
        better = sum(1 for given in places.values() if given < place)
        if better != place - 1:
            tied = [registration for registration in registrations if places.get(registration.id) == place]
            refusals.append(ServiceError(
                _l("Place %(place)s (%(codes)s) does not follow the places above it: %(better)s entries are placed "
                   "better, so it should be %(expected)s. Tied entries share a place and skip the places they "
                   "cover: 1, 2, 2, 4.", place=place, codes=", ".join(registration.code for registration in tied),
                   better=better, expected=better + 1), place_field(tied[0])))
    return refusals


def save_ranking(member: JuryMember, ranking: JurorRanking, raw: Mapping[int, Any], *, version: str, submit: bool,
                 actor: User | None) -> list[ScoreSheet]:
    """Save the juror's places for the category's entries (registration id -> what was typed),
    and with submit=True submit every sheet of the ranking. Refused with nothing written when a
    value is wrong, a sheet is locked, or the page is stale."""
    actor = the_juror(member, actor, _l("Only the jury member themself can score on their sheet."))
    if not ranking.round.by_ranks:
        raise ServiceError(_l("This round is scored by points, not by places."))
    if not ranking.items:
        raise ServiceError(_l("No entries of this category are waiting for your places in this round."))
    check_scoring_open(ranking.round)  # the entries are the juror's queue: open to them by construction
    places = checked_places(ranking.registrations, raw, submit=submit)
    if version != ranking.version:
        raise ServiceError(STALE)
    if ranking.locked:
        raise ServiceError(LOCKED)
    return [_write_place(member, registration, ranking.round, places.get(registration.id), submit, actor)
            for registration in ranking.registrations]


def write_place(member: JuryMember, registration: Registration, round_: Round, place: int, *,
                actor: User, source: SheetSource) -> ScoreSheet:
    """One submitted place from a paper ballot (the import has checked the whole ranking)."""
    return _write_place(member, registration, round_, place, True, actor, source)


def _write_place(member: JuryMember, registration: Registration, round_: Round, place: int | None, submit: bool,
                 actor: User, source: SheetSource = SheetSource.ONLINE) -> ScoreSheet:
    sheet, created = locked_or_new_sheet(member, registration, round_)
    if sheet.is_submitted:  # submitted since the page was built, by a paper ballot
        raise ServiceError(LOCKED)
    changes = [] if sheet.place == place else [{"place": True, "old": sheet.place, "new": place}]
    sheet.place = place
    finish_save(sheet, created=created, changes=changes, submit=submit, source=source, actor=actor)
    return sheet
