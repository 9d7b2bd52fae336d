"""The juror's live stage page (/jury/<contest>/rounds/<round>/stage): the score sheet of the
performer on stage, which the page's script (static/js/stage-follow.js) swaps for the next
performer's without a reload, fetching the fragment below. Under /jury/ so that the jury's
service worker keeps it for a reload without a connection.

Object checks as on the other jury pages: a contest whose jury the account does not sit on, a
round of another contest or a round that is not live answer 404."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user

from contest.auth.models import Role
from contest.auth.permissions import roles_required
from contest.contests.models import Contest, ContestStatus, Round
from contest.contests.page_parts import PagePart
from contest.extensions import db
from contest.judging.forms import ReasonForm, sheet_form_class, sheet_initial
from contest.judging.jury import membership
from contest.judging.models import JuryMember
from contest.lookups import round_or_404
from contest.stage import stream
from contest.stage.control import clock
from contest.stage.follow import JurorStage, juror_stage

bp = Blueprint("stage_jury", __name__, url_prefix="/jury")
juror = roles_required(Role.JUROR)


def follow_link(sender: object, *, member: JuryMember, round: Round) -> PagePart | None:  # noqa: A002
    """On a juror's queue in a live round: the big button to the page that follows the stage."""
    return PagePart("stage/_follow_link_part.html", {"member": member, "round": round}) if round.runs_live else None


def _live_seat_or_404(contest_id: int, round_id: int) -> tuple[Contest, JuryMember, Round]:
    contest = db.session.get(Contest, contest_id)
    member = membership(contest, current_user) if contest is not None else None
    if contest is None or member is None:
        abort(404)
    round_ = round_or_404(contest, round_id)
    if not round_.runs_live:
        abort(404)
    return contest, member, round_


def _context(contest: Contest, round_: Round, now: JurorStage) -> dict:
    """What templates/stage/_follow_performer.html (and the sheet's parts it uses) read."""
    registration = now.registration
    return {
        "contest": contest, "round": round_, "stage": now, "registration": registration,
        "entry": registration.entry if registration is not None else None,
        "participant": registration.participant if registration is not None else None,
        "sheet": now.sheet, "form": sheet_form_class(contest.criteria)(data=sheet_initial(now.sheet)),
        "conflict_form": ReasonForm(prefix="conflict"), "blind": contest.is_blind,
        "scoring_open": contest.status == ContestStatus.JUDGING.value, "criteria": contest.criteria,
        "by_ranks": round_.by_ranks, "clock": clock,
        "back": url_for(".follow", contest_id=contest.id, round_id=round_.id),
        "events_url": stream.events_url(round_),
    }


@bp.get("/<int:contest_id>/rounds/<int:round_id>/stage")
@juror
def follow(contest_id: int, round_id: int):
    contest, member, round_ = _live_seat_or_404(contest_id, round_id)
    return render_template("stage/follow.html", **_context(contest, round_, juror_stage(member, round_)))


@bp.get("/<int:contest_id>/rounds/<int:round_id>/stage/performer")
@juror
def performer(contest_id: int, round_id: int):
    """The part of the stage page about the performer on stage now (or nobody), for the script."""
    contest, member, round_ = _live_seat_or_404(contest_id, round_id)
    html = render_template("stage/_follow_performer.html", **_context(contest, round_, juror_stage(member, round_)))
    return Response(html, headers={"Cache-Control": "no-store"})
