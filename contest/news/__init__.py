"""News posts: the organisers' editor and the public list, post pages and Atom feed."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect news to the contests' signals: a contest's page lists its latest posts, which the
    public pages show, so a change to a post replaces cached pages."""
    from contest import pagecache
    from contest.contests import signals
    from contest.news import views
    from contest.news.models import NewsPost

    pagecache.watch(app, NewsPost)
    signals.public_sections.connect(views.contest_news, app)
