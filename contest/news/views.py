"""Public news pages (list, post, Atom feed, cover images) and the organisers' editor."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from contest import files, pagecache, pictures, syndication
from contest.auth.models import Role
from contest.auth.permissions import has_role, public, roles_required
from contest.contests import services as contest_services
from contest.contests.models import Contest
from contest.contests.page_parts import PagePart
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import FORM_ERROR_STATUS, attach_error
from contest.news import linked_data, services
from contest.news.forms import NewsPostForm
from contest.news.models import NewsPost

bp = Blueprint("news", __name__)

COVER_MAX_AGE = 60 * 60 * 24 * 365  # cover files never change: a new image gets a new name
CONTEST_PAGE_POSTS = 6


@bp.app_template_global()
def news_json_ld(post: NewsPost, language: str) -> Markup:
    """The post page's schema.org `NewsArticle`, in the language the post is shown in."""
    return syndication.json_ld(linked_data.news_article(post, language))


def page_number() -> int:
    """`?page=`; anything that is not a whole number means the first page."""
    return request.args.get("page", 1, type=int)


# Public ---------------------------------------------------------------------------------------

def contest_news(sender: object, *, contest: Contest) -> PagePart | None:
    posts = services.latest_posts(CONTEST_PAGE_POSTS, NewsPost.contest_id == contest.id)
    return PagePart("news/_contest_news.html", {"posts": posts}) if posts else None


@bp.get("/news")
@public
@pagecache.cached(arguments=("page",))
def index():
    page = services.published_page(page_number())
    if page is None:
        abort(404)
    return render_template("news/index.html", page=page)


@bp.get("/news/<slug>")
@public
@pagecache.cached()
def post(slug: str):
    found = services.public_post(slug)
    if found is None:
        abort(404)
    return render_template("news/post.html", post=found)


@bp.get("/news/feed.atom")
@public
@pagecache.cached(arguments=("lang",))
def feed():
    language = syndication.feed_language()
    return _atom(services.feed_posts(), language, contest=None)


@bp.get("/contests/<slug>/news/feed.atom")
@public
@pagecache.cached(arguments=("lang",))
def contest_feed(slug: str):
    contest = contest_services.public_contest(slug)
    if contest is None:
        abort(404)
    language = syndication.feed_language()
    return _atom(services.feed_posts(NewsPost.contest_id == contest.id), language, contest=contest)


def _atom(posts: list[NewsPost], language: str, *, contest: Contest | None):
    with force_locale(language):
        xml = render_template("news/feed.xml", posts=posts, language=language, contest=contest,
                              updated=max((p.changed_at for p in posts), default=utcnow()))
    return syndication.feed_response(xml, "application/atom+xml")


@bp.get("/news/covers/<name>")
@public
def cover(name: str):
    found = pictures.NAME_PATTERN.fullmatch(name)
    owner = services.post_with_cover(found.group(1)) if found else None
    if owner is None or owner.cover is None or name not in owner.cover.names():
        abort(404)
    if owner.is_public(utcnow()):
        return files.send(services.COVER_AREA, name, max_age=COVER_MAX_AGE)
    # Organisers see covers of drafts while editing; nobody may keep a copy of those.
    if not has_role(Role.ORGANISER):
        abort(404)
    response = files.send(services.COVER_AREA, name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Organisers -------------------------------------------------------------------------------------

@bp.get("/manage/news")
@roles_required(Role.ORGANISER)
def manage():
    page = services.all_posts_page(page_number())
    if page is None:
        abort(404)
    return render_template("news/manage/list.html", page=page, now=utcnow())


@bp.route("/manage/news/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def create():
    form = NewsPostForm()
    return _edit(form, post=None)


@bp.route("/manage/news/<int:post_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(post_id: int):
    post = db.get_or_404(NewsPost, post_id)
    form = NewsPostForm(obj=post)
    return _edit(form, post=post)


@bp.post("/manage/news/<int:post_id>/delete")
@roles_required(Role.ORGANISER)
def delete(post_id: int):
    post = db.get_or_404(NewsPost, post_id)
    services.delete_post(post, actor=current_user)
    flash(_("The post has been deleted."), "success")
    return redirect(url_for("news.manage"))


def _edit(form: NewsPostForm, *, post: NewsPost | None):
    """Save, or (with the Preview button) show the post as the public would see it, writing nothing."""
    preview = None
    if form.validate_on_submit():
        data = form.post_data()
        try:
            if request.form.get("action") == "preview":
                preview = services.preview_post(data, post)
            else:
                saved = _save(data, post)
                flash(_saved_message(saved), "success")
                return redirect(url_for("news.edit", post_id=saved.id))
        except ServiceError as error:
            attach_error(form, error)
    status = FORM_ERROR_STATUS if form.is_submitted() and preview is None else 200
    return render_template("news/manage/form.html", form=form, post=post, preview=preview,
                           new_cover_chosen=bool(form.cover.data), now=utcnow()), status


def _saved_message(post: NewsPost) -> str:
    if post.published_at is None:  # an organiser who forgot the time must not think the post is out
        return _("The post has been saved as a draft: it has no publication time, so visitors do not see it. "
                 "Set the publication time to publish it.")
    return _("The post has been saved.")


def _save(data: services.PostData, post: NewsPost | None) -> NewsPost:
    if post is None:
        return services.create_post(data, actor=current_user)
    return services.update_post(post, data, actor=current_user)
