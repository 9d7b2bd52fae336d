"""The jury at work on the performer on stage, as the state endpoint shares it: for the hall only
how many sheets are in ("scores in: 2 / 3", no names), for the chair of the jury and organisers
each juror's sheet (missing, draft, submitted) and whether they were reminded, as on the
control page. Nothing about the performer beyond what the public part already says."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from contest.auth.models import Role
from contest.contests.models import Round
from contest.extensions import db
from contest.judging.models import JuryMember
from contest.judging.progress import CellState
from contest.stage.control import JurorStatus, jurors_on
from contest.stage.models import StageState
from contest.stage.order import Slot


def follows_jury(round_id: int, user: Any) -> bool:
    """Whether a signed-in user sees each juror's sheet: an organiser, or the chair of the
    round's contest (one query). Other jurors see only their own sheet (screen.juror_view)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_role(Role.ORGANISER):
        return True
    return bool(user.has_role(Role.JUROR) and db.session.scalar(select(exists().where(
        JuryMember.user_id == user.id, JuryMember.is_chair.is_(True),
        JuryMember.contest_id == select(Round.contest_id).where(Round.id == round_id).scalar_subquery()))))


def jury_on_stage(round_: Round, current: Slot | None, state: StageState | None) -> list[JurorStatus]:
    """Each juror who scores the performer on stage, with their sheet's state (none off stage)."""
    return jurors_on(round_, current.registration, state) if current is not None else []


def scores_in(jurors: list[JurorStatus]) -> dict[str, int] | None:
    """For the hall: sheets submitted of those owed; None while nobody is on stage."""
    if not jurors:
        return None
    return {"submitted": sum(1 for juror in jurors if juror.state == CellState.SUBMITTED), "total": len(jurors)}


def chair_part(current: Slot | None, jurors: list[JurorStatus]) -> dict[str, Any]:
    """For the chair and organisers: the control page's table of the performer on stage."""
    return {"registration_id": current.registration.id if current is not None else None,
            "submitted": sum(1 for juror in jurors if juror.state == CellState.SUBMITTED),
            "total": len(jurors),
            "jurors": [{"member_id": juror.member.id, "name": juror.member.name, "state": juror.state.value,
                        "reminded": juror.reminded} for juror in jurors]}
