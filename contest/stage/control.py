"""The chair's control of a live round: who is on stage, the timer, closing a performance
(its sheets lock; going over the round's time limit is recorded and, when the round sets a
penalty, subtracted outside the jury), which jurors have submitted, reminders, reopening a
late sheet, and revealing a category's published results on the audience screen.

The chair of the jury or an organiser acts; every change is audited and moves the stage's
version (state.py), which the audience screen and the jurors' phones follow."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import Category, ContestStatus, Round
from contest.contests.services import ensure_not_archived
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.judging import services as judging
from contest.judging.assignment import load_scope, store_performance_order
from contest.judging.models import JuryMember, PerformanceSlot, ScoreSheet
from contest.judging.progress import CellState
from contest.registration.models import Registration
from contest.results.adjusting import add_overrun_penalty
from contest.results.services import current_snapshot
from contest.stage.models import StageState
from contest.stage.order import Slot, check_live, running_order
from contest.stage.state import bump, locked_state


def _check_may_run(round_: Round, actor: User | None, *, judging_only: bool = True) -> tuple[User, StageState]:
    actor = judging.check_stage_lead(round_.contest, actor)
    ensure_not_archived(round_.contest)
    check_live(round_)
    if judging_only and round_.contest.status != ContestStatus.JUDGING.value:
        raise ServiceError(_l("The stage runs while the contest is being judged."))
    return actor, locked_state(round_)


def next_up(order: list[Slot], state: StageState | None) -> Slot | None:
    """The first performer still waiting, other than the one on stage."""
    current = state.current_registration_id if state is not None else None
    return next((slot for slot in order if slot.is_waiting and slot.registration.id != current), None)


def call_on_stage(round_: Round, registration_id: int | None, *, actor: User | None) -> Registration:
    """Bring a performer on stage (by default the next one waiting) and start their timer."""
    actor, state = _check_may_run(round_, actor)
    if state.current_registration_id is not None:
        raise ServiceError(_l("Close the performance on stage first."))
    order = running_order(round_)
    if registration_id is None:
        slot = next_up(order, state)
        if slot is None:
            raise ServiceError(_l("Nobody is waiting to perform."))
    else:
        slot = next((item for item in order if item.registration.id == registration_id), None)
        if slot is None or not slot.is_waiting:
            raise ServiceError(_l("This performer is absent, has already performed or is not in this round."))
    if db.session.get(PerformanceSlot, (round_.id, slot.registration.id)) is None:
        store_performance_order(round_, [item.registration.id for item in order])  # every performer holds a slot
    state.current_registration_id = slot.registration.id
    state.started_at, state.elapsed_seconds, state.is_paused = utcnow(), 0, False
    state.reminded_member_ids = []
    bump(state)
    record("stage.on_stage", slot.registration, actor=actor, contest_id=round_.contest_id, round_id=round_.id,
           code=slot.registration.code)
    return slot.registration


def pause_timer(round_: Round, *, actor: User | None) -> None:
    actor, state = _check_may_run(round_, actor)
    if state.current_registration_id is None or state.is_paused:
        raise ServiceError(_l("Nothing is running on stage."))
    now = utcnow()
    state.elapsed_seconds, state.started_at, state.is_paused = state.elapsed_at(now), None, True
    bump(state)
    record("stage.pause", round_, actor=actor, contest_id=round_.contest_id, elapsed=state.elapsed_seconds)


def resume_timer(round_: Round, *, actor: User | None) -> None:
    actor, state = _check_may_run(round_, actor)
    if state.current_registration_id is None or not state.is_paused:
        raise ServiceError(_l("The timer is not paused."))
    state.started_at, state.is_paused = utcnow(), False
    bump(state)
    record("stage.resume", round_, actor=actor, contest_id=round_.contest_id)


def close_performance(round_: Round, *, actor: User | None) -> PerformanceSlot:
    """End the performance on stage: its duration is kept, its sheets lock (a late one needs
    the chair's reopening with a reason), and time over the round's limit is recorded and,
    when the round sets a penalty, subtracted outside the jury once, with the overrun as reason."""
    actor, state = _check_may_run(round_, actor)
    if state.current_registration_id is None:
        raise ServiceError(_l("Nobody is on stage."))
    registration = db.session.get(Registration, state.current_registration_id)
    assert registration is not None  # the foreign key clears the column when the row goes
    slot = db.session.get(PerformanceSlot, (round_.id, registration.id))
    if slot is None or slot.closed_at is not None:
        raise ServiceError(_l("This performance is already closed."))
    now = utcnow()
    slot.duration_seconds, slot.closed_at = state.elapsed_at(now), now
    overrun = overrun_seconds(slot.duration_seconds, round_.time_limit_seconds)
    state.current_registration_id, state.started_at, state.elapsed_seconds, state.is_paused = None, None, 0, False
    state.reminded_member_ids = []
    bump(state)
    record("stage.close", registration, actor=actor, contest_id=round_.contest_id, round_id=round_.id,
           code=registration.code, duration=slot.duration_seconds, limit=round_.time_limit_seconds, overrun=overrun)
    if overrun and round_.overrun_penalty is not None:
        add_overrun_penalty(round_.contest, round_, registration, points=Decimal(round_.overrun_penalty),
                            reason=overrun_reason(slot.duration_seconds, round_), actor=actor)
    return slot


def overrun_seconds(duration: int, limit: int | None) -> int:
    """Seconds over the limit (0 within it, or without a limit)."""
    return max(0, duration - limit) if limit is not None else 0


def clock(seconds: int) -> str:
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes}:{rest:02d}"


def overrun_reason(duration: int, round_: Round) -> str:
    """The penalty's reason, in the language of the page that closed the performance (as an
    organiser would have typed it): the measured time against the limit."""
    return str(_l("Time limit overrun: %(duration)s against a limit of %(limit)s (min:s).",
                  duration=clock(duration), limit=clock(round_.time_limit_seconds or 0)))


# The jury during a performance ---------------------------------------------------------------------

@dataclass
class JurorStatus:
    member: JuryMember
    state: CellState
    reminded: bool


def _owed_sheets(round_: Round, registrations: list[Registration]) -> list[tuple[Registration, JuryMember, CellState]]:
    """Each juror who scores each of these performers, with the state of their sheet (the chair's
    n / m for one performer, the missing sheets of all closed ones). Seven queries, whatever the field."""
    ids = [registration.id for registration in registrations]
    scope = load_scope(round_, registration_ids=ids)
    statuses = {(member_id, registration_id): status for member_id, registration_id, status in db.session.execute(
        select(ScoreSheet.member_id, ScoreSheet.registration_id, ScoreSheet.status).where(
            ScoreSheet.round_id == round_.id, ScoreSheet.registration_id.in_(ids)))}
    return [(registration, member, CellState(statuses.get((member.id, registration.id), CellState.MISSING.value)))
            for registration in registrations for member in scope.members if scope.may_open(member, registration)]


def jurors_on(round_: Round, registration: Registration, state: StageState | None) -> list[JurorStatus]:
    """Each juror who scores this performer, with the state of their sheet. Seven queries."""
    reminded = set(state.reminded_member_ids) if state is not None else set()
    return [JurorStatus(member, sheet, member.id in reminded)
            for _registration, member, sheet in _owed_sheets(round_, [registration])]


def submitted_count(jurors: list[JurorStatus]) -> int:
    return sum(1 for juror in jurors if juror.state == CellState.SUBMITTED)


def missing_after_close(round_: Round, closed: list[Slot]) -> list[tuple[Slot, JuryMember]]:
    """The sheets closed performances still lack, for the chair to act on: each juror who
    scores a closed performer and has not submitted (a phone that was off line when the
    performance closed, a sheet reopened and not sent again). Seven queries, whatever the field."""
    if not closed:
        return []
    slots = {slot.registration.id: slot for slot in closed}
    return [(slots[registration.id], member)
            for registration, member, sheet in _owed_sheets(round_, [slot.registration for slot in closed])
            if sheet != CellState.SUBMITTED]


def remind_juror(round_: Round, member_id: int, *, actor: User | None) -> JuryMember:
    """A notice on the juror's page that the performer on stage waits for their sheet."""
    actor, state = _check_may_run(round_, actor)
    if state.current_registration_id is None:
        raise ServiceError(_l("Nobody is on stage."))
    registration = db.session.get(Registration, state.current_registration_id)
    assert registration is not None
    juror = next((item for item in jurors_on(round_, registration, state) if item.member.id == member_id), None)
    if juror is None:
        raise ServiceError(_l("This juror does not score the performer on stage."))
    if juror.state == CellState.SUBMITTED:
        raise ServiceError(_l("This juror has already submitted the sheet."))
    if member_id not in state.reminded_member_ids:
        state.reminded_member_ids = [*state.reminded_member_ids, member_id]
        bump(state)
    record("stage.remind", juror.member, actor=actor, contest_id=round_.contest_id, round_id=round_.id,
           code=registration.code)
    return juror.member


def reopen_late_sheet(round_: Round, member_id: int, registration_id: int, *, reason: str,
                      actor: User | None) -> ScoreSheet:
    """Let a juror send (or correct) the sheet of a closed performance."""
    actor, _state = _check_may_run(round_, actor)
    member = db.session.get(JuryMember, member_id)
    registration = db.session.get(Registration, registration_id)
    if member is None or member.contest_id != round_.contest_id or registration is None:
        raise ServiceError(_l("This juror does not score this performer."))
    slot = db.session.get(PerformanceSlot, (round_.id, registration.id))
    if slot is None or slot.closed_at is None:
        raise ServiceError(_l("This performance is not closed: the juror can still score it."))
    return judging.reopen_late_sheet(member, registration, round_, reason=reason, actor=actor)


# Results on the audience screen ---------------------------------------------------------------------

def reveal_results(round_: Round, category_id: int, *, actor: User | None) -> Category:
    """Show a category's published standings on the audience screen (after the ones shown)."""
    actor, state = _check_may_run(round_, actor, judging_only=False)
    category = next((item for item in round_.contest.categories if item.id == category_id), None)
    if category is None:
        raise ServiceError(_l("Choose a category of this contest."))
    snapshot = current_snapshot(round_.contest_id, with_data=False)
    if snapshot is None or round_.contest.status not in (ContestStatus.RESULTS_PUBLISHED.value,):
        raise ServiceError(_l("The results are not published yet: publish them first, then reveal them here."))
    if category.id not in state.revealed_category_ids:
        state.revealed_category_ids = [*state.revealed_category_ids, category.id]
        bump(state)
        record("stage.reveal", category, actor=actor, contest_id=round_.contest_id, round_id=round_.id,
               snapshot_id=snapshot.id)
    return category


def hide_results(round_: Round, *, actor: User | None) -> None:
    """Take every revealed category off the audience screen."""
    actor, state = _check_may_run(round_, actor, judging_only=False)
    if state.revealed_category_ids:
        state.revealed_category_ids = []
        bump(state)
        record("stage.hide_results", round_, actor=actor, contest_id=round_.contest_id)
