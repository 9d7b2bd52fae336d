"""iCalendar feeds (RFC 5545) of public contests: each contest's event and registration deadline.

Times are written in Asia/Almaty with a VTIMEZONE built from the zone data the app ships
(`tzdata`), so a subscriber's calendar places an event right on either side of 1 March 2024,
when Kazakhstan moved from UTC+6 to UTC+5, whatever zone database its own system has.

The registration deadline is a timed event of its own (not an all-day one, which would lose the
hour registration closes at) with no alarm: calendar apps remind as each subscriber has chosen,
and alarms sent in a shared feed are what many apps drop or what annoys subscribers.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, vDuration
from sqlalchemy import select

from contest.contests.models import Contest, ContestStatus
from contest.contests.services import PUBLIC_STATUSES
from contest.extensions import db
from contest.i18n import LOCAL_ZONE, TIMEZONE, localized
from contest.markup import plain_text

PRODUCT_ID = "-//Almaty Centralized Library System//Literary contests//EN"
# The site-wide feed: what is ahead, and what has just passed, so that a subscriber's calendar
# does not lose an event on its day; capped, as a feed is fetched often.
RECENT_PAST = timedelta(days=30)
SITE_FEED_SIZE = 200
REFRESH_INTERVAL = timedelta(hours=6)
DESCRIPTION_LENGTH = 1000
# Registration can still close on its date only before it has been closed by hand.
DEADLINE_STATUSES = frozenset({ContestStatus.PUBLISHED.value, ContestStatus.REGISTRATION_OPEN.value})


@dataclass(frozen=True)
class FeedContext:
    """What the feed needs from outside: its language and title, the contest pages' addresses
    and the site's host name (the events' UIDs, stable across languages and edits)."""

    language: str
    title: str
    page_url: Callable[[Contest], str]
    host: str


def site_feed_contests(now: datetime | None = None) -> list[Contest]:
    """Public contests whose event is ahead or at most `RECENT_PAST` ago, soonest first."""
    since = (now or datetime.now(UTC)) - RECENT_PAST
    return list(db.session.scalars(
        select(Contest).where(Contest.status.in_([status.value for status in PUBLIC_STATUSES]),
                              Contest.event_at >= since)
        .order_by(Contest.event_at, Contest.id).limit(SITE_FEED_SIZE)))


def build_calendar(contests: Iterable[Contest], context: FeedContext) -> bytes:
    """The feed as bytes: texts in `context.language` (call inside that locale for the labels)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", context.title)  # RFC 7986
    calendar.add("x-wr-calname", context.title)  # the same for apps that predate RFC 7986
    calendar.add("x-wr-timezone", TIMEZONE)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))  # an X- property: typed by hand
    moments: list[datetime] = []
    for contest in contests:
        for event in contest_events(contest, context):
            calendar.add_component(event)
            moments.append(event.decoded("dtstart"))
    if moments:
        # Only the zone's rules for the feed's dates: a short VTIMEZONE, right for every event.
        first, last = min(moments).date() - timedelta(days=1), max(moments).date() + timedelta(days=1)
        # Built from the app's own zone (i18n.LOCAL_ZONE), not looked up by name in the system's.
        calendar.subcomponents.insert(0, Timezone.from_tzinfo(LOCAL_ZONE, tzid=TIMEZONE, first_date=first,
                                                              last_date=last))
    return calendar.to_ical()


def contest_events(contest: Contest, context: FeedContext) -> list[Event]:
    title = localized(contest, "title", context.language)
    events = [_event(contest, context, "event", title, contest.event_at)]
    if contest.status in DEADLINE_STATUSES:
        summary = _("Registration closes: %(contest)s", contest=title)
        events.append(_event(contest, context, "registration-deadline", summary, contest.registration_closes_at))
    return events


def _event(contest: Contest, context: FeedContext, kind: str, summary: str, moment: datetime) -> Event:
    url = context.page_url(contest)
    language = {"LANGUAGE": context.language}
    event = Event()
    event.add("uid", f"contest-{contest.id}-{kind}@{context.host}")
    # The time the contest was last changed, not the time of the request: the same contest gives
    # the same bytes, so the feed's ETag holds until something in it changes.
    event.add("dtstamp", contest.updated_at.astimezone(UTC))
    event.add("last-modified", contest.updated_at.astimezone(UTC))
    # A moment with no end: the contest states when it starts, not how long it lasts.
    event.add("dtstart", moment.astimezone(LOCAL_ZONE))
    event.add("summary", summary, parameters=language)
    description = html.unescape(plain_text(localized(contest, "description", context.language),
                                           DESCRIPTION_LENGTH))
    event.add("description", "\n\n".join(filter(None, [description, url])), parameters=language)
    venue = localized(contest, "venue", context.language)
    if venue:
        event.add("location", venue, parameters=language)
    event.add("url", url)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline or an audience seat: nobody's time is blocked
    return event
