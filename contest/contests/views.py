"""Contest pages: the public list and contest page, and the organisers' setup pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from contest import files, pagecache, pictures, syndication
from contest.auth.models import Role
from contest.auth.permissions import has_role, public, roles_required
from contest.contests import calendar, linked_data, services
from contest.contests.forms import (
    PART_FORMS,
    ContestFilterForm,
    ContestForm,
    CopyContestForm,
    NewContestForm,
)
from contest.contests.models import Category, Contest, ContestStatus
from contest.contests.page_parts import category_notes, page_parts
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import attach_error, form_status
from contest.i18n import current_language, localized
from contest.lookups import contest_or_404

bp = Blueprint("contests", __name__)
PER_PAGE = 20
COVER_MAX_AGE = 60 * 60 * 24 * 365  # a cover's files never change: a new picture gets a new name
MAX_PAGE = 10_000  # deeper pages are empty anyway; the bound keeps the OFFSET a sane number
organiser = roles_required(Role.ORGANISER)


@bp.app_template_global()
def contest_json_ld(contest: Contest) -> Markup:
    """The contest page's schema.org `Event`, in the page's language."""
    return syndication.json_ld(linked_data.contest_event(contest, current_language()))


bp.add_app_template_global(syndication.webcal_url, "webcal_url")


def _page_number() -> int:
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


# Public ------------------------------------------------------------------------------------

@bp.get("/contests")
@public
@pagecache.cached(arguments=("status", "year", "page"))
def index():
    form = ContestFilterForm(request.args)
    filters: dict[str, Any] = {"status": form.status.data or None, "year": form.year.data} if form.validate() else {}
    page = db.paginate(services.public_contests(**filters), page=_page_number(), per_page=PER_PAGE,
                       error_out=False)
    return render_template("contests/index.html", form=form, page=page, filters=filters)


@bp.get("/contests/<slug>")
@public
@pagecache.cached()
def detail(slug: str):
    contest = services.contest_by_slug(slug)
    # Drafts do not exist for the public; organisers may preview them.
    if contest is None or not (contest.is_public or has_role(Role.ORGANISER)):
        abort(404)
    return render_template("contests/detail.html", contest=contest, ContestStatus=ContestStatus,
                           parts=page_parts(contest, "registration", "after"))


@bp.get("/contests/calendar.ics")
@public
@pagecache.cached(arguments=("lang",))
def calendar_feed():
    language = syndication.feed_language()
    with force_locale(language):
        context = _calendar_context(language, _("Literary contests of the Almaty libraries"))
        body = calendar.build_calendar(calendar.site_feed_contests(), context)
    return syndication.feed_response(body, "text/calendar")


@bp.get("/contests/<slug>/calendar.ics")
@public
@pagecache.cached(arguments=("lang",))
def contest_calendar(slug: str):
    contest = services.public_contest(slug)
    if contest is None:
        abort(404)
    language = syndication.feed_language()
    with force_locale(language):
        context = _calendar_context(language, localized(contest, "title", language))
        body = calendar.build_calendar([contest], context)
    return syndication.feed_response(body, "text/calendar")


def _calendar_context(language: str, title: str) -> calendar.FeedContext:
    return calendar.FeedContext(
        language=language, title=title, host=request.host.split(":")[0],
        page_url=lambda contest: url_for(".detail", slug=contest.slug, lang=language, _external=True))


@bp.get("/covers/contests/<name>")
@public
def cover(name: str):
    found = pictures.NAME_PATTERN.fullmatch(name)
    contest = services.contest_with_cover(found.group(1)) if found else None
    if contest is None or contest.cover is None or name not in contest.cover.names():
        abort(404)
    if contest.is_public:
        return files.send(services.COVER_AREA, name, max_age=COVER_MAX_AGE)
    # A draft's cover: organisers see it while preparing the page; nobody keeps a copy.
    if not has_role(Role.ORGANISER):
        abort(404)
    response = files.send(services.COVER_AREA, name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Organisers --------------------------------------------------------------------------------


@bp.get("/manage/contests")
@organiser
def manage_list():
    page = db.paginate(services.all_contests(), page=_page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("contests/manage/list.html", page=page)


@bp.route("/manage/contests/new", methods=["GET", "POST"])
@organiser
def create():
    form = NewContestForm()
    if form.validate_on_submit():
        try:
            contest = services.create_contest(form.to_data(), actor=current_user, cover=form.cover_change(),
                                              with_default_criteria=form.with_default_criteria.data)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The contest has been created as a draft."), "success")
            return redirect(url_for(".manage", contest_id=contest.id))
    return render_template("contests/manage/form.html", form=form, contest=None), form_status(form)


@bp.get("/manage/contests/<int:contest_id>")
@organiser
def manage(contest_id: int):
    contest = contest_or_404(contest_id, *services.SETUP_WITH_HISTORY)
    return render_template("contests/manage/overview.html", contest=contest,
                           moves=services.status_moves(contest),
                           setup_locked=contest.status_enum in services.SETUP_LOCKED_STATUSES,
                           parts=page_parts(contest, "manage", "categories"))


@bp.route("/manage/contests/<int:contest_id>/edit", methods=["GET", "POST"])
@organiser
def edit(contest_id: int):
    contest = contest_or_404(contest_id, *services.SETUP_WITH_HISTORY)
    form = ContestForm()
    if form.validate_on_submit():
        try:
            services.update_contest(contest, form.to_data(), actor=current_user, cover=form.cover_change())
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The contest has been saved."), "success")
            return redirect(url_for(".manage", contest_id=contest.id))
    elif not form.is_submitted():
        form.load(contest)
    return render_template("contests/manage/form.html", form=form, contest=contest), form_status(form)


@bp.post("/manage/contests/<int:contest_id>/status")
@organiser
def change_status(contest_id: int):
    contest = contest_or_404(contest_id, *services.SETUP_WITH_HISTORY)
    try:
        services.change_status(contest, request.form.get("status", ""), actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
        return redirect(url_for(".manage", contest_id=contest.id))
    flash(_("The contest is now: %(status)s.", status=contest.status_label), "success")
    return redirect(url_for(".manage", contest_id=contest.id))


@bp.route("/manage/contests/<int:contest_id>/copy", methods=["GET", "POST"])
@organiser
def copy(contest_id: int):
    source = contest_or_404(contest_id, *services.SETUP_WITH_HISTORY)
    form = CopyContestForm()
    if not form.is_submitted():
        form.suggest(services.suggested_copy_dates(source))
    if form.validate_on_submit():
        try:
            contest = services.copy_contest(source, actor=current_user, **form.to_data())
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The copy has been created as a draft. Check its texts and dates."), "success")
            return redirect(url_for(".manage", contest_id=contest.id))
    return render_template("contests/manage/copy.html", form=form, contest=source), form_status(form)


def _part_form_class(part: str):
    form_class = PART_FORMS.get(part)
    if form_class is None:
        abort(404)
    return form_class


def _part_or_404(contest: Contest, form_class, part_id: int):
    rows = services.PART_RELATIONS_BY_MODEL[form_class.MODEL]
    found = next((row for row in getattr(contest, rows) if row.id == part_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/manage/contests/<int:contest_id>/<part>/new", methods=["GET", "POST"])
@organiser
def add_part(contest_id: int, part: str):
    form_class = _part_form_class(part)
    contest = contest_or_404(contest_id, *services.SETUP_WITH_HISTORY)
    form = form_class()
    if form.validate_on_submit():
        try:
            services.add_part(contest, form_class.MODEL, form.to_data(), actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Added."), "success")
            return redirect(url_for(".manage", contest_id=contest.id, _anchor=part))
    return render_template("contests/manage/part_form.html", form=form, contest=contest, part=part,
                           row=None), form_status(form)


@bp.route("/manage/contests/<int:contest_id>/<part>/<int:part_id>", methods=["GET", "POST"])
@organiser
def edit_part(contest_id: int, part: str, part_id: int):
    form_class = _part_form_class(part)
    contest = contest_or_404(contest_id, *services.SETUP_WITH_HISTORY)
    row = _part_or_404(contest, form_class, part_id)
    form = form_class(obj=row)
    if form.validate_on_submit():
        try:
            services.update_part(row, form.to_data(), actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Saved."), "success")
            if isinstance(row, Category):  # narrowed limits may leave registrations outside them
                for note in category_notes(row):
                    flash(note, "warning")
            return redirect(url_for(".manage", contest_id=contest.id, _anchor=part))
    return render_template("contests/manage/part_form.html", form=form, contest=contest, part=part,
                           row=row), form_status(form)


@bp.post("/manage/contests/<int:contest_id>/<part>/<int:part_id>/delete")
@organiser
def delete_part(contest_id: int, part: str, part_id: int):
    form_class = _part_form_class(part)
    contest = contest_or_404(contest_id, *services.SETUP_WITH_HISTORY)
    row = _part_or_404(contest, form_class, part_id)
    try:
        services.delete_part(row, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("Deleted."), "success")
    return redirect(url_for(".manage", contest_id=contest.id, _anchor=part))
