"""A juror's phone follows the stage: the performer the chair has on stage now, whether this juror
scores them (not when in conflict or not assigned), their own sheet and the timer. The page and
the fragment its script swaps in (stage/jury_views.py) show only this juror's own sheet; names
follow the sheet page's blind rules (templates/judging/_sheet_parts.html)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.contests.models import Round
from contest.db import utcnow
from contest.extensions import db
from contest.judging.assignment import why_closed
from contest.judging.models import JuryMember, ScoreSheet
from contest.judging.services import sheet_for
from contest.registration.models import Entry, Registration
from contest.stage.models import StageState
from contest.stage.state import stage_state


@dataclass
class JurorStage:
    member: JuryMember
    state: StageState | None
    registration: Registration | None  # on stage now
    reason: Any | None  # why this juror does not score them (a conflict, not assigned...)
    sheet: ScoreSheet | None  # the juror's own sheet for them, when there is one

    @property
    def reminded(self) -> bool:
        return (self.registration is not None and self.state is not None
                and self.member.id in (self.state.reminded_member_ids or []))

    @property
    def elapsed(self) -> int:
        return self.state.elapsed_at(utcnow()) if self.state is not None and self.registration is not None else 0

    @property
    def is_paused(self) -> bool:
        return self.state is not None and self.state.is_paused


def juror_stage(member: JuryMember, round_: Round) -> JurorStage:
    """The stage as this juror sees it; a bounded number of queries whatever the field's size."""
    state = stage_state(round_)
    current_id = state.current_registration_id if state is not None else None
    registration = None if current_id is None else db.session.scalar(
        select(Registration).where(Registration.id == current_id, Registration.contest_id == round_.contest_id)
        .options(selectinload(Registration.entry).selectinload(Entry.works), selectinload(Registration.participant),
                 selectinload(Registration.category)))
    if registration is None:
        return JurorStage(member, state, None, None, None)
    reason = why_closed(member, registration, round_)
    sheet = sheet_for(member, registration, round_) if reason is None else None
    return JurorStage(member, state, registration, reason, sheet)
