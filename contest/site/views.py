"""Pages that belong to no single domain: the home page and the language switcher."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest import i18n, pagecache, syndication
from contest.auth.permissions import public
from contest.auth.services import set_preferred_language
from contest.auth.views import safe_next
from contest.contests import services as contests
from contest.news import services as news
from contest.site import sitemap

bp = Blueprint("site", __name__)
HOME_POSTS = 3


@bp.get("/")
@public
@pagecache.cached()
def home():
    return render_template("site/home.html", open_contests=contests.open_for_registration(),
                           upcoming=contests.upcoming_events(), results=contests.recent_results(),
                           posts=news.latest_posts(HOME_POSTS))


@bp.get("/sitemap.xml")
@public
@pagecache.cached()
def sitemap_xml():
    xml = render_template("site/sitemap.xml", pages=sitemap.sitemap_pages(), languages=i18n.LANGUAGE_NAMES)
    return syndication.feed_response(xml, "application/xml")


@bp.get("/robots.txt")
@public
@pagecache.cached()
def robots_txt():
    text = render_template("site/robots.txt", prefixes=sitemap.PRIVATE_PREFIXES)
    return syndication.feed_response(text, "text/plain")


@bp.post("/language")
@public
def switch_language():
    language = request.form.get("language", "")
    back = safe_next(request.form.get("next"))
    if not i18n.is_supported(language):
        flash(_("This language is not available. Choose Kazakh, Russian or English."), "danger")
        return redirect(back)
    if current_user.is_authenticated:
        set_preferred_language(current_user, language)
    return _remembering_language(language, back)


@bp.get("/language/<language>")
@public
def choose_language(language: str):
    """The switcher of visitors who are not signed in: links, not a form, because only their own
    cookie changes (no account), so the public pages carry no CSRF token and stay the same for
    every visitor, which lets them be cached."""
    if not i18n.is_supported(language):
        abort(404)
    return _remembering_language(language, safe_next(request.args.get("next")))


def _remembering_language(language: str, back: str):
    response = make_response(redirect(_without_language_argument(back)))
    response.set_cookie(i18n.LANGUAGE_COOKIE, language, max_age=i18n.LANGUAGE_COOKIE_MAX_AGE,
                        httponly=True, samesite="Lax", secure=request.is_secure)
    return response


def _without_language_argument(path: str) -> str:
    """The page to go back to, without a `?lang=` that would outvote the language just chosen."""
    parts = urlsplit(path)
    kept = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if name != i18n.LANGUAGE_ARGUMENT]
    return urlunsplit(parts._replace(query=urlencode(kept)))


# The icon's own background (static/img/icon.svg): the colour a phone shows around the app's name.
ICON_BACKGROUND = "#16406b"
MANIFEST_MAX_AGE = 60 * 60 * 24


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """The web app manifest, in the visitor's language: the name a phone gives the site's icon."""
    icons = [{"src": url_for("static", filename=f"img/icon-{size}.png"), "sizes": f"{size}x{size}",
              "type": "image/png"} for size in (192, 512)]
    icons.append({"src": url_for("static", filename="img/icon.svg"), "sizes": "any", "type": "image/svg+xml"})
    response = jsonify(name=_("Literary contests of the Almaty libraries"), short_name=_("Library contests"),
                       lang=i18n.current_language(), start_url=url_for("site.home"), display="standalone",
                       background_color="#ffffff", theme_color=ICON_BACKGROUND, icons=icons)
    response.content_type = "application/manifest+json"
    response.cache_control.public = True
    response.cache_control.max_age = MANIFEST_MAX_AGE
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response
