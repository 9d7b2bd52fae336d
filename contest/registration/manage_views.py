"""Organisers' registration pages: the table with search and filters, a registration's detail
with approve and reject, bulk approval, exports and the import of a teacher's list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from contest import downloads
from contest.auth.models import Role
from contest.auth.permissions import roles_required
from contest.contests.models import Category, Contest
from contest.contests.page_parts import PagePart
from contest.contests.services import SETUP_LOCKED_STATUSES
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import FORM_ERROR_STATUS, attach_error, form_status
from contest.i18n import LOCAL_ZONE, current_language
from contest.lookups import contest_or_404
from contest.registration import exports, imports, moderation, services
from contest.registration.completeness import entry_completeness
from contest.registration.forms import ChangeCategoryForm
from contest.registration.manage_forms import (
    DecisionForm,
    ImportConfirmForm,
    ImportForm,
    RegistrationFilterForm,
)
from contest.registration.models import Registration
from contest.registration.uploads import send_entry_file

bp = Blueprint("registration_manage", __name__, url_prefix="/manage/contests/<int:contest_id>/registrations")
organiser = roles_required(Role.ORGANISER)
PER_PAGE = 50
MAX_PAGE = 10_000
# What the registrations pages show of the contest: its categories (filters, changes of category).
WITH_CATEGORIES = selectinload(Contest.categories)
NOTE_CODES = 20  # codes named in the flash after saving a category; the contest's page lists them all


def registrations_summary(sender: object, *, contest: Contest) -> PagePart:
    """The registrations box on the contest's organiser page: counts by status and a link."""
    return PagePart("registration/manage/_contest_part.html",
                    {"counts": moderation.status_counts(contest), "contest_id": contest.id})


def registrations_outside_limits(sender: object, *, contest: Contest) -> PagePart | None:
    """Under the categories on the organiser's page: registrations that their category's limits
    no longer admit, listed with the reason (never removed or moved without the organiser)."""
    outside = services.registrations_outside_limits(contest)
    if not outside:
        return None
    return PagePart("registration/manage/_outside_limits.html", {
        "contest_id": contest.id,
        "groups": [(category, outside[category.id]) for category in contest.categories if category.id in outside]})


def outside_limits_note(sender: object, *, category: Category) -> str | None:
    """The warning flashed after an organiser saves a category whose limits leave registrations out."""
    outside = services.registrations_outside_limits(category.contest).get(category.id)
    if not outside:
        return None
    codes = ", ".join(registration.code for registration, _reason in outside[:NOTE_CODES])
    if len(outside) > NOTE_CODES:
        codes = _("%(codes)s and %(count)d more", codes=codes, count=len(outside) - NOTE_CODES)
    return ngettext("%(num)d registration in this category is outside its new limits: %(codes)s. Nothing has "
                    "been changed: move it to another category or ask the participant. The contest's page "
                    "lists it.",
                    "%(num)d registrations in this category are outside its new limits: %(codes)s. Nothing has "
                    "been changed: move them to other categories or ask the participants. The contest's page "
                    "lists them.", len(outside), codes=codes)


def _registration_or_404(contest: Contest, registration_id: int) -> Registration:
    registration = moderation.registration_in_contest(contest, registration_id)
    if registration is None:
        abort(404)
    return registration


def _filter_form(contest: Contest) -> tuple[RegistrationFilterForm, moderation.RegistrationFilters]:
    """The filters from the address; anything not understood is dropped (all rows shown)."""
    form = RegistrationFilterForm(request.args)
    form.fill_choices(contest, *moderation.filter_values(contest))
    filters = form.filters() if form.validate() else moderation.RegistrationFilters()
    return form, filters


def _table_args() -> dict[str, Any]:
    """The table's filters and page, to come back to the same view after an action."""
    return {key: value for key, value in request.values.items()
            if key in ("q", "status", "category", "school", "district", "page") and value}


# Table -------------------------------------------------------------------------------------------

@bp.get("/")
@organiser
def index(contest_id: int):
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    form, filters = _filter_form(contest)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    pagination = db.paginate(moderation.filtered_registrations(contest, filters), page=page,
                             per_page=PER_PAGE, error_out=False)
    return render_template("registration/manage/index.html", contest=contest, form=form,
                           pagination=pagination, counts=moderation.status_counts(contest),
                           filtered=filters != moderation.RegistrationFilters(),
                           export_args={key: value for key, value in request.args.items() if key != "page"})


@bp.post("/approve")
@organiser
def approve_selected(contest_id: int):
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    ids = [int(value) for value in request.form.getlist("ids") if value.isdigit()]
    if not ids:
        flash(_("Select the registrations to approve."), "warning")
        return redirect(url_for(".index", contest_id=contest.id, **_table_args()))
    try:
        approved = moderation.approve_registrations(contest, ids, actor=current_user)
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(url_for(".index", contest_id=contest.id, **_table_args()))
    if approved:
        flash(ngettext("%(num)d registration approved.", "%(num)d registrations approved.", approved),
              "success")
    skipped = len(set(ids)) - approved
    if skipped:
        flash(ngettext("%(num)d selected registration has not changed: it was not awaiting moderation, or its "
                       "entry does not meet the rules (open it to decide).",
                       "%(num)d selected registrations have not changed: they were not awaiting moderation, or "
                       "their entries do not meet the rules (open each to decide).",
                       skipped), "warning")
    return redirect(url_for(".index", contest_id=contest.id, **_table_args()))


# One registration ------------------------------------------------------------------------------

def _render_detail(contest: Contest, registration: Registration, form: DecisionForm, status: int = 200,
                   category_form: ChangeCategoryForm | None = None):
    category_form = category_form or ChangeCategoryForm(contest.categories, category_id=registration.category_id)
    return render_template("registration/manage/detail.html", contest=contest, registration=registration,
                           participant=registration.participant, entry=registration.entry, form=form,
                           category_form=category_form, setup_locked=contest.status_enum in SETUP_LOCKED_STATUSES,
                           completeness=entry_completeness(contest, registration.entry),
                           needs_override=moderation.entry_needs_override(registration)), status


@bp.get("/<int:registration_id>")
@organiser
def detail(contest_id: int, registration_id: int):
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    registration = _registration_or_404(contest, registration_id)
    return _render_detail(contest, registration, DecisionForm())


@bp.post("/<int:registration_id>/approve")
@organiser
def approve(contest_id: int, registration_id: int):
    return _decide(contest_id, registration_id,
                   lambda registration, form: moderation.approve_registration(
                       registration, actor=current_user, override_reason=form.override_reason.data or ""),
                   lambda registration: _("Registration %(code)s has been approved.", code=registration.code))


@bp.post("/<int:registration_id>/allow-incomplete")
@organiser
def allow_incomplete(contest_id: int, registration_id: int):
    """An approved registration whose entry does not meet the rules: let it be judged anyway."""
    return _decide(contest_id, registration_id,
                   lambda registration, form: moderation.allow_incomplete_entry(
                       registration, form.override_reason.data or "", actor=current_user),
                   lambda registration: _("Registration %(code)s: the entry may be judged as it is.",
                                          code=registration.code))


@bp.post("/<int:registration_id>/reject")
@organiser
def reject(contest_id: int, registration_id: int):
    return _decide(contest_id, registration_id,
                   lambda registration, form: moderation.reject_registration(
                       registration, form.reason.data or "", actor=current_user),
                   lambda registration: _("Registration %(code)s has been rejected.", code=registration.code))


@bp.post("/<int:registration_id>/category")
@organiser
def change_category(contest_id: int, registration_id: int):
    """Move a registration to another category; its limits apply as when registering."""
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    registration = _registration_or_404(contest, registration_id)
    form = ChangeCategoryForm(contest.categories)
    if form.validate_on_submit():
        category = next(c for c in contest.categories if c.id == form.category_id.data)
        try:
            services.change_category(registration, category, actor=current_user, as_organiser=True)
        except ServiceError as error:
            error.field = "category_id" if error.field == "category" else error.field
            attach_error(form, error)
        else:
            flash(_("Registration %(code)s has been moved to another category.", code=registration.code), "success")
            return redirect(url_for(".detail", contest_id=contest.id, registration_id=registration.id))
    return _render_detail(contest, registration, DecisionForm(formdata=None), FORM_ERROR_STATUS, category_form=form)


def _decide(contest_id: int, registration_id: int, decide, done_message):
    """Approve or reject through `decide`; a refusal shows beside the form with nothing changed."""
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    registration = _registration_or_404(contest, registration_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide(registration, form)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(done_message(registration), "success")
            return redirect(url_for(".detail", contest_id=contest.id, registration_id=registration.id))
    return _render_detail(contest, registration, form, FORM_ERROR_STATUS)


@bp.get("/<int:registration_id>/works/<int:position>/file")
@organiser
def entry_file(contest_id: int, registration_id: int, position: int):
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    registration = _registration_or_404(contest, registration_id)
    return send_entry_file(registration.entry.work_at(position) if registration.entry else None)


# Exports -----------------------------------------------------------------------------------------

@bp.get("/export.<fmt>")
@organiser
def export(contest_id: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    _form, filters = _filter_form(contest)
    registrations = db.session.scalars(moderation.filtered_registrations(contest, filters)).all()
    if fmt == "csv":
        data, media_type = exports.to_csv(registrations), downloads.CSV_MEDIA_TYPE
    else:
        data, media_type = exports.to_xlsx(registrations), downloads.XLSX_MEDIA_TYPE
    name = f"registrations-{contest.slug}-{utcnow().astimezone(LOCAL_ZONE):%Y%m%d-%H%M}.{fmt}"
    response = downloads.file_response(data, media_type, name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Import of a teacher's list ------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@organiser
def import_upload(contest_id: int):
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            teacher = imports.find_teacher(form.teacher_email.data or "")
            # One byte over the limit is enough to know the file is too large.
            rows = imports.read_rows(upload.read(current_app.config["IMPORT_FILE_MAX_BYTES"] + 1))
            preview = imports.preview_import(contest, teacher, rows, actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            return _render_preview(contest, preview)
    return render_template("registration/manage/import.html", contest=contest, form=form,
                           columns=imports.COLUMNS, max_rows=imports.MAX_ROWS,
                           max_bytes=current_app.config["IMPORT_FILE_MAX_BYTES"]), form_status(form)


def _render_preview(contest: Contest, preview: imports.ImportPreview, *, confirmed_failed: bool = False):
    confirm = ImportConfirmForm()
    if preview.is_valid:
        confirm.payload.data = imports.sign_rows(contest, preview.teacher, current_user, preview.rows)
    return render_template("registration/manage/import_preview.html", contest=contest, preview=preview,
                           confirm=confirm, confirmed_failed=confirmed_failed), (
        200 if preview.is_valid else FORM_ERROR_STATUS)


@bp.post("/import/confirm")
@organiser
def import_confirm(contest_id: int):
    contest = contest_or_404(contest_id, WITH_CATEGORIES)
    form = ImportConfirmForm()
    try:
        if not form.validate_on_submit():
            raise ServiceError(_("The preview has expired or was changed. Please upload the list again."))
        teacher, rows = imports.unsigned_rows(form.payload.data or "", contest, current_user)
        preview = imports.confirm_import(contest, teacher, rows, actor=current_user)
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(url_for(".import_upload", contest_id=contest.id))
    if not preview.is_valid:
        return _render_preview(contest, preview, confirmed_failed=True)
    flash(ngettext("%(num)d pupil has been registered; the registration awaits moderation.",
                   "%(num)d pupils have been registered; the registrations await moderation.", len(rows)),
          "success")
    return redirect(url_for(".index", contest_id=contest.id, status="pending"))


@bp.get("/import/template.xlsx")
@organiser
def import_template(contest_id: int):
    contest_or_404(contest_id, WITH_CATEGORIES)
    return downloads.file_response(imports.template_xlsx(current_language()), downloads.XLSX_MEDIA_TYPE,
                                   "pupils-template.xlsx")
