"""Which entries a round holds: a final holds only the entries that advanced to it."""

from __future__ import annotations

from contest.judging.assignment import round_registrations
from contest.judging.models import Advancement
from tests.registration.helpers import one_work_entry


def test_a_final_holds_only_the_entries_that_advanced_from_the_qualifying_round(
        db, open_contest, make_round, make_registration):
    contest = open_contest(status="judging")
    qualifying = make_round(contest, stage="qualifying", advance_count=1, position=1)
    final = make_round(contest, stage="final", position=2)
    first = make_registration(contest, status="approved")
    second = make_registration(contest, status="approved")
    make_registration(contest, status="rejected")
    for registration in (first, second):
        db.session.add(one_work_entry(registration, title="Poem", text="A line"))
    db.session.commit()

    assert {registration.id for registration in round_registrations(qualifying)} == {first.id, second.id}
    assert round_registrations(final) == []  # nobody has advanced yet

    db.session.add(Advancement(round_id=qualifying.id, registration_id=second.id, place=1))
    db.session.commit()
    assert [registration.id for registration in round_registrations(final)] == [second.id]
    assert {registration.id for registration in round_registrations(qualifying)} == {first.id, second.id}


def test_a_round_holds_an_incomplete_entry_only_when_asked_for_everyone(db, judging):
    j = judging(entries=2)
    incomplete, complete = j.entries
    incomplete.entry.works.clear()
    db.session.commit()
    assert round_registrations(j.round) == [complete]
    assert round_registrations(j.round, judgeable_only=False) == [incomplete, complete]
