"""Counting failures per key within a window: in memory by default, in Redis when
`REDIS_URL` is set so that every gunicorn worker and machine sees the same counts."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app


class CounterStore(Protocol):
    def increment(self, key: str, window: int) -> int: ...
    def count(self, key: str) -> int: ...
    def seconds_left(self, key: str) -> int: ...
    def reset(self, key: str) -> None: ...


class MemoryStore:
    """Per-process counters; fine for the embedded single-process setup."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, float]] = {}

    def _live(self, key: str) -> tuple[int, float] | None:
        entry = self._entries.get(key)
        if entry and entry[1] <= time.monotonic():
            del self._entries[key]
            return None
        return entry

    def increment(self, key: str, window: int) -> int:
        with self._lock:
            entry = self._live(key)
            count, expires = entry if entry else (0, time.monotonic() + window)
            self._entries[key] = (count + 1, expires)
            return count + 1

    def count(self, key: str) -> int:
        with self._lock:
            entry = self._live(key)
            return entry[0] if entry else 0

    def seconds_left(self, key: str) -> int:
        with self._lock:
            entry = self._live(key)
            return max(0, round(entry[1] - time.monotonic())) if entry else 0

    def reset(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)


class RedisStore:
    """Fixed window that starts at the first failure (INCR, then EXPIRE on the first hit)."""

    def __init__(self, url: str, prefix: str = "contest:rl:") -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def increment(self, key: str, window: int) -> int:
        name = self._prefix + key
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def count(self, key: str) -> int:
        return int(self._redis.get(self._prefix + key) or 0)

    def seconds_left(self, key: str) -> int:
        return max(0, int(self._redis.ttl(self._prefix + key)))

    def reset(self, key: str) -> None:
        self._redis.delete(self._prefix + key)


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["counter_store"] = RedisStore(url) if url else MemoryStore()


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

    def blocked_for(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it is not blocked."""
        if store().count(self._key(key)) >= self.attempts:
            return max(1, store().seconds_left(self._key(key)))
        return 0

    def hit(self, key: str) -> None:
        store().increment(self._key(key), self.window)

    def clear(self, key: str) -> None:
        store().reset(self._key(key))
