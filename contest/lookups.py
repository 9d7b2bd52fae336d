"""Loading the objects a URL names: anything missing, or belonging to another contest, is
"not found" (never "forbidden", so ids of other contests reveal nothing)."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm.interfaces import ORMOption

from contest.contests.models import Contest, Round
from contest.extensions import db

T = TypeVar("T")


def or_404(value: T | None) -> T:
    if value is None:
        abort(404)
    return value


def in_contest_or_404(model: type[T], object_id: int, contest: Any) -> T:
    """The row with this id when it belongs to `contest` (has its contest_id)."""
    row = db.session.get(model, object_id)
    if row is None or getattr(row, "contest_id", None) != contest.id:
        abort(404)
    return row


def contest_or_404(contest_id: int, *load: ORMOption) -> Contest:
    """The contest with this id, with what the page shows of it loaded up front (`load`: loader
    options such as selectinload(Contest.rounds)), so that its query count stays the same."""
    return or_404(db.session.scalar(select(Contest).where(Contest.id == contest_id).options(*load)))


def round_or_404(contest: Contest, round_id: int | None) -> Round:
    """The contest's round with this id (no query when the contest's rounds are loaded)."""
    if round_id is None:
        abort(404)
    return in_contest_or_404(Round, round_id, contest)
