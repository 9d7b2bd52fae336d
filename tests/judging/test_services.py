"""Score sheets: points within the rules, drafts and submission, locks, stale pages, who may
score, conflicts, reopening, the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from contest.audit.models import AuditEvent
from contest.contests import services as contests
from contest.errors import ServiceError
from contest.judging import services
from contest.judging.assignment import entries_for_juror, may_open
from contest.judging.jury import set_member_categories
from contest.judging.models import JuryMember, Score, ScoreSheet
from tests.registration.helpers import one_work_entry


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def save(j, member=None, entry=None, *values, version=0, submit=False, actor=None, comment=""):
    member = member or j.jurors[0]
    entry = entry or j.entries[0]
    return services.save_sheet(member, entry, j.round, j.points(*values), comment=comment, version=version,
                               submit=submit, actor=actor or member.user)


def refused(db, call, message: str) -> None:
    """The call is refused with this message and writes nothing (not even a flushed row)."""
    before = (count(db, ScoreSheet), count(db, Score), count(db, AuditEvent))
    with pytest.raises(ServiceError) as error:
        call()
    assert message in str(error.value)
    assert (count(db, ScoreSheet), count(db, Score), count(db, AuditEvent)) == before


# Points ------------------------------------------------------------------------------------

def test_a_juror_saves_a_draft_then_submits(db, judging):
    j = judging()
    sheet = save(j, None, None, 7, "7.5", comment="Strong imagery")
    assert sheet.status == "draft" and sheet.version == 1
    assert sheet.points_by_criterion() == {j.criteria[0].id: 7, j.criteria[1].id: Decimal("7.5")}
    sheet = save(j, None, None, 8, "7,5", version=1, submit=True)  # a decimal comma is fine
    assert sheet.status == "submitted" and sheet.submitted_at is not None and sheet.version == 2
    db.session.commit()
    stored = db.session.scalars(select(Score.points).order_by(Score.criterion_id)).all()
    assert stored == [Decimal(8), Decimal("7.5")]


@pytest.mark.parametrize(("content", "form", "message"), [
    (-1, 5, "Points cannot be below 0 (Content)"),
    (11, 5, "At most 10 points for “Content”"),
    (5, "7.3", "Points for “Form” go in steps of 0.5"),
    (5, "7.25", "Points for “Form” go in steps of 0.5"),
    ("2.5", 5, "Points for “Content” go in steps of 1"),
    ("seven", 5, "“seven” is not a number of points (Content)"),
    ("NaN", 5, "“NaN” is not a number of points (Content)"),
    (5, "inf", "“inf” is not a number of points (Form)"),
    (5, float("nan"), "is not a number of points (Form)"),
    (True, 5, "is not a number of points (Content)"),
    ("1e999", 5, "At most 10 points for “Content”"),
    ("<script>", 5, "is not a number of points (Content)"),
])
def test_bad_points_are_refused_and_nothing_is_written(db, judging, content, form, message):
    j = judging()
    refused(db, lambda: save(j, None, None, content, form), message)


def test_bad_points_on_an_existing_sheet_leave_it_as_it_was(db, judging):
    j = judging()
    save(j, None, None, 7, 7)
    db.session.commit()
    refused(db, lambda: save(j, None, None, 7, 12, version=1), "At most 10 points")
    sheet = services.sheet_for(j.jurors[0], j.entries[0], j.round)
    assert sheet.version == 1 and sorted(sheet.points_by_criterion().values()) == [7, 7]


def test_submitting_needs_every_criterion_but_a_draft_may_leave_one_open(db, judging):
    j = judging()
    refused(db, lambda: save(j, None, None, 7, "", submit=True), "Score every criterion before submitting: Form")
    sheet = save(j, None, None, 7, "")
    assert sheet.points_by_criterion() == {j.criteria[0].id: 7}
    refused(db, lambda: save(j, None, None, 7, "", version=1, submit=True),
            "Score every criterion before submitting: Form")
    assert sheet.status == "draft"


def test_a_submitted_sheet_is_locked(db, judging):
    j = judging()
    save(j, None, None, 7, 7, submit=True)
    db.session.commit()
    refused(db, lambda: save(j, None, None, 9, 9, version=2), "submitted and locked")
    refused(db, lambda: save(j, None, None, 9, 9, version=1), "submitted and locked")  # a replayed form
    assert sorted(services.sheet_for(j.jurors[0], j.entries[0], j.round).points_by_criterion().values()) == [7, 7]


def test_a_save_from_a_stale_page_is_refused_and_never_overwrites(db, judging):
    j = judging()
    save(j, None, None, 5, 5)
    save(j, None, None, 6, 5, version=1)  # the phone saves first ...
    db.session.commit()
    refused(db, lambda: save(j, None, None, 9, 9, version=1), "Someone saved this score sheet after you opened it")
    refused(db, lambda: save(j, None, None, 9, 9, version=0), "Someone saved this score sheet")  # a second "new"
    sheet = services.sheet_for(j.jurors[0], j.entries[0], j.round)
    assert sheet.version == 2 and sheet.points_by_criterion()[j.criteria[0].id] == 6


def test_saving_the_same_values_again_changes_nothing(db, judging):
    j = judging()
    save(j, None, None, 5, 5)
    events = count(db, AuditEvent)
    sheet = save(j, None, None, "5", "5.0", version=1)
    assert sheet.version == 1 and count(db, AuditEvent) == events


def test_clearing_a_score_in_a_draft_removes_it(db, judging):
    j = judging()
    save(j, None, None, 5, 5)
    sheet = save(j, None, None, 5, None, version=1)
    assert list(sheet.points_by_criterion()) == [j.criteria[0].id] and sheet.version == 2


def test_an_unknown_criterion_is_refused(db, judging):
    j, other = judging(), judging()
    member = j.jurors[0]
    refused(db, lambda: services.save_sheet(member, j.entries[0], j.round, {other.criteria[0].id: 5}, version=0,
                                            actor=member.user), "not part of the contest")


def test_a_very_long_comment_is_refused(db, judging):
    j = judging()
    refused(db, lambda: save(j, None, None, 5, 5, comment="x" * 5001), "At most 5000 characters")


# Who may score -----------------------------------------------------------------------------

def test_a_juror_of_another_contest_cannot_score_this_contests_entry(db, judging):
    a, b = judging(), judging()
    juror_a = a.jurors[0]
    refused(db, lambda: services.save_sheet(juror_a, b.entries[0], b.round, b.points(5, 5), version=0,
                                            actor=juror_a.user), "not among the entries judged in this round")
    refused(db, lambda: services.save_sheet(juror_a, b.entries[0], a.round, a.points(5, 5), version=0,
                                            actor=juror_a.user), "not among the entries judged in this round")
    assert not may_open(juror_a, b.entries[0], b.round)
    assert entries_for_juror(juror_a, b.round) == []


def test_only_the_juror_themself_can_score(db, judging, make_user):
    j = judging()
    participant = make_user(role="participant")
    organiser = j.organiser
    for actor in (participant, organiser, j.jurors[1].user):
        refused(db, lambda actor=actor: save(j, None, None, 5, 5, actor=actor), "Only the jury member themself")


def test_a_jury_member_whose_account_became_a_participant_cannot_score(db, judging):
    j = judging()
    j.jurors[0].user.role = "participant"
    db.session.commit()
    refused(db, lambda: save(j, None, None, 5, 5), "Only the jury member themself")


def test_scoring_only_while_the_contest_is_judged(db, judging):
    j = judging(status="registration_closed")
    refused(db, lambda: save(j, None, None, 5, 5), "only while the contest is being judged")


def test_pending_rejected_or_withdrawn_entries_are_not_scored(db, judging, make_registration):
    j = judging()
    for status in ("pending", "rejected", "withdrawn"):
        entry = make_registration(j.contest, status=status)
        refused(db, lambda entry=entry: save(j, None, entry, 5, 5), "not among the entries judged")
    assert len(entries_for_juror(j.jurors[0], j.round)) == 3


def test_a_juror_restricted_to_a_category_sees_only_its_entries(db, judging, make_category, make_registration):
    j = judging()
    poetry = make_category(j.contest)
    in_poetry = make_registration(j.contest, status="approved", category=poetry)
    db.session.add(one_work_entry(in_poetry, title="Poem", text="A line"))
    db.session.commit()
    set_member_categories(j.jurors[0], [poetry], actor=j.organiser)
    assert entries_for_juror(j.jurors[0], j.round) == [in_poetry]
    assert len(entries_for_juror(j.jurors[1], j.round)) == 4
    refused(db, lambda: save(j, None, j.entries[0], 5, 5), "not assigned to you")


# Conflicts ---------------------------------------------------------------------------------

def test_a_declared_conflict_closes_the_entry(db, judging):
    j = judging()
    member, entry = j.jurors[0], j.entries[1]
    services.declare_conflict(member, entry, reason="My own pupil", actor=member.user)
    assert entry not in entries_for_juror(member, j.round)
    refused(db, lambda: save(j, member, entry, 5, 5), "conflict of interest with this entry")


def test_a_conflict_needs_a_reason_and_comes_before_submitting(db, judging):
    j = judging()
    member = j.jurors[0]
    with pytest.raises(ServiceError, match="Give the reason"):
        services.declare_conflict(member, j.entries[0], reason="  ", actor=member.user)
    save(j, member, j.entries[0], 5, 5, submit=True)
    with pytest.raises(ServiceError, match="ask an organiser to recuse you"):
        services.declare_conflict(member, j.entries[0], reason="Relative", actor=member.user)
    with pytest.raises(ServiceError, match="Only the jury member themself"):
        services.declare_conflict(member, j.entries[1], reason="Relative", actor=j.jurors[1].user)


def test_only_an_organiser_recuses_a_juror(db, judging):
    """That a recused juror's sheet stops counting is tested where sheets are counted: the
    results' standings (tests/results/test_services.py)."""
    j = judging()
    member = j.jurors[0]
    with pytest.raises(ServiceError, match="Only an organiser"):
        services.recuse_juror(member, j.entries[0], reason="Teacher", actor=member.user)
    conflict = services.recuse_juror(member, j.entries[0], reason="Found out she is his teacher", actor=j.organiser)
    assert (conflict.kind, conflict.reason) == ("recused", "Found out she is his teacher")


# Reopening and the audit trail --------------------------------------------------------------

def test_an_organiser_reopens_a_sheet_with_a_reason(db, judging):
    j = judging()
    member = j.jurors[0]
    sheet = save(j, member, None, 5, 5, submit=True)
    with pytest.raises(ServiceError, match="Give the reason"):
        services.reopen_sheet(sheet, reason="", actor=j.organiser)
    with pytest.raises(ServiceError, match="Only an organiser"):
        services.reopen_sheet(sheet, reason="typo", actor=member.user)
    sheet = services.reopen_sheet(sheet, reason="The juror typed 5 instead of 8", actor=j.organiser)
    assert sheet.status == "draft" and sheet.reopened_by_id == j.organiser.id and sheet.version == 2
    sheet = save(j, member, None, 8, 5, version=2, submit=True)
    assert sheet.points_by_criterion()[j.criteria[0].id] == 8
    with pytest.raises(ServiceError, match="Only a submitted score sheet"):
        services.reopen_sheet(save(j, j.jurors[1], None, 1, 1), reason="x", actor=j.organiser)


def test_the_entry_history_shows_every_change_old_and_new(db, judging):
    j = judging()
    member = j.jurors[0]
    save(j, member, None, 5, 5)
    save(j, member, None, 6, 5, version=1, comment="Better on a second reading")
    sheet = save(j, member, None, 6, 5, version=2, submit=True, comment="Better on a second reading")
    services.reopen_sheet(sheet, reason="Check Form", actor=j.organiser)
    services.declare_conflict(j.jurors[1], j.entries[0], reason="Neighbour", actor=j.jurors[1].user)
    save(j, member, j.entries[1], 1, 1)  # another entry: not in this history
    history = services.entry_history(j.entries[0])
    assert [event.action for event in history] == [
        "sheet.create", "sheet.update", "sheet.submit", "sheet.reopen", "conflict.declared"]
    created, updated = history[0], history[1]
    assert created.juror.id == member.id and created.actor.id == member.user_id
    assert [(c["criterion"], c["old"], c["new"]) for c in created.changes] == [
        ("Content", None, "5"), ("Form", None, "5")]
    assert updated.changes[0] == {"criterion_id": j.criteria[0].id, "criterion": "Content", "old": "5", "new": "6"}
    assert updated.changes[1]["new"] == "Better on a second reading"
    assert history[3].reason == "Check Form" and history[3].actor.id == j.organiser.id
    assert history[4].reason == "Neighbour"


# Database guards ---------------------------------------------------------------------------

def test_the_database_refuses_a_second_sheet_or_score_and_negative_points(db, judging, make_sheet):
    j = judging()
    member, entry = j.jurors[0], j.entries[0]
    make_sheet(member, entry, points={j.criteria[0]: 5})
    with pytest.raises(IntegrityError):
        make_sheet(member, entry)
    db.session.rollback()
    sheet = db.session.scalars(select(ScoreSheet)).one()
    with pytest.raises(IntegrityError):
        db.session.add(Score(sheet_id=sheet.id, criterion_id=j.criteria[0].id, points=3))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.add(Score(sheet_id=sheet.id, criterion_id=j.criteria[1].id, points=-1))
        db.session.commit()
    db.session.rollback()


def test_the_database_allows_one_chair_per_contest(db, judging):
    j = judging()
    j.jurors[0].is_chair = True
    db.session.commit()
    j.jurors[1].is_chair = True
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(JuryMember.is_chair.is_(True))) == 1


def test_criteria_cannot_change_once_scoring_has_started(db, judging, make_sheet):
    j = judging(status="registration_closed")  # the status alone would still allow changes
    contests.update_part(j.criteria[0], {"max_score": 20}, actor=j.organiser)
    make_sheet(j.jurors[0], j.entries[0])
    with pytest.raises(ServiceError, match="Scoring has started"):
        contests.update_part(j.criteria[0], {"max_score": 5}, actor=j.organiser)
    with pytest.raises(ServiceError, match="Scoring has started"):
        contests.delete_part(j.criteria[1], actor=j.organiser)
