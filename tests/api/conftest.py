"""The API served on a loopback port (schemathesis talks to it over HTTP) and a contest with
published results."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from contest.auth.models import Role
from contest.db import utcnow
from contest.extensions import db
from contest.results import services as results
from tests.results.conftest import judged  # noqa: F401, F811  (the results tests' contest factory)


@pytest.fixture
def live_api(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def published_contest(judged, make_user):  # noqa: F811  (the fixture imported above)
    """`judged()`'s contest with its results published; A3 (registrations[2]) is a minor whose
    guardian withdrew consent."""

    def build():
        j = judged()
        j.registrations[2].participant.consent_at = utcnow()
        results.publish_results(j.contest, actor=make_user(role=Role.ORGANISER))
        db.session.commit()
        return j

    return build
