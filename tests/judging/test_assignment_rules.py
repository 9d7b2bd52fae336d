"""Who is assigned to what, exactly: the balanced assignment's choices, its refusals word for
word with nothing written, rounds kept apart, honorary members, the live-mode order and the
audit events an organiser reads afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import event as orm_events
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.contests.models import Round
from contest.errors import ServiceError
from contest.judging import assignment, services
from contest.judging.jury import set_member_categories
from contest.judging.models import Advancement, Assignment, AssignmentPlan, JuryMember, PerformanceSlot
from contest.registration.models import Registration
from tests.registration.helpers import one_work_entry


def pairs(db, round_) -> set[tuple[int, int]]:
    return {(member_id, registration_id) for member_id, registration_id in db.session.execute(
        select(Assignment.member_id, Assignment.registration_id).where(Assignment.round_id == round_.id))}


def written(db) -> tuple[int, int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Assignment, AssignmentPlan, PerformanceSlot, AuditEvent))


def refused(db, call, message: str, field: str | None = None) -> None:
    """Refused with exactly this message (beside `field`), and nothing written."""
    before = written(db)
    with pytest.raises(ServiceError) as error:
        call()
    assert str(error.value.message) == message
    assert error.value.field == field
    assert written(db) == before


def event(db, action: str) -> AuditEvent:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).one()


def final_round(db, j, make_round, advanced):
    """A final after `j.round`, holding the entries that advanced from it."""
    final = make_round(j.contest, position=j.round.position + 1)
    for place, registration in enumerate(advanced, start=1):
        db.session.add(Advancement(round_id=j.round.id, registration_id=registration.id, place=place))
    db.session.commit()
    return final


# The jury ----------------------------------------------------------------------------------

def test_the_jury_lists_the_chair_first_then_by_name(db, judging, make_juror, make_user):
    j = judging(jurors=0)
    bolat = make_juror(j.contest, make_user(role="juror", name="Bolat"))
    zhanna = make_juror(j.contest, make_user(role="juror", name="Zhanna"), is_chair=True)
    aigerim = make_juror(j.contest, make_user(role="juror", name="Aigerim"))
    judging(jurors=1)  # another contest's jury is not listed
    assert [member.id for member in assignment.jury_of(j.contest.id)] == [zhanna.id, aigerim.id, bolat.id]


# The balanced assignment -------------------------------------------------------------------

def test_loads_are_balanced_and_ties_go_to_the_lower_member(db, judging):
    j = judging(jurors=3, entries=3)
    (a, b, c), (first, second, third) = j.jurors, j.entries
    assert assignment.assign_automatically(j.round, 1, actor=j.organiser) == {a.id: 1, b.id: 1, c.id: 1}
    assert pairs(db, j.round) == {(a.id, first.id), (b.id, second.id), (c.id, third.id)}
    # Two each: the least loaded first, the lower id among equals.
    assert assignment.assign_automatically(j.round, 2, actor=j.organiser) == {a.id: 2, b.id: 2, c.id: 2}
    assert pairs(db, j.round) == {(a.id, first.id), (b.id, first.id), (c.id, second.id), (a.id, second.id),
                                  (b.id, third.id), (c.id, third.id)}
    assert [entry.id for entry in assignment.entries_for_juror(a, j.round)] == [first.id, second.id]
    assert assignment.why_closed(a, third, j.round) == assignment.NOT_ASSIGNED


def test_the_assignment_is_recorded_for_the_organisers(db, judging):
    j = judging(jurors=2, entries=3)
    a, b = j.jurors
    assignment.assign_automatically(j.round, 1, actor=j.organiser)
    plan = db.session.get(AssignmentPlan, j.round.id)
    assert (plan.per_entry, plan.created_by_id) == (1, j.organiser.id)
    recorded = event(db, "jury.assign")
    assert (recorded.actor_id, recorded.object_type, recorded.object_id) == (j.organiser.id, "Round", j.round.id)
    assert recorded.data == {"contest_id": j.contest.id, "per_entry": 1, "assignments": 3,
                             "loads": {str(a.id): 2, str(b.id): 1}, "skipped_incomplete": []}
    assignment.assign_automatically(j.round, 2, actor=None)  # the plan is replaced, not added
    plan = db.session.get(AssignmentPlan, j.round.id)
    assert (plan.per_entry, plan.created_by_id) == (2, None)
    assert db.session.scalar(select(func.count()).select_from(AssignmentPlan)) == 1


def test_honorary_members_are_left_out_and_keep_every_entry(db, judging):
    j = judging(jurors=3, entries=2)
    a, b, honorary = j.jurors
    honorary.is_honorary = True
    db.session.commit()
    assert assignment.assign_automatically(j.round, 1, actor=j.organiser) == {a.id: 1, b.id: 1}
    assert pairs(db, j.round) == {(a.id, j.entries[0].id), (b.id, j.entries[1].id)}
    # Their scores do not count: they may still score every entry, unassigned.
    assert assignment.entries_for_juror(honorary, j.round) == j.entries
    assert assignment.entries_for_juror(a, j.round) == [j.entries[0]]
    refused(db, lambda: assignment.assign_automatically(j.round, 3, actor=j.organiser),
            "The jury has only 2 members whose scores count.", "per_entry")


def test_jurors_get_only_entries_of_their_categories(db, judging, make_category, make_registration):
    j = judging(jurors=2, entries=1)
    a, b = j.jurors
    poetry = make_category(j.contest)
    in_poetry = make_registration(j.contest, status="approved", category=poetry)
    db.session.add(one_work_entry(in_poetry, title="Poem", text="A line"))
    db.session.commit()
    set_member_categories(a, [poetry], actor=j.organiser)
    # `a` judges only poetry, so the other entry goes to `b`, and poetry to the less loaded `a`.
    assignment.assign_automatically(j.round, 1, actor=j.organiser)
    assert pairs(db, j.round) == {(b.id, j.entries[0].id), (a.id, in_poetry.id)}
    refused(db, lambda: assignment.assign_automatically(j.round, 2, actor=j.organiser),
            f"Not enough jurors without a conflict for these entries: {j.entries[0].code}.", "per_entry")


def test_sheets_already_started_are_kept_even_beyond_the_number_per_entry(db, judging, make_sheet):
    j = judging(jurors=3, entries=2)
    a, b, c = j.jurors
    make_sheet(b, j.entries[0])
    make_sheet(c, j.entries[0], status="submitted")
    assert assignment.assign_automatically(j.round, 1, actor=j.organiser) == {a.id: 1, b.id: 1, c.id: 1}
    assert pairs(db, j.round) == {(b.id, j.entries[0].id), (c.id, j.entries[0].id), (a.id, j.entries[1].id)}


@pytest.mark.parametrize("per_entry", [0, -1, True, 1.0, "2", None])
def test_the_number_per_entry_must_be_a_whole_number_from_one(db, judging, per_entry):
    j = judging(jurors=2, entries=2)
    refused(db, lambda: assignment.assign_automatically(j.round, per_entry, actor=j.organiser),
            "Enter a whole number of jurors per entry, at least 1.", "per_entry")


def test_every_entry_short_of_jurors_is_named_and_nothing_is_written(db, judging):
    j = judging(jurors=2, entries=3)
    a, b = j.jurors
    assignment.assign_automatically(j.round, 1, actor=j.organiser)
    services.declare_conflict(a, j.entries[0], reason="My pupil", actor=a.user)
    services.declare_conflict(b, j.entries[2], reason="My niece", actor=b.user)
    before = pairs(db, j.round)
    refused(db, lambda: assignment.assign_automatically(j.round, 2, actor=j.organiser),
            f"Not enough jurors without a conflict for these entries: {j.entries[0].code}, {j.entries[2].code}.",
            "per_entry")
    assert pairs(db, j.round) == before


def test_each_round_keeps_its_own_assignments(db, judging, make_round, make_sheet):
    j = judging(jurors=2, entries=3)
    a, b = j.jurors
    final = final_round(db, j, make_round, j.entries[:2])
    make_sheet(b, j.entries[0], j.round)  # a sheet of the first round does not tie b to the final
    assignment.assign_automatically(j.round, 1, actor=j.organiser)
    first_round = pairs(db, j.round)
    assert first_round == {(b.id, j.entries[0].id), (a.id, j.entries[1].id), (a.id, j.entries[2].id)}
    assert assignment.entries_for_juror(a, final) == j.entries[:2]  # no plan for the final yet

    assignment.assign_automatically(final, 1, actor=j.organiser)
    assert pairs(db, final) == {(a.id, j.entries[0].id), (b.id, j.entries[1].id)}
    assert pairs(db, j.round) == first_round
    assert assignment.entries_for_juror(a, final) == [j.entries[0]]
    assert assignment.entries_for_juror(a, j.round) == j.entries[1:]

    assignment.clear_assignments(final, actor=j.organiser)
    assert pairs(db, final) == set() and db.session.get(AssignmentPlan, final.id) is None
    assert pairs(db, j.round) == first_round and db.session.get(AssignmentPlan, j.round.id) is not None
    assert assignment.entries_for_juror(a, final) == j.entries[:2]
    cleared = event(db, "jury.assign_cleared")
    assert (cleared.actor_id, cleared.object_id, cleared.data) == (j.organiser.id, final.id,
                                                                   {"contest_id": j.contest.id})


def test_a_third_round_holds_only_the_entries_that_advanced_from_the_second(db, judging, make_round):
    j = judging(jurors=1, entries=3)
    semifinal = final_round(db, j, make_round, j.entries[:2])
    final = make_round(j.contest, position=semifinal.position + 1)
    db.session.add(Advancement(round_id=semifinal.id, registration_id=j.entries[1].id, place=1))
    db.session.commit()
    member = j.jurors[0]
    assert assignment.entries_for_juror(member, final) == [j.entries[1]]
    assert assignment.why_closed(member, j.entries[0], final) == assignment.NOT_IN_ROUND


@pytest.mark.parametrize("status", ["results_published", "archived"])
def test_the_assignment_is_fixed_once_results_are_published(db, judging, status):
    j = judging(jurors=2, entries=2)
    j.contest.status = status
    db.session.commit()
    message = ("The results are published: the jury and its assignments can no longer change."
               if status == "results_published" else "This contest is archived: nothing in it can change any more.")
    refused(db, lambda: assignment.assign_automatically(j.round, 1, actor=j.organiser), message)
    refused(db, lambda: assignment.clear_assignments(j.round, actor=j.organiser), message)
    refused(db, lambda: assignment.set_performance_order(j.round, j.entries, actor=j.organiser), message)


# Live mode ---------------------------------------------------------------------------------

def test_the_performance_order_is_stored_and_recorded(db, judging):
    j = judging(entries=3, kind="recitation")
    first, second, third = j.entries
    assignment.set_performance_order(j.round, [third, first], actor=j.organiser)
    slots = db.session.execute(select(PerformanceSlot.registration_id, PerformanceSlot.position)
                               .order_by(PerformanceSlot.position)).all()
    assert [tuple(slot) for slot in slots] == [(third.id, 1), (first.id, 2)]
    recorded = event(db, "jury.performance_order")
    assert (recorded.actor_id, recorded.object_id) == (j.organiser.id, j.round.id)
    assert recorded.data == {"contest_id": j.contest.id, "order": [third.id, first.id]}
    assignment.set_performance_order(j.round, [], actor=j.organiser)  # back to the numbers
    assert db.session.scalar(select(func.count()).select_from(PerformanceSlot)) == 0
    assert assignment.entries_for_juror(j.jurors[0], j.round) == [first, second, third]


def test_the_performance_order_refuses_a_repeated_or_foreign_entry(db, judging):
    j, other = judging(), judging()
    refused(db, lambda: assignment.set_performance_order(j.round, [j.entries[1], j.entries[1]], actor=j.organiser),
            "Each entry may appear only once in the order.")
    refused(db, lambda: assignment.set_performance_order(j.round, [j.entries[0], other.entries[0]],
                                                         actor=j.organiser),
            "This entry is not among the entries judged in this round.")


def test_save_and_next_wraps_round_to_the_entries_left_before(db, judging, make_sheet):
    j = judging(entries=4)
    member = j.jurors[0]
    first, second, third, fourth = j.entries
    # Nothing submitted yet: the one after the entry just saved, not the first of the queue.
    assert assignment.next_unscored(member, j.round, after=second) == third
    make_sheet(member, first, status="submitted")
    make_sheet(member, second)  # a draft is still to do
    make_sheet(j.jurors[1], third, status="submitted")  # another juror's sheet changes nothing
    assert assignment.next_unscored(member, j.round) == second
    assert assignment.next_unscored(member, j.round, after=second) == third
    assert assignment.next_unscored(member, j.round, after=fourth) == second
    make_sheet(member, third, status="submitted")
    make_sheet(member, fourth, status="submitted")
    assert assignment.next_unscored(member, j.round, after=fourth) == second
    # The entry just saved is never offered again, even when it is the only one left.
    assert assignment.next_unscored(member, j.round, after=second) is None


def test_save_and_next_in_a_final_ignores_the_sheets_of_the_first_round(db, judging, make_round, make_sheet):
    j = judging(entries=2)
    member = j.jurors[0]
    final = final_round(db, j, make_round, j.entries)
    make_sheet(member, j.entries[0], j.round, status="submitted")
    assert assignment.next_unscored(member, j.round) == j.entries[1]
    assert assignment.next_unscored(member, final) == j.entries[0]


def test_a_jurors_queue_takes_the_same_few_queries_whatever_the_field(db, judging, count_queries):
    def measure(jurors: int, entries: int) -> int:
        j = judging(jurors=jurors, entries=entries)
        member = j.jurors[0]
        db.session.expire_all()
        with count_queries() as log:
            names = [entry.participant.surname for entry in assignment.entries_for_juror(member, j.round)]
        assert len(names) == entries
        return log.queries

    # The member and the round reloaded; the entries with their texts, participants and the
    # texts' works, the contest (its rules say which entries may be judged); the assignment plan,
    # the member's categories and conflicts. Not the rest of the jury.
    assert measure(2, 3) == measure(6, 12) == 10


def test_entries_left_out_of_the_order_follow_by_number_and_each_round_has_its_own_order(db, judging, make_round):
    j = judging(entries=4)
    for index, registration in enumerate(j.entries):  # numbers the other way round from the rows
        registration.number = 40 - 10 * index
    db.session.commit()
    first, second, third, fourth = j.entries
    final = final_round(db, j, make_round, j.entries)
    assignment.set_performance_order(j.round, [second], actor=j.organiser)
    member = j.jurors[0]
    assert assignment.entries_for_juror(member, j.round) == [second, fourth, third, first]
    assert assignment.entries_for_juror(member, final) == [fourth, third, second, first]


def test_checking_one_entry_takes_the_same_few_queries_whatever_the_jury_and_the_field(db, judging, count_queries):
    def measure(jurors: int, entries: int) -> int:
        j = judging(jurors=jurors, entries=entries)
        member, entry = j.jurors[-1], j.entries[-1]
        db.session.expire_all()
        with count_queries() as log:
            assert assignment.why_closed(member, entry, j.round) is None
        return log.queries

    # The member, the round and the entry reloaded; the round's entries (just this one), their
    # texts and works, the contest; the plan, the member's categories and conflicts. Not the jury.
    assert measure(2, 3) == measure(6, 12) == 10


def test_the_assignment_reads_the_jury_once_whatever_its_size(db, judging, count_queries):
    def measure(jurors: int, entries: int) -> int:
        j = judging(jurors=jurors, entries=entries)
        db.session.expire_all()
        with count_queries() as log:
            assignment.assign_automatically(j.round, 2, actor=j.organiser)
        return log.queries

    # The round, the contest, the jury (once), the entries with texts and works (twice: for
    # the scope and for the entries left out), the plan (twice), categories, conflicts, started
    # sheets; the delete and insert of the pairs, the organiser reloaded, the plan's insert.
    assert measure(2, 3) == measure(6, 12) == 18


def test_an_entry_or_juror_of_another_contest_is_refused_without_a_query(db, judging, count_queries):
    j, other = judging(), judging()
    for member, entry in ((other.jurors[0], j.entries[0]), (j.jurors[0], other.entries[0])):
        assert member.contest_id != entry.contest_id and j.round.contest_id  # loaded before counting
        with count_queries() as log:
            assert assignment.why_closed(member, entry, j.round) == assignment.NOT_IN_ROUND
        assert log.queries == 0


def test_checking_one_entry_loads_only_that_entry(db, judging):
    j = judging(entries=4)
    ids = j.jurors[0].id, j.entries[2].id, j.round.id
    db.session.commit()
    db.session.expunge_all()  # the other entries are no longer in the session
    member, entry, round_ = (db.session.get(model, id_) for model, id_ in zip((JuryMember, Registration, Round), ids,
                                                                                strict=True))
    loaded: list[int] = []

    def on_load(registration, _context) -> None:  # a registration row read into the session
        loaded.append(registration.id)

    orm_events.listen(Registration, "load", on_load)
    try:
        assert assignment.why_closed(member, entry, round_) is None
    finally:
        orm_events.remove(Registration, "load", on_load)
    assert loaded == []  # the entry was already in the session; no other entry is read


def test_jurors_of_the_same_name_are_listed_in_the_order_they_joined(db, judging, make_juror, make_user):
    j = judging(jurors=0)
    first_account, second_account = make_user(role="juror", name="Aigerim"), make_user(role="juror", name="Aigerim")
    joined = [make_juror(j.contest, second_account), make_juror(j.contest, first_account)]
    assert [member.id for member in assignment.jury_of(j.contest.id)] == [member.id for member in joined]
