"""The chair's stage control: on stage, the timer, closing locks the sheets, the overrun
penalty (added once), jurors' progress and reminders, late sheets, revealing results."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from contest.audit.models import AuditEvent
from contest.db import utcnow
from contest.errors import ServiceError
from contest.judging import services as judging
from contest.judging.models import Advancement
from contest.judging.progress import CellState
from contest.results.models import Adjustment
from contest.stage import control, order, screen
from contest.stage.models import StageState


def run_for(db, round_, seconds: int) -> None:
    """As if the performer on stage had started `seconds` ago."""
    state = db.session.get(StageState, round_.id)
    state.started_at = state.started_at - timedelta(seconds=seconds)
    db.session.flush()


def refused(call, *args, **kwargs) -> str:
    """The message a refused stage action gives the chair, word for word."""
    with pytest.raises(ServiceError) as refusal:
        call(*args, **kwargs)
    return str(refusal.value.message)


def last_event(db, action: str) -> tuple:
    """Who did it, to what, and what was kept: the newest audit event of `action`."""
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                               .order_by(AuditEvent.id.desc())).first()
    assert event is not None, f"no {action} in the audit log"
    return event.actor_id, event.object_type, event.object_id, event.data


def submit(j, member, entry):
    return judging.save_sheet(member, entry, j.round, j.points(7, 7), version=0, submit=True, actor=member.user)


def test_the_chair_calls_the_next_performer_and_the_order_moves_on(db, live):
    j = live(entries=3)
    chair = j.jurors[0].user
    order.mark_absent(j.round, j.entries[0].id, True, actor=chair)
    assert control.call_on_stage(j.round, None, actor=chair) == j.entries[1]  # the absent one is skipped
    state = db.session.get(StageState, j.round.id)
    assert control.next_up(order.running_order(j.round), state).registration == j.entries[2]  # not the one on stage
    with pytest.raises(ServiceError, match="Close the performance"):
        control.call_on_stage(j.round, None, actor=chair)
    control.close_performance(j.round, actor=chair)
    assert last_event(db, "stage.close")[3]["overrun"] == 0  # the round sets no time limit
    assert control.call_on_stage(j.round, None, actor=chair) == j.entries[2]
    control.close_performance(j.round, actor=chair)
    with pytest.raises(ServiceError, match="Nobody is waiting"):
        control.call_on_stage(j.round, None, actor=chair)


def test_a_closed_performance_locks_its_sheets_until_the_chair_reopens_one(db, live):
    j = live(entries=2)
    chair, late = j.jurors[0].user, j.jurors[1]
    control.call_on_stage(j.round, j.entries[0].id, actor=chair)
    judging.save_sheet(late, j.entries[0], j.round, j.points(5, None), version=0, actor=late.user)  # a draft
    control.close_performance(j.round, actor=chair)
    with pytest.raises(ServiceError, match="closed on stage"):
        judging.save_sheet(late, j.entries[0], j.round, j.points(5, 5), version=1, submit=True, actor=late.user)
    with pytest.raises(ServiceError, match="closed on stage"):  # a juror who had not started either
        submit(j, j.jurors[0], j.entries[0])
    with pytest.raises(ServiceError):  # the reason is required
        control.reopen_late_sheet(j.round, late.id, j.entries[0].id, reason=" ", actor=chair)
    sheet = control.reopen_late_sheet(j.round, late.id, j.entries[0].id, reason="Phone battery", actor=chair)
    judging.save_sheet(late, j.entries[0], j.round, j.points(5, 5), version=sheet.version, submit=True,
                       actor=late.user)
    with pytest.raises(ServiceError, match="not closed"):
        control.reopen_late_sheet(j.round, late.id, j.entries[1].id, reason="x", actor=chair)


def test_the_timer_pauses_and_resumes_only_when_it_can_and_each_is_audited(db, live):
    j = live(entries=1)
    chair = j.jurors[0].user
    assert refused(control.pause_timer, j.round, actor=chair) == "Nothing is running on stage."
    assert refused(control.resume_timer, j.round, actor=chair) == "The timer is not paused."
    control.call_on_stage(j.round, None, actor=chair)
    assert refused(control.resume_timer, j.round, actor=chair) == "The timer is not paused."  # it runs
    control.pause_timer(j.round, actor=chair)
    state = db.session.get(StageState, j.round.id)
    assert state.is_paused
    assert refused(control.pause_timer, j.round, actor=chair) == "Nothing is running on stage."
    version = state.version
    control.resume_timer(j.round, actor=chair)
    assert not state.is_paused and state.version == version + 1
    run_for(db, j.round, 30)
    assert state.elapsed_at(utcnow()) >= 30  # running again
    assert last_event(db, "stage.resume") == (chair.id, "Round", j.round.id, {"contest_id": j.contest.id})


def test_every_stage_action_is_audited_with_who_what_and_the_figures(db, live):
    j = live(entries=1, jurors=2)
    j.round.time_limit_seconds = 60
    chair, juror = j.jurors[0].user, j.jurors[1]
    first = control.call_on_stage(j.round, None, actor=chair)
    state = db.session.get(StageState, j.round.id)
    assert (state.elapsed_seconds, state.is_paused) == (0, False)
    control.remind_juror(j.round, juror.id, actor=chair)
    control.pause_timer(j.round, actor=chair)
    control.resume_timer(j.round, actor=chair)
    run_for(db, j.round, 75)
    slot = control.close_performance(j.round, actor=chair)
    assert (state.current_registration_id, state.started_at, state.elapsed_seconds, state.is_paused,
            state.reminded_member_ids) == (None, None, 0, False, [])
    actions = ("stage.on_stage", "stage.remind", "stage.pause", "stage.resume", "stage.close")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id))
    where = {"contest_id": j.contest.id, "round_id": j.round.id}
    assert [(event.action, event.actor_id, event.object_type, event.object_id, event.data) for event in events] == [
        ("stage.on_stage", chair.id, "Registration", first.id, {**where, "code": first.code}),
        ("stage.remind", chair.id, "JuryMember", juror.id, {**where, "code": first.code}),
        ("stage.pause", chair.id, "Round", j.round.id, {"contest_id": j.contest.id, "elapsed": 0}),
        ("stage.resume", chair.id, "Round", j.round.id, {"contest_id": j.contest.id}),
        ("stage.close", chair.id, "Registration", first.id,
         {**where, "code": first.code, "duration": slot.duration_seconds, "limit": 60,
          "overrun": slot.duration_seconds - 60}),
    ]


def test_the_clock_shows_minutes_and_seconds():
    assert [control.clock(seconds) for seconds in (0, 5, 60, 185, -3)] == ["0:00", "0:05", "1:00", "3:05", "0:00"]


def test_each_refusal_tells_the_chair_what_is_wrong(db, live):
    j = live(entries=2, jurors=2)
    chair, juror = j.jurors[0].user, j.jurors[1]
    j.contest.status = "registration_closed"
    assert refused(control.call_on_stage, j.round, None, actor=chair) == \
        "The stage runs while the contest is being judged."
    j.contest.status = "judging"
    not_here = "This performer is absent, has already performed or is not in this round."
    assert refused(control.close_performance, j.round, actor=chair) == "Nobody is on stage."
    assert refused(control.remind_juror, j.round, juror.id, actor=chair) == "Nobody is on stage."
    order.mark_absent(j.round, j.entries[1].id, True, actor=chair)
    assert refused(control.call_on_stage, j.round, j.entries[1].id, actor=chair) == not_here  # absent
    assert refused(control.call_on_stage, j.round, j.entries[1].id + 1000, actor=chair) == not_here
    first = control.call_on_stage(j.round, j.entries[0].id, actor=chair)
    assert refused(control.call_on_stage, j.round, None, actor=chair) == "Close the performance on stage first."
    assert refused(control.remind_juror, j.round, juror.id + 1000, actor=chair) == \
        "This juror does not score the performer on stage."
    submit(j, juror, first)
    assert refused(control.remind_juror, j.round, juror.id, actor=chair) == \
        "This juror has already submitted the sheet."
    control.close_performance(j.round, actor=chair)
    assert refused(control.call_on_stage, j.round, first.id, actor=chair) == not_here  # performed already
    assert refused(control.call_on_stage, j.round, None, actor=chair) == "Nobody is waiting to perform."


def test_the_chair_sees_which_sheets_closed_performances_still_lack(db, live):
    j = live(entries=3, jurors=3)
    chair, (first_juror, second_juror, third_juror) = j.jurors[0].user, j.jurors
    first = control.call_on_stage(j.round, None, actor=chair)
    submit(j, first_juror, first)
    submit(j, second_juror, first)
    control.close_performance(j.round, actor=chair)  # the third juror's phone was off line
    second = j.entries[1]
    judging.declare_conflict(third_juror, second, reason="My pupil", actor=third_juror.user)
    control.call_on_stage(j.round, second.id, actor=chair)
    submit(j, first_juror, second)
    submit(j, second_juror, second)
    control.close_performance(j.round, actor=chair)
    third = control.call_on_stage(j.round, None, actor=chair)  # on stage, not closed: its sheets are still coming
    on_stage = control.jurors_on(j.round, third, db.session.get(StageState, j.round.id))
    assert {item.state for item in on_stage} == {CellState.MISSING}  # sheets for others are not theirs

    def missing() -> set[tuple[int, int]]:
        closed = [slot for slot in order.running_order(j.round) if slot.is_closed]
        return {(slot.registration.id, member.id) for slot, member in control.missing_after_close(j.round, closed)}

    assert missing() == {(first.id, third_juror.id)}  # not the conflicted juror's, not the one on stage
    sheet = control.reopen_late_sheet(j.round, third_juror.id, first.id, reason="Wi-Fi", actor=chair)
    assert missing() == {(first.id, third_juror.id)}  # reopened, not yet sent
    judging.save_sheet(third_juror, first, j.round, j.points(6, 6), version=sheet.version, submit=True,
                       actor=third_juror.user)
    assert missing() == set()
    control.reopen_late_sheet(j.round, second_juror.id, second.id, reason="A wrong score", actor=chair)
    assert missing() == {(second.id, second_juror.id)}  # back to a draft: missing until sent again
    assert control.missing_after_close(j.round, []) == []


def test_a_late_sheet_is_reopened_only_for_a_juror_and_a_performer_of_this_round(db, live):
    j = live(entries=1)
    other = live(entries=1)
    chair = j.jurors[0].user
    control.call_on_stage(j.round, None, actor=chair)
    control.close_performance(j.round, actor=chair)
    entry = j.entries[0]
    for member_id, registration_id in ((other.jurors[1].id, entry.id), (0, entry.id), (j.jurors[1].id, 0)):
        assert refused(control.reopen_late_sheet, j.round, member_id, registration_id, reason="Wi-Fi",
                       actor=chair) == "This juror does not score this performer."
    assert refused(control.reopen_late_sheet, j.round, j.jurors[1].id, other.entries[0].id, reason="Wi-Fi",
                   actor=chair) == "This performance is not closed: the juror can still score it."
    assert control.reopen_late_sheet(j.round, j.jurors[1].id, entry.id, reason="Wi-Fi", actor=chair).status == "draft"


def test_a_final_counts_only_its_own_sheets(db, live, make_round):
    """A performer who advanced from the qualifying round: the juror's sheet of that round is
    not a sheet for the final, neither on the chair's table nor in the missing list."""
    j = live(entries=1)
    chair, juror, entry = j.jurors[0].user, j.jurors[1], j.entries[0]
    submit(j, juror, entry)  # the qualifying round, scored
    final = make_round(j.contest, is_live=True)
    db.session.add(Advancement(round_id=j.round.id, registration_id=entry.id))
    db.session.commit()
    control.call_on_stage(final, None, actor=chair)
    state = db.session.get(StageState, final.id)
    assert {item.member.id: item.state for item in control.jurors_on(final, entry, state)}[juror.id] == \
        CellState.MISSING
    mine = screen.juror_view(final.id, juror.user).data  # the juror's phone: nothing sent for the final
    assert (mine["registration_id"], mine["sheet"], mine["sheet_version"]) == (entry.id, "missing", 0)
    control.close_performance(final, actor=chair)
    closed = [slot for slot in order.running_order(final) if slot.is_closed]
    assert (closed[0], juror) in control.missing_after_close(final, closed)


def test_an_overrun_is_recorded_and_its_penalty_added_once(db, live):
    j = live(entries=2)
    j.round.time_limit_seconds, j.round.overrun_penalty = 180, Decimal(2)
    control.call_on_stage(j.round, None, actor=j.organiser)
    control.pause_timer(j.round, actor=j.organiser)
    state = db.session.get(StageState, j.round.id)
    state.elapsed_seconds = 150
    control.resume_timer(j.round, actor=j.organiser)
    run_for(db, j.round, 50)
    slot = control.close_performance(j.round, actor=j.organiser)
    assert 200 <= slot.duration_seconds <= 202
    with pytest.raises(ServiceError):
        control.close_performance(j.round, actor=j.organiser)
    penalties = list(db.session.scalars(select(Adjustment)))
    assert [(item.registration_id, item.points, item.kind) for item in penalties] == \
        [(j.entries[0].id, Decimal(-2), "time_overrun")]
    assert re.fullmatch(r"Time limit overrun: 3:2[0-2] against a limit of 3:00 \(min:s\)\.", penalties[0].reason)
    assert penalties[0].created_by_id == j.organiser.id
    # Within the limit: nothing.
    control.call_on_stage(j.round, None, actor=j.organiser)
    run_for(db, j.round, 170)
    control.close_performance(j.round, actor=j.organiser)
    assert db.session.scalar(select(Adjustment.id).where(Adjustment.registration_id == j.entries[1].id)) is None


def test_an_overrun_without_a_penalty_is_only_recorded(db, live):
    j = live(entries=1)
    j.round.time_limit_seconds = 60
    control.call_on_stage(j.round, None, actor=j.organiser)
    run_for(db, j.round, 90)
    assert control.close_performance(j.round, actor=j.organiser).duration_seconds >= 90
    assert db.session.scalar(select(Adjustment.id)) is None


def test_the_chair_sees_who_submitted_and_reminds_the_others(db, live):
    j = live(entries=1, jurors=3)
    chair = j.jurors[0].user
    entry = control.call_on_stage(j.round, None, actor=chair)
    submit(j, j.jurors[1], entry)
    state = db.session.get(StageState, j.round.id)
    jurors = control.jurors_on(j.round, entry, state)
    assert control.submitted_count(jurors) == 1 and len(jurors) == 3
    with pytest.raises(ServiceError, match="already submitted"):
        control.remind_juror(j.round, j.jurors[1].id, actor=chair)
    version = state.version
    control.remind_juror(j.round, j.jurors[2].id, actor=chair)
    assert state.version == version + 1
    reminded = {item.member.id: item.reminded for item in control.jurors_on(j.round, entry, state)}
    assert reminded == {j.jurors[0].id: False, j.jurors[1].id: False, j.jurors[2].id: True}
    assert {item.member.id: item.state for item in control.jurors_on(j.round, entry, state)}[j.jurors[2].id] == \
        CellState.MISSING


def test_a_plain_juror_cannot_run_the_stage(db, live):
    j = live(entries=1)
    with pytest.raises(ServiceError, match="chair"):
        control.call_on_stage(j.round, None, actor=j.jurors[1].user)
    assert db.session.get(StageState, j.round.id) is None


def test_results_are_revealed_only_once_published(db, live):
    j = live(entries=1)
    category = j.contest.categories[0]
    assert refused(control.reveal_results, j.round, category.id, actor=j.organiser) == \
        "The results are not published yet: publish them first, then reveal them here."
    other = live(entries=1)
    assert refused(control.reveal_results, j.round, other.contest.categories[0].id, actor=j.organiser) == \
        "Choose a category of this contest."
