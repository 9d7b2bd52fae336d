"""Where diplomas learn who won: the one seam between certificates and the results workflow.

`published_awards(contest)` returns one `PublishedAward` per awarded registration of the
contest's current published results snapshot (`results_snapshot`, written by the results
workflow when an organiser publishes): the place, the award tier's name and the category's
name, each in every language as the snapshot froze them, and whether the place is shared.
Only tiers whose document is the winner's diploma count (a tier may be set to hand out a
participation certificate instead).

`set_awards_source` replaces the reader (tests do, to stand in for a whole judged contest).

`award_wording` is how every diploma, the verification page and the certificate lists state
an award: the tier's name once ("III орын", "Гран-при"), "(ортақ)" after it when the place is
shared, never a place number beside it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.contests.models import AwardDocument, AwardTier, Contest
from contest.extensions import db
from contest.registration.models import Participant, Registration
from contest.results.models import ResultSnapshot

Texts = str | dict[str, str]  # one text, or one per language {"kk": ..., "ru": ..., "en": ...}


class PublishedAward(NamedTuple):
    registration: Registration
    place: int | None
    award_name: Texts
    category: Texts
    shared: bool = False  # ex aequo: another entry of the category holds the same place


AwardsSource = Callable[[Contest], list[Any]]


def text_in(texts: Texts | None, language: str) -> str:
    """The text in `language`, else the first one filled."""
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(language) or next((value for value in texts.values() if value), "")


def snapshot_awards(contest: Contest) -> list[PublishedAward]:
    """The awarded rows of the contest's current (not retired) published snapshot."""
    snapshot = db.session.scalar(select(ResultSnapshot).where(
        ResultSnapshot.contest_id == contest.id, ResultSnapshot.retired_at.is_(None)))
    if snapshot is None:
        return []
    rows = [(category, row) for category in snapshot.data.get("categories", [])
            for row in category.get("rows", []) if row.get("award")]
    diploma_tiers = {str(tier_id) for tier_id in db.session.scalars(select(AwardTier.id).where(
        AwardTier.contest_id == contest.id, AwardTier.document_kind == AwardDocument.WINNER_DIPLOMA.value))}
    wanted = {row["registration_id"] for _category, row in rows if str(row["award"]) in diploma_tiers}
    registrations = {registration.id: registration for registration in db.session.scalars(
        select(Registration).where(Registration.id.in_(wanted))
        .options(selectinload(Registration.participant).selectinload(Participant.account),
                 selectinload(Registration.category)))}
    held = Counter((category.get("id"), row.get("place")) for category in snapshot.data.get("categories", [])
                   for row in category.get("rows", []))  # two entries on one place share it
    # Shared too when the jury gave the tier ex aequo to entries on different places.
    return [PublishedAward(registrations[row["registration_id"]], row.get("place"), row.get("award_name") or "",
                           category.get("name") or "",
                           shared=held[(category.get("id"), row.get("place"))] > 1 or bool(row.get("ex_aequo")))
            for category, row in rows if row["registration_id"] in registrations]


_source: AwardsSource = snapshot_awards


def set_awards_source(source: AwardsSource | None) -> None:
    """Plug in another reader of published results (None restores the snapshot reader)."""
    global _source
    _source = source or snapshot_awards


def published_awards(contest: Contest) -> list[PublishedAward]:
    """[(registration, place, award name, category name)] of the published results."""
    return [PublishedAward(*award) for award in _source(contest)]


def award_wording(award_name: str, *, shared: bool) -> str:
    """The award as a document or a list states it, in the current language: the tier's name, and
    "(shared)" when the place is shared. Empty when there is no award."""
    name = (award_name or "").strip()
    if not name:
        return ""
    return _("%(award)s (shared)", award=name) if shared else name
