"""Share cards (the pictures of `og:image`), the embeddable widget and its snippet."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from contest import i18n, pagecache
from contest.auth.models import Role
from contest.auth.permissions import public, roles_required
from contest.contests.models import Contest, ContestStatus
from contest.contests.page_parts import PagePart
from contest.errors import ServiceError
from contest.lookups import contest_or_404
from contest.sharing import announcing, services
from contest.sharing.cards import Card
from contest.sharing.forms import AnnounceForm

bp = Blueprint("sharing", __name__)

# Contests, posts and the site change rarely: a day in browsers and proxies, then a cheap 304.
CARD_CACHE_CONTROL = "public, max-age=86400"
# A result card carries a name that consent may withdraw at any moment: asked again each time.
RESULT_CARD_CACHE_CONTROL = "public, no-cache"


def _language(language: str) -> str:
    if not i18n.is_supported(language):
        abort(404)
    return language


def _picture(card: Card, cache_control: str) -> Response:
    etag = card.digest()
    if etag in request.if_none_match:  # the same texts: the picture the visitor has is right
        return Response(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": cache_control})
    response = Response(services.card_png(card), mimetype="image/png")
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/cards/site/<language>.png")
@public
def site_card(language: str):
    return _picture(services.site_card(_language(language)), CARD_CACHE_CONTROL)


@bp.get("/cards/contests/<slug>/<language>.png")
@public
def contest_card(slug: str, language: str):
    language = _language(language)
    contest = services.public_contest(slug)
    if contest is None:
        abort(404)
    return _picture(services.contest_card(contest, language), CARD_CACHE_CONTROL)


@bp.get("/cards/news/<slug>/<language>.png")
@public
def news_card(slug: str, language: str):
    language = _language(language)
    post = services.public_post(slug)
    if post is None:
        abort(404)
    return _picture(services.news_card(post, language), CARD_CACHE_CONTROL)


@bp.get("/cards/contests/<slug>/results/<language>.png")
@public
def results_card(slug: str, language: str):
    language = _language(language)
    contest = services.published_contest(slug)
    if contest is None:
        abort(404)
    return _picture(services.results_card(contest, language), CARD_CACHE_CONTROL)


@bp.get("/cards/contests/<slug>/results/<code>/<language>.png")
@public
def result_card(slug: str, code: str, language: str):
    language = _language(language)
    found = services.published_result(slug, code)
    if found is None:
        abort(404)
    return _picture(services.result_card(found.contest, found.category, found.row, language),
                    RESULT_CARD_CACHE_CONTROL)


# The widget -----------------------------------------------------------------------------------

@bp.get("/embed")
@public
@pagecache.cached(arguments=("lang",))
def widget():
    """A script-free page for an <iframe> on another site (see web.py: its own frame-ancestors)."""
    language = request.args.get("lang")
    if not i18n.is_supported(language):  # the snippet always names one; a visitor's own otherwise
        language = i18n.visitor_language()
    with force_locale(language):
        return render_template("sharing/embed.html", language=language, open_contests=services.widget_contests(),
                               results=services.widget_results(language))


@bp.get("/manage/embed")
@roles_required(Role.ORGANISER)
def snippet():
    snippets = {}
    for code in i18n.LANGUAGE_NAMES:
        with force_locale(code):
            snippets[code] = render_template("sharing/_snippet.txt", src=url_for(".widget", lang=code, _external=True))
    return render_template("sharing/snippet.html", snippets=snippets)


# Announcing the winners ------------------------------------------------------------------------

def announce_box(sender: object, *, contest: Contest) -> PagePart | None:
    """On the organiser's contest page while its results are published: the news post button."""
    if contest.status != ContestStatus.RESULTS_PUBLISHED.value:
        return None
    return PagePart("sharing/_announce_part.html", {"contest": contest, "form": AnnounceForm()})


@bp.post("/manage/contests/<int:contest_id>/announce")
@roles_required(Role.ORGANISER)
def announce(contest_id: int):
    contest = contest_or_404(contest_id)
    if not AnnounceForm().validate_on_submit():
        abort(400)
    try:
        post = announcing.draft_winners_post(contest, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for("contests.manage", contest_id=contest.id))
    flash(_("A news post about the winners is ready as a draft in Kazakh, Russian and English. Check it, "
            "then publish it."), "success")
    return redirect(url_for("news.edit", post_id=post.id))
