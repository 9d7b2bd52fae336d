"""Score sheets word for word: each refusal a juror or organiser reads, beside its field and
with nothing written; what the audit trail and an entry's history record; conflicts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text

from contest.audit.models import AuditEvent
from contest.contests import services as contests
from contest.errors import ServiceError, ServiceErrors
from contest.judging import services
from contest.judging.models import Advancement, Conflict, Score, ScoreSheet
from tests.judging.test_services import save

NOT_A_NUMBER = "“{}” is not a number of points ({})."
JUROR_ONLY = "Only the jury member themself can score on their sheet."
NOT_JUDGING = "Scoring is possible only while the contest is being judged."
ARCHIVED = "This contest is archived: nothing in it can change any more."
PUBLISHED = "The results are published: the jury and its assignments can no longer change."
ORGANISER_ONLY = "Only an organiser can do this."


def written(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (ScoreSheet, Score, AuditEvent, Conflict))


def refusal(db, call) -> ServiceError:
    """The refusal of `call`, which must write nothing."""
    before = written(db)
    with pytest.raises(ServiceError) as error:
        call()
    assert written(db) == before
    return error.value


def said(error: ServiceError) -> list[tuple[str, str | None]]:
    """Each message the person reads, with the field it stands beside."""
    return [(str(one.message), one.field) for one in getattr(error, "errors", [error])]


def refused(db, call, message: str, field: str | None = None) -> None:
    assert said(refusal(db, call)) == [(message, field)]


def events(db, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    return list(db.session.scalars(query if action is None else query.where(AuditEvent.action == action)))


# Points ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("which", "raw", "points"), [
    (0, None, None), (0, "", None), (0, "  \t", None), (0, 0, Decimal(0)), (0, "0", Decimal(0)),
    (0, 10, Decimal(10)), (0, " 7 ", Decimal(7)), (0, Decimal(3), Decimal(3)),
    (0, "7.000000000000000000", Decimal(7)),  # twenty characters: the most a number may take
    (1, "0.5", Decimal("0.5")), (1, 7.5, Decimal("7.5")), (1, "9,5", Decimal("9.5")), (1, "10", Decimal(10)),
])
def test_points_on_the_scale_are_accepted(db, judging, which, raw, points):
    j = judging()
    value = services.checked_points(j.criteria[which], raw)
    assert value == points and (value is None) == (points is None)


@pytest.mark.parametrize(("which", "raw", "message"), [
    (0, "1" * 25, NOT_A_NUMBER.format("1" * 20, "Content")),  # quoted up to 20 characters
    (0, "7.0000000000000000000", NOT_A_NUMBER.format("7.000000000000000000", "Content")),
    (0, False, NOT_A_NUMBER.format("False", "Content")),
    (1, "7 points", NOT_A_NUMBER.format("7 points", "Form")),
    (0, 10 ** 25, "At most 10 points for “Content”."),
    (0, "10.001", "At most 10 points for “Content”."),
    (0, "-0.5", "Points cannot be below 0 (Content)."),
    (1, "0.25", "Points for “Form” go in steps of 0.5."),
    (0, "0.5", "Points for “Content” go in steps of 1."),
])
def test_points_off_the_scale_are_refused_beside_their_field(db, judging, which, raw, message):
    j = judging()
    criterion = j.criteria[which]
    with pytest.raises(ServiceError) as error:
        services.checked_points(criterion, raw)
    assert said(error.value) == [(message, f"points_{criterion.id}")]


def test_a_refusal_reads_in_the_jurors_language(db, judging):
    j = judging()
    with pytest.raises(ServiceError) as error:
        services.checked_points(j.criteria[1], "11")
    with force_locale("kk"):
        assert str(error.value.message) == "«Form» бойынша ең көбі 10 ұпай."


def test_every_bad_score_and_the_comment_are_reported_at_once(db, judging):
    j = judging()
    content, form = (f"points_{criterion.id}" for criterion in j.criteria)
    error = refusal(db, lambda: save(j, None, None, "abc", "11", comment="x" * 5001))
    assert isinstance(error, ServiceErrors)
    assert said(error) == [(NOT_A_NUMBER.format("abc", "Content"), content),
                           ("At most 10 points for “Form”.", form), ("At most 5000 characters.", "comment")]


def test_a_wrong_score_is_not_also_called_missing_when_submitting(db, judging):
    j = judging()
    content, form = (f"points_{criterion.id}" for criterion in j.criteria)
    error = refusal(db, lambda: save(j, None, None, "abc", "", submit=True))
    assert said(error) == [(NOT_A_NUMBER.format("abc", "Content"), content),
                           ("Score every criterion before submitting: Form is missing.", form)]
    refused(db, lambda: save(j, None, None, "", " ", submit=True),
            "Score every criterion before submitting: Content, Form is missing.", content)


@pytest.mark.parametrize("key", ["first", True, None])
def test_a_sheet_naming_something_else_than_a_criterion_is_refused(db, judging, key):
    j = judging()
    member = j.jurors[0]
    points = {key: 5, j.criteria[1].id: 5}  # (True == 1 as a key: it stands alone or first)
    refused(db, lambda: services.save_sheet(member, j.entries[0], j.round, points, version=0, actor=member.user),
            "This sheet names a criterion that is not part of the contest.")


def test_criteria_may_be_named_by_their_rows(db, judging):
    j = judging()
    member = j.jurors[0]
    sheet = services.save_sheet(member, j.entries[0], j.round, {j.criteria[0]: 4, j.criteria[1]: "4.5"},
                                version=0, submit=True, actor=member.user)
    assert sheet.points_by_criterion() == {j.criteria[0].id: 4, j.criteria[1].id: Decimal("4.5")}


def test_the_comment_is_kept_without_blanks_up_to_its_limit(db, judging):
    j = judging()
    assert save(j, None, None, 5, 5, comment="  Vivid  ").comment == "Vivid"
    assert save(j, None, None, 5, 5, version=1, comment="x" * 5000).comment == "x" * 5000
    refused(db, lambda: save(j, None, None, 5, 5, version=2, comment="y" * 5001), "At most 5000 characters.",
            "comment")


# Who may score -----------------------------------------------------------------------------

def test_a_blocked_juror_account_or_nobody_cannot_score(db, judging):
    j = judging()
    member = j.jurors[0]
    refused(db, lambda: save(j, None, None, 5, 5, actor=j.organiser), JUROR_ONLY)
    member.user.is_active = False
    db.session.commit()
    refused(db, lambda: save(j, None, None, 5, 5), JUROR_ONLY)
    refused(db, lambda: services.save_sheet(member, j.entries[0], j.round, j.points(5, 5), version=0, actor=None),
            JUROR_ONLY)


@pytest.mark.parametrize(("status", "message"), [("registration_closed", NOT_JUDGING),
                                                 ("results_published", NOT_JUDGING), ("archived", ARCHIVED)])
def test_scores_are_written_only_while_judging(db, judging, status, message):
    j = judging(status=status)
    refused(db, lambda: save(j, None, None, 5, 5), message)


def test_the_reason_an_entry_is_closed_is_told_word_for_word(db, judging):
    j = judging(jurors=2)
    services.declare_conflict(j.jurors[0], j.entries[0], reason="My pupil", actor=j.jurors[0].user)
    refused(db, lambda: save(j, None, None, 5, 5),
            "You have a conflict of interest with this entry, so you cannot open or score it.")


# Score sheets and their audit trail ---------------------------------------------------------

def test_each_write_is_recorded_with_the_juror_the_entry_and_the_change(db, judging):
    j = judging()
    member, entry = j.jurors[0], j.entries[0]
    sheet = save(j, member, entry, 5, "", comment="First reading")
    where = {"member_id": member.id, "registration_id": entry.id, "round_id": j.round.id, "source": "online"}
    (created,) = events(db)
    assert (created.action, created.actor_id, created.object_type, created.object_id) == (
        "sheet.create", member.user_id, "ScoreSheet", sheet.id)
    content, form = j.criteria
    assert created.data == {**where, "changes": [
        {"criterion_id": content.id, "criterion": "Content", "old": None, "new": "5"},
        {"comment": True, "old": "", "new": "First reading"}]}
    with force_locale("ru"):  # the trail keeps the English names, whoever wrote
        save(j, member, entry, "", "7.5", version=1, comment="First reading")
    save(j, member, entry, 4, "7.5", version=2, submit=True, comment="First reading")
    updated, _, submitted = events(db)[1:]
    assert updated.action == "sheet.update" and updated.data == {**where, "changes": [
        {"criterion_id": content.id, "criterion": "Content", "old": "5", "new": None},
        {"criterion_id": form.id, "criterion": "Form", "old": None, "new": "7.5"}]}
    assert (submitted.action, submitted.actor_id, submitted.data) == ("sheet.submit", member.user_id, where)


def test_a_first_save_without_scores_or_comment_still_creates_the_sheet(db, judging):
    j = judging()
    member, entry = j.jurors[0], j.entries[0]
    sheet = services.save_sheet(member, entry, j.round, {}, version=0, actor=member.user)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(ScoreSheet, sheet.id)
    assert (stored.status, stored.version, stored.source, stored.comment, stored.reopen_reason, stored.scores) == (
        "draft", 1, "online", "", "", [])
    assert stored.created_at is not None and stored.created_at == stored.updated_at
    (created,) = events(db)
    assert (created.action, created.data["changes"]) == ("sheet.create", [])


def test_submitting_an_unchanged_draft_moves_the_version_and_records_only_the_submission(db, judging):
    j = judging()
    member = j.jurors[0]
    first = save(j, member, None, 5, 5)
    updated_at = first.updated_at
    sheet = save(j, member, None, "5.0", 5, version=1, submit=True)
    assert (sheet.status, sheet.version, sheet.submitted_by_id) == ("submitted", 2, member.user_id)
    assert sheet.submitted_at is not None and sheet.updated_at > updated_at
    assert [event.action for event in events(db)] == ["sheet.create", "sheet.submit"]


def test_a_sheet_submitted_in_one_go_stays_at_its_first_version(db, judging):
    j = judging()
    sheet = save(j, None, None, 5, 5, submit=True)
    assert (sheet.status, sheet.version, sheet.source) == ("submitted", 1, "online")
    assert [event.action for event in events(db)] == ["sheet.create", "sheet.submit"]
    db.session.commit()
    refused(db, lambda: save(j, None, None, 6, 6, version=1),
            "This score sheet is submitted and locked; an organiser can reopen it.")


def test_a_save_sees_what_another_device_wrote_meanwhile(db, judging):
    j = judging()
    save(j, None, None, 5, 5)
    db.session.commit()
    sheet = services.sheet_for(j.jurors[0], j.entries[0], j.round)  # this request's copy: version 1
    # The phone saves version 2 behind this request's back.
    db.session.execute(text("UPDATE score_sheet SET version = 2 WHERE id = :id"), {"id": sheet.id})
    refused(db, lambda: save(j, None, None, 6, 6, version=1),
            "Someone saved this score sheet after you opened it (another tab or device?). Nothing was "
            "changed: reload the sheet, check the scores and save again.")
    assert save(j, None, None, 6, 6, version=2).version == 3


# Reopening ---------------------------------------------------------------------------------

def test_reopening_is_refused_word_for_word_and_writes_nothing(db, judging, make_user):
    j = judging()
    sheet = save(j, None, None, 5, 5, submit=True)
    db.session.commit()
    refused(db, lambda: services.reopen_sheet(sheet, reason="Typo", actor=j.jurors[0].user), ORGANISER_ONLY)
    refused(db, lambda: services.reopen_sheet(sheet, reason="Typo", actor=None), ORGANISER_ONLY)
    refused(db, lambda: services.reopen_sheet(sheet, reason=" ", actor=j.organiser), "Give the reason.", "reason")
    refused(db, lambda: services.reopen_sheet(sheet, reason="x" * 1001, actor=j.organiser),
            "The reason is too long (at most 1000 characters).", "reason")
    draft = save(j, j.jurors[1], None, 5, 5)
    refused(db, lambda: services.reopen_sheet(draft, reason="Typo", actor=j.organiser),
            "Only a submitted score sheet can be reopened.")
    for status, message in (("results_published", NOT_JUDGING), ("archived", ARCHIVED)):
        j.contest.status = status
        refused(db, lambda: services.reopen_sheet(sheet, reason="Typo", actor=j.organiser), message)


def test_an_admin_reopens_with_the_reason_kept_and_recorded(db, judging, make_user):
    j = judging()
    member = j.jurors[0]
    sheet = save(j, member, None, 5, 5, submit=True)
    admin = make_user(role="admin")
    sheet = services.reopen_sheet(sheet, reason=" " + "r" * 999 + " ", actor=admin)
    assert (sheet.status, sheet.version, sheet.reopened_by_id, sheet.reopen_reason) == ("draft", 2, admin.id,
                                                                                       "r" * 999)
    assert sheet.reopened_at is not None
    reopened = events(db, "sheet.reopen")[0]
    assert (reopened.actor_id, reopened.object_id) == (admin.id, sheet.id)
    assert reopened.data == {"member_id": member.id, "registration_id": j.entries[0].id, "round_id": j.round.id,
                             "source": "online", "reason": "r" * 999}


def test_reopening_a_sheet_deleted_meanwhile_is_refused_as_stale(db, judging):
    j = judging()
    sheet = save(j, None, None, 5, 5, submit=True)
    db.session.commit()
    db.session.execute(text("DELETE FROM score WHERE sheet_id = :id"), {"id": sheet.id})
    db.session.execute(text("DELETE FROM score_sheet WHERE id = :id"), {"id": sheet.id})
    with pytest.raises(ServiceError) as error:
        services.reopen_sheet(sheet, reason="Typo", actor=j.organiser)
    assert str(error.value.message).startswith("Someone saved this score sheet after you opened it")
    assert events(db, "sheet.reopen") == []


# Conflicts of interest ---------------------------------------------------------------------

def test_only_a_submitted_sheet_of_the_same_juror_and_entry_stops_a_declaration(db, judging, make_sheet):
    j = judging(jurors=2)
    member, other = j.jurors
    make_sheet(member, j.entries[0])  # a draft
    make_sheet(member, j.entries[1], status="submitted")
    make_sheet(other, j.entries[2], status="submitted")
    conflicts = [services.declare_conflict(member, entry, reason=" Pupil ", actor=member.user)
                 for entry in (j.entries[0], j.entries[2])]
    assert [(c.kind, c.reason, c.created_by_id) for c in conflicts] == [("declared", "Pupil", member.user_id)] * 2
    declared = events(db, "conflict.declared")[0]
    assert (declared.actor_id, declared.object_type, declared.object_id) == (member.user_id, "Conflict",
                                                                              conflicts[0].id)
    assert declared.data == {"member_id": member.id, "registration_id": j.entries[0].id, "reason": "Pupil"}
    refused(db, lambda: services.declare_conflict(member, j.entries[1], reason="Pupil", actor=member.user),
            "You have already submitted a score sheet for this entry; ask an organiser to recuse you.")


def test_a_conflict_is_refused_word_for_word_and_writes_nothing(db, judging):
    j, other = judging(), judging()
    member = j.jurors[0]
    services.declare_conflict(member, j.entries[0], reason="Pupil", actor=member.user)
    refused(db, lambda: services.declare_conflict(member, j.entries[0], reason="Niece", actor=member.user),
            "A conflict of interest with this entry is already recorded.")
    refused(db, lambda: services.recuse_juror(member, j.entries[0], reason="Niece", actor=j.organiser),
            "A conflict of interest with this entry is already recorded.")
    refused(db, lambda: services.declare_conflict(member, other.entries[0], reason="Niece", actor=member.user),
            "This entry is not among the entries judged in this round.")
    refused(db, lambda: services.declare_conflict(member, j.entries[1], reason="Niece", actor=j.jurors[1].user),
            "Only the jury member themself can declare a conflict of interest.")
    refused(db, lambda: services.declare_conflict(member, j.entries[1], reason="", actor=member.user),
            "Give the reason.", "reason")
    refused(db, lambda: services.recuse_juror(member, j.entries[1], reason="x" * 1001, actor=j.organiser),
            "The reason is too long (at most 1000 characters).", "reason")
    refused(db, lambda: services.recuse_juror(member, j.entries[1], reason="Niece", actor=member.user),
            ORGANISER_ONLY)
    for status, message in (("results_published", PUBLISHED), ("archived", ARCHIVED)):
        j.contest.status = status
        refused(db, lambda: services.declare_conflict(member, j.entries[1], reason="Niece", actor=member.user),
                message)
        refused(db, lambda: services.recuse_juror(member, j.entries[1], reason="Niece", actor=j.organiser),
                message)


def test_a_recusal_is_recorded_with_the_organiser_and_the_reason(db, judging):
    j = judging()
    member = j.jurors[0]
    conflict = services.recuse_juror(member, j.entries[1], reason=" Her teacher ", actor=j.organiser)
    assert (conflict.kind, conflict.reason, conflict.created_by_id) == ("recused", "Her teacher", j.organiser.id)
    (recused,) = events(db, "conflict.recused")
    assert (recused.actor_id, recused.object_id) == (j.organiser.id, conflict.id)
    assert recused.data == {"member_id": member.id, "registration_id": j.entries[1].id, "reason": "Her teacher"}


def test_another_contests_scores_do_not_freeze_this_contests_criteria(db, judging, make_sheet):
    j, other = judging(status="registration_closed"), judging()
    make_sheet(other.jurors[0], other.entries[0])
    contests.update_part(j.criteria[0], {"max_score": 20}, actor=j.organiser)
    assert j.criteria[0].max_score == 20


def test_the_setup_frozen_by_the_first_sheet_is_named_word_for_word(db, judging, make_sheet):
    j = judging(status="registration_closed")
    make_sheet(j.jurors[0], j.entries[0])
    with pytest.raises(ServiceError) as error:
        contests.update_part(j.criteria[0], {"max_score": 20}, actor=j.organiser)
    assert said(error.value) == [("Scoring has started: rounds, categories, criteria and award tiers can no "
                                  "longer change.", None)]


# History ----------------------------------------------------------------------------------

def test_the_history_names_the_round_the_source_and_the_reasons(db, judging):
    j = judging(jurors=2)
    member, other = j.jurors
    assert services.entry_history(j.entries[0]) == []
    save(j, member, None, 5, 5, submit=True)
    services.declare_conflict(other, j.entries[0], reason="Neighbour", actor=other.user)
    services.declare_conflict(other, j.entries[1], reason="Cousin", actor=other.user)  # another entry
    history = services.entry_history(j.entries[0])
    assert [(e.action, e.juror.id, e.actor.id, e.round_id, e.source, e.reason) for e in history] == [
        ("sheet.create", member.id, member.user_id, j.round.id, "online", ""),
        ("sheet.submit", member.id, member.user_id, j.round.id, "online", ""),
        ("conflict.declared", other.id, other.user_id, None, None, "Neighbour")]
    assert [len(event.changes) for event in history] == [2, 0, 0]
    assert [event.at for event in history] == [event.at for event in events(db)[:3]]  # the fourth: entry 2
    assert history[0].juror.name == member.user.name


def test_another_jurors_conflict_with_the_entry_does_not_stop_a_declaration(db, judging):
    j = judging(jurors=2)
    member, other = j.jurors
    services.declare_conflict(other, j.entries[0], reason="Niece", actor=other.user)
    conflict = services.recuse_juror(member, j.entries[0], reason="Her teacher", actor=j.organiser)
    assert (conflict.member_id, conflict.registration_id, conflict.kind) == (member.id, j.entries[0].id, "recused")


def test_events_recorded_at_the_same_instant_keep_the_order_they_were_written(db, judging):
    j = judging(jurors=2)
    member, other = j.jurors
    save(j, member, None, 5, 5, submit=True)
    services.declare_conflict(other, j.entries[0], reason="Neighbour", actor=other.user)
    db.session.commit()
    db.session.execute(text("UPDATE audit_event SET at = (SELECT MAX(at) FROM audit_event)"))
    assert [event.action for event in services.entry_history(j.entries[0])] == [
        "sheet.create", "sheet.submit", "conflict.declared"]


def test_a_sheet_is_found_only_for_its_own_juror_entry_and_round(db, judging, make_round, make_sheet):
    j = judging(jurors=2)
    member, other = j.jurors
    final = make_round(j.contest, position=j.round.position + 1)
    sheet = make_sheet(member, j.entries[0], j.round, points={j.criteria[0]: 5})
    for juror, entry, round_ in ((other, j.entries[0], j.round), (member, j.entries[1], j.round),
                                 (member, j.entries[0], final)):
        assert services.sheet_for(juror, entry, round_) is None
    later = [make_sheet(member, j.entries[1], j.round), make_sheet(member, j.entries[0], final)]
    assert services.sheet_for(member, j.entries[0], j.round) == sheet
    assert [services.sheet_for(member, entry, round_) for entry, round_ in ((j.entries[1], j.round),
                                                                           (j.entries[0], final))] == later
    assert services.sheet_for(member, j.entries[0], j.round).points_by_criterion() == {j.criteria[0].id: 5}


def test_a_final_gets_its_own_sheet_beside_the_one_submitted_in_the_first_round(db, judging, make_round):
    j = judging()
    member, entry = j.jurors[0], j.entries[0]
    first = save(j, member, entry, 5, 5, submit=True)
    final = make_round(j.contest, position=j.round.position + 1)
    db.session.add(Advancement(round_id=j.round.id, registration_id=entry.id, place=1))
    db.session.commit()
    sheet = services.save_sheet(member, entry, final, j.points(9, 9), version=0, actor=member.user)
    assert (sheet.id != first.id, sheet.round_id, sheet.status, sheet.version) == (True, final.id, "draft", 1)
    assert sheet.points_by_criterion() == {j.criteria[0].id: 9, j.criteria[1].id: 9}
    db.session.expire_all()
    assert services.sheet_for(member, entry, j.round).points_by_criterion() == {j.criteria[0].id: 5,
                                                                                j.criteria[1].id: 5}


def test_the_trail_writes_whole_points_and_zero_as_plain_numbers(db, judging):
    j = judging()
    member = j.jurors[0]
    save(j, member, None, 10, "10.0")
    save(j, member, None, 0, "0.0", version=1)
    content, form = j.criteria
    assert events(db)[1].data["changes"] == [
        {"criterion_id": content.id, "criterion": "Content", "old": "10", "new": "0"},
        {"criterion_id": form.id, "criterion": "Form", "old": "10", "new": "0"}]
