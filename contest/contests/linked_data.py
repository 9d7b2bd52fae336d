"""schema.org data (JSON-LD) of a contest page: an `Event`, as search engines read it for their
event listings (Google's "Event" structured data: name, startDate, location required; the
organiser, status, attendance mode, offers, image and description recommended)."""

from __future__ import annotations

import html
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from contest.contests.models import Contest, ContestStatus
from contest.i18n import LOCAL_ZONE, localized
from contest.markup import plain_text

SCHEMA = "https://schema.org"
DESCRIPTION_LENGTH = 500
# Registration is the contest's "ticket": free, sold before it opens, on sale while it is open.
OFFER_AVAILABILITY = {ContestStatus.PUBLISHED.value: f"{SCHEMA}/PreOrder",
                      ContestStatus.REGISTRATION_OPEN.value: f"{SCHEMA}/InStock"}


def library(*, with_logo: bool = False) -> dict[str, Any]:
    """The organiser of every contest and the publisher of every post."""
    organisation: dict[str, Any] = {"@type": "Organization", "name": _("Almaty Centralized Library System"),
                                    "url": url_for("site.home", _external=True)}
    if with_logo:
        organisation["logo"] = {"@type": "ImageObject", "width": 512, "height": 512,
                                "url": url_for("static", filename="img/icon-512.png", _external=True)}
    return organisation


def contest_event(contest: Contest, language: str) -> dict[str, Any]:
    """The contest as an `Event`, in `language` (call inside that locale for the labels).

    There is no end date: a contest states when its event starts, not how long it lasts, and
    search engines accept an event without one."""
    page = url_for("contests.detail", slug=contest.slug, lang=language, _external=True)
    venue = localized(contest, "venue", language)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": localized(contest, "title", language),
        "url": page,
        "inLanguage": language,
        "startDate": contest.event_at.astimezone(LOCAL_ZONE).isoformat(),
        "eventStatus": f"{SCHEMA}/EventScheduled",
        "organizer": library(),
        "isAccessibleForFree": True,
        **_place(venue, page),
    }
    # plain_text gives HTML-escaped text; JSON carries the characters themselves.
    description = html.unescape(plain_text(localized(contest, "description", language), DESCRIPTION_LENGTH))
    if description:
        data["description"] = description
    if contest.cover is not None:
        data["image"] = [url_for("contests.cover", name=contest.cover.name(contest.cover.width, "jpg"),
                                 _external=True)]
    if contest.min_age is not None or contest.max_age is not None:
        # schema.org's form: "7-12", or "7-" with no upper bound.
        data["typicalAgeRange"] = f"{contest.min_age or 0}-{'' if contest.max_age is None else contest.max_age}"
    offer = _offer(contest, page)
    if offer:
        data["offers"] = offer
    return data


def _place(venue: str, page: str) -> dict[str, Any]:
    """A venue is a place in Almaty; without one the contest is held through this site (works
    sent in through the registration page)."""
    if not venue:
        return {"eventAttendanceMode": f"{SCHEMA}/OnlineEventAttendanceMode",
                "location": {"@type": "VirtualLocation", "url": page}}
    return {"eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
            "location": {"@type": "Place", "name": venue,
                         "address": {"@type": "PostalAddress", "addressLocality": _("Almaty"),
                                     "addressCountry": "KZ"}}}


def _offer(contest: Contest, page: str) -> dict[str, Any] | None:
    availability = OFFER_AVAILABILITY.get(contest.status)
    if availability is None:  # registration is over: nothing is offered any more
        return None
    return {"@type": "Offer", "url": page, "price": 0, "priceCurrency": "KZT", "availability": availability,
            "validFrom": contest.registration_opens_at.astimezone(LOCAL_ZONE).isoformat(),
            "validThrough": contest.registration_closes_at.astimezone(LOCAL_ZONE).isoformat()}
