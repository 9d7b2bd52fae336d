"""The files in deploy/: nginx's configuration passes `nginx -t`, gunicorn's runs two workers
whose counts /metrics adds up, the app believes exactly the headers nginx sets, and the
environment file names only settings that exist."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis

from config import Config
from contest import ROOT, create_app
from tests.conftest import free_port, redis_url
from tests.deploy import nginx_site
from tests.deploy.nginx_site import NGINX_SITE

DEPLOY = ROOT / "deploy"


@pytest.mark.parametrize("live_round_limits", [False, True], ids=["defaults", "the README's live-round limits"])
def test_the_nginx_configuration_passes_nginx_t(tmp_path, live_round_limits):
    configuration = nginx_site.render(tmp_path, live_round_limits=live_round_limits)
    result = subprocess.run([nginx_site.tool("nginx"), "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"),
                             "-c", str(configuration)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_accepts_exactly_the_request_size_the_app_accepts():
    [size] = re.findall(r"^\s*client_max_body_size (\d+)m;", NGINX_SITE.read_text(), re.M)
    assert int(size) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH


def test_nginx_retries_only_requests_that_may_be_sent_twice():
    site = NGINX_SITE.read_text()
    assert re.search(r"^\s*proxy_next_upstream error timeout http_502 http_503;", site, re.M)
    assert "non_idempotent" not in site.split("#")[0] and not re.search(r"^[^#]*non_idempotent", site, re.M)


def _forwarded_headers() -> dict[str, str]:
    """The X-Forwarded-* headers nginx sets, with the values it would send for a visitor at
    203.0.113.7 who forged an X-Forwarded-For of their own."""
    names = set(re.findall(r"proxy_set_header (X-Forwarded-\w+)", NGINX_SITE.read_text()))
    assert names == {"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"}
    return {"X-Forwarded-For": "198.51.100.9, 203.0.113.7", "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "konkurs.example.kz"}


def test_behind_nginx_the_app_sees_the_visitor_and_https(db, tmp_path):
    proxied = create_app("testing", SQLALCHEMY_DATABASE_URI=db.engine.url.render_as_string(False),
                         UPLOAD_DIR=str(tmp_path), TRUSTED_PROXIES=1, WTF_CSRF_ENABLED=False,
                         METRICS_ALLOW_FROM="203.0.113.7")
    browser = proxied.test_client()
    nginx = {"REMOTE_ADDR": "10.0.0.2"}
    headers = _forwarded_headers()
    # The address nginx appended is the visitor's; the one the visitor wrote before it is not.
    assert browser.get("/metrics", headers=headers, environ_base=nginx).status_code == 200
    forged = {**headers, "X-Forwarded-For": "203.0.113.7, 198.51.100.9"}
    assert browser.get("/metrics", headers=forged, environ_base=nginx).status_code == 404
    # The visitor came over HTTPS: cookies the app sets are for HTTPS only.
    response = browser.post("/language", data={"language": "ru", "next": "/"}, headers=headers, environ_base=nginx)
    assert "Secure" in response.headers["Set-Cookie"]


def test_the_environment_example_names_only_settings_that_exist():
    names = re.findall(r"^#? ?([A-Z_]+)=", (DEPLOY / "contest.env.example").read_text(), re.M)
    read = r'(?:os\.environ\.get|env_bool)\("([A-Z_]+)"'
    known = {name for source in (ROOT / "config.py", ROOT / "contest" / "__init__.py", DEPLOY / "gunicorn.conf.py")
             for name in re.findall(read, source.read_text())}
    unknown = [name for name in names if name not in known]
    assert names and unknown == []


def test_the_systemd_units_run_the_files_of_this_repository():
    for unit in ("contest-web.service", "contest-live.service", "contest-worker.service"):
        text = (DEPLOY / "systemd" / unit).read_text()
        assert "EnvironmentFile=/etc/contest/contest.env" in text
        assert re.search(r"^Environment=PROMETHEUS_MULTIPROC_DIR=/run/contest/metrics(-live)?$", text, re.M)
        for path in re.findall(r"/srv/contest/([\w./-]+)", text):
            assert path.startswith(".venv/") or (ROOT / path).exists(), (unit, path)


def _unit_settings(unit: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for name, value in re.findall(r"^(\w+)=(.*)$", (DEPLOY / "systemd" / unit).read_text(), re.M):
        settings.setdefault(name, []).append(value)
    return settings


def _gunicorn_settings(**environment: str) -> dict[str, str]:
    command = [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "--print-config"]
    printed = subprocess.run(command, cwd=ROOT, env={**os.environ, **environment}, capture_output=True, text=True,
                             check=True)
    return dict(re.findall(r"^(\w+)\s+= (.*)$", printed.stdout, re.M))


def test_the_live_round_has_its_own_gunicorn_with_metrics_of_its_own():
    web, live = _unit_settings("contest-web.service"), _unit_settings("contest-live.service")
    assert "GUNICORN_POOL=live" in live["Environment"]
    assert not any("GUNICORN_POOL" in value for value in web["Environment"])
    folders = [[value for value in unit["Environment"] if value.startswith("PROMETHEUS_MULTIPROC_DIR=")]
               for unit in (web, live)]
    assert folders[0] != folders[1]  # gunicorn empties its folder when it starts
    assert web["ExecStart"] == live["ExecStart"]
    # Under systemd's CPU weights a nice counts only inside its own service: the weight yields.
    assert live["CPUWeight"] == ["10"] and "CPUWeight" not in web

    site = _gunicorn_settings(GUNICORN_BIND="0.0.0.0:8000", GUNICORN_WORKERS="4", GUNICORN_LIVE_BIND="0.0.0.0:8001",
                              GUNICORN_LIVE_WORKERS="2")
    stage = _gunicorn_settings(GUNICORN_BIND="0.0.0.0:8000", GUNICORN_WORKERS="4", GUNICORN_LIVE_BIND="0.0.0.0:8001",
                               GUNICORN_LIVE_WORKERS="2", GUNICORN_POOL="live")
    assert (site["bind"], site["workers"]) == ("['0.0.0.0:8000']", "4")
    assert (stage["bind"], stage["workers"]) == ("['0.0.0.0:8001']", "2")
    # A worker whose threads all hold a screen's feed takes no more connections: they go to a
    # sibling instead of waiting behind the feeds.
    assert site["worker_connections"] == site["threads"] and stage["worker_connections"] == stage["threads"]


def test_nginx_sends_the_stage_and_the_jury_to_the_live_rounds_servers_and_the_rest_to_the_sites():
    site = NGINX_SITE.read_text()
    [routes] = re.findall(r"map \$uri \$contest_upstream \{(.*?)\}", site, re.S)
    assert dict(re.findall(r"^\s*(\S+)\s+(\w+);", routes, re.M)) == {"~^/(stage|jury)/": "contest_live",
                                                                     "default": "contest_app"}
    assert re.findall(r"proxy_pass (\S+);", site) == ["http://$contest_upstream"]
    [live] = re.findall(r"upstream contest_live \{(.*?)\}", site, re.S)
    assert re.findall(r"server (\S+:8001) ", live) == list(nginx_site.EXAMPLE_LIVE_UPSTREAMS)
    assert re.findall(r"server (\S+:8000) backup;", live) == list(nginx_site.EXAMPLE_UPSTREAMS)


def _get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode(), dict(response.headers)


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[1]
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not start")


def _environment(tmp_path: Path, port: int, **settings: str | None) -> dict[str, str]:
    """The app on a SQLite file in tmp_path, gunicorn on 127.0.0.1:`port`; `settings` adds to the
    environment (None takes a variable out)."""
    environment = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/contest.sqlite3",
                   "UPLOAD_DIR": str(tmp_path / "uploads"), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    for name, value in settings.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


def _gunicorn(environment: dict[str, str], *, own_session: bool = False) -> subprocess.Popen:
    """deploy/gunicorn.conf.py as the systemd units start it (`own_session`: in a session of its
    own, as systemd starts a service; else in ours, as from a shell)."""
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")],
                            cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=own_session)


def test_gunicorn_runs_two_workers_whose_metrics_add_up(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_424242.db").write_bytes(b"left by an earlier run")
    port = free_port()
    server = _gunicorn(_environment(tmp_path, port, METRICS_ALLOW_FROM="127.0.0.1", GUNICORN_WORKERS="2",
                                    PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), LOG_FORMAT="json"))
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", server)
        assert not (metrics_dir / "counter_424242.db").exists()  # the earlier run's counts are gone
        for _ in range(20):
            _body, headers = _get(f"{base}/healthz", {"X-Request-ID": "nginx-request-00000001"})
            assert headers["X-Request-ID"] == "nginx-request-00000001"
        text, _headers = _get(f"{base}/metrics")
    finally:
        server.send_signal(signal.SIGTERM)
        _output, log = server.communicate(timeout=30)
    [count] = re.findall(r'contest_http_requests_total\{endpoint="ops.healthz",method="GET",status="200"\} (\S+)', text)
    assert float(count) == 21  # the probe that found it up, then our 20, whichever worker answered
    assert len(list(metrics_dir.glob("counter_*.db"))) >= 1
    raw = [line for line in log.splitlines() if not line.startswith("{")]
    assert not raw, log  # LOG_FORMAT=json: gunicorn's lines too, and nothing else
    lines = [json.loads(line) for line in log.splitlines()]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    # Two processes write to one pipe: the lines' order is not the requests' order.
    assert len(access) == 22 and sum("id=nginx-request-00000001" in line["message"] for line in access) == 20
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)


def _processes(master: int) -> list[int]:
    return [master, *map(int, Path(f"/proc/{master}/task/{master}/children").read_text().split())]


def _autogroup(pid: int) -> str | None:
    """The process's session scheduling group ("/autogroup-7 nice 10"), None without autogroup."""
    path = Path(f"/proc/{pid}/autogroup")
    return path.read_text().strip() if path.exists() else None


def test_the_live_rounds_gunicorn_yields_the_processor_to_the_sites_pages(tmp_path):
    """Its master and workers run at a lower priority and leave the first core to the site's
    gunicorn, which keeps ours (bench/live.py measures what that does for a page's p95). Each is
    started as systemd starts a service, in a session of its own: where Linux groups sessions
    (autogroup), the live one's whole group yields, as a process's own nice counts only inside
    its group."""
    ours, cores = os.getpriority(os.PRIO_PROCESS, 0), os.sched_getaffinity(0)
    started = {}
    for pool in ("site", "live"):
        port = free_port()
        started[pool] = _gunicorn(_environment(tmp_path, port, GUNICORN_POOL=pool, GUNICORN_WORKERS="2",
                                               GUNICORN_LIVE_WORKERS="2", GUNICORN_LIVE_BIND=f"127.0.0.1:{port}",
                                               PROMETHEUS_MULTIPROC_DIR=None), own_session=True)
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", started[pool])
    try:
        site, live = (_processes(started[pool].pid) for pool in ("site", "live"))
        assert len(site) == len(live) == 3
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in site} == {ours}
        assert {frozenset(os.sched_getaffinity(pid)) for pid in site} == {frozenset(cores)}
        assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in live} == {min(ours + 10, 19)}
        spared = cores - {min(cores)} if len(cores) > 1 else cores
        assert {frozenset(os.sched_getaffinity(pid)) for pid in live} == {frozenset(spared)}
        groups = {pool: {_autogroup(pid) for pid in pids} for pool, pids in (("site", site), ("live", live))}
        if groups["site"] != {None}:  # a kernel with autogroup: one group per service
            assert len(groups["site"]) == len(groups["live"]) == 1 and groups["site"] != groups["live"]
            assert next(iter(groups["site"])).endswith(" nice 0")
            assert next(iter(groups["live"])).endswith(" nice 10")
    finally:
        for server in started.values():
            server.send_signal(signal.SIGTERM)
            server.communicate(timeout=30)


def test_a_live_gunicorn_started_from_a_shell_leaves_the_shells_group_alone(tmp_path):
    """Not leading its session (run by hand), it lowers only its own processes: lowering the
    group would lower the shell and all else started from it."""
    before = _autogroup(os.getpid())
    port = free_port()
    server = _gunicorn(_environment(tmp_path, port, GUNICORN_POOL="live", GUNICORN_LIVE_WORKERS="1",
                                    GUNICORN_LIVE_BIND=f"127.0.0.1:{port}", PROMETHEUS_MULTIPROC_DIR=None))
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        assert os.getpriority(os.PRIO_PROCESS, server.pid) == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
        assert _autogroup(server.pid) == _autogroup(os.getpid()) == before
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)


def test_a_stopping_worker_ends_the_live_feeds_at_once(tmp_path):
    """A restart while the hall's screen follows the stage: the feed ends (the screen reconnects
    elsewhere) and gunicorn stops in seconds, not after its 30 s graceful timeout."""
    url = redis_url()
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running")
    port = free_port()
    environment = _environment(tmp_path, port, REDIS_URL=url, GUNICORN_WORKERS="1")
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "contest", *command], cwd=ROOT, env=environment,
                       check=True, capture_output=True)
    server = _gunicorn(environment)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        screen = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        screen.request("GET", "/stage/1/events?lang=kk")  # the demo's recitation round
        feed = screen.getresponse()
        assert feed.status == 200
        while not feed.readline().startswith(b"id: "):  # the state now
            pass
        stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        assert b"data: " in feed.read()  # the rest of the stream, and its end (no reset)
        server.wait(timeout=60)
        assert time.monotonic() - stopping < 10
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate()
