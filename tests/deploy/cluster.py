"""Two app servers behind one nginx, as the README's Production section runs them: each server a
gunicorn of its own with its own local folder, sharing one PostgreSQL database, one Redis and the
database file store. Used by test_two_app_servers.py."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

NGINX_CONF = """
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {run}/nginx-access.log;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    client_max_body_size 60m;
    upstream contest_app {{
        server 127.0.0.1:{port_a} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{port_b} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{port_front};
        location / {{
            proxy_pass http://contest_app;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
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
    nginx: subprocess.Popen | None = None
    logs: list = field(default_factory=list)

    @property
    def front(self) -> str:
        return f"http://127.0.0.1:{self.front_port}"

    def flask(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "flask"), "--app", "contest", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_server(self, server: Server) -> None:
        upload_dir = self.run_dir / f"uploads-{server.name}"  # each machine's own disk: never shared
        upload_dir.mkdir(exist_ok=True)
        log = open(self.run_dir / f"gunicorn-{server.name}.log", "ab")  # noqa: SIM115 (closed in stop())
        self.logs.append(log)
        server.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{server.port}",
             "--graceful-timeout", "5", "contest:create_app()"],
            cwd=ROOT, env={**self.env, "UPLOAD_DIR": str(upload_dir)}, stdout=log, stderr=log)
        wait_for(f"{server.url}/healthz")

    def stop_server(self, server: Server) -> None:
        if server.process and server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(10)
            except subprocess.TimeoutExpired:
                server.process.kill()
        server.process = None

    def start_nginx(self) -> None:
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / folder).mkdir(exist_ok=True)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(run=self.run_dir, port_a=self.a.port, port_b=self.b.port,
                                          port_front=self.front_port))
        self.nginx = subprocess.Popen([nginx_binary(), "-c", str(conf), "-p", str(self.run_dir),
                                       "-g", "daemon off;"], stderr=subprocess.DEVNULL)
        wait_for(f"{self.front}/healthz")

    def stop(self) -> None:
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(10)
        for server in (self.a, self.b):
            self.stop_server(server)
        for log in self.logs:
            log.close()


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


class Browser:
    """One person's cookies, on one address (a server, or nginx)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def on(self, base: str) -> Browser:
        """The same person (same cookies) talking to another address."""
        other = Browser(base)
        other.jar = self.jar
        other.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())
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
        "SESSION_COOKIE_SECURE": "false",
        "TRUSTED_PROXIES": "1",
        "MAIL_BACKEND": "log",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8",
    })
    return env
