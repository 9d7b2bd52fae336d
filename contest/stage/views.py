"""Stage pages (/stage/<round id>/…): the running order and the chair's control, for the jury's
chair of the contest or an organiser; the state endpoint and the audience screen, public.

Object checks: a round that does not exist, is not live or belongs to a contest the juror
does not judge answers 404; a juror of the contest who is not its chair gets 403. Each action
is one service call; a refusal shows the page again with status 422 and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from contest import i18n
from contest.auth.models import Role
from contest.auth.permissions import public, roles_required
from contest.contests.models import Contest, Round
from contest.contests.page_parts import PagePart
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.forms import FORM_ERROR_STATUS
from contest.judging.assignment import jury_of
from contest.judging.jury import membership
from contest.judging.models import JuryMember
from contest.registration.models import Registration
from contest.stage import control, jury_view, order, screen, stream
from contest.stage.state import current_version, stage_state

bp = Blueprint("stage", __name__, url_prefix="/stage")
lead = roles_required(Role.ORGANISER, Role.JUROR)


# Parts of other domains' pages ----------------------------------------------------------------------

def stage_box(sender: object, *, contest: Contest) -> PagePart | None:
    """On the organisers' contest page: each live round's order and stage control."""
    rounds = [round_ for round_ in contest.rounds if round_.runs_live]
    return PagePart("stage/_contest_part.html", {"contest": contest, "rounds": rounds}) if rounds else None


def place_on_stage(sender: object, *, registration: Registration) -> PagePart | None:
    """On a registration page: the place in each announced performance order."""
    places = order.published_slot(registration)
    return PagePart("stage/_registration_part.html", {"places": places}) if places else None


def chair_reminder(sender: object, *, member: JuryMember, round: Round) -> PagePart | None:  # noqa: A002
    """On a juror's queue: the chair's reminder about the performer on stage, while it stands."""
    state = stage_state(round)
    if state is None or state.current_registration_id is None or member.id not in state.reminded_member_ids:
        return None
    registration = db.session.get(Registration, state.current_registration_id)
    return PagePart("stage/_reminder_part.html", {"member": member, "round": round, "registration": registration})


# Loading with object checks -------------------------------------------------------------------------

def _live_round_or_404(round_id: int) -> Round:
    round_ = db.session.scalar(select(Round).where(Round.id == round_id).options(
        joinedload(Round.contest).selectinload(Contest.categories)))
    if round_ is None or not round_.runs_live:
        abort(404)
    return round_


def _led_round(round_id: int) -> Round:
    """The round, for an organiser or the contest's jury chair: 404 for anyone off its jury."""
    round_ = _live_round_or_404(round_id)
    if current_user.has_role(Role.ORGANISER):
        return round_
    member = membership(round_.contest, current_user)
    if member is None:
        abort(404)
    if not member.is_chair:
        abort(403)
    return round_


# The running order --------------------------------------------------------------------------------

def _order_page(round_: Round, *, error: str | None = None, status: int = 200):
    return render_template("stage/order.html", round=round_, contest=round_.contest, slots=order.running_order(round_),
                           state=stage_state(round_), clock=control.clock, error=error), status


@bp.get("/<int:round_id>/order")
@lead
def running_order(round_id: int):
    return _order_page(_led_round(round_id))


def _act(round_id: int, page: Callable[..., Any], action: Callable[[Round], str], target: str):
    round_ = _led_round(round_id)
    try:
        message = action(round_)
    except ServiceError as error:
        return page(round_, error=str(error.message), status=FORM_ERROR_STATUS)
    flash(message, "success")
    return redirect(url_for(target, round_id=round_.id))


def _form_id(name: str) -> int | None:
    return request.form.get(name, type=int)


@bp.post("/<int:round_id>/order/draw")
@lead
def draw(round_id: int):
    def act(round_: Round) -> str:
        seed = order.draw_order(round_, seed=request.form.get("seed", ""), actor=current_user)
        return _("The order has been drawn. Seed of the draw: %(seed)s.", seed=seed)
    return _act(round_id, _order_page, act, ".running_order")


@bp.post("/<int:round_id>/order/by-category")
@lead
def by_category(round_id: int):
    def act(round_: Round) -> str:
        order.order_by_category(round_, actor=current_user)
        return _("The performers are grouped by category.")
    return _act(round_id, _order_page, act, ".running_order")


@bp.post("/<int:round_id>/order/move")
@lead
def move(round_id: int):
    def act(round_: Round) -> str:
        order.move_performer(round_, _form_id("registration_id") or 0, request.form.get("direction", ""),
                             actor=current_user)
        return _("The running order has been changed.")
    return _act(round_id, _order_page, act, ".running_order")


@bp.post("/<int:round_id>/order/absent")
@lead
def absent(round_id: int):
    def act(round_: Round) -> str:
        is_absent = request.form.get("absent") == "1"
        order.mark_absent(round_, _form_id("registration_id") or 0, is_absent, actor=current_user)
        return _("Marked absent: no score sheet is expected.") if is_absent else _("Marked present.")
    return _act(round_id, _order_page, act, ".running_order")


@bp.post("/<int:round_id>/order/publish")
@lead
def publish(round_id: int):
    def act(round_: Round) -> str:
        count = order.publish_order(round_, actor=current_user)
        return _("The running order has been announced; e-mails sent: %(count)s.", count=count)
    return _act(round_id, _order_page, act, ".running_order")


# The chair's control --------------------------------------------------------------------------------

def _control_page(round_: Round, *, error: str | None = None, status: int = 200):
    slots = order.running_order(round_)
    state = stage_state(round_)
    current = next((slot for slot in slots if state and slot.registration.id == state.current_registration_id), None)
    jurors = control.jurors_on(round_, current.registration, state) if current is not None else []
    closed = [slot for slot in slots if slot.is_closed]
    return render_template(
        "stage/control.html", round=round_, contest=round_.contest, slots=slots, state=state, current=current,
        following=control.next_up(slots, state), jurors=jurors, submitted=control.submitted_count(jurors),
        closed=closed, jury=jury_of(round_.contest_id) if closed else [],
        missing=control.missing_after_close(round_, closed),
        elapsed=state.elapsed_at(utcnow()) if state is not None and current is not None else 0,
        clock=control.clock, error=error, screen_links=screen.links(round_),
        events_url=stream.events_url(round_)), status


@bp.get("/<int:round_id>/control")
@lead
def control_page(round_id: int):
    return _control_page(_led_round(round_id))


@bp.post("/<int:round_id>/call")
@lead
def call(round_id: int):
    def act(round_: Round) -> str:
        registration = control.call_on_stage(round_, _form_id("registration_id"), actor=current_user)
        return _("On stage: %(code)s.", code=registration.code)
    return _act(round_id, _control_page, act, ".control_page")


@bp.post("/<int:round_id>/pause")
@lead
def pause(round_id: int):
    def act(round_: Round) -> str:
        control.pause_timer(round_, actor=current_user)
        return _("The timer is paused.")
    return _act(round_id, _control_page, act, ".control_page")


@bp.post("/<int:round_id>/resume")
@lead
def resume(round_id: int):
    def act(round_: Round) -> str:
        control.resume_timer(round_, actor=current_user)
        return _("The timer runs again.")
    return _act(round_id, _control_page, act, ".control_page")


@bp.post("/<int:round_id>/close")
@lead
def close(round_id: int):
    def act(round_: Round) -> str:
        slot = control.close_performance(round_, actor=current_user)
        overrun = control.overrun_seconds(slot.duration_seconds or 0, round_.time_limit_seconds)
        if overrun:
            return _("Performance closed after %(time)s: over the time limit by %(over)s.",
                     time=control.clock(slot.duration_seconds or 0), over=control.clock(overrun))
        return _("Performance closed after %(time)s. Its score sheets are locked.",
                 time=control.clock(slot.duration_seconds or 0))
    return _act(round_id, _control_page, act, ".control_page")


@bp.post("/<int:round_id>/remind")
@lead
def remind(round_id: int):
    def act(round_: Round) -> str:
        member = control.remind_juror(round_, _form_id("member_id") or 0, actor=current_user)
        return _("Reminder shown to %(name)s.", name=member.name)
    return _act(round_id, _control_page, act, ".control_page")


@bp.post("/<int:round_id>/reopen")
@lead
def reopen(round_id: int):
    def act(round_: Round) -> str:
        control.reopen_late_sheet(round_, _form_id("member_id") or 0, _form_id("registration_id") or 0,
                                  reason=request.form.get("reason", ""), actor=current_user)
        return _("The score sheet is open again for the juror.")
    return _act(round_id, _control_page, act, ".control_page")


@bp.post("/<int:round_id>/reveal")
@lead
def reveal(round_id: int):
    def act(round_: Round) -> str:
        category = control.reveal_results(round_, _form_id("category_id") or 0, actor=current_user)
        return _("Results shown on the audience screen: %(category)s.", category=i18n.localized(category, "name"))
    return _act(round_id, _control_page, act, ".control_page")


@bp.post("/<int:round_id>/hide")
@lead
def hide(round_id: int):
    def act(round_: Round) -> str:
        control.hide_results(round_, actor=current_user)
        return _("The results are off the audience screen.")
    return _act(round_id, _control_page, act, ".control_page")


# Public: the state and the audience screen --------------------------------------------------------------

def _public_round_or_404(round_id: int) -> Round:
    """The round with its contest only: every screen and phone asks this on each change, and
    what it shows is rendered apart (stream.py), so the categories the control page needs are
    not loaded here."""
    round_ = db.session.scalar(select(Round).where(Round.id == round_id).options(joinedload(Round.contest)))
    if round_ is None or not round_.runs_live or not round_.contest.is_public:
        abort(404)
    return round_


def _language() -> str:
    """The organiser's link names the screen's language (?lang=kk); without it, the visitor's."""
    language = request.args.get("lang")
    return language if i18n.is_supported(language) else i18n.visitor_language()


@bp.get("/<int:round_id>/state.json")
@public
def state_json(round_id: int):
    """The stage as the audience screen, jurors' phones and the chair's control page poll it. The
    ETag is the version plus what this viewer's part depends on (a juror's own sheet; "c" for the
    chair's table of every juror), so an unchanged stage answers 304 with nothing sent, and one
    viewer's answer never passes for another kind's. Anonymous: one Redis GET, no query."""
    version = current_version(round_id)
    signed_in = current_user.is_authenticated
    juror = screen.juror_view(round_id, current_user) if signed_in else None
    for_chair = signed_in and jury_view.follows_jury(round_id, current_user)
    language = _language()
    etag = f"v{version}-{language}" + (juror.etag_part if juror is not None else "") + ("-c" if for_chair else "")
    # A signed-in viewer's answer is theirs: no shared cache may keep it or hand it to the hall.
    headers = {"Cache-Control": "private, no-cache" if signed_in else "no-cache", "ETag": f'"{etag}"'}
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    round_ = _public_round_or_404(round_id)
    if stream.available(current_app):
        # The chair's page and jurors' phones all ask again after each change: the state is
        # rendered once per version (as for the screens' feed), their own part added. The
        # connection goes back to the pool first (nothing was written): the one rendering may need it.
        db.session.commit()
        staged = stream.hub(current_app).staged(round_id, version)
        data = staged.languages[language].current()
        if for_chair:
            data["chair"] = staged.chair
    else:
        with force_locale(language):
            data = screen.public_state(round_, language=language, for_chair=for_chair)
    if juror is not None:
        data["juror"] = juror.data
    response = jsonify(data)
    response.headers.update(headers)
    return response


@bp.get("/<int:round_id>/events")
@public
def state_events(round_id: int):
    """The audience screen's live feed (server-sent events, stream.py): the public state, sent
    again whenever the stage changes. Only with REDIS_URL (404 otherwise: the screen asks
    state.json instead); signed in or not, the same public part."""
    _public_round_or_404(round_id)
    if not stream.available(current_app):
        abort(404)
    # -1 without one: a round nobody has started yet is at version 0, and a screen opened before
    # the start must still get the running order's first performer and the progress.
    last_version = request.headers.get("Last-Event-ID", -1, type=int)
    feed = stream.events(round_id, _language(), last_version)
    return Response(stream_with_context(feed), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.get("/<int:round_id>/screen")
@public
def audience_screen(round_id: int):
    round_ = _public_round_or_404(round_id)
    language = _language()
    events_url = stream.events_url(round_, language)
    with force_locale(language):
        html = render_template("stage/screen.html", round=round_, contest=round_.contest, language=language,
                               qr=screen.results_qr(round_.contest), events_url=events_url,
                               state_url=url_for(".state_json", round_id=round_.id, lang=language))
    return Response(html, headers={"Cache-Control": "no-cache"})
