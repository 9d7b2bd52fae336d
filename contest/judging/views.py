"""The jurors' pages (/jury): my contests, my queue in a round, the score sheet of one entry
(draft, save and next, submit), conflicts of interest, the entry's file.

Object checks: a contest whose jury the account does not sit on, a round or an entry of another
contest answer 404; an entry of this contest that the juror may not open (not assigned, a
conflict) answers 403 with the reason. A juror only ever sees their own sheets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import Forbidden

from contest.auth.models import Role
from contest.auth.permissions import roles_required
from contest.contests.models import Contest, ContestStatus, Round
from contest.contests.signals import answers
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import FORM_ERROR_STATUS, attach_error
from contest.judging import services
from contest.judging.assignment import next_unscored, why_closed
from contest.judging.forms import ReasonForm, SheetForm, sheet_form_class
from contest.judging.jury import membership, memberships_of
from contest.judging.models import JuryMember, ScoreSheet
from contest.judging.progress import CellState, juror_queue
from contest.judging.signals import queue_notices
from contest.lookups import round_or_404
from contest.registration.models import Entry, Registration
from contest.registration.uploads import send_entry_file

bp = Blueprint("judging", __name__, url_prefix="/jury")
juror = roles_required(Role.JUROR)

ACTIONS = ("draft", "next", "submit")

# 7.500 -> 7.5 in every jury page (the organisers' pages too).
bp.add_app_template_filter(services.format_points, "points")


# Loading with object checks ------------------------------------------------------------------

def _seat_or_404(contest_id: int) -> tuple[Contest, JuryMember]:
    contest = db.session.get(Contest, contest_id)
    member = membership(contest, current_user) if contest is not None else None
    if contest is None or member is None:
        abort(404)
    return contest, member


def _entry_or_404(contest: Contest, registration_id: int) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.contest_id == contest.id)
        .options(selectinload(Registration.entry).selectinload(Entry.works),
                 selectinload(Registration.participant)))
    if registration is None:
        abort(404)
    return registration


def _check_may_open(member: JuryMember, registration: Registration, round_: Round) -> None:
    """403 with the reason (not assigned, a conflict of interest, not in this round)."""
    reason = why_closed(member, registration, round_)
    if reason is not None:
        error = Forbidden()
        error.user_message = str(reason)  # type: ignore[attr-defined]  # shown by the error handler in web.py
        raise error


def _load(contest_id: int, round_id: int, registration_id: int):
    contest, member = _seat_or_404(contest_id)
    round_ = round_or_404(contest, round_id)
    registration = _entry_or_404(contest, registration_id)
    _check_may_open(member, registration, round_)
    return contest, member, round_, registration


# My contests and my queue ----------------------------------------------------------------------

@bp.get("/")
@juror
def index():
    members = memberships_of(current_user)
    return render_template("judging/index.html", members=members)


@bp.get("/<int:contest_id>/rounds/<int:round_id>")
@juror
def queue(contest_id: int, round_id: int):
    contest, member = _seat_or_404(contest_id)
    round_ = round_or_404(contest, round_id)
    items = juror_queue(member, round_)
    live = round_.runs_live
    # Live mode: the performer on stage is the first one in the order this juror has not submitted.
    current = next((item for item in items if item.state != CellState.SUBMITTED), None)
    done = sum(1 for item in items if item.state == CellState.SUBMITTED)
    return render_template("judging/queue.html", contest=contest, member=member, round=round_, items=items,
                           live=live, current=current, done=done, scoring_open=_scoring_open(contest),
                           parts={"notices": answers(queue_notices, member=member, round=round_)})


def _scoring_open(contest: Contest) -> bool:
    return contest.status == ContestStatus.JUDGING.value


# The score sheet ---------------------------------------------------------------------------

def _initial(sheet: ScoreSheet | None) -> dict[str, str]:
    if sheet is None:
        return {"version": "0"}
    values = {f"points_{criterion_id}": services.format_points(points)
              for criterion_id, points in sheet.points_by_criterion().items()}
    return {**values, "comment": sheet.comment, "version": str(sheet.version)}


def _render_sheet(contest, member, round_, registration, sheet, form: SheetForm,
                  conflict_form: ReasonForm | None = None, status: int = 200):
    queue_items = juror_queue(member, round_)
    position = next((index for index, item in enumerate(queue_items)
                     if item.registration.id == registration.id), None)
    return render_template(
        "judging/sheet.html", contest=contest, member=member, round=round_, registration=registration,
        entry=registration.entry, participant=registration.participant, sheet=sheet, form=form,
        conflict_form=conflict_form or ReasonForm(prefix="conflict"), blind=contest.is_blind,
        scoring_open=_scoring_open(contest), position=position, total=len(queue_items),
        criteria=contest.criteria), status


@bp.route("/<int:contest_id>/rounds/<int:round_id>/entries/<int:registration_id>", methods=["GET", "POST"])
@juror
def sheet(contest_id: int, round_id: int, registration_id: int):
    contest, member, round_, registration = _load(contest_id, round_id, registration_id)
    current = services.sheet_for(member, registration, round_)
    form_class = sheet_form_class(contest.criteria)
    if request.method == "GET":
        return _render_sheet(contest, member, round_, registration, current, form_class(data=_initial(current)))

    form = form_class()
    action = request.form.get("action", "draft")
    if action not in ACTIONS:
        action = "draft"
    if form.validate_on_submit():
        version = form.version_number()
        try:
            if version is None:  # a tampered page: treat it like a stale one
                raise ServiceError(services.STALE)
            saved = services.save_sheet(member, registration, round_, form.points(), comment=form.comment.data or "",
                                        version=version, submit=action == "submit", actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            return _after_save(contest, member, round_, registration, saved, action)
    return _render_sheet(contest, member, round_, registration, current, form, status=FORM_ERROR_STATUS)


def _after_save(contest, member, round_, registration, saved: ScoreSheet, action: str):
    if action == "draft":
        flash(_("Draft saved for %(code)s.", code=registration.code), "success")
        return redirect(url_for(".sheet", contest_id=contest.id, round_id=round_.id,
                                registration_id=registration.id))
    if action == "submit":
        flash(_("Score sheet for %(code)s submitted.", code=registration.code), "success")
    else:
        flash(_("Draft saved for %(code)s.", code=registration.code), "success")
    following = next_unscored(member, round_, after=registration)
    if following is None:
        flash(_("No entries are waiting for your score in this round."), "info")
        return redirect(url_for(".queue", contest_id=contest.id, round_id=round_.id))
    return redirect(url_for(".sheet", contest_id=contest.id, round_id=round_.id, registration_id=following.id))


@bp.post("/<int:contest_id>/rounds/<int:round_id>/entries/<int:registration_id>/conflict")
@juror
def declare_conflict(contest_id: int, round_id: int, registration_id: int):
    contest, member, round_, registration = _load(contest_id, round_id, registration_id)
    conflict_form = ReasonForm(prefix="conflict")
    if conflict_form.validate_on_submit():
        try:
            services.declare_conflict(member, registration, reason=conflict_form.reason.data or "", actor=current_user)
        except ServiceError as error:
            attach_error(conflict_form, error)
        else:
            flash(_("Conflict of interest recorded: you will not score %(code)s.", code=registration.code), "success")
            return redirect(url_for(".queue", contest_id=contest.id, round_id=round_.id))
    current = services.sheet_for(member, registration, round_)
    form = sheet_form_class(contest.criteria)(formdata=None, data=_initial(current))
    return _render_sheet(contest, member, round_, registration, current, form, conflict_form, FORM_ERROR_STATUS)


@bp.get("/<int:contest_id>/rounds/<int:round_id>/entries/<int:registration_id>/works/<int:position>/file")
@juror
def entry_file(contest_id: int, round_id: int, registration_id: int, position: int):
    """A work's file for a juror who may open the entry; in blind judging it is named by the
    registration code and the work's number, since the original name often carries the author's."""
    contest, _member, _round, registration = _load(contest_id, round_id, registration_id)
    work = registration.entry.work_at(position) if registration.entry is not None else None
    name = f"{registration.code}-{position}.{work.file_type}" if contest.is_blind and work is not None else None
    return send_entry_file(work, download_name=name)
