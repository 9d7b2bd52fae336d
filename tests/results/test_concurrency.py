"""Several organisers press "Publish" or "Mark who advances" at the same moment (on PostgreSQL,
and on SQLite, where they queue for the write lock). The contest's
row lock makes them take turns: one acts, the others are told who did it first. Without the
lock the database refused the losers' writes (uq_results_snapshot_current,
pk_results_advancement) and they got a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.auth.models import User
from contest.contests.models import Contest, ContestStatusChange, Round
from contest.errors import ServiceError
from contest.extensions import db as _db
from contest.judging.models import Advancement
from contest.results import services
from contest.results.models import ResultSnapshot

RACERS = 8
DONE = "done"


def race(app, organiser_ids: list[int], action: Callable[[User], object]) -> list[tuple[int, str]]:
    """Run `action(organiser)` in one thread per organiser, all released at once, each in its own
    transaction as separate requests would be; (organiser id, DONE or the refusal) per thread."""
    _db.session.commit()  # the test's own transaction ends here: on SQLite it would hold up the racers
    start = threading.Barrier(len(organiser_ids))
    outcomes: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def run(organiser_id: int) -> None:
        start.wait()  # before taking a connection
        with app.app_context(), force_locale("en"):
            try:
                action(_db.session.get(User, organiser_id))
                _db.session.commit()
                outcomes.append((organiser_id, DONE))
            except ServiceError as refusal:
                _db.session.rollback()
                outcomes.append((organiser_id, str(refusal.message)))
            except BaseException as error:  # noqa: BLE001 (the test reports what went wrong)
                failures.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(organiser_id,)) for organiser_id in organiser_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return outcomes


@pytest.fixture
def organisers(make_user) -> Callable[[], list[int]]:
    return lambda: [make_user(role="organiser", name=f"Organiser {number}").id for number in range(RACERS)]


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_organisers_publishing_at_once_publish_once_and_the_others_are_told_by_whom(
        app, judged, organisers):
    contest_id = judged().contest.id
    ids = organisers()

    def publish(organiser: User) -> None:
        services.publish_results(_db.session.get(Contest, contest_id), actor=organiser)

    outcomes = race(app, ids, publish)

    winners = [organiser_id for organiser_id, outcome in outcomes if outcome == DONE]
    assert len(winners) == 1
    name = _db.session.get(User, winners[0]).name
    refusals = {outcome for _organiser, outcome in outcomes if outcome != DONE}
    assert len(refusals) == 1 and f"The results are already published. Published by: {name}," in refusals.pop()
    assert count(ResultSnapshot) == 1
    assert count(AuditEvent, AuditEvent.action == "results.publish") == 1
    assert count(ContestStatusChange, ContestStatusChange.to_status == "results_published") == 1


def test_organisers_marking_advancement_at_once_mark_it_once_and_the_others_are_told_by_whom(
        app, db, judged, organisers):
    j = judged()
    qualifying = j.contest.rounds[0]
    qualifying.stage, qualifying.advance_count = "qualifying", 2
    db.session.commit()
    contest_id, round_id = j.contest.id, qualifying.id
    ids = organisers()

    def mark(organiser: User) -> None:
        services.mark_advancement(_db.session.get(Contest, contest_id), _db.session.get(Round, round_id),
                                  actor=organiser)

    outcomes = race(app, ids, mark)

    winners = [organiser_id for organiser_id, outcome in outcomes if outcome == DONE]
    assert len(winners) == 1
    name = _db.session.get(User, winners[0]).name
    refusals = {outcome for _organiser, outcome in outcomes if outcome != DONE}
    assert len(refusals) == 1
    assert f"Who advances is already marked: 4 entries. Marked by: {name}," in refusals.pop()
    assert count(Advancement) == 4
    assert count(AuditEvent, AuditEvent.action == "results.advance") == 1


# The second browser, one after the other (any database) ------------------------------------------

def test_the_second_publish_from_a_stale_page_says_who_published(db, judged, login_as, client, make_user):
    j = judged()
    first = make_user(role="organiser", name="Айгерім Сәрсенбаева")
    services.publish_results(j.contest, actor=first)
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{j.contest.id}/results/publish", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "The results are already published. Published by: Айгерім Сәрсенбаева," in response.get_data(as_text=True)
    assert count(ResultSnapshot) == 1


def test_marking_again_changes_nothing_and_says_who_marked(db, judged, login_as, client, make_user):
    j = judged()
    qualifying = j.contest.rounds[0]
    qualifying.stage, qualifying.advance_count = "qualifying", 1
    db.session.commit()
    services.mark_advancement(j.contest, qualifying, actor=make_user(role="organiser", name="Ерлан Төлегенов"))
    db.session.commit()
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{j.contest.id}/results/advance?round={qualifying.id}",
                                headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Who advances is already marked: 2 entries. Marked by: Ерлан Төлегенов," in response.get_data(as_text=True)
    assert count(AuditEvent, AuditEvent.action == "results.advance") == 1


@pytest.mark.parametrize("status", ["registration_open", "registration_closed", "results_published"])
def test_advancement_is_marked_only_while_judging(db, judged, make_user, status):
    j = judged(status=status)
    qualifying = j.contest.rounds[0]
    qualifying.stage, qualifying.advance_count = "qualifying", 1
    db.session.commit()
    with pytest.raises(ServiceError, match="only while the contest is in judging"):
        services.mark_advancement(j.contest, qualifying, actor=make_user(role="organiser"))
    assert count(Advancement) == 0
