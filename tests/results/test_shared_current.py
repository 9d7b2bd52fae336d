"""What is current is shared: two app instances (two workers, or two machines) on one Redis and
one database; a publish or a withdrawal through one shows on the other's next visit, although
the other had the previous state cached (its page and its lookup of the current snapshot)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import event

from contest import create_app
from contest.contests.models import Contest
from contest.extensions import db as _db
from contest.results import published, services
from tests.conftest import redis_url

EN = {"Accept-Language": "en"}


@pytest.fixture
def two_apps(app: Flask) -> Iterator[tuple[Flask, Flask]]:
    instances = [create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                            REDIS_URL=redis_url(), UPLOAD_DIR=app.config["UPLOAD_DIR"], MAIL_BACKEND="log")
                 for _ in range(2)]
    yield instances[0], instances[1]
    for instance in instances:
        with instance.app_context():
            _db.engine.dispose()  # no connection left open while the tables are emptied


def _publish(instance: Flask, contest_id: int, organiser_id: int) -> None:
    from contest.auth.models import User

    with instance.app_context():
        contest = _db.session.get(Contest, contest_id)
        services.publish_results(contest, actor=_db.session.get(User, organiser_id), reason="")
        _db.session.commit()


def _unpublish(instance: Flask, contest_id: int, organiser_id: int) -> None:
    from contest.auth.models import User

    with instance.app_context():
        contest = _db.session.get(Contest, contest_id)
        services.unpublish_results(contest, reason="A score was wrong", actor=_db.session.get(User, organiser_id))
        _db.session.commit()


def test_a_publish_through_one_instance_shows_on_the_other_at_once(two_apps, judged, make_user):
    first, second = two_apps
    j = judged()
    organiser = make_user(role="organiser")
    contest_id, slug, organiser_id = j.contest.id, j.contest.slug, organiser.id
    _db.session.remove()  # this test's own session holds no transaction (SQLite would stay locked)
    reader = second.test_client()
    assert reader.get(f"/contests/{slug}/results", headers=EN).status_code == 404  # remembered as unpublished
    before = reader.get(f"/contests/{slug}", headers=EN)
    assert "Juniors1 Aruzhan" not in before.get_data(as_text=True)  # cached without results

    _publish(first, contest_id, organiser_id)
    results = reader.get(f"/contests/{slug}/results", headers=EN)
    assert results.status_code == 200 and "Juniors1 Aruzhan" in results.get_data(as_text=True)
    assert "Juniors1 Aruzhan" in reader.get(f"/contests/{slug}", headers=EN).get_data(as_text=True)

    # A page one instance rendered comes to the other from Redis, without the database.
    assert first.test_client().get(f"/contests/{slug}/results?lang=ru").status_code == 200
    statements: list[str] = []

    def note(connection, cursor, statement, *rest) -> None:
        statements.append(statement)

    with second.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert reader.get(f"/contests/{slug}/results?lang=ru").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert statements == []

    _unpublish(first, contest_id, organiser_id)
    assert reader.get(f"/contests/{slug}/results", headers=EN).status_code == 404
    with second.app_context():
        assert published.lookup(slug) is None
