"""What the feeds and the search engines' data share: the language a feed is asked in, the
response a feed goes out as, and JSON-LD safe to put inside a page."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from contest import i18n

FEED_MAX_AGE = 300
# Inside <script> only `</` can end the element early; `<!--` could open a comment; `&` is
# harmless there but escaped as well so the text reads the same when taken as HTML.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def feed_language() -> str:
    """`?lang=` of a feed, Kazakh when absent. A feed's language comes from the address alone
    (not from cookies), so one cached copy per address is right for every reader."""
    language = request.args.get(i18n.LANGUAGE_ARGUMENT, i18n.DEFAULT_LANGUAGE)
    if not i18n.is_supported(language):
        error = BadRequest()
        message = _("This language is not available. Choose Kazakh, Russian or English.")
        error.user_message = message  # type: ignore[attr-defined]  # shown by the error handler in web.py
        raise error
    return language


def feed_response(body: str | bytes, content_type: str) -> Response:
    """A feed readers and calendar apps may keep for `FEED_MAX_AGE` seconds; it carries no
    session or CSRF token."""
    response = make_response(body)
    response.content_type = f"{content_type}; charset=utf-8"
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    return response


def json_ld(data: dict[str, Any]) -> Markup:
    """A `<script type="application/ld+json">` element's text. It is data, not a script: the
    browser runs nothing, so the Content-Security-Policy needs no 'unsafe-inline' for it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return Markup(text)  # noqa: S704  (escaped above for the inside of a script element)


def webcal_url(endpoint: str, **values: Any) -> str:
    """A calendar feed's address for "subscribe" links: webcal:// makes the visitor's calendar
    app offer to subscribe (and fetch it over HTTPS where the site has it), not a download."""
    address = url_for(endpoint, **values, _external=True)
    return "webcal://" + address.split("://", 1)[1]
