"""deploy/nginx/contest.conf made runnable here: a self-signed certificate instead of Let's
Encrypt's, this checkout's static/ folder, logs and temporary files in a test folder, and (for the
two-servers proof) loopback ports instead of the example addresses. Everything else is the file
operators install."""

from __future__ import annotations

import getpass
import shutil
import subprocess
from pathlib import Path

import pytest

from contest import ROOT

NGINX_SITE = ROOT / "deploy" / "nginx" / "contest.conf"
EXAMPLE_UPSTREAMS = ("10.0.0.11:8000", "10.0.0.12:8000")
EXAMPLE_LIVE_UPSTREAMS = ("10.0.0.11:8001", "10.0.0.12:8001")


def tool(name: str) -> str:
    found = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if found is None:  # under CI=true a skip fails the run (tests/ci_skips.py)
        pytest.skip(f"{name} is not installed (`make deploy-tools` installs Debian's nginx and openssl)")
    return found


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run([tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=konkurs.example.kz", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)
    return certificate, key


LIVE_ROUND_LIMITS = "worker_processes auto;\nworker_rlimit_nofile 8192;\nevents { worker_connections 4096; }"


def render(folder: Path, *, upstreams: tuple[str, str] | None = None, live_upstreams: tuple[str, str] | None = None,
           ports: tuple[int, int] | None = None, live_round_limits: bool = False) -> Path:
    """Write the site and a main configuration that includes it into `folder`; return the main
    configuration's path. `live_upstreams`: the live round's servers (contest-live.service), by
    default the site's own. `ports` = (plain HTTP, HTTPS) on 127.0.0.1 instead of 80 and 443.
    `live_round_limits`: Debian's workers (one per core) with the connections the README asks
    for before a live round (each page following the stage holds two); else nginx's defaults."""
    certificate, key = self_signed_certificate(folder)
    site = (NGINX_SITE.read_text()
            .replace("/etc/letsencrypt/live/konkurs.example.kz/fullchain.pem", str(certificate))
            .replace("/etc/letsencrypt/live/konkurs.example.kz/privkey.pem", str(key))
            .replace("/srv/contest/static/", f"{ROOT / 'static'}/")
            .replace("/var/log/nginx/", f"{folder}/")
            .replace("/var/lib/nginx/", f"{folder}/cache-"))
    assert str(certificate) in site and str(ROOT / "static") in site  # the placeholders were there
    if upstreams is not None:
        # The live servers first: their backups are the site's servers.
        pairs = ((EXAMPLE_LIVE_UPSTREAMS, live_upstreams or upstreams), (EXAMPLE_UPSTREAMS, upstreams))
        for examples, addresses in pairs:
            for example, address in zip(examples, addresses, strict=True):
                assert f"server {example} " in site
                site = site.replace(f"server {example} ", f"server {address} ")
    if ports is not None:
        plain, secure = ports
        site = (site.replace("    listen [::]:80;\n", "").replace("    listen [::]:443 ssl http2;\n", "")
                .replace("listen 80;", f"listen 127.0.0.1:{plain};")
                .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{secure} ssl http2;"))
    (folder / "contest.conf").write_text(site)
    temporary = "".join(f"  {kind}_temp_path {folder}/{kind};\n"
                        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    # Workers as the user running the tests: nginx's default user (nobody) could not write its
    # page cache in a test folder (ignored, with a warning, when not run as root).
    main.write_text(f"user {getpass.getuser()};\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
                    f"{LIVE_ROUND_LIMITS if live_round_limits else 'events {}'}\n"
                    f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n{temporary}"
                    f"  include {folder}/contest.conf;\n}}\n")
    return main
