"""What the share cards say, and where their pictures are kept.

Each card is built from what the public page of the same thing shows, in the page's language:
a contest (title, event date, venue), a news post (title, date), a published result (the award
or place and the contest; the name only as consent stands now, see `public_name`), and the
site's own card for every other page. Pictures are drawn once per content and kept on disk
under their digest (`CARD_CACHE_DIR`), so a card asked for again is read, not drawn."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from contest import i18n
from contest.contests import services as contests
from contest.contests.models import Contest
from contest.extensions import db
from contest.news import services as news
from contest.news.models import NewsPost
from contest.results import published
from contest.results import services as results
from contest.results.models import ResultSnapshot
from contest.sharing import cards
from contest.sharing.cards import Card


def _footer() -> str:
    return _("Almaty Centralized Library System")


def site_card(language: str) -> Card:
    with force_locale(language):
        return Card(kicker=_("Library contests"), title=_("Literary contests"),
                    subtitle=_("Literary contests for young readers and poets"), footer=_footer())


def contest_card(contest: Contest, language: str) -> Card:
    with force_locale(language):
        when = i18n.format_prose_datetime(contest.event_at, language)
        venue = i18n.localized(contest, "venue", language)
        return Card(kicker=_("Literary contest"), title=i18n.localized(contest, "title", language),
                    subtitle="\n".join(part for part in (when, venue) if part), footer=_footer())


def news_card(post: NewsPost, language: str) -> Card:
    written = post.written_language(language)
    with force_locale(language):
        return Card(kicker=_("News"), title=post.title_in(written),
                    subtitle=i18n.format_prose_date(post.published_at, language), footer=_footer())


def results_card(contest: Contest, language: str) -> Card:
    """The whole results page: the contest and the day of its results."""
    with force_locale(language):
        return Card(kicker=_("Results"), title=i18n.localized(contest, "title", language),
                    subtitle=i18n.format_prose_date(contest.event_at, language), footer=_footer())


def result_title(row: dict[str, Any], contest_title: str, language: str) -> str:
    """"I орын — Aqynfest 2027": the award as the contest names its tier, else the place."""
    award = results.text_in(row.get("award_name"), language)
    with force_locale(language):
        achievement = award or _("Place: %(place)s", place=row["place"])
    return f"{achievement} — {contest_title}"


def result_card(contest: Contest, category: dict[str, Any], row: dict[str, Any], language: str) -> Card:
    """A published result. The name only while consent allows it (`row["named"]` as it stands
    now); otherwise no name at all, not even the code: the card is about the award."""
    title = i18n.localized(contest, "title", language)
    lines = [row["name"]] if row.get("named") else []
    lines.append(results.text_in(category["name"], language))
    with force_locale(language):
        return Card(kicker=_("Results"), title=result_title(row, title, language),
                    subtitle="\n".join(lines), footer=_footer())


# Finding what a card shows -------------------------------------------------------------------

def public_contest(slug: str) -> Contest | None:
    contest = contests.contest_by_slug(slug)
    return contest if contest is not None and contest.is_public else None


def public_post(slug: str) -> NewsPost | None:
    return news.public_post(slug)


def published_contest(slug: str) -> Contest | None:
    """The contest at `slug` while its results are published."""
    found = published.lookup(slug)
    return db.session.get(Contest, found[0]) if found is not None else None


@dataclass(frozen=True)
class PublishedResult:
    contest: Contest
    category: dict[str, Any]
    row: dict[str, Any]


def published_result(slug: str, code: str) -> PublishedResult | None:
    """A registration's row in the contest's published results, named as consent stands now;
    None while the results are not published or the code is not in them."""
    found = published.lookup(slug)
    if found is None:
        return None
    contest, snapshot = db.session.get(Contest, found[0]), db.session.get(ResultSnapshot, found[1])
    if contest is None or snapshot is None:
        return None
    for category in results.categories_as_consent_stands(snapshot):
        for row in category["rows"]:
            if row["code"] == code:
                return PublishedResult(contest, category, row)
    return None


# The pictures ---------------------------------------------------------------------------------

def _cache_dir() -> Path:
    configured = current_app.config.get("CARD_CACHE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "cards"


def card_png(card: Card) -> bytes:
    """The card's picture: read from the cache when drawn before, else drawn and kept."""
    path = _cache_dir() / f"{card.digest()}.png"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = cards.render(card)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and moved into place: two workers drawing the same card each write a whole file.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".card-")
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.replace(temporary, path)
    return data


# The widget -----------------------------------------------------------------------------------

WIDGET_CONTESTS = 5
WIDGET_RESULTS = 3
WIDGET_WINNERS = 3


@dataclass(frozen=True)
class WidgetWinner:
    name: str
    award: str


@dataclass(frozen=True)
class WidgetResult:
    contest: Contest
    winners: list[WidgetWinner]


def widget_results(language: str) -> list[WidgetResult]:
    """The latest published results, each with its first few award holders (named as consent
    stands now). Two queries per contest, at most WIDGET_RESULTS contests."""
    shown = []
    for contest in contests.recent_results(WIDGET_RESULTS):
        snapshot = results.current_snapshot(contest.id, with_data=False)
        if snapshot is None:
            continue
        winners = [WidgetWinner(results.public_name(row), results.text_in(row.get("award_name"), language))
                   for category in results.winners_by_category(snapshot) for row in category["rows"]]
        shown.append(WidgetResult(contest, winners[:WIDGET_WINNERS]))
    return shown


def widget_contests() -> list[Contest]:
    return contests.open_for_registration(WIDGET_CONTESTS)
