"""The organisers' registrations table with 200 and with 2,000 registrations: the number of
SQL statements must not change, and the time should barely grow (the table is paginated).

    python -m bench.registrations_table            # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/bench python -m bench.registrations_table

Prints the query count and the median time of each size and their ratio (2,000 / 200), and
the same for the CSV export, which grows with the rows it writes."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, insert, select, text

from config import database_url
from contest import create_app
from contest.auth.models import User
from contest.auth.passwords import hash_password
from contest.auth.services import open_session
from contest.contests.models import Category, Contest
from contest.extensions import db
from contest.registration.models import Entry, EntryWork, Participant, Registration, RegistrationCounter

RUNS = 15


def build_app():
    url = os.environ.get("BENCH_DATABASE_URL")
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(url), MAIL_BACKEND="log")
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    return app


def make_contest() -> tuple[Contest, User]:
    now = datetime.now(UTC)
    organiser = User(email="organiser@bench.kz", name="Organiser", role="organiser",
                     password_hash=hash_password("bench-password-123"))
    contest = Contest(slug="bench", title_en="Bench", kind="writing", level="city", status="registration_open",
                      registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=30),
                      event_at=now + timedelta(days=40))
    db.session.add_all([organiser, contest, Category(contest=contest, name_en="Poetry", position=1)])
    db.session.flush()
    db.session.add(RegistrationCounter(contest_id=contest.id, prefix="BEN", last_number=0))
    db.session.commit()
    return contest, organiser


def add_registrations(contest: Contest, count: int) -> None:
    now = datetime.now(UTC)
    counter = db.session.get(RegistrationCounter, contest.id)
    first_id = (db.session.scalar(select(Participant.id).order_by(Participant.id.desc()).limit(1)) or 0) + 1
    first_number = counter.last_number + 1
    db.session.execute(insert(Participant), [
        {"id": first_id + n, "surname": f"Сәтбаев{first_number + n}", "given_name": "Әлихан", "patronymic": "",
         "school": f"Гимназия №{n % 60}", "grade": 1 + n % 11, "district": f"District {n % 8}", "teacher": "",
         "phone": "+7 701 000 00 00", "guardian_name": "", "guardian_phone": "", "created_at": now,
         "updated_at": now} for n in range(count)])
    db.session.execute(insert(Registration), [
        {"contest_id": contest.id, "participant_id": first_id + n, "category_id": contest.categories[0].id,
         "number": first_number + n, "code": f"BEN-{first_number + n:04d}", "status": "pending",
         "decision_reason": "", "created_at": now, "updated_at": now} for n in range(count)])
    ids = db.session.scalars(select(Registration.id).where(Registration.number >= first_number))
    db.session.execute(insert(Entry), [
        {"registration_id": id_, "video_url": "", "created_at": now, "updated_at": now} for id_ in ids])
    entry_ids = db.session.scalars(select(Entry.id).join(Registration).where(Registration.number >= first_number))
    db.session.execute(insert(EntryWork), [
        {"entry_id": id_, "position": 1, "title": "Өлең", "text": "бір\nекі\nүш\n", "file_original_name": "",
         "file_type": ""} for id_ in entry_ids])
    counter.last_number += count
    db.session.commit()


def measure(app, client, url: str) -> tuple[int, float]:
    statements: list[str] = []

    def count(*_args) -> None:
        statements.append("")

    client.get(url)  # warm up caches (templates, compiled statements)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return len(statements), statistics.median(times)


def main() -> int:
    app = build_app()
    with app.app_context():
        contest, organiser = make_contest()
        contest_id, session_id = contest.id, open_session(organiser)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    pages = {"table": f"/manage/contests/{contest_id}/registrations/",
             "table, last page": None,
             "CSV export": f"/manage/contests/{contest_id}/registrations/export.csv"}
    results: dict[int, dict[str, tuple[int, float]]] = {}
    total = 0
    for size in (200, 2000):
        with app.app_context():
            add_registrations(db.session.get(Contest, contest_id), size - total)
        total = size
        pages["table, last page"] = f"/manage/contests/{contest_id}/registrations/?page={-(-size // 50)}"
        results[size] = {name: measure(app, client, url) for name, url in pages.items()}

    print(f"{'page':<20}{'queries 200':>12}{'queries 2000':>14}{'ms 200':>9}{'ms 2000':>9}{'time ratio':>12}")
    failed = False
    for name in pages:
        (q_small, t_small), (q_large, t_large) = results[200][name], results[2000][name]
        print(f"{name:<20}{q_small:>12}{q_large:>14}{t_small * 1000:>9.1f}{t_large * 1000:>9.1f}"
              f"{t_large / t_small:>12.2f}")
        if name.startswith("table") and q_small != q_large:
            failed = True
    print("database:", app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0])
    if failed:
        print("FAIL: the table's query count grows with the registrations")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
