"""Organisers' jury pages (/manage/contests/<id>/jury): the jury, assignment, the live
performance order, the progress matrix and reminders, an entry's sheets and history (reopen,
recuse), paper ballots. Thin: each action is one service call; a refusal re-renders the page
with status 422 so that nothing is written."""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from contest import downloads, previews
from contest.auth.models import Role, User
from contest.auth.permissions import roles_required
from contest.auth.services import find_user_by_email
from contest.contests.models import Contest, Round
from contest.contests.page_parts import PagePart
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import FORM_ERROR_STATUS, attach_error, form_status
from contest.i18n import localized
from contest.judging import assignment, ballots, progress, services
from contest.judging import jury as jury_rules
from contest.judging.forms import (
    AddJurorForm,
    AssignForm,
    BallotConfirmForm,
    BallotUploadForm,
    InviteJurorForm,
    MemberCategoriesForm,
    ReasonForm,
    RecuseForm,
    category_choices,
)
from contest.judging.models import AssignmentPlan, Conflict, JuryMember, ScoreSheet
from contest.lookups import contest_or_404, in_contest_or_404, round_or_404
from contest.registration.models import Entry, Registration

bp = Blueprint("judging_manage", __name__, url_prefix="/manage/contests/<int:contest_id>/jury")
organiser = roles_required(Role.ORGANISER)

BALLOT_SALT = "judging.ballots"
BALLOT_MAX_AGE = 60 * 60 * 2
# The columns of a paper ballot, in order (the first row may name them in any words).
BALLOT_COLUMNS = [
    (_l("Registration code"), _l("As on the entry, for example AQY26-0042.")),
    (_l("Juror's email"), _l("The email of the juror's account on this contest's jury.")),
    (_l("Criterion"), _l("The criterion's name in any language, or its number in the list (1, 2, …).")),
    (_l("Points"), _l("From 0 to the criterion's maximum, on its step; a decimal comma is fine.")),
]
# A round scored by ranks: one row per place, the juror's places of a category checked as a whole.
PLACE_BALLOT_COLUMNS = [
    *BALLOT_COLUMNS[:2],
    (_l("Place"), _l("1 = best, up to the number of the juror's entries in the category; tied entries share a "
                     "place and skip the places they cover: 1, 2, 2, 4.")),
]
HISTORY_LABELS = {
    "sheet.create": _l("Score sheet started"),
    "sheet.update": _l("Scores changed"),
    "sheet.submit": _l("Score sheet submitted"),
    "sheet.reopen": _l("Score sheet reopened"),
    "conflict.declared": _l("Conflict of interest declared"),
    "conflict.recused": _l("Juror recused by an organiser"),
}


def jury_summary(sender: object, *, contest: Contest) -> PagePart:
    """The jury box on the contest's organiser page: how many jurors, links to the pages."""
    count = db.session.scalar(select(func.count()).select_from(JuryMember)
                              .where(JuryMember.contest_id == contest.id))
    return PagePart("judging/manage/_contest_part.html", {"contest": contest, "jurors": count})


# Loading ------------------------------------------------------------------------------------

# What the jury pages show of the contest: its rounds, categories and criteria.
JURY_SETUP = (selectinload(Contest.rounds), selectinload(Contest.categories), selectinload(Contest.criteria))


def _member_or_404(contest: Contest, member_id: int) -> JuryMember:
    return in_contest_or_404(JuryMember, member_id, contest)


def _registration_or_404(contest: Contest, registration_id: int) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.contest_id == contest.id)
        .options(selectinload(Registration.participant), selectinload(Registration.entry).selectinload(Entry.works),
                 selectinload(Registration.category)))
    if registration is None:
        abort(404)
    return registration


def _members(contest: Contest) -> list[JuryMember]:
    return list(db.session.scalars(
        select(JuryMember).join(JuryMember.user)
        .options(joinedload(JuryMember.user), selectinload(JuryMember.categories))
        .where(JuryMember.contest_id == contest.id)
        .order_by(JuryMember.is_chair.desc(), User.name, JuryMember.id)))


# The jury -----------------------------------------------------------------------------------

def _categories_form(contest: Contest, member: JuryMember, formdata=None) -> MemberCategoriesForm:
    form = MemberCategoriesForm(formdata=formdata, prefix=f"member-{member.id}",
                                data={"categories": [category.id for category in member.categories]})
    form.categories.choices = category_choices(contest.categories)
    return form


def _render_jury(contest: Contest, *, add_form=None, invite_form=None, assign_forms=None, error=None,
                 status: int = 200):
    members = _members(contest)
    plans = {plan.round_id: plan for plan in db.session.scalars(
        select(AssignmentPlan).where(AssignmentPlan.round_id.in_([round_.id for round_ in contest.rounds])))}
    assign_forms = assign_forms or {}
    for round_ in contest.rounds:
        plan = plans.get(round_.id)
        assign_forms.setdefault(round_.id, AssignForm(formdata=None, prefix=f"round-{round_.id}",
                                                      data={"per_entry": plan.per_entry if plan else 2}))
    return render_template(
        "judging/manage/jury.html", contest=contest, members=members, plans=plans,
        add_form=add_form or AddJurorForm(formdata=None, prefix="add"),
        invite_form=invite_form or InviteJurorForm(formdata=None, prefix="invite"),
        assign_forms=assign_forms, error=error,
        category_forms={member.id: _categories_form(contest, member) for member in members}), status


def _back_to_jury(contest: Contest):
    return redirect(url_for(".jury", contest_id=contest.id))


@bp.get("/")
@organiser
def jury(contest_id: int):
    return _render_jury(contest_or_404(contest_id, *JURY_SETUP))


@bp.post("/add")
@organiser
def add(contest_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    form = AddJurorForm(prefix="add")
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data or "")
        try:
            if user is None:
                raise ServiceError(_l("There is no account with this email. Invite the juror instead."), "email")
            member = jury_rules.add_juror(contest, user, is_chair=form.is_chair.data, is_honorary=form.is_honorary.data,
                                    actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s has joined the jury.", name=member.user.name), "success")
            return _back_to_jury(contest)
    return _render_jury(contest, add_form=form, status=FORM_ERROR_STATUS)


@bp.post("/invite")
@organiser
def invite(contest_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    form = InviteJurorForm(prefix="invite")
    if form.validate_on_submit():
        try:
            member = jury_rules.invite_juror(contest, email=form.email.data or "", name=form.name.data or "",
                                       language=form.language.data, is_chair=form.is_chair.data,
                                       is_honorary=form.is_honorary.data, actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s has joined the jury; an invitation has been emailed to %(email)s.",
                    name=member.user.name, email=member.user.email), "success")
            return _back_to_jury(contest)
    return _render_jury(contest, invite_form=form, status=FORM_ERROR_STATUS)


def _member_action(contest_id: int, member_id: int, action, done_message):
    """Run `action(member)`; a refusal shows the jury page with the message (422)."""
    contest = contest_or_404(contest_id, *JURY_SETUP)
    member = _member_or_404(contest, member_id)
    try:
        action(member)
    except ServiceError as error:
        return _render_jury(contest, error=error.message, status=FORM_ERROR_STATUS)
    flash(done_message(member), "success")
    return _back_to_jury(contest)


@bp.post("/members/<int:member_id>/chair")
@organiser
def set_chair(contest_id: int, member_id: int):
    return _member_action(contest_id, member_id, lambda member: jury_rules.set_chair(member, actor=current_user),
                          lambda member: _("%(name)s chairs the jury.", name=member.user.name))


@bp.post("/members/<int:member_id>/honorary")
@organiser
def set_honorary(contest_id: int, member_id: int):
    honorary = request.form.get("is_honorary") == "y"
    return _member_action(
        contest_id, member_id, lambda member: jury_rules.set_honorary(member, honorary, actor=current_user),
        lambda member: (_("%(name)s is an honorary member: their scores do not count.", name=member.user.name)
                        if honorary else _("The scores of %(name)s count.", name=member.user.name)))


@bp.post("/members/<int:member_id>/categories")
@organiser
def set_categories(contest_id: int, member_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    member = _member_or_404(contest, member_id)
    form = _categories_form(contest, member, formdata=request.form)
    if not form.validate_on_submit():
        return _render_jury(contest, error=_("Choose among this contest's categories."), status=FORM_ERROR_STATUS)
    chosen = [category for category in contest.categories if category.id in set(form.categories.data or [])]
    return _member_action(contest_id, member_id,
                          lambda member: jury_rules.set_member_categories(member, chosen, actor=current_user),
                          lambda member: _("The categories of %(name)s have been saved.", name=member.user.name))


@bp.post("/members/<int:member_id>/remove")
@organiser
def remove(contest_id: int, member_id: int):
    def removed(member: JuryMember) -> str:
        return _("%(name)s has left the jury.", name=member.user.name)

    contest = contest_or_404(contest_id, *JURY_SETUP)
    member = _member_or_404(contest, member_id)
    message = removed(member)
    return _member_action(contest_id, member_id, lambda member: jury_rules.remove_juror(member, actor=current_user),
                          lambda _member: message)


# Assignment and the live order ----------------------------------------------------------------

@bp.post("/rounds/<int:round_id>/assign")
@organiser
def assign(contest_id: int, round_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    round_ = round_or_404(contest, round_id)
    form = AssignForm(prefix=f"round-{round_.id}")
    if form.validate_on_submit():
        try:
            loads = assignment.assign_automatically(round_, form.per_entry.data, actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Entries assigned: %(per_entry)d jurors per entry, %(low)d to %(high)d entries per juror.",
                    per_entry=form.per_entry.data, low=min(loads.values(), default=0),
                    high=max(loads.values(), default=0)), "success")
            left_out = assignment.incomplete_entries(round_)
            if left_out:
                flash(_("Not assigned, because the entry does not meet the contest's rules: %(codes)s. "
                        "An organiser may make an exception on the registration's page.",
                        codes=", ".join(registration.code for registration in left_out)), "warning")
            return _back_to_jury(contest)
    return _render_jury(contest, assign_forms={round_.id: form}, status=FORM_ERROR_STATUS)


@bp.post("/rounds/<int:round_id>/clear")
@organiser
def clear(contest_id: int, round_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    round_ = round_or_404(contest, round_id)
    try:
        assignment.clear_assignments(round_, actor=current_user)
    except ServiceError as error:
        return _render_jury(contest, error=error.message, status=FORM_ERROR_STATUS)
    flash(_("Assignments cleared: every juror scores every entry of their categories."), "success")
    return _back_to_jury(contest)


@bp.route("/rounds/<int:round_id>/order", methods=["GET", "POST"])
@organiser
def order(contest_id: int, round_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    round_ = round_or_404(contest, round_id)
    registrations = assignment.round_registrations(round_, with_entries=True, with_absent=True)
    error = None
    if request.method == "POST":
        try:
            wanted = _wanted_order(registrations, request.form)
            assignment.set_performance_order(round_, wanted, actor=current_user)
        except ServiceError as refused:
            error = refused.message
        else:
            flash(_("The performance order has been saved."), "success")
            return redirect(url_for(".order", contest_id=contest.id, round_id=round_.id))
    return render_template("judging/manage/order.html", contest=contest, round=round_,
                           registrations=registrations, error=error), FORM_ERROR_STATUS if error else 200


def _wanted_order(registrations: list[Registration], data) -> list[Registration]:
    """A "move" button (id:up or id:down) swaps one entry with its neighbour; otherwise the
    number fields (position_<id>) give the order, ties kept in the current order."""
    move = data.get("move", "")
    ids = [registration.id for registration in registrations]
    if move:
        moved, _sep, direction = move.partition(":")
        if not moved.isdigit() or int(moved) not in ids or direction not in ("up", "down"):
            raise ServiceError(_l("This entry is not among the entries judged in this round."))
        index = ids.index(int(moved))
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(registrations):
            registrations[index], registrations[other] = registrations[other], registrations[index]
        return registrations
    positions = {}
    for index, registration in enumerate(registrations):
        raw = (data.get(f"position_{registration.id}") or "").strip()
        if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
            raise ServiceError(_l("Give every entry a whole number from 1 on (%(code)s).", code=registration.code))
        positions[registration.id] = (int(raw), index)
    return sorted(registrations, key=lambda registration: positions[registration.id])


# Progress and reminders -----------------------------------------------------------------------

@bp.get("/rounds/<int:round_id>/progress")
@organiser
def matrix(contest_id: int, round_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    round_ = round_or_404(contest, round_id)
    return render_template("judging/manage/matrix.html", contest=contest, round=round_,
                           matrix=progress.progress_matrix(round_), CellState=progress.CellState)


@bp.post("/rounds/<int:round_id>/remind")
@organiser
def remind(contest_id: int, round_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    round_ = round_or_404(contest, round_id)
    link = url_for("judging.queue", contest_id=contest.id, round_id=round_.id, _external=True)
    try:
        count = progress.remind_jurors(contest, round_, actor=current_user, link=link)
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(url_for(".matrix", contest_id=contest.id, round_id=round_.id))
    if count:
        flash(ngettext("A reminder has been emailed to %(num)d juror.",
                       "Reminders have been emailed to %(num)d jurors.", count), "success")
    else:
        flash(_("No juror has missing score sheets: nobody was emailed."), "info")
    return redirect(url_for(".matrix", contest_id=contest.id, round_id=round_.id))


# One entry: its sheets, conflicts and history ------------------------------------------------------

def _render_entry(contest: Contest, registration: Registration, *, reopen_forms=None, recuse_form=None,
                  status: int = 200):
    sheets = list(db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.registration_id == registration.id)
        .options(selectinload(ScoreSheet.scores), joinedload(ScoreSheet.member).joinedload(JuryMember.user))
        .order_by(ScoreSheet.round_id, ScoreSheet.member_id)))
    conflicts = list(db.session.scalars(
        select(Conflict).where(Conflict.registration_id == registration.id)
        .options(joinedload(Conflict.member).joinedload(JuryMember.user)).order_by(Conflict.id)))
    conflicted = {conflict.member_id for conflict in conflicts}
    members = [member for member in assignment.jury_of(contest.id) if member.id not in conflicted]
    if recuse_form is None:
        recuse_form = RecuseForm(formdata=None, prefix="recuse")
    recuse_form.member.choices = [(member.id, member.user.name) for member in members]
    reopen_forms = reopen_forms or {}
    for sheet in sheets:
        reopen_forms.setdefault(sheet.id, ReasonForm(formdata=None, prefix=f"sheet-{sheet.id}"))
    return render_template(
        "judging/manage/entry.html", contest=contest, registration=registration, sheets=sheets,
        conflicts=conflicts, history=services.entry_history(registration), recuse_form=recuse_form,
        reopen_forms=reopen_forms, rounds={round_.id: round_ for round_ in contest.rounds},
        criteria={criterion.id: criterion for criterion in contest.criteria}, labels=HISTORY_LABELS), status


@bp.get("/entries/<int:registration_id>")
@organiser
def entry(contest_id: int, registration_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    return _render_entry(contest, _registration_or_404(contest, registration_id))


@bp.post("/entries/<int:registration_id>/recuse")
@organiser
def recuse(contest_id: int, registration_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    registration = _registration_or_404(contest, registration_id)
    form = RecuseForm(prefix="recuse")
    form.member.choices = [(member.id, member.user.name) for member in assignment.jury_of(contest.id)]
    if form.validate_on_submit():
        member = _member_or_404(contest, form.member.data)
        try:
            services.recuse_juror(member, registration, reason=form.reason.data or "", actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("%(name)s is recused from %(code)s.", name=member.user.name, code=registration.code), "success")
            return redirect(url_for(".entry", contest_id=contest.id, registration_id=registration.id))
    return _render_entry(contest, registration, recuse_form=form, status=FORM_ERROR_STATUS)


@bp.post("/sheets/<int:sheet_id>/reopen")
@organiser
def reopen(contest_id: int, sheet_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    sheet = db.session.get(ScoreSheet, sheet_id)
    if sheet is None or sheet.round.contest_id != contest.id:
        abort(404)
    registration = _registration_or_404(contest, sheet.registration_id)
    form = ReasonForm(prefix=f"sheet-{sheet.id}")
    if form.validate_on_submit():
        try:
            services.reopen_sheet(sheet, reason=form.reason.data or "", actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The score sheet of %(name)s for %(code)s is reopened.", name=sheet.member.user.name,
                    code=registration.code), "success")
            return redirect(url_for(".entry", contest_id=contest.id, registration_id=registration.id))
    return _render_entry(contest, registration, reopen_forms={sheet.id: form}, status=FORM_ERROR_STATUS)


# Paper ballots -------------------------------------------------------------------------------

def _sign_file(contest: Contest, round_: Round, filename: str, data: bytes) -> str:
    return previews.sign(BALLOT_SALT, {"contest": contest.id, "round": round_.id, "actor": current_user.id,
                                       "filename": filename, "data": base64.b64encode(data).decode("ascii")})


def _signed_file(token: str, contest: Contest, round_: Round) -> tuple[str, bytes]:
    again = _l("The preview has expired or was changed. Please upload the file again.")
    payload = previews.unsign(BALLOT_SALT, token, max_age=BALLOT_MAX_AGE, refusal=again,
                              expected={"contest": contest.id, "round": round_.id, "actor": current_user.id})
    try:
        return str(payload["filename"]), base64.b64decode(payload["data"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        raise ServiceError(again) from None


def _render_ballot_form(contest: Contest, round_: Round, form: BallotUploadForm):
    return render_template("judging/manage/ballots.html", contest=contest, round=round_, form=form,
                           columns=PLACE_BALLOT_COLUMNS if round_.by_ranks else BALLOT_COLUMNS,
                           max_bytes=ballots.MAX_BYTES), form_status(form)


def _render_ballot_preview(contest: Contest, round_: Round, report: ballots.BallotImport, token: str | None,
                           *, confirmed_failed: bool = False):
    confirm = BallotConfirmForm(formdata=None)
    confirm.payload.data = token
    return render_template("judging/manage/ballots_preview.html", contest=contest, round=round_, report=report,
                           confirm=confirm, confirmed_failed=confirmed_failed), (
        200 if report.ok else FORM_ERROR_STATUS)


@bp.route("/rounds/<int:round_id>/ballots", methods=["GET", "POST"])
@organiser
def ballots_upload(contest_id: int, round_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    round_ = round_or_404(contest, round_id)
    form = BallotUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "ballots")[:200]
        data = upload.read(ballots.MAX_BYTES + 1)
        try:
            report = ballots.import_ballots(round_, filename, data, actor=current_user, dry_run=True)
        except ServiceError as error:
            attach_error(form, error)
        else:
            token = _sign_file(contest, round_, filename, data) if report.ok else None
            return _render_ballot_preview(contest, round_, report, token)
    return _render_ballot_form(contest, round_, form)


@bp.post("/rounds/<int:round_id>/ballots/confirm")
@organiser
def ballots_confirm(contest_id: int, round_id: int):
    contest = contest_or_404(contest_id, *JURY_SETUP)
    round_ = round_or_404(contest, round_id)
    form = BallotConfirmForm()
    try:
        if not form.validate_on_submit():
            raise ServiceError(_l("The preview has expired or was changed. Please upload the file again."))
        filename, data = _signed_file(form.payload.data or "", contest, round_)
        report = ballots.import_ballots(round_, filename, data, actor=current_user)
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(url_for(".ballots_upload", contest_id=contest.id, round_id=round_.id))
    if not report.ok:
        return _render_ballot_preview(contest, round_, report, None, confirmed_failed=True)
    flash(ngettext("%(num)d score sheet imported from paper ballots.",
                   "%(num)d score sheets imported from paper ballots.", report.sheets), "success")
    return redirect(url_for(".matrix", contest_id=contest.id, round_id=round_.id))


@bp.get("/ballots/template.csv")
@organiser
def ballots_template(contest_id: int):
    """The header row and one sample row per criterion (per place in a round scored by ranks, named
    by ?round=), for a secretary to fill in."""
    contest = contest_or_404(contest_id, *JURY_SETUP)
    round_id = request.args.get("round", type=int)
    if round_id is not None and round_or_404(contest, round_id).by_ranks:
        lines = [";".join(str(name) for name, _note in PLACE_BALLOT_COLUMNS)]
        lines += [f"AQY26-000{place};juror@example.kz;{place}" for place in (1, 2, 3)]
    else:
        lines = [";".join(str(name) for name, _note in BALLOT_COLUMNS)]
        lines += [f"AQY26-0001;juror@example.kz;{localized(criterion, 'name')};{criterion.max_score}"
                  for criterion in contest.criteria]
    body = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
    return downloads.file_response(body, downloads.CSV_MEDIA_TYPE, "ballots-template.csv")

