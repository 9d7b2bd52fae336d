"""Automatic assignment gives jurors only entries that meet the contest's rules, unless an
organiser has made an exception for one."""

from __future__ import annotations

from sqlalchemy import select

from contest.audit.models import AuditEvent
from contest.judging import assignment
from contest.judging.models import Assignment
from contest.registration.moderation import allow_incomplete_entry


def assigned_registrations(db) -> set[int]:
    return set(db.session.scalars(select(Assignment.registration_id)))


def empty_the_entry(db, registration) -> None:
    registration.entry.works.clear()
    db.session.commit()


def test_an_incomplete_entry_is_not_assigned_and_the_organiser_is_told(db, judging):
    j = judging(jurors=2, entries=3)
    complete, incomplete, also_complete = j.entries
    empty_the_entry(db, incomplete)
    loads = assignment.assign_automatically(j.round, 1, actor=j.organiser)
    assert sum(loads.values()) == 2
    assert assigned_registrations(db) == {complete.id, also_complete.id}
    assert [registration.code for registration in assignment.incomplete_entries(j.round)] == [incomplete.code]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "jury.assign"))
    assert event.data["skipped_incomplete"] == [incomplete.code]
    # No juror finds it in their queue either.
    assert all(incomplete not in assignment.entries_for_juror(member, j.round) for member in j.jurors)


def test_without_an_assignment_no_juror_may_open_an_incomplete_entry(db, judging):
    # The default (no assignment made): every juror scores every entry of their categories, but
    # an entry approved while registration was open and never completed stays closed.
    j = judging(jurors=2, entries=2)
    empty_the_entry(db, j.entries[0])
    member = j.jurors[0]
    assert assignment.entries_for_juror(member, j.round) == [j.entries[1]]
    assert assignment.why_closed(member, j.entries[0], j.round) == assignment.INCOMPLETE
    # The whole jury's scope (paper ballots, the progress matrix) gives the same reason.
    assert assignment.load_scope(j.round).why_closed(member, j.entries[0]) == assignment.INCOMPLETE
    allow_incomplete_entry(j.entries[0], "Recited from memory; the text is on paper", actor=j.organiser)
    assert assignment.may_open(member, j.entries[0], j.round)


def test_an_entry_with_an_exception_is_assigned(db, judging):
    j = judging(jurors=2, entries=2)
    empty_the_entry(db, j.entries[1])
    allow_incomplete_entry(j.entries[1], "Read aloud at the library; no text needed", actor=j.organiser)
    assignment.assign_automatically(j.round, 1, actor=j.organiser)
    assert assigned_registrations(db) == {j.entries[0].id, j.entries[1].id}
    assert assignment.incomplete_entries(j.round) == []


def test_the_jury_page_names_the_entries_left_out(client, db, judging, login_as):
    j = judging(jurors=2, entries=2)
    empty_the_entry(db, j.entries[0])
    login_as(user=j.organiser)
    response = client.post_form(f"/manage/contests/{j.contest.id}/jury/rounds/{j.round.id}/assign",
                                {f"round-{j.round.id}-per_entry": "1"}, headers={"Accept-Language": "en"},
                                follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Not assigned, because the entry does not meet the contest&#39;s rules: " + j.entries[0].code in html
