"""Which snapshot a contest's public results show, remembered per worker until what is current
changes.

Every visit to a public results page that is not served from the page cache (a signed-in
visitor, an export, a page not cached yet) needs (contest id, current snapshot id) for its slug.
Each worker remembers the answer together with the version of what the public pages show
(contest/pagecache.py), which it asks for on each use: publishing, withdrawing, a slug or status
edited, a consent withdrawn all bump that version when committed, so every worker (on every
machine, with Redis) asks the database again at once. A remembered answer is also dropped after
`PUBLIC_PAGE_TTL` seconds, which keeps unknown slugs from piling up."""

from __future__ import annotations

import time
from datetime import datetime
from threading import Lock

import redis
from flask import current_app
from sqlalchemy import bindparam, select

from contest import pagecache
from contest.contests.models import Contest, ContestStatus
from contest.extensions import db
from contest.results.models import ResultSnapshot

_contests, _snapshots = Contest.__table__, ResultSnapshot.__table__
# Built once on the tables (not the ORM classes): a Core statement reused with a bound
# parameter skips both statement building and ORM row handling.
# A contest's results are public while it has a current snapshot and its results are out.
PUBLISHED = (_snapshots.c.retired_at.is_(None),
             _contests.c.status.in_([ContestStatus.RESULTS_PUBLISHED.value, ContestStatus.ARCHIVED.value]))
PUBLISHED_QUERY = (
    select(_contests.c.id, _snapshots.c.id)
    .join(_snapshots, _snapshots.c.contest_id == _contests.c.id)
    .where(_contests.c.slug == bindparam("slug"), *PUBLISHED))
MAX_REMEMBERED = 10_000


def published_pages(limit: int) -> list[tuple[str, datetime]]:
    """(slug, publication time) of every public results page (the sitemap), newest first: the
    same conditions as `lookup`, for every contest at once."""
    query = (select(_contests.c.slug, _snapshots.c.published_at)
             .join(_snapshots, _snapshots.c.contest_id == _contests.c.id)
             .where(*PUBLISHED)
             .order_by(_snapshots.c.published_at.desc()).limit(limit))
    return [(slug, published_at) for slug, published_at in db.session.execute(query)]

# (contest id, snapshot id)
Published = tuple[int, int]

_lock = Lock()
_known: dict[str, tuple[str, Published | None, float]] = {}  # slug -> (version, answer, monotonic expiry)


def lookup(slug: str) -> Published | None:
    """(contest id, snapshot id) of the contest with published results at `slug`, else None."""
    try:
        version = pagecache.version()
    except redis.RedisError:  # nothing to compare with: ask the database, remember nothing
        current_app.logger.exception("Public pages' version unavailable")
        return _query(slug)
    now = time.monotonic()
    known = _known.get(slug)
    if known is not None and known[0] == version and known[2] > now:
        return known[1]
    answer = _query(slug)
    with _lock:
        if len(_known) >= MAX_REMEMBERED:  # unknown slugs are remembered too; keep memory bounded
            _known.clear()
        _known[slug] = (version, answer, now + current_app.config["PUBLIC_PAGE_TTL"])
    return answer


def _query(slug: str) -> Published | None:
    row = db.session.connection().execute(PUBLISHED_QUERY, {"slug": slug}).first()
    return (row[0], row[1]) if row is not None else None


def forget() -> None:
    """Drop everything this worker remembers (tests reuse slugs with new ids)."""
    with _lock:
        _known.clear()
