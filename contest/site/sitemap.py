"""What search engines are told: the sitemap's public pages (each in kk, ru and en) and the
parts of the site robots.txt keeps them out of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from contest.contests.models import Contest
from contest.contests.services import PUBLIC_STATUSES
from contest.extensions import db
from contest.news.models import NewsPost
from contest.news.services import is_published
from contest.results import published

# A sitemap holds at most 50 000 addresses; every page is listed in three languages.
MAX_PAGES_PER_KIND = 5000

# Pages for people signed in, organisers' and jurors' work, the stage's screens (they show
# performers' names live), certificate checks (holders' names), sign-in forms, the language
# switcher's redirects and the machines' endpoints. A test checks that every page not open to
# the public lies under one of these.
PRIVATE_PREFIXES = (
    "/manage", "/jury", "/admin", "/account", "/my", "/entries", "/stage", "/verify/",
    "/login", "/logout", "/signup", "/password", "/language",
    "/healthz", "/readyz", "/metrics",
)


@dataclass(frozen=True)
class SitemapPage:
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)
    changed_at: datetime | None = None


def sitemap_pages() -> list[SitemapPage]:
    """Every public page worth finding: three queries, whatever the number of contests."""
    pages = [SitemapPage("site.home"), SitemapPage("contests.index"), SitemapPage("news.index")]
    contests = db.session.execute(
        select(Contest.slug, Contest.updated_at).where(Contest.status.in_([s.value for s in PUBLIC_STATUSES]))
        .order_by(Contest.event_at.desc(), Contest.id.desc()).limit(MAX_PAGES_PER_KIND))
    pages += [SitemapPage("contests.detail", {"slug": slug}, changed) for slug, changed in contests]
    pages += [SitemapPage("results.public_results", {"slug": slug}, changed)
              for slug, changed in published.published_pages(MAX_PAGES_PER_KIND)]
    posts = db.session.execute(
        select(NewsPost.slug, NewsPost.updated_at, NewsPost.published_at).where(is_published())
        .order_by(NewsPost.published_at.desc(), NewsPost.id.desc()).limit(MAX_PAGES_PER_KIND))
    # Published posts only, so `shown` is set: a post scheduled long ago is new when it appears.
    pages += [SitemapPage("news.post", {"slug": slug}, max(updated, shown or updated))
              for slug, updated, shown in posts]
    return pages
