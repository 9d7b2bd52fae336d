"""The jurors' pages (/jury): my contests, my queue in a round, the score sheet of one entry
(draft, save and next, submit), conflicts of interest, the entry's file.

Object checks: a contest whose jury the account does not sit on, a round or an entry of another
contest answer 404; an entry of this contest that the juror may not open (not assigned, a
conflict) answers 403 with the reason. A juror only ever sees their own sheets."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import Forbidden

from contest.auth.models import Role
from contest.auth.permissions import public, roles_required
from contest.contests.models import Contest, ContestStatus, Round
from contest.contests.signals import answers
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import FORM_ERROR_STATUS, attach_error, wants_json
from contest.i18n import localized
from contest.judging import services
from contest.judging.assignment import next_unscored, why_closed
from contest.judging.forms import (
    RankingForm,
    ReasonForm,
    SheetForm,
    ranking_form_class,
    sheet_form_class,
    sheet_initial,
)
from contest.judging.jury import membership, memberships_of
from contest.judging.models import JuryMember, ScoreSheet
from contest.judging.progress import CellState, juror_queue
from contest.judging.ranking_sheets import JurorRanking, juror_ranking, rankings_in, save_ranking
from contest.judging.signals import queue_notices
from contest.lookups import round_or_404
from contest.registration.models import Entry, Registration
from contest.registration.uploads import send_entry_file

bp = Blueprint("judging", __name__, url_prefix="/jury")
juror = roles_required(Role.JUROR)

ACTIONS = ("draft", "next", "submit")
# The header carrying the key the page's script gives each save it sends (a retried send keeps it).
SEND_KEY_HEADER = "Idempotency-Key"

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


# The service worker ------------------------------------------------------------------------

@bp.get("/sw.js")
@public
def service_worker():
    """The script that keeps the jury pages for a reload without a connection. Served from
    /jury/ because a service worker controls only the pages under its own address; it holds no
    data (it is static/js/sheet-sw.js), so anyone may fetch it."""
    response = send_from_directory(current_app.static_folder or "static", "js/sheet-sw.js",
                                   mimetype="text/javascript", max_age=0)
    response.cache_control.no_cache = True  # a new version of the script reaches phones at once
    return response


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
    rankings = rankings_in(round_, items) if round_.by_ranks else []
    return render_template("judging/queue.html", contest=contest, member=member, round=round_, items=items,
                           live=live, current=current, done=done, scoring_open=_scoring_open(contest),
                           rankings=rankings,
                           parts={"notices": answers(queue_notices, member=member, round=round_)})


def _scoring_open(contest: Contest) -> bool:
    return contest.status == ContestStatus.JUDGING.value


# The score sheet ---------------------------------------------------------------------------

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
        criteria=contest.criteria, by_ranks=round_.by_ranks), status


@bp.route("/<int:contest_id>/rounds/<int:round_id>/entries/<int:registration_id>", methods=["GET", "POST"])
@juror
def sheet(contest_id: int, round_id: int, registration_id: int):
    """The sheet page, and its form. The page's script (static/js/sheet-offline.js) posts the
    same form with `Accept: application/json`, the CSRF token in a header and a key naming the
    save (SEND_KEY_HEADER), and gets a JSON answer instead of a page: see _sent and _refused."""
    contest, member, round_, registration = _load(contest_id, round_id, registration_id)
    form_class = sheet_form_class(contest.criteria)
    if request.method == "GET":
        current = services.sheet_for(member, registration, round_)
        return _render_sheet(contest, member, round_, registration, current, form_class(data=sheet_initial(current)))

    as_json = wants_json()
    # Read before saving, as the page was built: a refused save shows the sheet as it stood.
    # The page's script is answered in JSON, without the sheet: nothing to read for it.
    current = None if as_json else services.sheet_for(member, registration, round_)
    form = form_class()
    action = request.form.get("action", "draft")
    if action not in ACTIONS:
        action = "draft"
    if form.validate_on_submit():
        version = form.version_number()
        try:
            if version is None:  # a tampered page: treat it like a stale one
                raise services.StaleSheet()
            saved = services.save_sheet(member, registration, round_, form.points(), comment=form.comment.data or "",
                                        version=version, submit=action == "submit", actor=current_user,
                                        send_key=request.headers.get(SEND_KEY_HEADER, "") if as_json else None)
        except ServiceError as error:
            attach_error(form, error)
            if as_json:
                return _refused(form, error)
        else:
            back = _back_to()  # the stage page follows the stage itself: no next entry to look for
            following, nothing_left = (back, False) if back else _next_page(contest, member, round_, registration,
                                                                             action)
            if not (as_json and back):  # the stage page stays: its script says what was sent
                _say_saved(registration, action, nothing_left)  # else the page that follows does
            return _sent(saved, following) if as_json else redirect(following)
    if as_json:
        return _refused(form, None)
    return _render_sheet(contest, member, round_, registration, current, form, status=FORM_ERROR_STATUS)


def _next_page(contest, member, round_, registration, action: str) -> tuple[str, bool]:
    """Where the juror goes after a save: the same sheet after a draft, else the next entry
    waiting for their score, or their queue (True: nothing is left to score)."""
    if action == "draft":
        return url_for(".sheet", contest_id=contest.id, round_id=round_.id, registration_id=registration.id), False
    following = next_unscored(member, round_, after=registration)
    if following is None:
        return url_for(".queue", contest_id=contest.id, round_id=round_.id), True
    return url_for(".sheet", contest_id=contest.id, round_id=round_.id, registration_id=following.id), False


def _say_saved(registration, action: str, nothing_left: bool) -> None:
    """What was saved, for the page the form goes to."""
    if action == "submit":
        flash(_("Score sheet for %(code)s submitted.", code=registration.code), "success")
    else:
        flash(_("Draft saved for %(code)s.", code=registration.code), "success")
    if nothing_left:
        flash(_("No entries are waiting for your score in this round."), "info")


def _back_to() -> str | None:
    """A jury page the form asked to come back to (the live stage page posts its sheet here and
    wants the juror back on the stage); only paths under /jury/, never another site."""
    back = request.form.get("back", "")
    return back if back.startswith(url_for(".index")) and "//" not in back and "\\" not in back else None


def _sent(saved: ScoreSheet, following: str):
    """The script's proof that the server has the scores: the version they made of the sheet."""
    return jsonify(status="saved", version=saved.version, submitted=saved.is_submitted, next_url=following,
                   message=_("Sent: the server has saved these scores."))


def _refused(form: SheetForm, error: ServiceError | None):
    """Why nothing was saved, in the juror's language: `reason` for the script (stale, duplicate,
    locked, closed, invalid, refused) and the message; invalid values are each listed with
    their field (a refusal of the sheet as a whole has no field)."""
    if error is not None and error.field is None:
        body: dict[str, object] = {"status": "refused", "reason": getattr(error, "reason", "refused"),
                                   "message": str(error.message), "errors": []}
        if isinstance(error, services.AlreadySent):
            body["version"] = error.version
        return jsonify(body), 409
    errors = [{"field": None, "message": str(message)} for message in form.form_errors]
    errors += [{"field": name, "message": str(message)} for name, messages in form.errors.items()
               if name and name != "csrf_token" for message in messages]
    return jsonify(status="refused", reason="invalid", message=_("Nothing was saved: correct the values listed below."),
                   errors=errors), FORM_ERROR_STATUS


# A ranking (rounds scored by ranks) ----------------------------------------------------------

@bp.route("/<int:contest_id>/rounds/<int:round_id>/categories/<int:category_id>/ranking", methods=["GET", "POST"])
@juror
def ranking(contest_id: int, round_id: int, category_id: int):
    """The juror's places for their entries of one category; saved and submitted as a whole."""
    contest, member = _seat_or_404(contest_id)
    round_ = round_or_404(contest, round_id)
    category = next((category for category in contest.categories if category.id == category_id), None)
    if category is None or not round_.by_ranks:
        abort(404)
    current = juror_ranking(member, round_, category)
    form_class = ranking_form_class(current.registrations)
    if request.method == "GET":
        initial = {f"place_{entry}": str(place) for entry, place in current.places().items()}
        return _render_ranking(contest, round_, current, form_class(data={**initial, "version": current.version}))
    form = form_class()
    submit = request.form.get("action") == "submit"
    if form.validate_on_submit():
        try:
            save_ranking(member, current, form.places(), version=form.version.data or "", submit=submit,
                         actor=current_user)
        except ServiceError as error:
            attach_error(form, error)
        else:
            if submit:
                flash(_("Your places for %(category)s are submitted.", category=localized(category, "name")),
                      "success")
                return redirect(url_for(".queue", contest_id=contest.id, round_id=round_.id))
            flash(_("Draft of your places saved."), "success")
            return redirect(url_for(".ranking", contest_id=contest.id, round_id=round_.id, category_id=category.id))
    return _render_ranking(contest, round_, current, form, status=FORM_ERROR_STATUS)


def _render_ranking(contest: Contest, round_: Round, current: JurorRanking, form: RankingForm, status: int = 200):
    titles = {item.registration.id: item.registration.entry.titles if item.registration.entry else []
              for item in current.items}
    return render_template("judging/ranking.html", contest=contest, round=round_, ranking=current, form=form,
                           titles=titles, scoring_open=_scoring_open(contest)), status


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
    form = sheet_form_class(contest.criteria)(formdata=None, data=sheet_initial(current))
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
