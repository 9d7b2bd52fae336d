"""Contests: the contest with its setup (rounds, categories, criteria, award tiers), its status
flow, the public list and contest page, and the signals the domains built on it extend it by."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public pages show contests and their setup: a change to them replaces cached pages."""
    from contest import pagecache
    from contest.contests.models import AwardTier, Category, Contest, Criterion, Round

    pagecache.watch(app, Contest, Round, Category, Criterion, AwardTier)
