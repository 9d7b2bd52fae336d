"""Bulk approval of 500 registrations, each registered by its own account: the time of the
request when the decision emails go to the RQ queue (a worker sends them afterwards) and when
the web process sends them itself over SMTP before answering (the embedded setup).

    python -m bench.bulk_approve            # SQLite in a temporary file; Redis for the queue
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench python -m bench.bulk_approve

Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379/15). A local SMTP server (aiosmtpd)
counts what arrives: after each run every participant's account must have exactly one message.
Prints the median request times and, last, `ratio: queued / sent in the request`. Fails when
the queued request takes a second or more, or when an account got no message or two."""

from __future__ import annotations

import os
import re
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import delete, insert, select, text, update

from config import database_url
from contest import create_app, queues
from contest.auth.models import User
from contest.auth.passwords import hash_password
from contest.auth.services import open_session
from contest.contests.models import Category, Contest
from contest.extensions import db
from contest.mail.models import OutgoingMail
from contest.registration.models import Entry, EntryWork, Participant, Registration, RegistrationCounter

COUNT = 500
RUNS = 3
LIMIT_SECONDS = 1.0


class Mailbox:
    """The SMTP server's side: who received how many messages."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.received.update(envelope.rcpt_tos)
        return "250 Message accepted"


def build_app(smtp_port: int):
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(url), MAIL_BACKEND="smtp",
                     MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, MAIL_QUEUE=f"mail-bench-{uuid.uuid4().hex}")
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    return app


def seed() -> tuple[int, User]:
    """A contest open for registration with COUNT pending registrations, each with a complete entry."""
    now = datetime.now(UTC)
    password_hash = hash_password("bench-password-123")
    organiser = User(email="organiser@bench.kz", name="Organiser", role="organiser", password_hash=password_hash)
    contest = Contest(slug="bench", title_en="Bench", kind="writing", level="city", status="registration_open",
                      registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=30),
                      event_at=now + timedelta(days=40))
    db.session.add_all([organiser, contest, Category(contest=contest, name_en="Poetry", position=1)])
    db.session.flush()
    db.session.add(RegistrationCounter(contest_id=contest.id, prefix="BEN", last_number=COUNT))
    db.session.execute(insert(User), [
        {"email": f"parent{n}@bench.kz", "name": f"Ата-ана {n}", "role": "participant", "password_hash": password_hash,
         "is_active": True, "preferred_language": "kk", "created_at": now, "updated_at": now} for n in range(COUNT)])
    accounts = list(db.session.scalars(select(User.id).where(User.email.like("parent%")).order_by(User.id)))
    db.session.execute(insert(Participant), [
        {"account_id": account, "surname": f"Сәтбаев{n}", "given_name": "Әлихан", "patronymic": "",
         "birth_date": datetime(2000, 1, 1).date(), "school": f"Гимназия №{n % 60}", "grade": None,
         "district": "", "teacher": "", "phone": "", "guardian_name": "", "guardian_phone": "",
         "created_at": now, "updated_at": now} for n, account in enumerate(accounts)])
    participants = list(db.session.scalars(select(Participant.id).order_by(Participant.id)))
    db.session.execute(insert(Registration), [
        {"contest_id": contest.id, "participant_id": participant, "category_id": contest.categories[0].id,
         "registered_by_id": account, "number": n + 1, "code": f"BEN-{n + 1:04d}", "status": "pending",
         "decision_reason": "", "created_at": now, "updated_at": now}
        for n, (participant, account) in enumerate(zip(participants, accounts, strict=True))])
    registrations = list(db.session.scalars(select(Registration.id)))
    db.session.execute(insert(Entry), [
        {"registration_id": id_, "video_url": "", "created_at": now, "updated_at": now} for id_ in registrations])
    db.session.execute(insert(EntryWork), [
        {"entry_id": id_, "position": 1, "title": "Өлең", "text": "бір\nекі\nүш\n", "file_original_name": "",
         "file_type": ""} for id_ in db.session.scalars(select(Entry.id))])
    db.session.commit()
    return contest.id, organiser


def reset() -> None:
    """Every registration pending again and no mail recorded: the next run decides them all anew."""
    db.session.execute(update(Registration).values(status="pending", decided_at=None, decided_by_id=None))
    db.session.execute(delete(OutgoingMail))
    db.session.commit()


def approve_all(app, client, contest_id: int, mailbox: Mailbox, redis_url: str) -> float:
    """One bulk approval of every registration: the request's time; the mail is checked afterwards."""
    with app.app_context():
        reset()
        ids = [str(id_) for id_ in db.session.scalars(select(Registration.id))]
    mailbox.received.clear()
    app.config["REDIS_URL"] = redis_url
    page = client.get(f"/manage/contests/{contest_id}/registrations/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    start = time.perf_counter()
    response = client.post(f"/manage/contests/{contest_id}/registrations/approve",
                           data={"csrf_token": token, "ids": ids})
    seconds = time.perf_counter() - start
    assert response.status_code == 302, response.status_code
    if redis_url:
        run_worker(app, redis_url)
    expect_one_message_each(mailbox)
    return seconds


def run_worker(app, redis_url: str) -> None:
    queue = Queue(app.config["MAIL_QUEUE"], connection=Redis.from_url(redis_url))
    SimpleWorker([queue], connection=queue.connection).work(burst=True, logging_level="WARNING")


def expect_one_message_each(mailbox: Mailbox) -> None:
    deadline = time.monotonic() + 10
    while sum(mailbox.received.values()) < COUNT and time.monotonic() < deadline:
        time.sleep(0.05)  # the SMTP server's thread may still be storing the last message
    once = sum(1 for count in mailbox.received.values() if count == 1)
    assert once == COUNT == len(mailbox.received), f"{once} of {COUNT} accounts got exactly one message"


def main() -> int:
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    Redis.from_url(redis_url).ping()
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port for the SMTP server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        app = build_app(port)
        queues._worker_app = app  # the worker is this process, with the same configuration
        with app.app_context():
            contest_id, organiser = seed()
            session_id = open_session(organiser)
            db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        approve_all(app, client, contest_id, mailbox, redis_url)  # warm up templates and statements
        queued, sent = [], []
        for _ in range(RUNS):  # interleaved, so that a slow moment of the machine hits both alike
            queued.append(approve_all(app, client, contest_id, mailbox, redis_url))
            sent.append(approve_all(app, client, contest_id, mailbox, ""))
    finally:
        smtp.stop()

    queued_seconds, sent_seconds = statistics.median(queued), statistics.median(sent)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}, {COUNT} registrations approved "
          f"at once, each account got exactly one message")
    print(f"mail queued (RQ, sent by a worker afterwards): {queued_seconds * 1000:7.0f} ms per request")
    print(f"mail sent over SMTP inside the request:        {sent_seconds * 1000:7.0f} ms per request")
    failed = queued_seconds >= LIMIT_SECONDS
    if failed:
        print(f"FAIL: the request with the queue took {queued_seconds:.2f} s (limit {LIMIT_SECONDS:.0f} s)")
    print(f"ratio: {queued_seconds / sent_seconds:.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
