"""Anonymous public pages served from a cache shared by the workers, and the version that says
what is current.

The version is one value for everything the public pages show. Committing a change to a
model a domain has declared public (`watch`) bumps it, whichever service, command or page made
the change, so no service has to remember to; bulk UPDATE and DELETE statements on those models
count too. Cached pages and remembered lookups (contest/results/published.py) are keyed by the
version, so every worker sees a change as soon as it asks for the version, which it does on
each use:
- with `REDIS_URL`: the counter is a Redis key, and rendered pages live in Redis too: every
  worker on every machine sees a change at once;
- without: the version is a random token in a small file in the instance folder, replaced at
  each bump, so every worker of the machine sees a change at once, and each worker keeps its own
  pages. Several machines need Redis.

Pages also show what time alone changes (a post scheduled for 10:00, an event date passing):
a cached page lives at most `PUBLIC_PAGE_TTL` seconds, and browsers and proxies may keep it for
`PUBLIC_PAGE_MAX_AGE` seconds.

Only visitors who are surely anonymous (no user in the session) and have no message waiting
get cached pages, and only pages rendered for such visitors are stored: a cached page never
holds anyone's name, a CSRF token or a flash."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from threading import Lock
from typing import Any, Protocol, TypeVar, cast

import redis
from flask import Flask, Response, current_app, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from werkzeug.http import quote_etag

from contest import i18n
from contest.auth.permissions import surely_anonymous

EXTENSION = "public_pages"
CHANGED = "public_pages_changed"  # Session.info flag: a watched row changed in this transaction
FRONT_SIZE = 256  # pages each worker keeps in memory (the whole cache without Redis)
REDIS_PREFIX = "contest:public:"
# nginx in front (deploy/nginx/contest.conf) keeps a page served here this many seconds and hands
# it to other visitors without cookies itself: a hall of people opening the results at once, or a
# live round keeping the app servers busy, does not make them wait. Short, as a change must show
# at once; nginx reads the header and does not pass it on.
PROXY_CACHE_SECONDS = 2
PAGE_VERSION = "2"  # bump when what every cached page carries changes (base.html), to drop old copies

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CachedPage:
    """A rendered page with what its responses need: plain and gzipped body, type, ETag, caching;
    the headers are built once, as a hit should do little more than send the bytes."""
    body: bytes
    zipped: bytes
    content_type: str
    cache_control: str
    etag: str
    shared_headers: list[tuple[str, str]] = field(init=False)
    plain_headers: list[tuple[str, str]] = field(init=False)
    zipped_headers: list[tuple[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.shared_headers = [("ETag", quote_etag(self.etag)), ("Cache-Control", self.cache_control),
                               ("Vary", "Accept-Encoding, Accept-Language")]
        if "no-cache" not in self.cache_control:  # results: asked again each time (a consent withdrawn)
            self.shared_headers.append(("X-Accel-Expires", str(PROXY_CACHE_SECONDS)))
        self.plain_headers = [("Content-Type", self.content_type), *self.shared_headers]
        self.zipped_headers = [*self.plain_headers, ("Content-Encoding", "gzip")]

    @classmethod
    def of(cls, response: Response, cache_control: str) -> CachedPage:
        body = response.get_data()
        # The ETag is the content's: a page that a change elsewhere did not alter still answers 304.
        etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        return cls(body=body, zipped=gzip.compress(body, compresslevel=6), content_type=response.content_type or "",
                   cache_control=response.headers.get("Cache-Control", cache_control), etag=etag)

    def to_bytes(self) -> bytes:
        meta = json.dumps([self.content_type, self.cache_control, self.etag]).encode()
        return meta + b"\n" + self.zipped

    @classmethod
    def from_bytes(cls, data: bytes) -> CachedPage:
        meta, zipped = data.split(b"\n", 1)
        content_type, cache_control, etag = json.loads(meta)
        return cls(body=gzip.decompress(zipped), zipped=zipped, content_type=content_type,
                   cache_control=cache_control, etag=etag)

    def response(self) -> Response:
        if self.etag in request.if_none_match:
            return Response(status=304, headers=self.shared_headers)
        if "gzip" in request.accept_encodings:
            return Response(self.zipped, headers=self.zipped_headers)
        return Response(self.body, headers=self.plain_headers)


class Backend(Protocol):
    def version(self) -> str: ...
    def bump(self) -> None: ...
    def get(self, key: str) -> CachedPage | None: ...
    def put(self, key: str, page: CachedPage, ttl: int) -> None: ...


class LocalPages:
    """Pages this worker keeps, least recently used dropped first, each until its expiry."""

    def __init__(self, size: int = FRONT_SIZE) -> None:
        self.size = size
        self.pages: OrderedDict[str, tuple[CachedPage, float]] = OrderedDict()
        self.lock = Lock()

    def get(self, key: str) -> CachedPage | None:
        with self.lock:
            found = self.pages.get(key)
            if found is None:
                return None
            if found[1] <= time.monotonic():
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return found[0]

    def put(self, key: str, page: CachedPage, ttl: float) -> None:
        with self.lock:
            self.pages[key] = (page, time.monotonic() + ttl)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


class FileBackend:
    """No Redis: the version is a random token in a file that each bump replaces whole (one small
    read per use, shared by the workers of this machine); pages are kept per worker."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pages = LocalPages()
        if not os.path.exists(path):
            self.bump()

    def version(self) -> str:
        try:
            with open(self.path, "rb") as file:
                return file.read().decode()
        except FileNotFoundError:  # removed by hand: the next bump makes it again
            return "0"

    def bump(self) -> None:
        # Written aside and moved into place: a reader sees the old token or the new, never half.
        directory = os.path.dirname(self.path) or "."
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".public-version-")
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_hex(16).encode())
        os.replace(temporary, self.path)

    def get(self, key: str) -> CachedPage | None:
        return self.pages.get(key)

    def put(self, key: str, page: CachedPage, ttl: int) -> None:
        self.pages.put(key, page, ttl)


class RedisBackend:
    """The version and the pages in Redis, shared by every worker on every machine; each worker
    also keeps the pages it has used (keyed by the version, so never stale), which saves
    fetching them again."""

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url)
        self.pages = LocalPages()

    def version(self) -> str:
        value = self.redis.get(REDIS_PREFIX + "version")
        return value.decode() if isinstance(value, bytes) else "0"

    def bump(self) -> None:
        self.redis.incr(REDIS_PREFIX + "version")

    def get(self, key: str) -> CachedPage | None:
        page = self.pages.get(key)
        if page is None:
            data = self.redis.get(REDIS_PREFIX + key)
            if isinstance(data, bytes):
                page = CachedPage.from_bytes(data)
                ttl = self.redis.ttl(REDIS_PREFIX + key)
                self.pages.put(key, page, max(int(cast(int, ttl)), 1))
        return page

    def put(self, key: str, page: CachedPage, ttl: int) -> None:
        self.redis.set(REDIS_PREFIX + key, page.to_bytes(), ex=ttl)
        self.pages.put(key, page, ttl)


@dataclass
class PublicPages:
    backend: Backend
    watched: tuple[type, ...] = ()


def init_app(app: Flask) -> None:
    if app.config.get("REDIS_URL"):
        backend: Backend = RedisBackend(app.config["REDIS_URL"])
    else:
        path = app.config.get("PUBLIC_VERSION_FILE") or os.path.join(app.instance_path, "public-version")
        backend = FileBackend(path)
    app.extensions[EXTENSION] = PublicPages(backend)
    for name, listener in LISTENERS.items():
        if not event.contains(Session, name, listener):  # listeners serve every app; added once
            event.listen(Session, name, listener)


def watch(app: Flask, *models: type) -> None:
    """Declare that public pages show these models: committing a change to one bumps the version."""
    pages: PublicPages = app.extensions[EXTENSION]
    pages.watched = (*pages.watched, *models)


def _pages() -> PublicPages:
    return cast(PublicPages, current_app.extensions[EXTENSION])


def version() -> str:
    """What is current: changes whenever something a public page shows has changed."""
    return _pages().backend.version()


def bump() -> None:
    _pages().backend.bump()


# Noticing changes ------------------------------------------------------------------------------

def _touches_watched(objects: Iterable[object]) -> bool:
    watched = _pages().watched
    return any(isinstance(obj, watched) for obj in objects)


def _note_flushed_changes(session: Session, _flush: UOWTransaction) -> None:
    # Still the state before the flush here: what was added, changed or deleted.
    if has_app_context() and EXTENSION in current_app.extensions and _touches_watched(
            (*session.new, *session.dirty, *session.deleted)):
        session.info[CHANGED] = True


def _note_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or not has_app_context() or EXTENSION not in current_app.extensions:
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, _pages().watched):
        state.session.info[CHANGED] = True


def _bump_after_commit(session: Session) -> None:
    # After the commit, never before: a worker that sees the new version must find the new rows.
    if session.info.pop(CHANGED, False) and has_app_context():
        try:
            bump()
        except redis.RedisError:  # saved all the same; cached pages show the change within their TTL
            current_app.logger.exception("Could not bump the public pages' version")


def _forget_rolled_back(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended without a commit
        session.info.pop(CHANGED, None)


LISTENERS: dict[str, Callable[..., None]] = {
    "after_flush": _note_flushed_changes, "do_orm_execute": _note_bulk_changes,
    "after_commit": _bump_after_commit, "after_transaction_end": _forget_rolled_back,
}


# Serving ---------------------------------------------------------------------------------------

def _cacheable(arguments: frozenset[str]) -> bool:
    """A visitor nobody is signed in as, with no message waiting, asking with only the page's own
    arguments (others would let anyone fill the cache with copies of one page)."""
    return (request.method in ("GET", "HEAD") and surely_anonymous() and not session.get("_flashes")
            and arguments.issuperset(request.args.keys()))


def _key(language: str) -> str:
    # The full address (the Atom feed's links carry the host; `?page=`, `?lang=` give other pages),
    # read raw from the WSGI environment: building `request.url` costs more than the rest of a hit.
    environ = request.environ
    address = (f"{environ['wsgi.url_scheme']}://{request.host}{environ.get('SCRIPT_NAME', '')}"
               f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}")
    raw = f"{PAGE_VERSION}|{version()}|{language}|{address}"
    return "page:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def cached(*, arguments: Iterable[str] = (), cache_control: str | None = None) -> Callable[[F], F]:
    """Serve the view's page to anonymous visitors from the shared cache (see the module's text).

    `arguments`: the query arguments the page understands besides `lang`; `cache_control`: what browsers and
    proxies are told (a view's own Cache-Control header wins), by default public for
    `PUBLIC_PAGE_MAX_AGE` seconds."""
    # `?lang=` chooses the page's language (i18n.address_language) on every public page.
    allowed = frozenset(arguments) | {i18n.LANGUAGE_ARGUMENT}

    def decorate(view: F) -> F:
        @wraps(view)
        def serve(*args: Any, **kwargs: Any) -> Any:
            if not _cacheable(allowed):
                return view(*args, **kwargs)
            backend = _pages().backend
            try:
                key = _key(i18n.visitor_language())
                page = backend.get(key)
            except redis.RedisError:  # the page without the cache rather than no page
                current_app.logger.exception("Public page cache unavailable")
                return view(*args, **kwargs)
            if page is None:
                response = current_app.make_response(view(*args, **kwargs))
                # Only a plain page is shared: never an error, a redirect or one that sets a cookie.
                if response.status_code != 200 or response.direct_passthrough or "Set-Cookie" in response.headers:
                    return response
                config = current_app.config
                page = CachedPage.of(response, cache_control or f"public, max-age={config['PUBLIC_PAGE_MAX_AGE']}")
                try:
                    backend.put(key, page, config["PUBLIC_PAGE_TTL"])
                except redis.RedisError:
                    current_app.logger.exception("Public page cache unavailable")
            return page.response()

        return cast(F, serve)

    return decorate
