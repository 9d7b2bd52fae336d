"""The domains built on contests are wired to it by the application factory (DESIGN.md §1),
not as a side effect of importing their modules: started in a fresh interpreter, as `make run`
and gunicorn start it, the app shows the later domains' parts on the contest page and runs
their checks on the status flow and the setup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from contest.contests import signals

ROOT = Path(__file__).resolve().parents[2]

# Runs in the fresh interpreter: the factory first, then the demo data, then what a person sees.
# Only contest.create_app is imported before the app exists, so no other import can do the wiring.
CHECK = """
import json, sys
from contest import create_app

app = create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1])
from flask_babel import force_locale
from sqlalchemy import select
from contest.auth.models import User
from contest.auth.services import open_session
from contest.contests import services
from contest.contests.demo import AQYNFEST_2022_SLUG, AQYNFEST_NEXT_SLUG
from contest.contests.models import Contest
from contest.errors import ServiceError
from contest.extensions import db

def refusal(action):
    try:
        action()
    except ServiceError as error:
        db.session.rollback()
        with force_locale("en"):
            return str(error.message)
    db.session.rollback()
    return None

seen = {}
with app.app_context():
    db.create_all()
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    token = open_session(db.session.scalar(select(User).where(User.email == "parent@demo.kz")))
    db.session.commit()

# Requests outside that app context: each gets its own (and its own language).
client = app.test_client()
english = {"Accept-Language": "en"}
seen["results page part"] = client.get(f"/contests/{AQYNFEST_2022_SLUG}", headers=english).get_data(as_text=True)
with client.session_transaction() as session:
    session["_user_id"], session["_fresh"] = token, True
seen["registration part"] = client.get(f"/contests/{AQYNFEST_NEXT_SLUG}", headers=english).get_data(as_text=True)

with app.app_context():
    contest = lambda slug: db.session.scalar(select(Contest).where(Contest.slug == slug))
    # Results may be published only through a snapshot: the plain status move is refused.
    judging = contest(AQYNFEST_NEXT_SLUG)
    judging.status = "judging"
    seen["status guard"] = refusal(lambda: services.change_status(judging, "results_published", actor=None))
    # The 2022 contest has score sheets: back before judging, its criteria still cannot change.
    scored = contest(AQYNFEST_2022_SLUG)
    scored.status = "registration_closed"
    seen["setup lock"] = refusal(lambda: services.update_part(scored.criteria[0], {"max_score": 7}, actor=None))
print(json.dumps(seen))
"""


def test_a_fresh_interpreter_gets_every_part_and_check(tmp_path):
    environment = {**os.environ, "APP_ENV": "testing"}
    started = subprocess.run([sys.executable, "-c", CHECK, f"sqlite:///{tmp_path / 'fresh.sqlite3'}"],
                             capture_output=True, text=True, env=environment, cwd=ROOT, timeout=300)
    assert started.returncode == 0, started.stderr
    seen = json.loads(started.stdout.strip().splitlines()[-1])
    assert "All results" in seen["results page part"] and "contest-results-heading" in seen["results page part"]
    assert "Register a participant" in seen["registration part"]
    assert "Publish the results from the contest's results page" in seen["status guard"]
    assert "Scoring has started" in seen["setup lock"]


def test_receivers_are_called_in_the_order_the_factory_connects_them(app):
    """The organisers' contest page lists its boxes in the order of the domains, whatever the
    memory addresses of the functions (blinker's own bookkeeping is an unordered set)."""
    with app.app_context():
        boxes = [receiver.__module__ for receiver in signals.manage_boxes.receivers_for(app)]
    assert boxes == ["contest.registration.manage_views", "contest.judging.manage_views",
                     "contest.results.views", "contest.certificates.views", "contest.stage.views",
                     "contest.sharing.views"]


def test_an_app_sees_only_what_was_connected_for_it(app):
    """The wiring belongs to the app the factory built: a signal sent by another sender (an app
    built without the factory's wiring) reaches no receiver."""
    assert list(signals.manage_boxes.receivers_for(object())) == []
