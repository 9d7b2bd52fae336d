"""Forming the jury, assignments, live-mode order, the progress matrix and reminders."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from contest.auth.services import find_user_by_email, reset_password, user_for_reset_token
from contest.errors import ServiceError
from contest.judging import assignment, jury, progress, services
from contest.judging.models import Assignment
from tests.conftest import mail_body


def submit(j, member, entry, value=5):
    return services.save_sheet(member, entry, j.round, j.points(value, value), version=0, submit=True,
                               actor=member.user)


# Jury --------------------------------------------------------------------------------------

def test_an_organiser_adds_an_existing_juror_account_and_names_a_chair(db, judging, make_user):
    j = judging(jurors=1)
    juror = make_user(role="juror", name="Aigerim Sadykova")
    member = jury.add_juror(j.contest, juror, is_chair=True, actor=j.organiser)
    assert member.is_chair
    new_chair = j.jurors[0]
    jury.set_chair(new_chair, actor=j.organiser)
    db.session.commit()
    assert [m.id for m in assignment.jury_of(j.contest.id) if m.is_chair] == [new_chair.id]
    with pytest.raises(ServiceError, match="already on this jury"):
        jury.add_juror(j.contest, juror, actor=j.organiser)


def test_only_juror_accounts_sit_on_a_jury(db, judging, make_user):
    j = judging()
    with pytest.raises(ServiceError, match="Only a juror account"):
        jury.add_juror(j.contest, make_user(role="participant"), actor=j.organiser)


def test_an_invitation_creates_a_juror_account_and_emails_a_password_link(app, db, judging, mailbox):
    j = judging()
    with app.test_request_context():
        member = jury.invite_juror(j.contest, email=" Poet@Example.KZ ", name="Olzhas Bekov", language="en",
                                   actor=j.organiser)
    db.session.commit()
    user = find_user_by_email("poet@example.kz")
    assert member.user_id == user.id and user.role == "juror"
    (message,) = mailbox
    assert message["To"] == "poet@example.kz" and "jury" in message["Subject"]
    token = re.search(r"/password/reset/(\S+)", mail_body(message)).group(1)
    assert user_for_reset_token(token).id == user.id
    reset_password(token, "a long new juror passphrase")
    with pytest.raises(ServiceError, match="already been used"):
        user_for_reset_token(token)


def test_a_juror_with_sheets_cannot_be_removed(db, judging):
    j = judging()
    submit(j, j.jurors[0], j.entries[0])
    with pytest.raises(ServiceError, match="has already scored entries"):
        jury.remove_juror(j.jurors[0], actor=j.organiser)
    jury.remove_juror(j.jurors[1], actor=j.organiser)
    assert len(assignment.jury_of(j.contest.id)) == 1


def test_the_jury_is_fixed_once_results_are_published(db, judging, make_user):
    j = judging(status="results_published")
    with pytest.raises(ServiceError, match="results are published"):
        jury.add_juror(j.contest, make_user(role="juror"), actor=j.organiser)


# Assignment --------------------------------------------------------------------------------

def test_automatic_assignment_gives_each_entry_k_jurors_with_even_loads(db, judging):
    j = judging(jurors=5, entries=20)
    services.declare_conflict(j.jurors[0], j.entries[0], reason="My pupil", actor=j.jurors[0].user)
    loads = assignment.assign_automatically(j.round, 2, actor=j.organiser)
    assert sorted(loads.values()) == [8, 8, 8, 8, 8]
    pairs = db.session.execute(select(Assignment.member_id, Assignment.registration_id)).all()
    per_entry = Counter(registration_id for _, registration_id in pairs)
    assert set(per_entry.values()) == {2} and len(per_entry) == 20
    assert (j.jurors[0].id, j.entries[0].id) not in {tuple(pair) for pair in pairs}
    # Every juror now sees exactly their assigned entries.
    for member in j.jurors:
        assert len(assignment.entries_for_juror(member, j.round)) == loads[member.id]
    again = assignment.assign_automatically(j.round, 2, actor=j.organiser)
    assert again == loads  # deterministic


def test_automatic_assignment_keeps_sheets_already_started(db, judging):
    j = judging(jurors=4, entries=4)
    last = j.jurors[3]
    submit(j, last, j.entries[0])
    assignment.assign_automatically(j.round, 1, actor=j.organiser)
    assert j.entries[0] in assignment.entries_for_juror(last, j.round)
    with pytest.raises(ServiceError, match="not assigned to you"):
        submit(j, j.jurors[0], j.entries[0])


def test_automatic_assignment_refuses_when_too_few_jurors_are_free(db, judging):
    j = judging(jurors=2, entries=2)
    services.declare_conflict(j.jurors[0], j.entries[1], reason="Relative", actor=j.jurors[0].user)
    with pytest.raises(ServiceError, match=f"Not enough jurors without a conflict for these entries: "
                                           f"{j.entries[1].code}"):
        assignment.assign_automatically(j.round, 2, actor=j.organiser)
    with pytest.raises(ServiceError, match="only 2 members"):
        assignment.assign_automatically(j.round, 3, actor=j.organiser)
    with pytest.raises(ServiceError, match="whole number"):
        assignment.assign_automatically(j.round, "2", actor=j.organiser)
    assert db.session.scalars(select(Assignment)).all() == []


def test_clearing_assignments_goes_back_to_everyone_scores_everything(db, judging):
    j = judging(jurors=2, entries=4)
    assignment.assign_automatically(j.round, 1, actor=j.organiser)
    assert len(assignment.entries_for_juror(j.jurors[0], j.round)) == 2
    assignment.clear_assignments(j.round, actor=j.organiser)
    assert len(assignment.entries_for_juror(j.jurors[0], j.round)) == 4


# Live mode ---------------------------------------------------------------------------------

def test_save_and_next_follows_the_performance_order(db, judging):
    j = judging(entries=4, kind="recitation")
    first, second, third, fourth = j.entries
    member = j.jurors[0]
    assert assignment.next_unscored(member, j.round) == first
    assignment.set_performance_order(j.round, [third, first], actor=j.organiser)
    assert assignment.entries_for_juror(member, j.round) == [third, first, second, fourth]
    submit(j, member, third)
    assert assignment.next_unscored(member, j.round, after=third) == first
    submit(j, member, first)
    services.declare_conflict(member, second, reason="My niece", actor=member.user)
    assert assignment.next_unscored(member, j.round, after=first) == fourth
    submit(j, member, fourth)
    assert assignment.next_unscored(member, j.round, after=fourth) is None


def test_the_performance_order_names_each_entry_once(db, judging):
    j = judging()
    with pytest.raises(ServiceError, match="only once"):
        assignment.set_performance_order(j.round, [j.entries[0], j.entries[0]], actor=j.organiser)


# Progress and reminders --------------------------------------------------------------------

def test_the_progress_matrix_shows_each_cell(db, judging):
    j = judging(jurors=2, entries=3)
    a, b = j.jurors
    services.save_sheet(a, j.entries[0], j.round, j.points(5, ""), version=0, actor=a.user)
    submit(j, a, j.entries[1])
    services.declare_conflict(b, j.entries[2], reason="Pupil", actor=b.user)
    matrix = progress.progress_matrix(j.round)
    assert [matrix.state(a, entry) for entry in j.entries] == ["draft", "submitted", "missing"]
    assert [matrix.state(b, entry) for entry in j.entries] == ["missing", "missing", "conflict"]
    assert matrix.pending(b) == j.entries[:2]
    assert matrix.totals["missing"] == 3


def test_the_progress_matrix_runs_a_constant_number_of_queries(db, judging, count_queries, make_sheet):
    def measure(jurors: int, entries: int) -> int:
        j = judging(jurors=jurors, entries=entries)
        for index, entry in enumerate(j.entries):
            make_sheet(j.jurors[index % jurors], entry, status="submitted" if index % 2 else "draft")
        db.session.expire_all()
        with count_queries() as log:
            matrix = progress.progress_matrix(j.round)
            cells = [matrix.state(member, entry) for member in matrix.members for entry in matrix.registrations]
            names = [(member.user.name, entry.code, entry.participant.surname) for member in matrix.members
                     for entry in matrix.registrations]
        assert len(cells) == len(names) == jurors * entries
        return log.count

    small, large = measure(5, 20), measure(10, 60)
    # BEGIN and reloading the expired round, then ten: jury, entries (+ participants, texts, the
    # texts' works, the contest whose rules say which entries may be judged), assignment plan,
    # categories, conflicts, sheets.
    assert small == large <= 12


def test_reminders_go_to_jurors_with_missing_sheets_only(app, db, judging, mailbox, make_user):
    j = judging(jurors=3, entries=2)
    done, half, idle = j.jurors
    for member in (done, half, idle):
        member.user.preferred_language = "en"
    submit(j, done, j.entries[0])
    submit(j, done, j.entries[1])
    submit(j, half, j.entries[0])
    with app.test_request_context():
        sent = progress.remind_jurors(j.contest, j.round, actor=j.organiser, link="https://contests.example/jury")
    assert sent == 2
    assert mailbox == []  # sent with the commit, never for a request that fails
    db.session.commit()
    assert sorted(message["To"] for message in mailbox) == sorted([half.user.email, idle.user.email])
    bodies = {message["To"]: mail_body(message) for message in mailbox}
    assert "1 entry is still waiting" in bodies[half.user.email]
    assert "2 entries are still waiting" in bodies[idle.user.email]
    assert "https://contests.example/jury" in bodies[idle.user.email]
    with pytest.raises(ServiceError, match="Only an organiser"):
        progress.remind_jurors(j.contest, j.round, actor=done.user)


def test_a_jurors_queue_lists_their_own_sheets(db, judging):
    j = judging(jurors=2, entries=2)
    submit(j, j.jurors[0], j.entries[0])
    submit(j, j.jurors[1], j.entries[1])
    queue = progress.juror_queue(j.jurors[0], j.round)
    assert [(item.registration, item.state) for item in queue] == [(j.entries[0], "submitted"),
                                                                  (j.entries[1], "missing")]
