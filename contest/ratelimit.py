"""Counting attempts per key within a window, shared by every worker that serves the site.

Where the counts live: Redis when `REDIS_URL` is set; otherwise the database in production
(every gunicorn worker and machine sees the same rows), and this process's memory in
development and tests, where one process serves everything (`RATE_LIMIT_STORE` in config.py).

An attempt is counted BEFORE it is made (`Limit.reserve`): the store increments and returns the
new count in one atomic step, and only the attempts that drew a number within the limit go on.
Checking first and counting afterwards would let twenty simultaneous attempts all pass the
check before any of them was counted.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, cast

from flask import Flask, current_app
from sqlalchemy import String, Table, case, delete, literal, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import Base, UTCDateTime, utcnow
from contest.extensions import db


class CounterStore(Protocol):
    def increment(self, key: str, window: int) -> tuple[int, int]:
        """Add one to `key` (a new window of `window` seconds starts with the first); the new
        count and the seconds left in the window, read in the same atomic step."""

    def decrement(self, key: str) -> None:
        """Take back one attempt that turned out not to count; nothing when the window is over."""

    def reset(self, key: str) -> None: ...


class MemoryStore:
    """Per-process counters: right only where one process serves every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, float]] = {}

    def _live(self, key: str) -> tuple[int, float] | None:
        entry = self._entries.get(key)
        if entry and entry[1] <= time.monotonic():
            del self._entries[key]
            return None
        return entry

    def increment(self, key: str, window: int) -> tuple[int, int]:
        with self._lock:
            entry = self._live(key)
            count, expires = entry if entry else (0, time.monotonic() + window)
            self._entries[key] = (count + 1, expires)
            return count + 1, max(0, round(expires - time.monotonic()))

    def decrement(self, key: str) -> None:
        with self._lock:
            entry = self._live(key)
            if entry and entry[0] > 0:
                self._entries[key] = (entry[0] - 1, entry[1])

    def reset(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


# Decrement only a key that still exists: DECR on an expired key would create one at -1 with
# no expiry, a credit of one free attempt forever.
_DECREMENT_LIVE = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0"


class RedisStore:
    """Fixed window that starts at the first attempt (INCR, EXPIRE NX and TTL in one MULTI)."""

    def __init__(self, url: str, prefix: str = "contest:rl:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix
        self._decrement = self._redis.register_script(_DECREMENT_LIVE)

    def increment(self, key: str, window: int) -> tuple[int, int]:
        name = self._prefix + key
        pipe = self._redis.pipeline(transaction=True)
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        pipe.ttl(name)
        count, _, ttl = pipe.execute()
        return int(count), max(0, int(ttl))

    def decrement(self, key: str) -> None:
        self._decrement(keys=[self._prefix + key])

    def reset(self, key: str) -> None:
        self._redis.delete(self._prefix + key)


class RateCounter(Base):
    """One counter of the database store."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class DatabaseStore:
    """Counters in the `rate_counter` table of PostgreSQL.

    Each change runs in its own short transaction on its own connection: a count must stay
    although the request that made it rolls back (a refused sign-in answers with an error).
    The increment is one INSERT … ON CONFLICT DO UPDATE … RETURNING, which the database
    serialises per key, so simultaneous attempts each get their own count."""

    def increment(self, key: str, window: int) -> tuple[int, int]:
        now = utcnow()
        table = cast(Table, RateCounter.__table__)
        expired = table.c.expires_at <= literal(now, UTCDateTime())
        new_expiry = literal(now + timedelta(seconds=window), UTCDateTime())
        insert = postgresql.insert(table).values(key=key, count=1, expires_at=now + timedelta(seconds=window))
        statement = insert.on_conflict_do_update(index_elements=[table.c.key], set_={
            "count": case((expired, 1), else_=table.c.count + 1),
            "expires_at": case((expired, new_expiry), else_=table.c.expires_at),
        }).returning(table.c.count, table.c.expires_at)
        with db.engine.begin() as connection:
            count, expires_at = connection.execute(statement).one()
            if count == 1:  # a new window: a good moment to drop the counters whose windows ended
                connection.execute(delete(table).where(table.c.expires_at <= literal(now, UTCDateTime())))
        return count, max(0, round((expires_at - now).total_seconds()))

    def decrement(self, key: str) -> None:
        table = cast(Table, RateCounter.__table__)
        with db.engine.begin() as connection:
            connection.execute(update(table).where(
                table.c.key == key, table.c.count > 0, table.c.expires_at > literal(utcnow(), UTCDateTime()),
            ).values(count=table.c.count - 1))

    def reset(self, key: str) -> None:
        with db.engine.begin() as connection:
            table = cast(Table, RateCounter.__table__)
            connection.execute(delete(table).where(table.c.key == key))


def make_store(app: Flask) -> CounterStore:
    if app.config.get("REDIS_URL"):
        return RedisStore(app.config["REDIS_URL"])
    kind = app.config["RATE_LIMIT_STORE"]
    if kind == "database":
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            # The counts are written on a connection of their own while the request's connection
            # may hold SQLite's file lock: that waits out the busy timeout, then fails.
            raise RuntimeError("RATE_LIMIT_STORE=database needs PostgreSQL; on SQLite set REDIS_URL "
                               "or RATE_LIMIT_STORE=memory (one process only).")
        return DatabaseStore()
    if kind == "memory":
        return MemoryStore()
    raise RuntimeError(f"Unknown RATE_LIMIT_STORE {kind!r}; use 'database' or 'memory' (or set REDIS_URL).")


def init_app(app: Flask) -> None:
    app.extensions["counter_store"] = make_store(app)


def store() -> CounterStore:
    return current_app.extensions["counter_store"]


@dataclass(frozen=True)
class Limit:
    """At most `attempts` within `window` seconds for each key."""

    name: str
    attempts: int
    window: int

    def _key(self, key: str) -> str:
        return f"{self.name}:{key}"

    def reserve(self, key: str) -> int:
        """Count one attempt for `key` before making it. Returns 0 when it may go ahead, or the
        seconds to wait when it is over the limit (the attempt must then not be made)."""
        count, seconds_left = store().increment(self._key(key), self.window)
        return max(1, seconds_left) if count > self.attempts else 0

    def release(self, key: str) -> None:
        """Give back a reserved attempt that turned out not to be a failure."""
        store().decrement(self._key(key))

    def clear(self, key: str) -> None:
        store().reset(self._key(key))
