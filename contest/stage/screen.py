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
from contest.stage.control import next_up
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


def public_state(round_: Round, *, language: str, for_chair: bool = False) -> dict[str, Any]:
    """The stage now, in `language` (the caller sets the locale for translated words); with
    `for_chair`, also each juror's sheet for the performer on stage (jury_view.chair_part)."""
    contest, state = round_.contest, stage_state(round_)
    slots = running_order(round_)
    current_id = state.current_registration_id if state is not None else None
    current = next((slot for slot in slots if slot.registration.id == current_id), None)
    following = next_up(slots, state)
    jurors = jury_on_stage(round_, current, state)
    data = {
        "version": state.version if state is not None else 0,
        "contest": localized(contest, "title", language),
        "round": round_.label,
        "now": performer(current, contest, language),
        "next": performer(following, contest, language),
        "timer": _timer(round_, state) if current is not None else None,
        "scores": scores_in(jurors),
        # How many jurors the chair reminded about this performer (no one named): a juror's phone
        # on the live feed asks for its own part when this changes.
        "reminders": len(state.reminded_member_ids or []) if current is not None and state is not None else 0,
        "progress": {"done": sum(1 for slot in slots if slot.is_closed),
                     "total": sum(1 for slot in slots if not slot.is_absent)},
        "revealed": _revealed(contest, state, language),
        "results_url": results_url(contest) if contest.status in RESULTS_STATUSES else None,
    }
    if for_chair:
        data["chair"] = chair_part(current, jurors)
    return data


def _timer(round_: Round, state: StageState | None) -> dict[str, Any]:
    assert state is not None
    return {"elapsed": state.elapsed_at(utcnow()), "running": not state.is_paused,
            "limit": round_.time_limit_seconds}


def _revealed(contest: Contest, state: StageState | None, language: str) -> list[dict[str, Any]]:
    if state is None or not state.revealed_category_ids or contest.status not in RESULTS_STATUSES:
        return []
    snapshot = current_snapshot(contest.id, with_data=False)
    if snapshot is None:
        return []
    categories = {item["id"]: item for item in categories_as_consent_stands(snapshot)}
    decimals = snapshot.data.get("decimals", contest.score_decimals)
    return [{"category": text_in(categories[category_id]["name"], language),
             "rows": [{"place": row["place"], "name": public_name(row),
                       "award": text_in(row.get("award_name"), language),
                       "score": format_score(Decimal(row["total"]), decimals, language) if row.get("total") else ""}
                      for row in categories[category_id]["rows"]]}
            for category_id in state.revealed_category_ids if category_id in categories]


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
