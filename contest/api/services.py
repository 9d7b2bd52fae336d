"""What the API reads and how it presents it: only what the public pages show.

Contests: the public ones (never drafts). News: published posts only. Results: the current
published snapshot, each name as consent stands now (results/services.py), never contact data,
dates of birth or guardians (the snapshot holds none). Certificates: what the verification page
shows, the holder named only as consent allows. Each function returns plain values in one
language, ready for the schemas in contest/api/schemas.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import url_for
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from contest.api.cursors import Position, decode, encode
from contest.certificates import services as certificates
from contest.certificates.models import Certificate
from contest.contests import services as contests
from contest.contests.models import Category, Contest, ContestStatus, Round
from contest.extensions import db
from contest.i18n import LOCAL_ZONE, localized
from contest.news import services as news
from contest.news.models import NewsPost
from contest.results import published
from contest.results import services as results
from contest.results.models import ResultSnapshot

RESULT_STATUSES = (ContestStatus.RESULTS_PUBLISHED.value, ContestStatus.ARCHIVED.value)


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def _after(moment: InstrumentedAttribute[Any], ident: InstrumentedAttribute[int],
           position: Position) -> ColumnElement[bool]:
    """Rows after `position` in the order newest first, then by id, descending."""
    return or_(moment < position.moment, and_(moment == position.moment, ident < position.id))


def _next_cursor(kind: str, rows: list[Any], limit: int, moment: str) -> str | None:
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode(kind, Position(getattr(last, moment), last.id))


# Contests ------------------------------------------------------------------------------------

def contests_page(*, cursor: str | None, limit: int, status: str | None, language: str) -> Page:
    """One page of public contests, newest event first. Raises InvalidCursor."""
    query = contests.public_contests(status=status)
    if cursor is not None:
        query = query.where(_after(Contest.event_at, Contest.id, decode("contests", cursor)))
    rows = list(db.session.scalars(query.limit(limit + 1)))
    with_results = _with_published_results([contest.id for contest in rows[:limit]])
    return Page([contest_summary(contest, language, contest.id in with_results) for contest in rows[:limit]],
                _next_cursor("contests", rows, limit, "event_at"))


def _with_published_results(ids: list[int]) -> set[int]:
    """Those of the contests whose results the public can open (as results/published.py finds
    them: a current snapshot and a status that shows it), in one query."""
    if not ids:
        return set()
    return set(db.session.scalars(
        select(ResultSnapshot.contest_id).join(Contest, Contest.id == ResultSnapshot.contest_id)
        .where(ResultSnapshot.contest_id.in_(ids), ResultSnapshot.retired_at.is_(None),
               Contest.status.in_(RESULT_STATUSES))))


def public_contest(slug: str) -> Contest | None:
    contest = contests.contest_by_slug(slug)
    return contest if contest is not None and contest.is_public else None


def contest_summary(contest: Contest, language: str, has_results: bool) -> dict[str, Any]:
    return {
        "slug": contest.slug, "title": localized(contest, "title", language),
        "status": contest.status, "status_label": contest.status_label,
        "kind": contest.kind, "level": contest.level, "event_at": contest.event_at,
        "venue": localized(contest, "venue", language),
        "registration": {"opens_at": contest.registration_opens_at, "closes_at": contest.registration_closes_at,
                         "is_open": contest.status == ContestStatus.REGISTRATION_OPEN.value},
        "links": {"page": url_for("contests.detail", slug=contest.slug, _external=True),
                  "results": url_for("results.public_results", slug=contest.slug, _external=True)
                  if has_results else None,
                  "news": url_for("api.news_list", contest=contest.slug, _external=True)},
    }


def contest_detail(contest: Contest, language: str) -> dict[str, Any]:
    return {
        **contest_summary(contest, language, bool(_with_published_results([contest.id]))),
        **{field: localized(contest, field, language) for field in ("description", "rules", "dedication")},
        **{field: getattr(contest, field) for field in
           ("min_age", "max_age", "min_grade", "max_grade", "capacity", "prize_fund")},
        "categories": [_category(category, language) for category in contest.categories],
        "rounds": [_round(round_) for round_ in contest.rounds],
    }


def _category(category: Category, language: str) -> dict[str, Any]:
    return {"id": category.id, "name": localized(category, "name", language), "min_age": category.min_age,
            "max_age": category.max_age, "min_grade": category.min_grade, "max_grade": category.max_grade,
            "limits": category.limits_text}


def _round(round_: Round) -> dict[str, Any]:
    return {"id": round_.id, "name": round_.label, "stage": round_.stage}


# News ----------------------------------------------------------------------------------------

def news_page(*, cursor: str | None, limit: int, contest: Contest | None, language: str) -> Page:
    """One page of published posts, newest first, optionally one contest's. Raises InvalidCursor."""
    conditions = [news.is_published()]
    if contest is not None:
        conditions.append(NewsPost.contest_id == contest.id)
    if cursor is not None:
        conditions.append(_after(NewsPost.published_at, NewsPost.id, decode("news", cursor)))
    rows = list(db.session.scalars(select(NewsPost).where(*conditions)
                                   .order_by(NewsPost.published_at.desc(), NewsPost.id.desc()).limit(limit + 1)))
    slugs = _public_contest_slugs({post.contest_id for post in rows[:limit] if post.contest_id is not None})
    return Page([post_summary(post, slugs, language) for post in rows[:limit]],
                _next_cursor("news", rows, limit, "published_at"))


def _public_contest_slugs(ids: set[int]) -> dict[int, str]:
    """The slugs of those contests that are public, in one query (none for no ids)."""
    if not ids:
        return {}
    rows = db.session.execute(select(Contest.id, Contest.slug).where(
        Contest.id.in_(ids), Contest.status != ContestStatus.DRAFT.value))
    return {ident: slug for ident, slug in rows}


def public_post(slug: str) -> NewsPost | None:
    return news.public_post(slug)


def post_summary(post: NewsPost, contest_slugs: dict[int, str], language: str) -> dict[str, Any]:
    written = post.written_language(language)
    return {"slug": post.slug, "language": written, "title": post.title_in(written),
            "summary": post.summary_in(written), "published_at": post.published_at,
            "contest": contest_slugs.get(post.contest_id) if post.contest_id is not None else None,
            "url": url_for("news.post", slug=post.slug, _external=True)}


def post_detail(post: NewsPost, language: str) -> dict[str, Any]:
    slugs = _public_contest_slugs({post.contest_id} if post.contest_id is not None else set())
    summary = post_summary(post, slugs, language)
    return {**summary, "body_html": str(post.body_html_in(summary["language"]))}


# Results -------------------------------------------------------------------------------------

class UnknownCategory(LookupError):
    pass


def published_results(slug: str, *, category: int | None, language: str) -> dict[str, Any] | None:
    """The contest's published results (None when there are none to show). Raises
    UnknownCategory for a category the results do not have."""
    found = published.lookup(slug)
    if found is None:
        return None
    contest_id, snapshot_id = found
    row = db.session.execute(select(ResultSnapshot, Contest).join(Contest, Contest.id == ResultSnapshot.contest_id)
                             .where(ResultSnapshot.id == snapshot_id, Contest.id == contest_id)).first()
    if row is None:  # withdrawn or deleted since the slug was looked up
        return None
    snapshot, contest = row
    categories = results.categories_as_consent_stands(snapshot)
    if category is not None:
        categories = [item for item in categories if item["id"] == category]
        if not categories:
            raise UnknownCategory(category)
    decimals = snapshot.data.get("decimals", 2)
    return {"contest": contest.slug, "title": localized(contest, "title", language),
            "published_at": snapshot.published_at, "decimals": decimals,
            "url": url_for("results.public_results", slug=contest.slug, lang=language, _external=True),
            "categories": [{"id": item["id"], "name": results.text_in(item["name"], language),
                            "rows": [_result_row(row, decimals, language) for row in item["rows"]]}
                           for item in categories]}


def _result_row(row: dict[str, Any], decimals: int, language: str) -> dict[str, Any]:
    """Only the public columns of a snapshot row (its juror scores and ids stay behind)."""
    total = row.get("total")
    return {"place": row["place"], "award": results.text_in(row.get("award_name"), language) or None,
            "shared": bool(row.get("award") and row.get("ex_aequo")),
            "name": results.public_name(row), "named": bool(row.get("named")),
            "grade": row.get("grade"), "school": row.get("school") or None,
            "district": row.get("district") or None,
            "total": None if total is None else f"{Decimal(total):.{decimals}f}"}


# Certificates --------------------------------------------------------------------------------

def verified_certificate(code: str, language: str) -> dict[str, Any] | None:
    """What the verification page shows for this code; None for an unknown or malformed code."""
    certificate = certificates.find_by_code(code)
    if certificate is None:
        return None
    return _certificate(certificate, language)


def _certificate(certificate: Certificate, language: str) -> dict[str, Any]:
    return {"code": certificate.code, "valid": not certificate.is_revoked, "kind": certificate.kind,
            "document": certificate.kind_label, "holder": certificates.public_name(certificate),
            "contest": localized(certificate.contest, "title", language), "contest_slug": certificate.contest.slug,
            "award": certificate.award_text or None, "category": certificate.category_name or None,
            "issued_on": _local_day(certificate.issued_at),
            "revoked_on": _local_day(certificate.revoked_at) if certificate.revoked_at else None}


def _local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_ZONE).date()
