"""While another writer holds its lock (a certificate job's chunk, a form being saved), pages
that only read answer at once, and a form that writes waits its turn and is saved: on SQLite
(GET pages begin a plain transaction and read the write-ahead log; forms begin IMMEDIATE and
wait for the lock) as on PostgreSQL."""

from __future__ import annotations

import threading
import time

from sqlalchemy import text

from contest.auth.models import User
from contest.extensions import db as _db

HOLD = 2.0  # seconds the other writer keeps its transaction open


def hold_a_write(app, contest_id: int, holding: threading.Event) -> threading.Thread:
    def hold() -> None:
        with app.app_context(), _db.engine.connect() as other:
            other.execute(text("UPDATE contest SET status = status WHERE id = :id"), {"id": contest_id})
            holding.set()
            time.sleep(HOLD)
            other.commit()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(timeout=10)
    return thread


def test_pages_answer_at_once_and_forms_wait_their_turn_while_another_writer_works(
        app, db, client, login_as, open_contest):
    contest = open_contest(title_en="Abai Readings")
    me = login_as("participant", preferred_language="kk")
    token = client.csrf_token()
    contest_id, my_id = contest.id, me.id
    db.session.commit()  # the test's own transaction ends: it is no writer here

    writer = hold_a_write(app, contest_id, threading.Event())
    began = time.perf_counter()
    listing = client.get("/contests", headers={"Accept-Language": "en"})
    read_in = time.perf_counter() - began
    saved = client.post("/language", data={"language": "ru", "next": "/", "csrf_token": token})
    writer.join()

    assert listing.status_code == 200 and "Abai Readings" in listing.get_data(as_text=True)
    assert read_in < HOLD / 2, f"the page waited {read_in:.2f} s for the other writer"
    assert saved.status_code == 302
    assert db.session.get(User, my_id).preferred_language == "ru"
