"""Two app servers behind one nginx, as the README's Production section runs them: each server a
gunicorn of its own with its own local folder, sharing one PostgreSQL database, one Redis and the
database file store; optionally each with the live round's gunicorn beside it
(contest-live.service: GUNICORN_POOL=live). Used by test_two_app_servers.py and bench/live.py."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy import nginx_site

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2, context=_unverified()):
                return
        except urllib.error.HTTPError:
            return  # the server answers: that is all we wait for
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen | None = None
    live: bool = False  # the live round's gunicorn (contest-live.service), not the site's

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    env: dict[str, str]
    run_dir: Path
    a: Server
    b: Server
    front_port: int
    live: tuple[Server, Server] | None = None  # beside a and b, as contest-live.service runs it
    nginx: subprocess.Popen | None = None
    logs: list = field(default_factory=list)

    @property
    def front(self) -> str:
        return f"https://127.0.0.1:{self.front_port}"

    def flask(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "flask"), "--app", "contest", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_server(self, server: Server) -> None:
        upload_dir = self.run_dir / f"uploads-{server.name}"  # each machine's own disk: never shared
        metrics_dir = self.run_dir / f"metrics-{server.name}"
        for folder in (upload_dir, metrics_dir):
            folder.mkdir(exist_ok=True)
        log = open(self.run_dir / f"gunicorn-{server.name}.log", "ab")  # noqa: SIM115 (closed in stop())
        self.logs.append(log)
        address = f"127.0.0.1:{server.port}"
        pool = ({"GUNICORN_POOL": "live", "GUNICORN_LIVE_BIND": address, "GUNICORN_LIVE_WORKERS": "2"}
                if server.live else {"GUNICORN_BIND": address, "GUNICORN_WORKERS": "2"})
        server.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")], cwd=ROOT,
            env={**self.env, "UPLOAD_DIR": str(upload_dir), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), **pool},
            stdout=log, stderr=log, start_new_session=True)  # a session of its own, as systemd starts a service
        wait_for(f"{server.url}/healthz")

    def stop_server(self, server: Server) -> None:
        if server.process and server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(10)
            except subprocess.TimeoutExpired:
                server.process.kill()
        server.process = None

    def start_nginx(self, *, http_port: int | None = None, live_round_limits: bool = False) -> None:
        """deploy/nginx/contest.conf as operators install it, on loopback ports (plain HTTP on
        `http_port`, else a free one); `live_round_limits`: see nginx_site.render."""
        live = (f"127.0.0.1:{self.live[0].port}", f"127.0.0.1:{self.live[1].port}") if self.live else None
        configuration = nginx_site.render(self.run_dir, upstreams=(f"127.0.0.1:{self.a.port}",
                                                                    f"127.0.0.1:{self.b.port}"),
                                          live_upstreams=live, ports=(http_port or free_port(), self.front_port),
                                          live_round_limits=live_round_limits)
        self.nginx = subprocess.Popen([nginx_site.tool("nginx"), "-c", str(configuration), "-p", str(self.run_dir),
                                       "-e", str(self.run_dir / "error.log"), "-g", "daemon off;"],
                                      stderr=subprocess.DEVNULL, start_new_session=True)
        wait_for(f"{self.front}/healthz")

    def stop(self) -> None:
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(10)
        for server in (self.a, self.b, *(self.live or ())):
            self.stop_server(server)
        for log in self.logs:
            log.close()


class Browser:
    """One person's cookies, on one address (a server, or nginx)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = _opener(self.jar)

    def on(self, base: str) -> Browser:
        """The same person (same cookies) talking to another address."""
        other = Browser(base)
        other.jar = self.jar
        other.opener = _opener(self.jar)
        return other

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
        request = urllib.request.Request(self.base + path, data=data, headers={"Accept-Language": "kk",
                                                                                **(headers or {})})
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def get(self, path: str) -> tuple[int, str]:
        status, body, _ = self.request(path)
        return status, body.decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        status, page = self.get(path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert match, f"no CSRF token on {path} ({status})"
        return match.group(1)

    def post(self, path: str, fields: dict[str, str], *, form_page: str | None = None) -> tuple[int, str]:
        fields = {"csrf_token": self.csrf(form_page or path), **fields}
        status, body, _ = self.request(path, urllib.parse.urlencode(fields).encode())
        return status, body.decode("utf-8", "replace")

    def post_multipart(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes, str]],
                       *, form_page: str | None = None) -> tuple[int, str]:
        boundary = "----contest-proof-boundary"
        parts: list[bytes] = []
        for name, value in {"csrf_token": self.csrf(form_page or path), **fields}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                         .encode())
        for name, (filename, content, kind) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        status, body, _ = self.request(path, b"".join(parts),
                                       {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status, body.decode("utf-8", "replace")

    def sign_in(self, email: str, password: str) -> int:
        status, _ = self.post("/login", {"email": email, "password": password})
        return status


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # nginx's certificate is the test's own, self-signed
    return context


def _opener(jar: http.cookiejar.CookieJar) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect(),
                                       urllib.request.HTTPSHandler(context=_unverified()))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to look at (a sign-in succeeded: 302), not to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


def cluster_environment(database_url: str, redis_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "PYTEST"))}
    env.update({
        "APP_ENV": "production",
        "SECRET_KEY": "two-servers-proof-secret",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "FILE_STORE": "database",
        "TRUSTED_PROXIES": "1",
        # Each step picks its server by talking to it directly, over plain HTTP: cookies marked
        # Secure would not come back there. Through nginx (HTTPS) everything is as in production.
        "SESSION_COOKIE_SECURE": "false",
        "MAIL_BACKEND": "log",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8",
    })
    return env
