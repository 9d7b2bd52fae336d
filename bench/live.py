"""A live round under the README's production setup: how fast the jury's sheets reach the chair's
control page and the hall's screens, what watching costs the servers, and what it does to the
rest of the site.

    python bench/live.py [--jurors 50] [--screens 500] [--phones 50] [--performances 3]
                         [--window 20] [--idle 30] [--live-nice N] [--database-url URL] [--redis-url URL]

PostgreSQL and Redis are needed. `--database-url` (default: TEST_DATABASE_URL) is emptied and
rebuilt as an installation is (`flask db upgrade`, then `flask demo`); `--redis-url` (default:
TEST_REDIS_URL) is emptied too. Two app servers, each a site's gunicorn and a live round's one
(deploy/gunicorn.conf.py, two workers each; the live one with GUNICORN_POOL=live, yielding to
the site's pages as it does in production, or as `--live-nice` says), run behind nginx with
deploy/nginx/contest.conf (HTTPS, self-signed), all on loopback ports 5201-5206, as
tests/deploy/test_two_app_servers.py runs them: each in a session of its own, as systemd starts a
service (Linux weighs a nice only inside its session's group: README, Live round); the main
nginx.conf around the site is Debian's (worker_processes auto) with the README's connections for
a live round (worker_connections 4096).

The demo's open Aqynfest edition becomes a live round in judging: a few more approved performers
and a jury of `--jurors` (the demo's three, the first chairing, plus new ones). Then, all from
this one process (asyncio, aiohttp; every simulated person has their own connection):

0. settling: the database vacuumed and analysed and a checkpoint written (PostgreSQL's own
   after-work on the freshly filled tables, or an earlier run's, falls in neither phase), then
   a wait, at most 90 s, for the processors to be 90 % idle for 3 s in a row;
1. idle: a visitor loads the contest page every 0.2 s for `--idle` seconds (its p95: idle), in
   three ways each time (VISITORS): without cookies, as a first-time visitor (nginx answers most
   from its two-second copy of the page); with a cookie that is not a session (each goes on to
   an app server, which answers from its shared page cache); signed in as the demo's organiser
   (the app renders the page for them);
2. watching: `--screens` audience screens (`?lang=kk`, no cookies), `--phones` participants
   following the stage on their phones (in their browser's language), the chair's control page
   and every juror's phone (signed in) follow the stage as stage-feed.js does: with
   `--follow events` (the default) the screens hold the live feed, the chair's page holds it
   and asks state.json on each change, a juror's phone holds it and asks state.json when the
   performer or the number of reminders changes and every 30 s from when its juror opened the page
   (a random moment in the first 30 s); with `--follow poll` everyone
   asks state.json once a second with the last ETag;
   for each of `--performances` performers the chair calls them on stage, every juror submits a
   sheet at a random moment within `--window` seconds, and the chair closes the performance.
   The visitor keeps loading the contest page.

Reported: from each submit (the POST sent) to the chair's page seeing that juror's sheet
submitted, and to each audience screen seeing a count that includes it (its rank among the
submits' answers), p50/p95/max; the gunicorn processes' CPU time (from /proc, the workers a
master has replaced included) and nginx's, per watching client per second; the contest page's
p95 idle and while watched, for each of the visitor's three ways; the load average. Bounded:
each phase has a fixed length, and the servers are stopped at the end whatever happens. The
last line is
`ratio: <contest page p95 while watched / idle p95>`, the highest of the three ways (target: at
most 2; the screens' p95 at most 1.5 s)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import ssl
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import redis  # noqa: E402

from tests.deploy.cluster import Cluster, Server, cluster_environment  # noqa: E402

PORTS = {"a": 5201, "b": 5202, "https": 5203, "http": 5204, "a-live": 5205, "b-live": 5206}
JUROR_PASSWORD = "bench-juror-Abai-2026"  # noqa: S105 (the bench's own throwaway accounts)
POLL_SECONDS = 1.0  # as stage-feed.js asks without a live feed
JUROR_SECONDS = 30  # stage-follow.js with a live feed: the juror's own part at least this often
PROBE_SECONDS = 0.2
VISITORS = {  # the visitor's three ways to the contest page, and what answers each
    "first-time": "no cookie (nginx's copy)",
    "cookie": "a cookie, no session (the app's page cache)",
    "signed-in": "the organiser, signed in (rendered)",
}
WARM_UP_SECONDS = 5
QUIET_SHARE, QUIET_SECONDS, QUIET_WAIT_SECONDS = 0.9, 3, 90  # see `wait_for_quiet`
SETTLE_SECONDS = 4  # after the last submit of a performance: time for every screen to see it


# The scene -------------------------------------------------------------------------------------

@dataclass
class Scene:
    contest_id: int
    contest_slug: str
    round_id: int
    criteria: dict[str, str]  # form field -> points to give
    jurors: list[tuple[str, str, str]]  # (e-mail, name, password); the first chairs
    organiser: tuple[str, str]  # (e-mail, password): the signed-in visitor
    performers: list[int]  # registration ids, in the running order


def build_scene(database_url: str, redis_url: str, jurors: int, performers: int) -> Scene:
    """The demo's open Aqynfest edition as a live round in judging, through the services, as an
    organiser would set it up: its round live, more approved performers, a jury of `jurors`."""
    from flask import Flask
    from sqlalchemy import select

    from contest import create_app
    from contest.auth import services as accounts
    from contest.auth.models import Role
    from contest.contests import services as contests
    from contest.contests.demo import AQYNFEST_NEXT_SLUG
    from contest.contests.models import Contest, ContestStatus
    from contest.demo import DEMO_ACCOUNTS
    from contest.extensions import db
    from contest.judging import jury
    from contest.judging.demo import DEMO_JURORS
    from contest.judging.services import points_field
    from contest.registration import services as registration
    from contest.registration.demo import POET_WORKS, demo_works
    from contest.registration.moderation import approve_registration
    from contest.stage import order

    app: Flask = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                            MAIL_BACKEND="log", FILE_STORE="database")
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.slug == AQYNFEST_NEXT_SLUG))
        organiser = accounts.find_user_by_email("organiser@demo.kz")
        assert contest is not None and organiser is not None, "flask demo did not load the open edition"
        round_ = contest.rounds[0]
        contests.update_part(round_, {"position": round_.position, "is_live": True, "time_limit_seconds": 180},
                             actor=organiser)
        adults = contest.categories[-1]  # ages 19-29: adults, named on the screen
        for number in range(performers):
            account = accounts.create_user(email=f"performer{number}@bench.kz", name=f"Performer {number}",
                                           password=JUROR_PASSWORD, role=Role.PARTICIPANT)
            person = registration.create_participant(account, {
                "surname": "Ақынов", "given_name": f"Bench{number}", "birth_date": _adult_birth_date(number),
                "district": "Алмалы ауданы", "phone": f"+7 701 000 {number:02d} 00"}, consent=True, actor=account)
            entry = registration.register(person, contest, adults, actor=account)
            registration.save_entry(entry, works=demo_works(contest, POET_WORKS), actor=account)
            approve_registration(entry, actor=organiser)
        passwords = {email: password for email, _name, _role, password in DEMO_ACCOUNTS}
        members = [(email, accounts.find_user_by_email(email).name, passwords[email]) for email in DEMO_JURORS]
        for number in range(jurors - len(members)):
            user = accounts.create_user(email=f"juror{number}@bench.kz", name=f"Juror {number}",
                                        password=JUROR_PASSWORD, role=Role.JUROR)
            jury.add_juror(contest, user, actor=organiser)
            members.append((user.email, user.name, JUROR_PASSWORD))
        for status in (ContestStatus.REGISTRATION_CLOSED, ContestStatus.JUDGING):
            contests.change_status(contest, status.value, actor=organiser)
        db.session.commit()
        scene = Scene(contest.id, contest.slug, round_.id,
                      {points_field(criterion): str(criterion.max_score) for criterion in contest.criteria},
                      members[:jurors], ("organiser@demo.kz", passwords["organiser@demo.kz"]),
                      [slot.registration.id for slot in order.running_order(round_)])
        db.engine.dispose()
    return scene


def _adult_birth_date(number: int):
    from datetime import date

    return date(2000, 1 + number % 12, 1 + number % 28)


# Measuring -------------------------------------------------------------------------------------

def _process_seconds(pid: int, *, children: bool) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: the children it has reaped
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds(master_pid: int) -> float:
    """A master's CPU time and its workers', those it has replaced included."""
    try:
        workers = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        total = _process_seconds(master_pid, children=True)
        for pid in workers:
            with contextlib.suppress(FileNotFoundError):  # replaced just now: counted once reaped
                total += _process_seconds(int(pid), children=False)
        return total
    except FileNotFoundError:
        return 0.0


def service_seconds(name: str) -> float:
    """The CPU time of every process named `name` (PostgreSQL's backends, Redis), those already
    reaped by their parent included; the bench machine runs no other instance of them."""
    total = 0.0
    for folder in Path("/proc").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            if folder.name.isdigit() and (folder / "comm").read_text().strip().startswith(name):
                total += _process_seconds(int(folder.name), children=True)
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def summary(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (f"p50 {percentile(values, 0.5):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
            f"max {max(values):.2f} s ({len(values)} samples)")


# Simulated people ----------------------------------------------------------------------------

@dataclass
class Run:
    base: str
    scene: Scene
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    # (when the answer came, submitted count) per screen; (when, member name -> state) for the chair
    screens: list[list[tuple[float, int]]] = field(default_factory=list)
    chair_seen: dict[str, float] = field(default_factory=dict)
    submits: list[tuple[str, float, float]] = field(default_factory=list)  # (juror name, sent, answered)
    visitors: ProcessPoolExecutor = field(
        default_factory=lambda: ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")))
    errors: list[str] = field(default_factory=list)
    polls: int = 0
    visitor_cookies: dict[str, str | None] = field(default_factory=dict)  # VISITORS' way -> Cookie
    quiet_after: float | None = None  # seconds waited for a quiet machine before the idle phase


def tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # nginx's certificate is the bench's own, self-signed
    return context


def session(headers: dict[str, str] | None = None) -> aiohttp.ClientSession:
    """One person: their own connections (kept alive, at most six to the site, as a browser's
    over HTTP/1.1: a page holding the live feed still loads and posts), cookies and headers."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls(), limit=6),
                                 cookie_jar=aiohttp.CookieJar(unsafe=True), headers=headers or {},
                                 timeout=aiohttp.ClientTimeout(total=20))


def referer(url: str) -> dict[str, str]:
    """Flask-WTF checks over HTTPS that a form comes from the same site, as browsers say in
    Referer. nginx tells the app the host without the port (`Host $host`, right on port 443), so
    the bench's page addresses on port 5203 are given as the app sees them."""
    return {"Referer": url.replace(f":{PORTS['https']}/", "/", 1)}


async def csrf(client: aiohttp.ClientSession, url: str) -> tuple[str, str]:
    async with client.get(url) as response:
        page = await response.text()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit(f"no form on {url} ({response.status})")
    return token.group(1), page


async def sign_in(base: str, email: str, password: str) -> aiohttp.ClientSession:
    client = session({"Accept-Language": "kk"})
    token, _page = await csrf(client, f"{base}/login")
    async with client.post(f"{base}/login", data={"csrf_token": token, "email": email, "password": password},
                           headers=referer(f"{base}/login"), allow_redirects=False) as response:
        if response.status != 302:
            raise SystemExit(f"{email} could not sign in ({response.status}): {(await response.text())[:300]}")
    return client


async def poll_state(run: Run, client: aiohttp.ClientSession, url: str, seen) -> None:
    """Ask like the page's script does until the run stops: the last ETag, about once a second."""
    etag = None
    await asyncio.sleep(random.uniform(0, POLL_SECONDS))  # screens are not switched on in step
    while not run.stop.is_set():
        started = time.monotonic()
        try:
            async with client.get(url, headers={"If-None-Match": etag} if etag else {}) as response:
                run.polls += 1
                if response.status == 200:
                    etag = response.headers.get("ETag")
                    seen(time.monotonic(), await response.json())
                elif response.status != 304:
                    run.errors.append(f"{url}: {response.status}")
        except (aiohttp.ClientError, TimeoutError) as error:
            run.errors.append(f"{url}: {error!r}")
        await asyncio.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))


async def follow_events(run: Run, client: aiohttp.ClientSession, url: str, seen) -> None:
    """Like EventSource: one long answer, a `data:` line per change; opened again 2 s after it ends."""
    await asyncio.sleep(random.uniform(0, POLL_SECONDS))
    while not run.stop.is_set():
        try:
            async with client.get(url, timeout=aiohttp.ClientTimeout(total=None, sock_read=60)) as response:
                if response.status != 200:
                    run.errors.append(f"{url}: {response.status}")
                async for line in response.content:
                    if line.startswith(b"data: "):
                        run.polls += 1
                        seen(time.monotonic(), json.loads(line[6:]))
        except (aiohttp.ClientError, TimeoutError) as error:
            run.errors.append(f"{url}: {error!r}")
        await asyncio.sleep(2)


async def screen(run: Run, language: str | None, mode: str) -> None:
    observations: list[tuple[float, int]] = []
    run.screens.append(observations)
    query = f"?lang={language}" if language else ""

    def seen(when: float, data: dict) -> None:
        observations.append((when, (data.get("scores") or {}).get("submitted", 0)))

    async with session({"Accept-Language": random.choice(("kk", "ru", "kk-KZ,kk;q=0.9,ru;q=0.8"))}) as client:
        if mode == "events":
            await follow_events(run, client, f"{run.base}/stage/{run.scene.round_id}/events{query}", seen)
        else:
            await poll_state(run, client, f"{run.base}/stage/{run.scene.round_id}/state.json{query}", seen)


async def ask_state(run: Run, client: aiohttp.ClientSession, url: str, etag: str | None, seen) -> str | None:
    """One request of the state endpoint with the last ETag; the new ETag."""
    try:
        async with client.get(url, headers={"If-None-Match": etag} if etag else {}) as response:
            run.polls += 1
            if response.status == 200:
                seen(time.monotonic(), await response.json())
                return response.headers.get("ETag")
            if response.status != 304:
                run.errors.append(f"{url}: {response.status}")
    except (aiohttp.ClientError, TimeoutError) as error:
        run.errors.append(f"{url}: {error!r}")
    return etag


async def told_then_ask(run: Run, client: aiohttp.ClientSession, seen, *, every_change: bool) -> None:
    """Like stage-feed.js with a live feed: the page holds the public feed and asks state.json
    for its own part on each change (the chair's page), or when the performer on stage or the
    number of reminders changes and every JUROR_SECONDS (a juror's phone: stage-follow.js's
    setInterval, counted from when the juror opened the page, here a random moment within the
    first JUROR_SECONDS, as jurors do not open their pages all in the same second). One request
    at a time, as the script does."""
    state_url = f"{run.base}/stage/{run.scene.round_id}/state.json"
    etag: str | None = None
    on_stage: list[str | None] = [None]
    wanted = asyncio.Event()

    def told(when: float, data: dict) -> None:
        seen = f"{(data.get('now') or {}).get('code')}:{data.get('reminders', 0)}"
        if every_change or seen != on_stage[0]:
            on_stage[0] = seen
            wanted.set()

    async def asker() -> None:
        nonlocal etag
        while not run.stop.is_set():
            await wanted.wait()
            wanted.clear()
            etag = await ask_state(run, client, state_url, etag, seen)

    async def every_while() -> None:
        await asyncio.sleep(random.uniform(0, JUROR_SECONDS))
        while not run.stop.is_set():
            wanted.set()
            await asyncio.sleep(JUROR_SECONDS)

    tasks = [asyncio.create_task(asker())] + ([] if every_change else [asyncio.create_task(every_while())])
    try:
        await follow_events(run, client, f"{run.base}/stage/{run.scene.round_id}/events?lang=kk", told)
    finally:
        for task in tasks:
            task.cancel()


async def chair_page(run: Run, client: aiohttp.ClientSession, mode: str) -> None:
    def seen(when: float, data: dict) -> None:
        for juror in (data.get("chair") or {}).get("jurors", []):
            key = f"{data['chair']['registration_id']}:{juror['name']}"
            if juror["state"] == "submitted" and key not in run.chair_seen:
                run.chair_seen[key] = when

    if mode == "events":
        await told_then_ask(run, client, seen, every_change=True)
    else:
        await poll_state(run, client, f"{run.base}/stage/{run.scene.round_id}/state.json", seen)


async def juror_phone(run: Run, client: aiohttp.ClientSession, mode: str) -> None:
    if mode == "events":
        await told_then_ask(run, client, lambda when, data: None, every_change=False)
    else:
        await poll_state(run, client, f"{run.base}/stage/{run.scene.round_id}/state.json", lambda when, data: None)


def visitor(url: str, seconds: float, cookies: dict[str, str | None]) -> tuple[dict[str, list[float]], list[str]]:
    """A visitor loading `url` every PROBE_SECONDS for `seconds`, once in each of VISITORS' ways
    (`cookies`: the Cookie header of each; one kept-alive connection each, as a browser's): the
    times of each way and the failures. It runs in a process of its own, so what it measures is
    the servers' answer, not this process's event loop busy with hundreds of screens (a real
    visitor's browser does not share a loop with the hall)."""
    parts = urlsplit(url)
    samples: dict[str, list[float]] = {way: [] for way in cookies}
    errors: list[str] = []
    connections = {way: http.client.HTTPSConnection(parts.hostname or "", parts.port, context=tls(), timeout=20)
                   for way in cookies}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        for way, cookie in cookies.items():
            samples[way].append(_load(connections[way], parts.path, cookie, errors))
        time.sleep(max(0.0, PROBE_SECONDS - (time.monotonic() - started)))
    for connection in connections.values():
        connection.close()
    return samples, errors


def _load(connection: http.client.HTTPSConnection, path: str, cookie: str | None, errors: list[str]) -> float:
    """One load of the page: how long it took (a failure counts as the time it took)."""
    started = time.monotonic()
    try:
        connection.request("GET", path, headers={"Accept-Language": "kk", **({"Cookie": cookie} if cookie else {})})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            errors.append(f"contest page: {response.status}")
    except (OSError, http.client.HTTPException) as error:
        errors.append(f"contest page: {error!r}")
        connection.close()  # opened again by the next request
    return time.monotonic() - started


async def probe(run: Run, samples: dict[str, list[float]], seconds: float) -> None:
    """The visitor on the contest page, in its own process (see `visitor`)."""
    loop = asyncio.get_running_loop()
    times, errors = await loop.run_in_executor(run.visitors, visitor, f"{run.base}/contests/{run.scene.contest_slug}",
                                               seconds, run.visitor_cookies)
    for way, values in times.items():
        samples.setdefault(way, []).extend(values)
    run.errors.extend(errors)


async def visitor_cookies(base: str, scene: Scene) -> dict[str, str | None]:
    organiser = await sign_in(base, *scene.organiser)
    session_cookie = "; ".join(f"{cookie.key}={cookie.value}" for cookie in organiser.cookie_jar)
    await organiser.close()
    return {"first-time": None, "cookie": "bench=visitor", "signed-in": session_cookie}


async def submit(run: Run, client: aiohttp.ClientSession, name: str, registration_id: int, delay: float) -> None:
    await asyncio.sleep(delay)
    try:
        await _submit(run, client, name, registration_id)
    except (aiohttp.ClientError, TimeoutError) as error:
        run.errors.append(f"submit by {name}: {error!r}")


async def _submit(run: Run, client: aiohttp.ClientSession, name: str, registration_id: int) -> None:
    """As a juror's phone on the stage page: the performer's part (stage-follow.js fetches it when
    the performer comes on stage), then the sheet as sheet-offline.js sends it: the form's
    fields with the way back to the stage, JSON asked for, the token in a header, a key."""
    scene = run.scene
    jury = f"{run.base}/jury/{scene.contest_id}/rounds/{scene.round_id}"
    token, part = await csrf(client, f"{jury}/stage/performer")
    version = re.search(r'name="version"[^>]*value="(\d*)"', part)
    back = re.search(r'name="back"[^>]*value="([^"]+)"', part)
    form = {"csrf_token": token, "version": version.group(1) if version else "0", "action": "submit",
            "back": back.group(1) if back else "", **scene.criteria}
    headers = {**referer(f"{jury}/stage"), "Accept": "application/json", "X-CSRFToken": token,
               "Idempotency-Key": str(uuid.uuid4())}
    sent = time.monotonic()
    async with client.post(f"{jury}/entries/{registration_id}", data=form, headers=headers,
                           allow_redirects=False) as response:
        if response.status != 200:
            run.errors.append(f"submit by {name}: {response.status}")
    run.submits.append((f"{registration_id}:{name}", sent, time.monotonic()))


async def chair_action(run: Run, client: aiohttp.ClientSession, action: str) -> None:
    control = f"{run.base}/stage/{run.scene.round_id}/control"
    token, _page = await csrf(client, control)
    async with client.post(f"{run.base}/stage/{run.scene.round_id}/{action}", data={"csrf_token": token},
                           headers=referer(control), allow_redirects=False) as response:
        if response.status != 302:
            raise SystemExit(f"the chair could not {action} ({response.status})")


# The run ----------------------------------------------------------------------------------------

async def live_round(base: str, scene: Scene, args: argparse.Namespace, cpu) -> dict:
    run = Run(base, scene, visitor_cookies=await visitor_cookies(base, scene))
    run.visitors.submit(os.getpid).result()  # the visitor's process starts at the machine's priority
    # The simulated screens and phones stand in for hundreds of other devices: on this machine
    # they yield the processor to the servers and the visitor (their own delays still count).
    os.nice(args.clients_nice)
    jurors = [await sign_in(base, email, password) for email, _name, password in scene.jurors]
    chair = jurors[0]
    run.quiet_after = settle(args.database_url)
    idle: dict[str, list[float]] = {}
    await probe(run, idle, args.idle)

    tasks = [asyncio.create_task(screen(run, "kk", args.follow)) for _ in range(args.screens)]
    tasks += [asyncio.create_task(screen(run, None, args.follow)) for _ in range(args.phones)]
    tasks.append(asyncio.create_task(chair_page(run, chair, args.follow)))
    tasks += [asyncio.create_task(juror_phone(run, client, args.follow)) for client in jurors[1:]]
    await asyncio.sleep(WARM_UP_SECONDS)
    loaded: dict[str, list[float]] = {}
    cycle = args.window + SETTLE_SECONDS + 2
    probing = asyncio.create_task(probe(run, loaded, cycle * args.performances))
    polls_before, cpu_before, started, own = run.polls, cpu(), time.monotonic(), time.process_time()
    for registration_id in scene.performers[:args.performances]:
        await chair_action(run, chair, "call")
        await asyncio.gather(*(submit(run, client, name, registration_id, random.uniform(1, args.window))
                               for (_email, name, _password), client in zip(scene.jurors, jurors, strict=True)))
        await asyncio.sleep(SETTLE_SECONDS)
        await chair_action(run, chair, "close")
        await asyncio.sleep(1)
    await probing
    elapsed, cpu_used, polls = time.monotonic() - started, _minus(cpu(), cpu_before), run.polls - polls_before
    cpu_used["clients (this process)"] = time.process_time() - own
    run.stop.set()
    for task in tasks:  # a stream may be waiting for its next line
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for client in jurors:
        await client.close()
    run.visitors.shutdown()
    return {"run": run, "idle": idle, "loaded": loaded, "elapsed": elapsed, "cpu": cpu_used, "polls": polls}


def settle(database_url: str) -> float | None:
    """The database as an installation's on a contest day rather than just filled: its tables
    vacuumed and analysed and a checkpoint written, so that neither phase meets PostgreSQL's own
    after-work on the fresh tables (or an earlier run's). Then `wait_for_quiet`."""
    from sqlalchemy import create_engine, text

    from config import database_url as normalised

    engine = create_engine(normalised(database_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
        connection.execute(text("CHECKPOINT"))
    engine.dispose()
    return wait_for_quiet()


def wait_for_quiet() -> float | None:
    """Wait until the machine's processors are at least QUIET_SHARE idle for QUIET_SECONDS in a
    row (the idle phase is the baseline: it must not catch the end of the setup, or of another
    run): the seconds waited, or None when QUIET_WAIT_SECONDS went by first."""
    started, quiet = time.monotonic(), 0
    while time.monotonic() - started < QUIET_WAIT_SECONDS:
        before = _processor_times()
        time.sleep(1)
        after = _processor_times()
        busy, idle = (after[0] - before[0], after[1] - before[1])
        quiet = quiet + 1 if idle >= QUIET_SHARE * (busy + idle) else 0
        if quiet >= QUIET_SECONDS:
            return time.monotonic() - started
    return None


def _processor_times() -> tuple[int, int]:
    """All processors' (busy, idle) time since boot, in ticks (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and waiting for the disk
    return sum(fields) - idle, idle


def _minus(after: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before[name] for name in after}


def latencies(run: Run) -> tuple[list[float], list[float]]:
    """(to the chair, to the screens): seconds from each submit sent to it being seen."""
    to_chair = [run.chair_seen[key] - sent for key, sent, _answered in run.submits if key in run.chair_seen]
    missed = len(run.submits) - len(to_chair)
    if missed:
        run.errors.append(f"the chair never saw {missed} submits")
    to_screens: list[float] = []
    by_performance: dict[str, list[tuple[float, float]]] = {}
    for key, sent, answered in run.submits:
        by_performance.setdefault(key.split(":", 1)[0], []).append((answered, sent))
    for submits in by_performance.values():
        submits.sort()  # the k-th answered submit made the count k
        for observations in run.screens:
            for rank, (_answered, sent) in enumerate(submits, start=1):
                seen = next((when for when, count in observations if when >= sent and count >= rank), None)
                if seen is not None:
                    to_screens.append(seen - sent)
    return to_chair, to_screens


def servers(cluster: Cluster) -> list[Server]:
    return [cluster.a, cluster.b, *(cluster.live or ())]


def start(cluster: Cluster) -> None:
    for server in servers(cluster):
        cluster.start_server(server)
    # Debian's nginx.conf around the site (a worker per core) with the README's connections.
    cluster.start_nginx(http_port=PORTS["http"], live_round_limits=True)


def _children(pid: int) -> list[int]:
    with contextlib.suppress(FileNotFoundError):
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


def fresh_database(cluster: Cluster, url: str) -> None:
    from sqlalchemy import create_engine, text

    from config import database_url

    engine = create_engine(database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    cluster.flask("db", "upgrade")
    cluster.flask("demo")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jurors", type=int, default=50)
    parser.add_argument("--screens", type=int, default=500, help="audience screens (?lang=kk, no cookies)")
    parser.add_argument("--phones", type=int, default=50, help="participants' phones on the screen page")
    parser.add_argument("--performances", type=int, default=3)
    parser.add_argument("--window", type=float, default=20, help="seconds over which the jurors submit")
    parser.add_argument("--follow", choices=("events", "poll"), default="events",
                        help="screens and phones: the live feed (as with Redis) or asking state.json each second")
    parser.add_argument("--idle", type=float, default=30, help="seconds of the idle measurement")
    parser.add_argument("--live-nice", type=int, default=None,
                        help="GUNICORN_LIVE_NICE for the live round's gunicorns (0: they do not yield to the site's)")
    parser.add_argument("--clients-nice", type=int, default=19,
                        help="the simulated watchers' priority (nice); the visitor keeps the machine's")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("PostgreSQL is needed: --database-url postgresql://… (or TEST_DATABASE_URL)")
    redis.Redis.from_url(args.redis_url).flushdb()
    run_dir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    env = cluster_environment(args.database_url, args.redis_url)
    if args.live_nice is not None:
        env["GUNICORN_LIVE_NICE"] = str(args.live_nice)
    cluster = Cluster(env, run_dir, Server("a", PORTS["a"]), Server("b", PORTS["b"]), PORTS["https"],
                      live=(Server("a-live", PORTS["a-live"], live=True), Server("b-live", PORTS["b-live"], live=True)))
    try:
        fresh_database(cluster, args.database_url)
        scene = build_scene(args.database_url, args.redis_url, args.jurors, performers=max(3, args.performances))
        start(cluster)
        nginx_master = cluster.nginx.pid if cluster.nginx else 0

        def cpu() -> dict[str, float]:
            return {"gunicorn": sum(cpu_seconds(server.process.pid) for server in (cluster.a, cluster.b)
                                    if server.process),
                    "gunicorn (live)": sum(cpu_seconds(server.process.pid) for server in cluster.live or ()
                                           if server.process),
                    "nginx": cpu_seconds(nginx_master),
                    "postgres": service_seconds("postgres"), "redis": service_seconds("redis")}

        load_before = os.getloadavg()
        figures = asyncio.run(live_round(cluster.front, scene, args, cpu))
        load_after = os.getloadavg()
    finally:
        workers = [pid for server in servers(cluster) if server.process for pid in _children(server.process.pid)]
        cluster.stop()
        for pid in workers:  # a worker its master could not stop in time (a stream still open)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(run_dir, ignore_errors=True)
    report(args, figures, load_before, load_after)


def report(args: argparse.Namespace, figures: dict, load_before, load_after) -> None:
    run: Run = figures["run"]
    to_chair, to_screens = latencies(run)
    watchers = args.screens + args.phones + args.jurors
    per_client = {name: 1000 * used / watchers / figures["elapsed"] for name, used in figures["cpu"].items()}
    print(f"{args.jurors} jurors (each phone following the stage), {args.screens} screens, {args.phones} phones; "
          f"{args.performances} performances, sheets within {args.window:.0f} s; "
          f"screens {'on the live feed' if args.follow == 'events' else 'asking state.json each second'}; "
          f"{figures['polls'] / figures['elapsed']:.0f} states received or asked for per second "
          f"over {figures['elapsed']:.0f} s")
    print(f"submit sent -> answered:    {summary([answered - sent for _key, sent, answered in run.submits])}")
    print(f"submit -> chair's page:     {summary(to_chair)}")
    print(f"submit -> audience screens: {summary(to_screens)}")
    site, live = figures["cpu"]["gunicorn"], figures["cpu"]["gunicorn (live)"]
    print(f"CPU per watching client: gunicorn {per_client['gunicorn'] + per_client['gunicorn (live)']:.3f} ms/s, "
          f"nginx {per_client['nginx']:.3f} ms/s (gunicorn {site + live:.1f} s: the live round's {live:.1f} s, "
          f"the site's {site:.1f} s; nginx {figures['cpu']['nginx']:.1f} s in all); meanwhile PostgreSQL used "
          f"{figures['cpu']['postgres']:.1f} s, Redis {figures['cpu']['redis']:.1f} s")
    print(f"the simulated clients' own CPU: {figures['cpu']['clients (this process)'] / figures['elapsed']:.2f} "
          f"of a core (their delays count in the times above)")
    ratios = []
    for way, meaning in VISITORS.items():
        idle, loaded = percentile(figures["idle"][way], 0.95), percentile(figures["loaded"][way], 0.95)
        ratios.append(loaded / idle)
        medians = [percentile(figures[phase][way], 0.5) * 1000 for phase in ("idle", "loaded")]
        print(f"contest page p95, {meaning}: idle {idle * 1000:.0f} ms, while watched {loaded * 1000:.0f} ms, "
              f"ratio {ratios[-1]:.2f} (p50 {medians[0]:.0f} and {medians[1]:.0f} ms; "
              f"{len(figures['idle'][way])} and {len(figures['loaded'][way])} loads)")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}; "
          f"{os.cpu_count()} cores; " + (f"the idle phase began on a quiet machine (after {run.quiet_after:.0f} s)"
                                          if run.quiet_after is not None else
                                          f"the machine was not quiet within {QUIET_WAIT_SECONDS} s: idle figures "
                                          "may be high"))
    if run.errors:
        print(f"errors: {len(run.errors)}, first: {run.errors[:3]}")
    print(f"ratio: {max(ratios):.2f}")


if __name__ == "__main__":
    main()
