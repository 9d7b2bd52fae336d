"""Loading the objects a URL names: anything missing, or belonging to another contest, is
"not found" (never "forbidden", so ids of other contests reveal nothing)."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort

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
