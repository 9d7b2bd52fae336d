"""Twenty people press "Register" at the same moment for the last five places (on PostgreSQL, and
on SQLite, where they queue for the write lock instead of failing with "database is locked")."""

from __future__ import annotations

import threading

from flask_babel import force_locale
from sqlalchemy import func, select

from contest.errors import ServiceError
from contest.extensions import db as _db
from contest.registration import services
from contest.registration.models import Registration, RegistrationCounter


def test_twenty_concurrent_registrations_for_the_last_five_places(app, db, make_participant, make_registration,
                                                                   open_contest):
    contest = open_contest(capacity=10)
    for _ in range(5):
        make_registration(contest)
    contest_id, category_id = contest.id, contest.categories[0].id
    people = [make_participant().id for _ in range(20)]
    db.session.commit()
    start = threading.Barrier(len(people))
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def register(participant_id: int) -> None:
        start.wait()  # before taking a connection: twenty threads are more than the pool holds
        with app.app_context(), force_locale("en"):
            from contest.contests.models import Category, Contest
            from contest.registration.models import Participant

            participant = _db.session.get(Participant, participant_id)
            contest = _db.session.get(Contest, contest_id)
            category = _db.session.get(Category, category_id)
            try:
                services.register(participant, contest, category, actor=participant.account)
                _db.session.commit()
                outcomes.append("registered")
            except ServiceError as error:
                _db.session.rollback()
                outcomes.append(str(error))
            except BaseException as error:  # noqa: BLE001 (the test reports what went wrong)
                failures.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=register, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert outcomes.count("registered") == 5
    assert all("full" in outcome for outcome in outcomes if outcome != "registered")
    codes = db.session.scalars(select(Registration.code).where(Registration.contest_id == contest_id)).all()
    assert len(codes) == len(set(codes)) == 10
    counter = db.session.get(RegistrationCounter, contest_id)
    assert counter.last_number == 10  # no number was taken by a registration that did not happen
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 10
