"""Which snapshot a contest's public results show, remembered per worker for a few seconds.

Every visit to a public results page needs (contest id, current snapshot id) for its slug, to
pick the cached page and its ETag. Asking the database each time costs more than serving the
cached page itself, so each worker keeps the answer for `RESULTS_CURRENT_TTL` seconds (default
5; 0 asks every time).

Staleness: publishing and unpublishing forget the answer at once in the worker that handled
them; any other worker may keep showing the previous state (the old page, or the page of a
contest just withdrawn, or a name whose consent was just withdrawn) for at most the TTL. Other
changes that hide results (a slug or status edited by other pages) are bounded by the same TTL."""

from __future__ import annotations

import time
from threading import Lock
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func, select

from contest.contests.models import Contest, ContestStatus
from contest.extensions import db
from contest.registration.models import Participant, Registration
from contest.results.models import ResultSnapshot

DEFAULT_TTL = 5.0

def privacy_marker_query(contest_id: Any) -> Any:
    """A scalar subquery that changes whenever a participant of the contest changes (consent
    withdrawn or given, data anonymised): part of the public page's cache key and ETag."""
    return (select(func.max(Participant.updated_at)).join(Registration, Registration.participant_id == Participant.id)
            .where(Registration.contest_id == contest_id).scalar_subquery())


_contests, _snapshots = Contest.__table__, ResultSnapshot.__table__
# Built once on the tables (not the ORM classes): a Core statement reused with a bound
# parameter skips both statement building and ORM row handling.
PUBLISHED_QUERY = (
    select(_contests.c.id, _snapshots.c.id, privacy_marker_query(_contests.c.id))
    .join(_snapshots, _snapshots.c.contest_id == _contests.c.id)
    .where(_contests.c.slug == bindparam("slug"), _snapshots.c.retired_at.is_(None),
           _contests.c.status.in_([ContestStatus.RESULTS_PUBLISHED.value, ContestStatus.ARCHIVED.value])))

# (contest id, snapshot id, when a participant of the contest last changed: a consent withdrawn
# after publishing must change the page, so it is part of the cache key and the ETag)
Published = tuple[int, int, str]

_lock = Lock()
_known: dict[str, tuple[Published | None, float]] = {}  # slug -> (answer, monotonic expiry)


def lookup(slug: str) -> Published | None:
    """(contest id, snapshot id, privacy marker) of the contest with published results at `slug`, else None."""
    ttl = current_app.config.get("RESULTS_CURRENT_TTL", DEFAULT_TTL)
    now = time.monotonic()
    known = _known.get(slug) if ttl > 0 else None
    if known is not None and known[1] > now:
        return known[0]
    row = db.session.connection().execute(PUBLISHED_QUERY, {"slug": slug}).first()
    answer = (row[0], row[1], _marker(row[2])) if row is not None else None
    if ttl > 0:
        with _lock:
            if len(_known) > 10_000:  # unknown slugs are remembered too; keep memory bounded
                _known.clear()
            _known[slug] = (answer, now + ttl)
    return answer


def _marker(value: object) -> str:
    """A short ETag-safe token for the last participant change (SQLite gives text, PostgreSQL a datetime)."""
    return "".join(ch for ch in str(value or "") if ch.isdigit())[:20] or "0"


def forget(slug: str | None = None) -> None:
    """Drop what this worker remembers about `slug` (about every contest when None)."""
    with _lock:
        if slug is None:
            _known.clear()
        else:
            _known.pop(slug, None)
