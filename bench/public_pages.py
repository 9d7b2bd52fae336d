"""Every anonymous public page on the demo data under gunicorn (two sync workers), against a
plain Flask "hello" app under the same server settings, in the same run.

    python -m bench.public_pages

Loads the demo data into its own SQLite database (or into the test database named by
TEST_DATABASE_URL, PostgreSQL for instance, emptied first as the tests do), starts gunicorn
twice with the same settings (the app, and a bare Flask app answering "hello"), then loads each
address with wrk (Debian package `wrk`; `make bench-tools` installs it), 16 connections for a
few seconds, asking for gzip as browsers do; without wrk, Python client processes do it instead
(slower, so the figures are lower). Each page's run is paired with a baseline run next to it (in
alternating order), so that noise from other processes on the machine falls on both. Prints each
page's median requests per second and its ratio to the baseline (the median of the paired
ratios) and ends with `ratio: <the lowest page's ratio>` (target: at least 0.5). Each line also
gives requests per CPU second of the server's processes and that ratio, which the load other
programs put on a shared machine hardly moves. The pages come
from the shared cache (contest/pagecache.py), so a visit asks nothing of the database."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from config import database_url  # noqa: E402
from contest import create_app  # noqa: E402
from contest.contests.models import Contest, ContestStatus  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.news.models import NewsPost  # noqa: E402

CONNECTIONS = 16
THREADS = 2
SECONDS = 2
ROUNDS = 5
PYTHON_CLIENTS = 4
HEADERS = {"Accept-Encoding": "gzip, deflate"}  # as browsers send


def bench_app() -> Flask:
    """The WSGI app gunicorn serves: the real app on the bench's database, mail to the log."""
    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(os.environ["BENCH_DATABASE_URL"]),
                      MAIL_BACKEND="log", PUBLIC_VERSION_FILE=os.environ["BENCH_VERSION_FILE"])


def hello_app() -> Flask:
    """The baseline: the least a Flask app can do per request."""
    app = Flask(__name__)
    app.add_url_rule("/", "hello", lambda: "hello")
    return app


def load_demo(url: str, work: str) -> dict[str, str]:
    """The demo data in a fresh schema; the public addresses to load, by name."""
    from flask_migrate import upgrade

    from contest.demo import load_demo as load

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, MAIL_BACKEND="log", UPLOAD_DIR=f"{work}/uploads",
                     PUBLIC_VERSION_FILE=os.environ["BENCH_VERSION_FILE"])
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        load()
        db.session.commit()
        results = db.session.scalars(select(Contest.slug).where(
            Contest.status == ContestStatus.RESULTS_PUBLISHED.value).order_by(Contest.id)).first()
        post = db.session.scalars(select(NewsPost.slug).where(NewsPost.published_at.is_not(None))
                                  .order_by(NewsPost.published_at.desc())).first()
        db.engine.dispose()
    return {"home": "/", "contests list": "/contests", "contest page": f"/contests/{results}",
            "news list": "/news", "news post": f"/news/{post}", "results page": f"/contests/{results}/results",
            "Atom feed": "/news/feed.atom"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app], cwd=ROOT, env=os.environ.copy())
    for _ in range(400):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn did not start {app}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return server, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"gunicorn did not answer for {app}")


def check(port: int, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", path, headers=HEADERS)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status}")


def cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time the server's processes (master and workers) have used: requests per CPU second
    hardly move with the load other programs put on the machine, unlike requests per second."""
    pids = [server.pid, *map(int, Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split())]
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime and stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(rate, server: subprocess.Popen, port: int, path: str) -> tuple[float, float]:
    """(requests per second, requests per CPU second of the server) of one run."""
    before = cpu_seconds(server)
    per_second = rate(port, path)
    used = cpu_seconds(server) - before
    return per_second, per_second * SECONDS / used if used else float("inf")


def wrk_rate(port: int, path: str) -> float:
    output = subprocess.run(
        ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{SECONDS}s",
         *(arg for name, value in HEADERS.items() for arg in ("-H", f"{name}: {value}")),
         f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in output:
        raise SystemExit(f"{path}: errors under load\n{output}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise SystemExit(f"wrk said nothing usable:\n{output}")
    return float(found.group(1))


def _python_client(port: int, path: str, seconds: float, results) -> None:
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        check(port, path)
        done += 1
    results.put(done)


def python_rate(port: int, path: str) -> float:
    results = multiprocessing.Queue()
    clients = [multiprocessing.Process(target=_python_client, args=(port, path, SECONDS, results))
               for _ in range(PYTHON_CLIENTS)]
    started = time.perf_counter()
    for process in clients:
        process.start()
    total = sum(results.get() for _ in clients)
    for process in clients:
        process.join()
    return total / (time.perf_counter() - started)


def main() -> None:
    work = tempfile.mkdtemp(prefix="bench-public-")
    url = database_url(os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{work}/bench.sqlite3")
    os.environ["BENCH_DATABASE_URL"] = url
    os.environ["BENCH_VERSION_FILE"] = f"{work}/public-version"
    os.environ.pop("REDIS_URL", None)  # the embedded default: pages kept by each worker
    pages = load_demo(url, work)
    rate = wrk_rate if shutil.which("wrk") else python_rate
    app_server, app_port = start_gunicorn("bench.public_pages:bench_app()")
    hello_server, hello_port = start_gunicorn("bench.public_pages:hello_app()")
    try:
        for path in pages.values():
            for _ in range(4):  # each worker renders and keeps the page (each takes some of the visits)
                check(app_port, path)
        check(hello_port, "/")
        baseline: dict[str, list[tuple[float, float]]] = {name: [] for name in pages}
        rates: dict[str, list[tuple[float, float]]] = {name: [] for name in pages}
        for number in range(ROUNDS):
            for name, path in pages.items():  # each page paired with a baseline run next to it
                turns = [(baseline, hello_server, hello_port, "/"), (rates, app_server, app_port, path)]
                for figures, server, port, address in turns if number % 2 == 0 else reversed(turns):
                    figures[name].append(measured(rate, server, port, address))
    finally:
        for server in (app_server, hello_server):
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    tool = f"wrk, {CONNECTIONS} connections" if rate is wrk_rate else f"{PYTHON_CLIENTS} Python client processes"
    print(f"demo data on {url.split(':', 1)[0]}; gunicorn, 2 sync workers each; {tool}; "
          f"median of {ROUNDS} rounds x {SECONDS} s")
    every_baseline = [figures for values in baseline.values() for figures in values]
    print(f"{'hello (baseline)':<16} {statistics.median(f[0] for f in every_baseline):>7.0f} requests/s"
          f"  {statistics.median(f[1] for f in every_baseline):>7.0f} per CPU second")
    ratios = {}
    for name, values in rates.items():
        pairs = list(zip(values, baseline[name], strict=True))
        ratios[name] = statistics.median(page[0] / base[0] for page, base in pairs)
        cpu_ratio = statistics.median(page[1] / base[1] for page, base in pairs)
        print(f"{name:<16} {statistics.median(v[0] for v in values):>7.0f} requests/s"
              f"  {statistics.median(v[1] for v in values):>7.0f} per CPU second"
              f"  ratio {ratios[name]:.2f} (per CPU second: {cpu_ratio:.2f})")
    print(f"ratio: {min(ratios.values()):.2f}")


if __name__ == "__main__":
    main()
