"""The public results page of a contest of 1,000 registrations x 7 jurors x 5 criteria under
gunicorn (two sync workers), against a bare route of the same app and server in the same run.

    python -m bench.results_page

Builds its own SQLite database, publishes the results (a snapshot), starts gunicorn on a free
port with an app that also has a bare route (registered only in this bench's app instance),
then loads each address from several client processes for a few seconds, in turns (the order
alternating from round to round, so that neither route always runs first). Prints the median
requests per second of both and ends with `ratio: <median over the rounds of results page /
bare route>` (target: at least 0.6): the median of paired rounds, because other processes on
the machine make single rounds noisy. The page is served from the public pages' cache
(contest/pagecache.py), so a visit asks nothing of the database."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from config import database_url  # noqa: E402
from contest import create_app  # noqa: E402
from contest.auth.models import User  # noqa: E402
from contest.auth.permissions import public  # noqa: E402
from contest.contests.models import AwardTier, Category, Contest, Criterion, Round  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.judging.models import JuryMember, Score, ScoreSheet  # noqa: E402
from contest.registration.models import Participant, Registration  # noqa: E402

ENTRIES, JURORS, CRITERIA, CATEGORIES = 1_000, 7, 5, 4
CLIENTS = 4
SECONDS = 3.0
ROUNDS = 5
SLUG = "bench-results"


def bench_app():
    """The WSGI app gunicorn serves: the real app plus a bare route for the comparison."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(os.environ["BENCH_DATABASE_URL"]),
                     MAIL_BACKEND="log")

    @app.get("/bench/bare")
    @public
    def bare():
        return "ok"

    return app


def make_data() -> None:
    generator = random.Random(2027)
    now = datetime.now(UTC)
    contest = Contest(slug=SLUG, title_en="Bench", title_kk="Бенч", kind="recitation", level="city",
                      status="judging", registration_opens_at=now - timedelta(days=30),
                      registration_closes_at=now - timedelta(days=1), event_at=now)
    categories = [Category(contest=contest, name_en=f"Group {n}", name_kk=f"Топ {n}", position=n)
                  for n in range(CATEGORIES)]
    criteria = [Criterion(contest=contest, name_en=f"Criterion {n}", position=n, max_score=10, step=0.5)
                for n in range(CRITERIA)]
    tiers = [AwardTier(contest=contest, name_en=name, position=n, winners_count=1)
             for n, name in enumerate(["Grand Prix", "I degree", "II degree", "III degree"])]
    round_ = Round(contest=contest, name_en="Final", stage="final", position=1)
    users = [User(email=f"juror{n}@bench.kz", name=f"Juror {n}", role="juror", password_hash="x")
             for n in range(JURORS)]
    organiser = User(email="organiser@bench.kz", name="Organiser", role="organiser", password_hash="x")
    db.session.add_all([contest, *categories, *criteria, *tiers, round_, *users, organiser])
    db.session.flush()
    members = [JuryMember(contest_id=contest.id, user_id=user.id, is_chair=n == 0) for n, user in enumerate(users)]
    db.session.add_all(members)
    db.session.flush()
    db.session.execute(insert(Participant), [
        {"id": n + 1, "surname": f"Сәтбаев{n}", "given_name": "Әлихан", "patronymic": "",
         "school": f"Гимназия №{n % 60}",
         "grade": 1 + n % 11, "district": "Алмалы", "teacher": "Мұғалім", "phone": "+7 701 000 00 00",
         "guardian_name": "", "guardian_phone": "", "created_at": now, "updated_at": now} for n in range(ENTRIES)])
    db.session.execute(insert(Registration), [
        {"id": n + 1, "contest_id": contest.id, "participant_id": n + 1, "category_id": categories[n % CATEGORIES].id,
         "number": n + 1, "code": f"BEN-{n + 1:04d}", "status": "approved", "decision_reason": "",
         "created_at": now, "updated_at": now} for n in range(ENTRIES)])
    sheets, scores = [], []
    for entry in range(1, ENTRIES + 1):
        for member in members:
            sheets.append({"id": len(sheets) + 1, "member_id": member.id, "registration_id": entry,
                           "round_id": round_.id, "status": "submitted", "source": "online", "comment": "",
                           "version": 1, "submitted_at": now, "reopen_reason": "", "created_at": now,
                           "updated_at": now})
            scores.extend({"sheet_id": len(sheets), "criterion_id": criterion.id,
                           "points": generator.randrange(21) / 2} for criterion in criteria)
    db.session.execute(insert(ScoreSheet), sheets)
    db.session.execute(insert(Score), scores)
    db.session.commit()
    from contest.results.services import publish_results

    publish_results(contest, actor=organiser)
    db.session.commit()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client(port: int, path: str, seconds: float, results) -> None:
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request("GET", path, headers={"Accept-Encoding": "gzip, deflate"})  # as browsers send
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}")
        done += 1
    results.put(done)


def requests_per_second(port: int, path: str) -> float:
    results = multiprocessing.Queue()
    clients = [multiprocessing.Process(target=_client, args=(port, path, SECONDS, results)) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for process in clients:
        process.start()
    total = sum(results.get() for _ in clients)
    for process in clients:
        process.join()
    return total / (time.perf_counter() - started)


def wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise SystemExit("gunicorn did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("gunicorn did not answer")


def main() -> None:
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["BENCH_DATABASE_URL"] = url
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, MAIL_BACKEND="log")
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        make_data()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.results_page:bench_app()"], cwd=ROOT, env=os.environ.copy())
    try:
        wait_for(port, server)
        page = f"/contests/{SLUG}/results"
        for path in ("/bench/bare", page):  # warm up both workers: templates, the page cache
            requests_per_second(port, path)
        rounds = {"bare": [], "results": []}
        for number in range(ROUNDS):
            turns = [("bare", "/bench/bare"), ("results", page)]
            for name, path in turns if number % 2 == 0 else reversed(turns):
                rounds[name].append(requests_per_second(port, path))
        connection = http.client.HTTPConnection("127.0.0.1", port)
        connection.request("GET", page, headers={"Accept-Encoding": "gzip"})
        size = len(connection.getresponse().read())
    finally:
        server.terminate()
        server.wait(timeout=10)
    ratios = [page_rate / bare_rate for page_rate, bare_rate in zip(rounds["results"], rounds["bare"], strict=True)]
    print(f"{ENTRIES} registrations x {JURORS} jurors x {CRITERIA} criteria; gunicorn, 2 sync workers, "
          f"{CLIENTS} client processes, median of {ROUNDS} rounds x {SECONDS:.0f} s")
    print(f"bare route:   {statistics.median(rounds['bare']):.0f} requests/s")
    print(f"results page: {statistics.median(rounds['results']):.0f} requests/s "
          f"({size / 1024:.0f} KB per page, gzipped)")
    print("ratio per round: " + " ".join(f"{ratio:.2f}" for ratio in ratios))
    print(f"ratio: {statistics.median(ratios):.2f}")

if __name__ == "__main__":
    main()
