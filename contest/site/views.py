"""Pages that belong to no single domain: the home page and the language switcher."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from contest import i18n
from contest.auth.permissions import public
from contest.auth.services import set_preferred_language
from contest.auth.views import safe_next
from contest.contests import services as contests
from contest.news import services as news

bp = Blueprint("site", __name__)
HOME_POSTS = 3


@bp.get("/")
@public
def home():
    return render_template("site/home.html", open_contests=contests.open_for_registration(),
                           upcoming=contests.upcoming_events(), results=contests.recent_results(),
                           posts=news.latest_posts(HOME_POSTS))


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
    response = make_response(redirect(back))
    response.set_cookie(i18n.LANGUAGE_COOKIE, language, max_age=i18n.LANGUAGE_COOKIE_MAX_AGE,
                        httponly=True, samesite="Lax", secure=request.is_secure)
    return response
