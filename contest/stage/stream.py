"""The audience screen's live feed: server-sent events (`GET /stage/<id>/events`), with REDIS_URL.

Why: a hall of screens asking every second costs the servers a request per screen per second,
and every change of the stage (each juror's sheet is one) a full answer per screen; measured in
bench/live.py, that was more than two cores could give. Here a screen holds one connection; a
change committed on any machine is published on the Redis channel `stage:versions`
(state.py), each worker's listener thread wakes the streams of that round, the new state is
rendered once for the whole site per round and version, in every language (kept in Redis: the
first worker to need it renders it, the others read it; see `shared_render`), and each stream
writes it out. An unchanged stage costs a comment line every KEEPALIVE_SECONDS. Only the public
part goes out (the same as state.json for someone not signed in): the chair's and jurors' parts
stay on state.json, where the ETag depends on who asks.

During a performance every juror's sheet is a change, and jurors submit close together: after
each send a stream waits STAGE_FEED_INTERVAL seconds, and whatever changed meanwhile goes out as
one event (the latest version). The first change after a quiet while goes out at once.

When the worker is to stop (a restart, a deploy, max_requests: deploy/gunicorn.conf.py), `stop_streams` ends
every stream at once, so the worker stops without waiting out its graceful timeout and the
screens reconnect to another worker. Each stream also ends after STAGE_STREAM_SECONDS (the
browser reconnects by itself, 2 s later, and gets the state again), so a contest taken off line
lets go within that time. A missed message (Redis restarting) is caught by the version read on each keepalive."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import redis
from flask import Flask, current_app, url_for
from flask_babel import force_locale

from contest.contests.models import Round
from contest.db import utcnow
from contest.extensions import db
from contest.i18n import LANGUAGE_NAMES, current_language
from contest.stage.jury_view import chair_part
from contest.stage.screen import public_part, stage_now
from contest.stage.state import CHANNEL, current_version, redis_client

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15
RENDER_TTL = 120
RENDER_WAIT_SECONDS = 3
RENDER_POLL_SECONDS = 0.02
_HUB = "stage_hub"


@dataclass
class Rendered:
    """The public state of one version, kept for the streams that ask for it later: a running
    timer is told how far it has run when each one sends it (the text is kept per second, so a
    hall of screens woken at once encodes it once)."""
    data: dict[str, Any]
    rendered_at: datetime
    _texts: dict[tuple[int, int], str] = field(default_factory=dict)

    def _since(self) -> int:
        timer = self.data["timer"]
        return max(0, int((utcnow() - self.rendered_at).total_seconds())) if timer and timer["running"] else 0

    def current(self) -> dict[str, Any]:
        """The state as of now (a copy: callers may add their own parts)."""
        since, data = self._since(), dict(self.data)
        if since:
            data["timer"] = {**data["timer"], "elapsed": data["timer"]["elapsed"] + since}
        return data

    def as_event(self, version: int) -> str:
        since = self._since()
        text = self._texts.get((version, since))
        if text is None:
            data = json.dumps(self.current(), ensure_ascii=False, separators=(",", ":"))
            text = f"id: {version}\ndata: {data}\n\n"
            self._texts = {(version, since): text}  # the last second's only
        return text


@dataclass
class Staged:
    """One version of the stage as every page that follows it is told it: the public state in
    each of the site's languages (the screens' feed and state.json) and the chair's table of the
    jury (state.json for the chair of the jury and organisers only, never the feed)."""
    languages: dict[str, Rendered]
    chair: dict[str, Any]

    def dumps(self) -> str:
        rendered_at = next(iter(self.languages.values())).rendered_at
        return json.dumps({"rendered_at": rendered_at.isoformat(), "chair": self.chair,
                           "languages": {code: each.data for code, each in self.languages.items()}},
                          ensure_ascii=False)

    @classmethod
    def loads(cls, text: bytes | str) -> Staged:
        kept = json.loads(text)
        rendered_at = datetime.fromisoformat(kept["rendered_at"])
        return cls({code: Rendered(data, rendered_at) for code, data in kept["languages"].items()}, kept["chair"])


class Hub:
    """One per worker process: a thread listening on the Redis channel wakes the streams, and
    each version's state is rendered once and kept (the last one per round)."""

    def __init__(self, url: str) -> None:
        _HUBS.append(self)
        self._url = url
        self._versions: dict[int, int] = {}
        self._changed = threading.Condition()
        self._staged: dict[int, tuple[int, Staged]] = {}
        self._render_lock = threading.Lock()
        self._pubsub = self._subscribed()  # before the first stream waits: nothing is missed
        threading.Thread(target=self._listen, name="stage-hub", daemon=True).start()

    def _subscribed(self) -> redis.client.PubSub:
        pubsub = redis.Redis.from_url(self._url).pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(CHANNEL)
        return pubsub

    def _listen(self) -> None:
        while True:  # for the life of the worker: Redis going away only pauses it
            try:
                for message in self._pubsub.listen():
                    round_id, version = (int(part) for part in message["data"].split(b":"))
                    self.heard(round_id, version)
            except (redis.RedisError, ValueError):
                log.warning("The stage's Redis channel was lost; listening again", exc_info=True)
                time.sleep(1)
                try:
                    self._pubsub = self._subscribed()
                except redis.RedisError:
                    continue

    def heard(self, round_id: int, version: int) -> None:
        with self._changed:
            if version > self._versions.get(round_id, 0):
                self._versions[round_id] = version
                self._changed.notify_all()

    def wait(self, round_id: int, known: int, seconds: float) -> int | None:
        """The round's version once it passes `known`, or None when `seconds` go by first (or
        the worker is stopping)."""
        with self._changed:
            if self._changed.wait_for(lambda: _STOPPING.is_set() or self._versions.get(round_id, 0) > known, seconds):
                return None if _STOPPING.is_set() else self._versions[round_id]
            return None

    def wake_all(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def staged(self, round_id: int, version: int) -> Staged:
        kept = self._staged.get(round_id)
        if kept is not None and kept[0] >= version:  # rendered already: no lock to queue on
            return kept[1]
        with self._render_lock:  # a hall of screens woken at once: one of them renders
            kept = self._staged.get(round_id)
            if kept is None or kept[0] < version:
                kept = (version, shared_render(round_id, version))
                self._staged[round_id] = kept
            return kept[1]


def shared_render(round_id: int, version: int) -> Staged:
    """`version` of the stage, rendered once for every worker and machine. Rendering reads the
    running order and the jury (about fifteen queries, the same for every language); a change
    reaches every worker at once, and each rendering it alone cost more than all the screens'
    sends together (bench/live.py). So the first to ask takes a short Redis lock, renders every
    language and the chair's table and keeps them for RENDER_TTL seconds; the others wait for
    it (at most RENDER_WAIT_SECONDS, then render themselves). Without Redis, or when it fails,
    each renders its own."""
    client = redis_client()
    if client is None:
        return _render(round_id)
    key = f"stage:{round_id}:state:{version}"
    try:
        kept = _kept(client, key)
        if kept is not None:
            return kept
        if client.set(f"{key}:lock", 1, nx=True, ex=RENDER_WAIT_SECONDS):
            rendered = _render(round_id)
            client.set(key, rendered.dumps(), ex=RENDER_TTL)
            return rendered
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while kept is None and time.monotonic() < deadline:
            time.sleep(RENDER_POLL_SECONDS)
            kept = _kept(client, key)
        if kept is not None:
            return kept
    except redis.RedisError:
        log.warning("The stage's rendered state could not be shared through Redis", exc_info=True)
    return _render(round_id)


def _kept(client: redis.Redis, key: str) -> Staged | None:
    text = client.get(key)
    return Staged.loads(text) if isinstance(text, bytes | str) else None


def _render(round_id: int) -> Staged:
    round_ = db.session.get(Round, round_id)
    assert round_ is not None  # the view found it; a round deleted since ends in a broken stream
    now, rendered_at = stage_now(round_), utcnow()
    languages = {}
    for code in LANGUAGE_NAMES:
        with force_locale(code):
            languages[code] = Rendered(public_part(now, code), rendered_at)
    return Staged(languages, chair_part(now.current, now.jurors))


def available(app: Flask) -> bool:
    """Streams need Redis: it tells every worker of every machine that the stage changed."""
    return bool(app.config.get("REDIS_URL"))


def events_url(round_: Round, language: str | None = None) -> str | None:
    """The round's live feed for a page that follows the stage, or None where there is none
    (the page then asks state.json each second). Only a public contest's round has one."""
    if not available(current_app) or not round_.contest.is_public:
        return None
    return url_for("stage.state_events", round_id=round_.id, lang=language or current_language())


def hub(app: Flask) -> Hub:
    """This worker's hub, started by the first stream."""
    found = app.extensions.get(_HUB)
    if found is None:
        with _STARTING:
            found = app.extensions.get(_HUB) or app.extensions.setdefault(_HUB, Hub(app.config["REDIS_URL"]))
    return found


_STARTING = threading.Lock()
_STOPPING = threading.Event()
_HUBS: list[Hub] = []


def stop_streams() -> None:
    """End this process's streams now (the worker is stopping: deploy/gunicorn.conf.py)."""
    _STOPPING.set()
    for each in list(_HUBS):
        each.wake_all()


def events(round_id: int, language: str, last_version: int) -> Iterator[str]:
    """The stream of one screen: the state now (unless it has it: Last-Event-ID), then each new
    version as it comes, a comment line while nothing changes, until STAGE_STREAM_SECONDS."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    listening = hub(app)
    deadline = time.monotonic() + app.config["STAGE_STREAM_SECONDS"]
    known = last_version
    yield "retry: 2000\n\n"
    version: int | None = None
    while True:
        if version is None:  # at the start and after a quiet while, in case a message was missed
            version = current_version(round_id)
            listening.heard(round_id, version)
        staged = listening.staged(round_id, version) if version != known else None
        event = staged.languages[language].as_event(version) if staged is not None else ""
        known = version
        db.session.remove()  # a stream holds no connection and no transaction while it waits
        if event:
            yield event
        left = deadline - time.monotonic()
        if left <= 0 or _STOPPING.is_set():
            return
        if event:  # see STAGE_FEED_INTERVAL: a burst of changes costs each screen one send
            time.sleep(min(app.config["STAGE_FEED_INTERVAL"], left))
            left = deadline - time.monotonic()
        version = listening.wait(round_id, known, min(KEEPALIVE_SECONDS, left))
        if _STOPPING.is_set():
            return
        if version is None:
            yield ": -\n\n"
