"""What `/readyz` checks before a load balancer sends this app server traffic.

Each check raises when its service cannot be used; `readiness()` runs them all and names the
ones that failed. The reasons go to the log only: the answer is public, and a connection error
names hosts and users."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app
from sqlalchemy import text

from contest import files
from contest.extensions import db

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 2  # seconds a check may wait on a service


def check_database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def check_redis() -> None:
    from redis import Redis

    url = current_app.config["REDIS_URL"]
    with Redis.from_url(url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT) as client:
        client.ping()


def check_file_store() -> None:
    """The configured file store takes files: the upload folder on disk, or the database's tables."""
    files.store().check()


def checks() -> dict[str, Callable[[], None]]:
    """The services this configuration depends on: Redis only when REDIS_URL is set."""
    found: dict[str, Callable[[], None]] = {"database": check_database}
    if current_app.config["REDIS_URL"]:
        found["redis"] = check_redis
    found["file_store"] = check_file_store
    return found


def readiness() -> dict[str, str]:
    """Each check's outcome, "ok" or "failed"."""
    outcome = {}
    for name, check in checks().items():
        try:
            check()
        except Exception as error:  # any failure means "not ready"; the reason is logged
            log.error("Readiness: %s failed: %s: %s", name, type(error).__name__, error)
            outcome[name] = "failed"
        else:
            outcome[name] = "ok"
    return outcome
