"""News posts: the organisers' editor and the public list, post pages and Atom feed."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect news to the contests' signals: a contest's page lists its latest posts."""
    from contest.contests import signals
    from contest.news import views

    signals.public_sections.connect(views.contest_news, app)
