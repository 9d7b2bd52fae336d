"""What the public sees of the stage: the state as JSON for the audience screen and jurors'
phones, and the screen's links. Only what consent and blind judging allow leaves here: a
performer is named when the contest is not blind and the participant may be named publicly
(an adult, or a minor whose guardian's consent stands), otherwise shown by registration code;
no contact data, dates of birth, schools or guardians, ever. Results appear only for the
categories the chair revealed, and only from the published snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from flask import url_for
from sqlalchemy import select

from contest.contests.models import Contest, ContestStatus, Round
from contest.db import utcnow
from contest.extensions import db
from contest.i18n import LANGUAGE_NAMES, format_score, localized
from contest.judging.models import JuryMember, ScoreSheet
from contest.results.services import categories_as_consent_stands, current_snapshot, public_name, text_in
from contest.stage.control import JurorStatus, next_up
from contest.stage.jury_view import chair_part, jury_on_stage, scores_in
from contest.stage.models import StageState
from contest.stage.order import Slot, running_order
from contest.stage.state import stage_state

RESULTS_STATUSES = (ContestStatus.RESULTS_PUBLISHED.value, ContestStatus.ARCHIVED.value)


def performer(slot: Slot | None, contest: Contest, language: str) -> dict[str, Any] | None:
    if slot is None:
        return None
    participant = slot.registration.participant
    named = not contest.is_blind and participant.may_be_named_publicly
    return {"position": slot.position, "code": slot.registration.code,
            "name": participant.full_name if named else None,
            "category": localized(slot.registration.category, "name", language)}


@dataclass
class StageNow:
    """The stage read from the database once (a bounded number of queries, whatever the field),
    to be told in any language (public_part) and to the chair (chair_part)."""

    round: Round
    state: StageState | None
    slots: list[Slot]
    current: Slot | None
    following: Slot | None
    jurors: list[JurorStatus]
    revealed: list[dict[str, Any]]  # the revealed categories of the published snapshot
    decimals: int


def stage_now(round_: Round) -> StageNow:
    state = stage_state(round_)
    slots = running_order(round_)
    current_id = state.current_registration_id if state is not None else None
    current = next((slot for slot in slots if slot.registration.id == current_id), None)
    revealed, decimals = _revealed_categories(round_.contest, state)
    return StageNow(round_, state, slots, current, next_up(slots, state), jury_on_stage(round_, current, state),
                    revealed, decimals)


def public_state(round_: Round, *, language: str, for_chair: bool = False) -> dict[str, Any]:
    """The stage now, in `language` (the caller sets the locale for translated words); with
    `for_chair`, also each juror's sheet for the performer on stage (jury_view.chair_part)."""
    now = stage_now(round_)
    data = public_part(now, language)
    if for_chair:
        data["chair"] = chair_part(now.current, now.jurors)
    return data


def public_part(now: StageNow, language: str) -> dict[str, Any]:
    """What the hall may see of `now`, in `language` (the caller sets the locale). No queries."""
    contest, state, current = now.round.contest, now.state, now.current
    return {
        "version": state.version if state is not None else 0,
        "contest": localized(contest, "title", language),
        "round": now.round.label,
        "now": performer(current, contest, language),
        "next": performer(now.following, contest, language),
        "timer": _timer(now.round, state) if current is not None else None,
        "scores": scores_in(now.jurors),
        # How many jurors the chair reminded about this performer (no one named): a juror's phone
        # on the live feed asks for its own part when this changes.
        "reminders": len(state.reminded_member_ids or []) if current is not None and state is not None else 0,
        "progress": {"done": sum(1 for slot in now.slots if slot.is_closed),
                     "total": sum(1 for slot in now.slots if not slot.is_absent)},
        "revealed": [_standings(category, now.decimals, language) for category in now.revealed],
        "results_url": results_url(contest) if contest.status in RESULTS_STATUSES else None,
    }


def _timer(round_: Round, state: StageState | None) -> dict[str, Any]:
    assert state is not None
    return {"elapsed": state.elapsed_at(utcnow()), "running": not state.is_paused,
            "limit": round_.time_limit_seconds}


def _revealed_categories(contest: Contest, state: StageState | None) -> tuple[list[dict[str, Any]], int]:
    """The categories the chair revealed, from the published snapshot, named as consent stands
    now, with the snapshot's decimals; none before the results are published."""
    if state is None or not state.revealed_category_ids or contest.status not in RESULTS_STATUSES:
        return [], contest.score_decimals
    snapshot = current_snapshot(contest.id, with_data=False)
    if snapshot is None:
        return [], contest.score_decimals
    categories = {item["id"]: item for item in categories_as_consent_stands(snapshot)}
    return ([categories[category_id] for category_id in state.revealed_category_ids if category_id in categories],
            snapshot.data.get("decimals", contest.score_decimals))


def _standings(category: dict[str, Any], decimals: int, language: str) -> dict[str, Any]:
    return {"category": text_in(category["name"], language),
            "rows": [{"place": row["place"], "name": public_name(row),
                      "award": text_in(row.get("award_name"), language),
                      "score": format_score(Decimal(row["total"]), decimals, language) if row.get("total") else ""}
                     for row in category["rows"]]}


def results_url(contest: Contest) -> str:
    return url_for("results.public_results", slug=contest.slug, _external=True)


def results_qr(contest: Contest) -> str:
    """The public results page's address as a QR code (an SVG data URI; CSP allows data: images)."""
    return segno.make_qr(results_url(contest), error="m").svg_data_uri(scale=8, border=2)


def links(round_: Round) -> list[tuple[str, str, str]]:
    """(language code, its name, the audience screen's address in it) for the organiser."""
    return [(code, name, url_for("stage.audience_screen", round_id=round_.id, lang=code, _external=True))
            for code, name in LANGUAGE_NAMES.items()]


# A juror's own view ------------------------------------------------------------------------------

@dataclass
class JurorView:
    data: dict[str, Any]
    etag_part: str


def juror_view(round_id: int, user: Any) -> JurorView | None:
    """For a juror of the round's contest: the sheet they owe the performer on stage (its state
    and version) and whether the chair reminded them. None for everyone else. Two queries."""
    row = db.session.execute(
        select(JuryMember, StageState).join(Round, Round.contest_id == JuryMember.contest_id)
        .outerjoin(StageState, StageState.round_id == Round.id)
        .where(Round.id == round_id, JuryMember.user_id == user.id)).first()
    if row is None:
        return None
    member, state = row
    current_id = state.current_registration_id if state is not None else None
    sheet = None if current_id is None else db.session.execute(
        select(ScoreSheet.status, ScoreSheet.version).where(
            ScoreSheet.member_id == member.id, ScoreSheet.round_id == round_id,
            ScoreSheet.registration_id == current_id)).first()
    status = sheet[0] if sheet is not None else "missing"
    reminded = state is not None and member.id in (state.reminded_member_ids or [])
    data = {"registration_id": current_id, "sheet": status if current_id else None,
            "sheet_version": sheet[1] if sheet is not None else 0, "reminded": reminded}
    return JurorView(data, f"-j{member.id}-{current_id}-{data['sheet_version']}{status[0]}{int(reminded)}")
