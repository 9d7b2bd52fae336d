"""The proof that the app keeps no state of its own: two app servers (gunicorn, each with its own
local folder, and the live round's gunicorn beside it) behind one nginx, sharing PostgreSQL, Redis
and the database file store.

What a person would notice if a server kept something to itself:
- an entry file uploaded through one server cannot be downloaded through the other;
- results published or withdrawn through one server still show the old state through the other;
- a sign-in lock earned through one server does not hold on the other;
- a server that stops makes visitors' requests fail instead of nginx retrying them elsewhere;
- a hall following the stage slows the site's pages (the live round's requests must reach the
  live round's gunicorn, which yields the processor to the site's), or the stage is lost while
  that gunicorn is down.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import create_engine, text

from contest.extensions import db
from contest.pagecache import PROXY_CACHE_SECONDS
from tests.conftest import redis_url
from tests.databases import fresh_database_url
from tests.deploy import nginx_site
from tests.deploy.cluster import Browser, Cluster, Server, cluster_environment, free_port

pytestmark = pytest.mark.e2e

POEM = "Алатаудың баурайында\nАқ қайыңдар сыбырлайды.\n".encode()


def _requirements() -> None:
    if db.engine.url.get_backend_name() != "postgresql":
        pytest.skip("several app servers share PostgreSQL: this runs in the PostgreSQL pass")
    nginx_site.tool("nginx")
    try:
        redis.Redis.from_url(redis_url()).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {redis_url()} is needed for shared state: {error}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, app) -> Iterator[Cluster]:
    with app.app_context():
        _requirements()
        database_url, drop_database = fresh_database_url()
    store = redis.Redis.from_url(redis_url())
    store.flushdb()
    cluster = Cluster(env=cluster_environment(database_url, redis_url()),
                      run_dir=tmp_path_factory.mktemp("two-servers"),
                      a=Server("a", free_port()), b=Server("b", free_port()), front_port=free_port(),
                      live=(Server("a-live", free_port(), live=True), Server("b-live", free_port(), live=True)))
    try:
        cluster.flask("db", "upgrade")
        cluster.flask("demo")
        for server in (cluster.a, cluster.b, *cluster.live):
            cluster.start_server(server)
        cluster.start_nginx()
        yield cluster
    finally:
        cluster.stop()
        store.flushdb()
        drop_database()


def _one(cluster: Cluster, sql: str, **params) -> tuple:
    engine = create_engine(cluster.env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            row = connection.execute(text(sql), params).first()
    finally:
        engine.dispose()
    assert row is not None, sql
    return tuple(row)


def test_an_entry_uploaded_through_one_server_is_downloaded_through_the_other(cluster):
    registration_id, contest_id = _one(cluster, """
        SELECT registration.id, registration.contest_id FROM registration
        JOIN participant ON participant.id = registration.participant_id
        JOIN user_account ON user_account.id = participant.account_id
        JOIN contest ON contest.id = registration.contest_id
        WHERE user_account.email = 'poet@demo.kz' AND contest.status = 'registration_open'""")
    poet = Browser(cluster.a.url)
    assert poet.sign_in("poet@demo.kz", "demo-poet-Aqynfest-3") == 302
    page = f"/my/registrations/{registration_id}"
    _, form = poet.get(page)
    works = len(set(re.findall(r'name="works-(\d+)-title"', form)))
    assert works >= 1, form[:2000]
    fields = {f"works-{n}-title": f"Өлең {n + 1}" for n in range(works)}
    fields.update({f"works-{n}-text": "Қазақтың кең даласы" for n in range(works)})
    status, answer = poet.post_multipart(page, fields, {"works-0-file": ("alatau.txt", POEM, "text/plain")})
    assert status == 302, answer[:2000]

    organiser = Browser(cluster.b.url)
    assert organiser.sign_in("organiser@demo.kz", "demo-organiser-Abai-2026") == 302
    status, body, _ = organiser.request(
        f"/manage/contests/{contest_id}/registrations/{registration_id}/works/1/file")
    assert status == 200
    assert body == POEM


def _results_status(browser: Browser, slug: str) -> int:
    status, _ = browser.get(f"/contests/{slug}/results")
    return status


def _every_worker_answers(browser: Browser, slug: str, status: int) -> bool:
    """Several visits in a row (each a new connection, so each of the server's workers gets some)
    all answer `status`: one worker that remembers the old state is enough to fail."""
    return all(_results_status(browser, slug) == status for _ in range(8))


def _within(seconds: float, check) -> float:
    """How long until `check()` holds; fails after `seconds`."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            pytest.fail(f"not seen within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - started


def test_results_withdrawn_and_published_through_one_server_show_through_the_other_within_a_second(cluster):
    contest_id, slug = _one(cluster, "SELECT id, slug FROM contest WHERE status = 'results_published' "
                                     "ORDER BY id LIMIT 1")
    visitor_b = Browser(cluster.b.url)
    assert _every_worker_answers(visitor_b, slug, 200)  # every worker of server B has seen the page now
    organiser = Browser(cluster.a.url)
    assert organiser.sign_in("organiser@demo.kz", "demo-organiser-Abai-2026") == 302
    standings = f"/manage/contests/{contest_id}/results"

    status, answer = organiser.post(f"{standings}/unpublish", {"reason": "Қате табылды"}, form_page=standings)
    assert status == 302, answer[:2000]
    _within(1.0, lambda: _every_worker_answers(visitor_b, slug, 404))

    status, answer = organiser.post(f"{standings}/publish", {"reason": "Түзетілді"}, form_page=standings)
    assert status == 302, answer[:2000]
    _within(1.0, lambda: _every_worker_answers(visitor_b, slug, 200))


def test_a_sign_in_lock_reached_through_one_server_holds_on_the_other(cluster):
    through_a = Browser(cluster.a.url)
    for _ in range(5):  # LOGIN_MAX_FAILURES
        assert through_a.sign_in("teacher@demo.kz", "not-the-password") == 422
    through_b = Browser(cluster.b.url)
    status, page = through_b.post("/login", {"email": "teacher@demo.kz", "password": "demo-teacher-Aqynfest-2"})
    assert status == 429
    assert "Кіру әрекеттері тым көп рет сәтсіз болды" in page


def test_nginx_hands_a_public_page_to_visitors_without_cookies_and_never_to_a_signed_in_one(cluster):
    """A crowd opening the news or the results (or a live round keeping the app servers busy) is
    answered by nginx itself for a couple of seconds; a signed-in organiser always gets a page of
    their own, and it is never handed to anyone else."""
    organiser_name = "Айгерім Сәрсенбаева"
    visits = [Browser(cluster.front).request("/news?lang=ru") for _ in range(3)]
    assert [status for status, _body, _headers in visits] == [200, 200, 200]
    assert [headers.get("X-Cache-Status") for _status, _body, headers in visits][1:] == ["HIT", "HIT"]
    assert visits[1][1] == visits[2][1]
    time.sleep(PROXY_CACHE_SECONDS + 1.5)  # kept only that long (nginx counts whole seconds)
    assert Browser(cluster.front).request("/news?lang=ru")[2].get("X-Cache-Status") == "EXPIRED"

    organiser = Browser(cluster.a.url)  # signed in directly (HTTPS would want a Referer), then through nginx
    assert organiser.sign_in("organiser@demo.kz", "demo-organiser-Abai-2026") == 302
    status, body, headers = organiser.on(cluster.front).request("/news?lang=ru")
    assert status == 200 and headers.get("X-Cache-Status") == "BYPASS"
    assert organiser_name in body.decode()

    status, body, headers = Browser(cluster.front).request("/news?lang=ru")
    assert status == 200 and organiser_name not in body.decode()
    assert 'name="csrf_token"' not in body.decode()

    # Browsers may keep the site's share card a day; nginx keeps only what the app marks for it.
    cards = [Browser(cluster.front).request("/cards/site/kk.png") for _ in range(2)]
    assert [status for status, _body, _headers in cards] == [200, 200]
    assert [headers.get("X-Cache-Status") for _status, _body, headers in cards] == ["MISS", "MISS"]


def _served(cluster: Cluster, server: Server) -> str:
    """The requests `server` answered so far (its gunicorn's access lines)."""
    return (cluster.run_dir / f"gunicorn-{server.name}.log").read_text()


def test_the_stage_and_the_jury_go_to_the_live_rounds_gunicorn_and_to_the_site_while_it_is_down(cluster):
    live = cluster.live or ()
    [round_id] = _one(cluster, """
        SELECT contest_round.id FROM contest_round JOIN contest ON contest.id = contest_round.contest_id
        WHERE contest.kind = 'recitation' ORDER BY contest_round.id LIMIT 1""")
    screen = f"/stage/{round_id}/screen?lang=kk"
    for path in (screen, "/jury/", "/contests?visit=site"):
        assert Browser(cluster.front).request(path)[0] in (200, 302)
    answered_live = "".join(_served(cluster, server) for server in live)
    answered_site = _served(cluster, cluster.a) + _served(cluster, cluster.b)
    assert f"GET {screen} " in answered_live and "GET /jury/ " in answered_live
    assert f"GET {screen} " not in answered_site and "GET /jury/ " not in answered_site
    assert "GET /contests?visit=site " in answered_site and "/contests?visit=site " not in answered_live

    for server in live:
        cluster.stop_server(server)
    try:
        status, body, _headers = Browser(cluster.front).request(f"{screen}&visit=down")
        assert status == 200 and "data-state-url" in body.decode()  # the site's servers answer instead
        assert f"GET {screen}&visit=down " in _served(cluster, cluster.a) + _served(cluster, cluster.b)
    finally:
        for server in live:
            cluster.start_server(server)


def test_stopping_one_server_loses_no_request_nginx_can_retry(cluster):
    statuses: list[int] = []
    stop = threading.Event()

    def visit() -> None:
        visitor = Browser(cluster.front)
        while not stop.is_set():
            statuses.append(visitor.get("/contests")[0])

    visitors = [threading.Thread(target=visit) for _ in range(4)]
    for thread in visitors:
        thread.start()
    try:
        time.sleep(1.5)
        cluster.a.process.kill()  # no goodbye: requests in flight on it are cut off
        time.sleep(2.5)
    finally:
        stop.set()
        for thread in visitors:
            thread.join(30)
    assert len(statuses) > 20
    assert set(statuses) == {200}, {status: statuses.count(status) for status in set(statuses)}
