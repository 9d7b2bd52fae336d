"""Scoring: points checks, score sheets (save, submit, reopen), conflicts of interest, an
entry's history. Every rule lives here; the scoring pages, paper ballots and tests call these."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from contest.audit.models import AuditEvent
from contest.audit.services import record
from contest.auth.models import Role, User
from contest.contests.models import Contest, ContestStatus, Criterion, Round
from contest.contests.services import ensure_not_archived
from contest.contests.signals import run_checks
from contest.db import insert_unless_present, utcnow
from contest.errors import ServiceError, ServiceErrors, required_reason
from contest.extensions import db
from contest.i18n import localized
from contest.judging.assignment import check_jury_editable, why_closed
from contest.judging.models import (
    Conflict,
    ConflictKind,
    JuryMember,
    PerformanceSlot,
    Score,
    ScoreSheet,
    SheetSend,
    SheetSource,
    SheetStatus,
)
from contest.judging.signals import sheet_status_changed
from contest.registration.models import Registration

COMMENT_LIMIT = 5000
REASON_LIMIT = 1000
CLOSED_ON_STAGE = _l("This performance is closed on stage, so its score sheets are locked. Ask the chair of the "
                     "jury to reopen your sheet.")
STALE = _l("Someone saved this score sheet after you opened it (another tab or device?). Nothing was "
           "changed: reload the sheet, check the scores and save again.")
# The key a scoring page's script gives each save it sends (a random UUID in practice).
SEND_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


# Refusals that a page's script tells apart (the scoring page's JSON answer names them) ---------

class StaleSheet(ServiceError):
    reason = "stale"

    def __init__(self) -> None:
        super().__init__(STALE)


class LockedSheet(ServiceError):
    reason = "locked"

    def __init__(self) -> None:
        super().__init__(_l("This score sheet is submitted and locked; an organiser can reopen it."))


class ScoringClosed(ServiceError):
    reason = "closed"

    def __init__(self) -> None:
        super().__init__(_l("Scoring is possible only while the contest is being judged."))


class AlreadySent(ServiceError):
    """The same save (same key) reached the server before and was applied then, as `version`."""

    reason = "duplicate"

    def __init__(self, version: int) -> None:
        super().__init__(_l("These scores had already reached the server (version %(version)s of the sheet); "
                            "they were not saved a second time.", version=version))
        self.version = version


# Points ------------------------------------------------------------------------------------

def points_field(criterion: Criterion) -> str:
    """The form field (and error key) of a criterion's points."""
    return f"points_{criterion.id}"


def checked_points(criterion: Criterion, raw: Any) -> Decimal | None:
    """The points as a Decimal on the criterion's scale, None when left empty, or a ServiceError
    saying what is wrong. Forms and paper ballots both go through here."""
    if _is_empty(raw):
        return None
    name, where = localized(criterion, "name"), points_field(criterion)
    value = _decimal(raw)
    if value is None or not value.is_finite():
        raise ServiceError(_l("“%(value)s” is not a number of points (%(criterion)s).",
                              value=str(raw)[:20], criterion=name), where)
    if value < 0:
        raise ServiceError(_l("Points cannot be below 0 (%(criterion)s).", criterion=name), where)
    if value > criterion.max_score:
        raise ServiceError(_l("At most %(max)s points for “%(criterion)s”.", max=criterion.max_score,
                              criterion=name), where)
    step = Decimal(str(criterion.step))
    if value % step != 0:
        raise ServiceError(_l("Points for “%(criterion)s” go in steps of %(step)s.",
                              criterion=name, step=format_points(step)), where)
    return value


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _decimal(raw: Any) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal | int):
        return Decimal(raw)
    text = str(raw).strip().replace(",", ".")  # a float's str is its shortest repr: 7.5 -> "7.5"
    if len(text) > 20:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def format_points(value: Decimal | None) -> str:
    """7.500 -> "7.5", 10.000 -> "10" (for messages, the audit log and forms)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def _checked_sheet_values(criteria: list[Criterion], points: Mapping[Any, Any]) -> dict[int, Decimal]:
    """Criterion id -> points for every filled criterion; unknown criteria are refused."""
    known = {criterion.id: criterion for criterion in criteria}
    ids = {key: criterion_id for key in points if (criterion_id := _criterion_id(key)) in known}
    if len(ids) < len(points):
        raise ServiceError(_l("This sheet names a criterion that is not part of the contest."))
    values: dict[int, Decimal] = {}
    refusals: list[ServiceError] = []
    for key, raw in points.items():
        try:
            value = checked_points(known[ids[key]], raw)
        except ServiceError as refusal:  # keep going: the juror fixes every field in one go
            refusals.append(refusal)
            continue
        if value is not None:
            values[ids[key]] = value
    if refusals:
        raise ServiceErrors(refusals)
    return values


def _checked_sheet(criteria: list[Criterion], points: Mapping[Any, Any], comment: str | None, *,
                   submit: bool) -> tuple[dict[int, Decimal], str | None]:
    """The checked points and comment. Every problem (each bad score, the comment, the missing
    criteria of a sheet being submitted) is reported at once, in one ServiceErrors."""
    refusals: list[ServiceError] = []
    values: dict[int, Decimal] = {}
    try:
        values = _checked_sheet_values(criteria, points)
    except ServiceErrors as several:
        refusals.extend(several.errors)
    if comment is not None:
        try:
            comment = _check_comment(comment)
        except ServiceError as refusal:
            refusals.append(refusal)
    if submit:
        typed = {_criterion_id(key) for key, raw in points.items() if not _is_empty(raw)}
        try:  # a criterion with a wrong value is reported as wrong, not also as missing
            _check_complete(criteria, typed)
        except ServiceError as refusal:
            refusals.append(refusal)
    if refusals:
        raise ServiceErrors(refusals)
    return values, comment


def _criterion_id(key: Any) -> int | None:
    if isinstance(key, Criterion):
        return key.id
    return key if isinstance(key, int) and not isinstance(key, bool) else None


def _check_complete(criteria: list[Criterion], scored: Collection[int | None]) -> None:
    missing = [criterion for criterion in criteria if criterion.id not in scored]
    if missing:
        raise ServiceError(_l("Score every criterion before submitting: %(names)s is missing.",
                              names=", ".join(localized(criterion, "name") for criterion in missing)),
                           points_field(missing[0]))


def _check_comment(comment: str | None) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ServiceError(_l("At most %(count)s characters.", count=COMMENT_LIMIT), "comment")
    return comment


# Who may score -----------------------------------------------------------------------------

def check_may_score(member: JuryMember, registration: Registration, round_: Round, *, actor: User | None) -> User:
    """The juror is the signed-in account, the contest is judging, the entry is theirs to score.
    Returns the actor, now known to be that juror."""
    juror = the_juror(member, actor, _l("Only the jury member themself can score on their sheet."))
    _check_entry_open(member, registration, round_)
    return juror


def the_juror(member: JuryMember, actor: User | None, refusal: object) -> User:
    """The actor when it is the member's own active juror account; anyone else gets `refusal`."""
    if (isinstance(actor, User) and actor.id == member.user_id and actor.is_active
            and actor.has_role(Role.JUROR)):
        return actor
    raise ServiceError(refusal)


def _check_entry_open(member: JuryMember, registration: Registration, round_: Round) -> None:
    check_scoring_open(round_)
    reason = why_closed(member, registration, round_)
    if reason is not None:
        raise ServiceError(reason)


def check_scoring_open(round_: Round) -> None:
    ensure_not_archived(round_.contest)
    if round_.contest.status != ContestStatus.JUDGING.value:
        raise ScoringClosed()


def check_organiser(actor: User | None) -> User:
    """Returns the actor, now known to be an organiser."""
    if not (isinstance(actor, User) and actor.has_role(Role.ORGANISER)):
        raise ServiceError(_l("Only an organiser can do this."))
    return actor


# Score sheets ------------------------------------------------------------------------------

def sheet_for(member: JuryMember, registration: Registration, round_: Round) -> ScoreSheet | None:
    """This juror's sheet for the entry in the round, with its scores."""
    return db.session.scalar(select(ScoreSheet).options(selectinload(ScoreSheet.scores)).where(
        ScoreSheet.member_id == member.id, ScoreSheet.registration_id == registration.id,
        ScoreSheet.round_id == round_.id))


def save_sheet(member: JuryMember, registration: Registration, round_: Round, points: Mapping[Any, Any], *,
               comment: str = "", version: int, submit: bool = False, actor: User | None,
               send_key: str | None = None) -> ScoreSheet:
    """Save a juror's scores (criterion id -> points; empty leaves a criterion open in a draft)
    and, with submit=True, submit the sheet. `version` is the sheet's version the page was
    built from (0 for a sheet not yet saved): anything else is refused as stale. `send_key`
    names this save when a page's script sends it and may send it again after losing the
    connection: a key already seen is refused as AlreadySent, and nothing is applied twice."""
    actor = check_may_score(member, registration, round_, actor=actor)
    if send_key is not None and not SEND_KEY.fullmatch(send_key):
        raise ServiceError(_l("The page sent its scores without a valid key. Nothing was saved: reload the "
                              "sheet and save again."))
    return write_sheet(member, registration, round_, points, comment=comment, version=version, submit=submit,
                       actor=actor, source=SheetSource.ONLINE, send_key=send_key)


def write_sheet(member: JuryMember, registration: Registration, round_: Round, points: Mapping[Any, Any], *,
                comment: str | None, version: int | None, submit: bool, actor: User, source: SheetSource,
                send_key: str | None = None) -> ScoreSheet:
    """Check everything, then write: a refusal leaves the database as it was. `version` None
    (paper ballots) replaces a draft whatever its version; `comment` None keeps the comment; a
    submitted sheet stays locked. A `send_key` is looked up and kept under the sheet's row lock,
    so the same save sent twice at once is applied once."""
    if round_.by_ranks:
        raise ServiceError(_l("This round is scored by places: give them on the ranking page of the entry's "
                              "category."))
    criteria = round_.contest.criteria
    values, comment = _checked_sheet(criteria, points, comment, submit=submit)
    sheet, created = locked_or_new_sheet(member, registration, round_)
    if send_key is not None and not created:
        _check_not_sent(sheet, send_key)
    if sheet.is_submitted:
        raise LockedSheet()
    if source == SheetSource.ONLINE and _closed_on_stage(sheet):
        raise ServiceError(CLOSED_ON_STAGE)
    if not created and version is not None and sheet.version != version:
        raise StaleSheet()
    changes = _apply_values(sheet, criteria, values, comment)
    finish_save(sheet, created=created, changes=changes, submit=submit, source=source, actor=actor)
    if send_key is not None:
        db.session.add(SheetSend(sheet_id=sheet.id, key=send_key, version=sheet.version))
        db.session.flush()
    return sheet


def _check_not_sent(sheet: ScoreSheet, send_key: str) -> None:
    previous = db.session.get(SheetSend, (sheet.id, send_key))
    if previous is not None:
        raise AlreadySent(previous.version)


def _closed_on_stage(sheet: ScoreSheet) -> bool:
    """The performance closed on stage after the sheet was last reopened: jurors score during the
    performance, and a late sheet needs the chair's reopening. (Paper ballots a secretary types
    in afterwards transcribe sheets filled in on time, so they are not held back.)"""
    closed_at = db.session.scalar(select(PerformanceSlot.closed_at).where(
        PerformanceSlot.round_id == sheet.round_id, PerformanceSlot.registration_id == sheet.registration_id))
    return closed_at is not None and (sheet.reopened_at is None or sheet.reopened_at < closed_at)


def check_stage_lead(contest: Contest, actor: User | None) -> User:
    """The jury's chair of this contest or an organiser: who runs a live round. Returns the actor."""
    if isinstance(actor, User) and actor.is_active and actor.has_role(Role.ORGANISER):
        return actor
    if isinstance(actor, User) and actor.is_active and actor.has_role(Role.JUROR) and db.session.scalar(
            select(exists().where(JuryMember.contest_id == contest.id, JuryMember.user_id == actor.id,
                                  JuryMember.is_chair.is_(True)))):
        return actor
    raise ServiceError(_l("Only the chair of the jury or an organiser can run the stage."))


def reopen_late_sheet(member: JuryMember, registration: Registration, round_: Round, *, reason: str,
                      actor: User | None) -> ScoreSheet:
    """The chair (or an organiser) lets a juror send or correct a sheet after the performance
    closed: a submitted sheet goes back to draft, a missing one starts empty. Audited with the reason."""
    actor = check_stage_lead(round_.contest, actor)
    reason = required_reason(reason, "reason", REASON_LIMIT)
    _check_entry_open(member, registration, round_)
    sheet, _created = locked_or_new_sheet(member, registration, round_)
    sheet.status = SheetStatus.DRAFT.value
    sheet.reopened_at, sheet.reopened_by_id, sheet.reopen_reason = utcnow(), actor.id, reason
    bump_version(sheet)
    flush_sheet()
    audit_sheet("sheet.reopen", sheet, actor, reason=reason, after_stage=True)
    announce_status(sheet)
    return sheet


def reopen_sheet(sheet: ScoreSheet, *, reason: str, actor: User | None) -> ScoreSheet:
    """An organiser unlocks a submitted sheet so the juror can correct it."""
    actor = check_organiser(actor)
    ensure_not_archived(sheet.round.contest)
    reason = required_reason(reason, "reason", REASON_LIMIT)
    if sheet.round.contest.status != ContestStatus.JUDGING.value:
        raise ScoringClosed()
    sheet = _locked_existing_sheet(sheet.member_id, sheet.registration_id, sheet.round_id)
    if not sheet.is_submitted:
        raise ServiceError(_l("Only a submitted score sheet can be reopened."))
    for reopened in [sheet, *_rest_of_ranking(sheet)]:
        reopened.status = SheetStatus.DRAFT.value
        reopened.reopened_at, reopened.reopened_by_id, reopened.reopen_reason = utcnow(), actor.id, reason
        bump_version(reopened)
        flush_sheet()
        audit_sheet("sheet.reopen", reopened, actor, reason=reason)
        announce_status(reopened)
    return sheet


def _rest_of_ranking(sheet: ScoreSheet) -> list[ScoreSheet]:
    """In a round scored by ranks, the juror's other submitted sheets of the entry's category: a
    place means something only next to the others, so the ranking is reopened as a whole."""
    if not sheet.round.by_ranks:
        return []
    return list(db.session.scalars(
        select(ScoreSheet).join(Registration, Registration.id == ScoreSheet.registration_id)
        .where(ScoreSheet.member_id == sheet.member_id, ScoreSheet.round_id == sheet.round_id,
               ScoreSheet.id != sheet.id, ScoreSheet.status == SheetStatus.SUBMITTED.value,
               Registration.category_id == sheet.registration.category_id)
        .order_by(ScoreSheet.id).with_for_update(of=ScoreSheet)))


def locked_or_new_sheet(member: JuryMember, registration: Registration, round_: Round) -> tuple[ScoreSheet, bool]:
    """The sheet row, locked until the transaction ends, and whether this call created it.
    Two first saves may race: the loser's insert does nothing and it finds the winner's row."""
    sheet = _locked_sheet(member.id, registration.id, round_.id)
    if sheet is not None:
        return sheet, False
    now = utcnow()
    # The columns' defaults make it an empty draft at version 1; write_sheet sets its source.
    created_id = db.session.scalar(insert_unless_present(
        db.session, ScoreSheet, member_id=member.id, registration_id=registration.id, round_id=round_.id,
        created_at=now, updated_at=now,
    ).returning(ScoreSheet.id))
    return _locked_existing_sheet(member.id, registration.id, round_.id), created_id is not None


def _locked_sheet(member_id: int, registration_id: int, round_id: int) -> ScoreSheet | None:
    # populate_existing: what this session loaded earlier may be older than the locked row.
    return db.session.scalar(
        select(ScoreSheet).where(ScoreSheet.member_id == member_id, ScoreSheet.registration_id == registration_id,
                                 ScoreSheet.round_id == round_id)
        .options(selectinload(ScoreSheet.scores)).with_for_update(of=ScoreSheet).execution_options(populate_existing=True))


def _locked_existing_sheet(member_id: int, registration_id: int, round_id: int) -> ScoreSheet:
    """As `_locked_sheet`, for a sheet just seen: one deleted since (its entry removed) is stale."""
    sheet = _locked_sheet(member_id, registration_id, round_id)
    if sheet is None:
        raise StaleSheet()
    return sheet


def _apply_values(sheet: ScoreSheet, criteria: list[Criterion], values: Mapping[int, Decimal],
                  comment: str | None) -> list[dict[str, Any]]:
    """Make the sheet hold exactly these values; return the changes (old -> new) per criterion."""
    current = {score.criterion_id: score for score in sheet.scores}
    changes = []
    for criterion in criteria:
        score, new = current.get(criterion.id), values.get(criterion.id)
        old = score.points if score is not None else None
        if old == new:
            continue
        changes.append({"criterion_id": criterion.id, "criterion": localized(criterion, "name", "en"),
                        "old": format_points(old) or None, "new": format_points(new) or None})
        if new is None:
            if score is not None:  # always: old differs from new
                sheet.scores.remove(score)
        elif score is None:
            sheet.scores.append(Score(criterion_id=criterion.id, points=new))
        else:
            score.points = new
    if comment is not None and comment != sheet.comment:
        changes.append({"comment": True, "old": sheet.comment, "new": comment})
        sheet.comment = comment
    return changes


def mark_submitted(sheet: ScoreSheet, actor: User) -> None:
    sheet.status = SheetStatus.SUBMITTED.value
    sheet.submitted_at, sheet.submitted_by_id = utcnow(), actor.id
    audit_sheet("sheet.submit", sheet, actor)


def bump_version(sheet: ScoreSheet) -> None:
    sheet.version += 1
    sheet.updated_at = utcnow()


def finish_save(sheet: ScoreSheet, *, created: bool, changes: list, submit: bool, source: SheetSource,
                actor: User) -> None:
    """The end of every save of a sheet, points or a place: where it came from, the audit event,
    the submission, a new version when anything changed, and the flush that checks the version."""
    sheet.source = source.value
    if created or changes:
        audit_sheet("sheet.create" if created else "sheet.update", sheet, actor, changes=changes)
    if submit:
        mark_submitted(sheet, actor)
    if not created and (changes or submit):
        bump_version(sheet)
    flush_sheet()
    if created or submit:
        announce_status(sheet)


def announce_status(sheet: ScoreSheet) -> None:
    """Tell the domains above (the stage) that this sheet's status changed; sent to the current
    app's receivers, which change nothing but their own rows."""
    run_checks(sheet_status_changed, sheet=sheet)


def flush_sheet() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        # The row lock makes this unreachable on PostgreSQL; the version check in the UPDATE
        # is the last line of defence.
        db.session.rollback()
        raise StaleSheet() from None


def audit_sheet(action: str, sheet: ScoreSheet, actor: User | None, **data: Any) -> None:
    record(action, sheet, actor=actor, member_id=sheet.member_id, registration_id=sheet.registration_id,
           round_id=sheet.round_id, source=sheet.source, **data)


# Conflicts of interest ---------------------------------------------------------------------

def declare_conflict(member: JuryMember, registration: Registration, *, reason: str, actor: User | None) -> Conflict:
    """A juror says they should not score this entry (own pupil, a relative), before scoring it."""
    actor = the_juror(member, actor, _l("Only the jury member themself can declare a conflict of interest."))
    ensure_not_archived(member.contest)
    reason = required_reason(reason, "reason", REASON_LIMIT)
    if db.session.scalar(select(exists().where(
            ScoreSheet.member_id == member.id, ScoreSheet.registration_id == registration.id,
            ScoreSheet.status == SheetStatus.SUBMITTED.value))):
        raise ServiceError(_l("You have already submitted a score sheet for this entry; ask an organiser "
                              "to recuse you."))
    return _add_conflict(member, registration, ConflictKind.DECLARED, reason, actor)


def recuse_juror(member: JuryMember, registration: Registration, *, reason: str, actor: User | None) -> Conflict:
    """An organiser takes a juror off an entry; sheets they already wrote stop counting."""
    actor = check_organiser(actor)
    ensure_not_archived(member.contest)
    reason = required_reason(reason, "reason", REASON_LIMIT)
    return _add_conflict(member, registration, ConflictKind.RECUSED, reason, actor)


def _add_conflict(member: JuryMember, registration: Registration, kind: ConflictKind, reason: str,
                  actor: User) -> Conflict:
    check_jury_editable(member.contest)
    if registration.contest_id != member.contest_id:
        raise ServiceError(_l("This entry is not among the entries judged in this round."))
    if db.session.scalar(select(exists().where(
            Conflict.member_id == member.id, Conflict.registration_id == registration.id))):
        raise ServiceError(_l("A conflict of interest with this entry is already recorded."))
    conflict = Conflict(member_id=member.id, registration_id=registration.id, kind=kind.value, reason=reason,
                        created_by_id=actor.id)
    db.session.add(conflict)
    db.session.flush()
    record(f"conflict.{kind.value}", conflict, actor=actor, member_id=member.id, registration_id=registration.id,
           reason=reason)
    return conflict


def no_score_yet(sender: object, *, contest: Contest) -> None:
    """Criteria (and the rest of the setup) cannot change once scoring has started."""
    if contest.id is None:
        return
    if db.session.scalar(select(exists().where(
            ScoreSheet.round_id == Round.id, Round.contest_id == contest.id))):
        raise ServiceError(_l("Scoring has started: rounds, categories, criteria and award tiers can no "
                              "longer change."))


# History ----------------------------------------------------------------------------------

@dataclass
class HistoryEvent:
    at: datetime
    action: str  # sheet.create, sheet.update, sheet.submit, sheet.reopen, conflict.declared, ...
    actor: User | None
    juror: JuryMember | None
    round_id: int | None
    source: str | None
    changes: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""


def entry_history(registration: Registration) -> list[HistoryEvent]:
    """Every scoring event about this entry, oldest first (for organisers only: it names jurors
    and shows their scores). Four queries whatever the length of the history."""
    sheet_ids = select(ScoreSheet.id).where(ScoreSheet.registration_id == registration.id)
    conflict_ids = select(Conflict.id).where(Conflict.registration_id == registration.id)
    events = list(db.session.scalars(select(AuditEvent).where(or_(
        (AuditEvent.object_type == ScoreSheet.__name__) & AuditEvent.object_id.in_(sheet_ids),
        (AuditEvent.object_type == Conflict.__name__) & AuditEvent.object_id.in_(conflict_ids),
    )).order_by(AuditEvent.at, AuditEvent.id)))
    actors = _by_id(User, {event.actor_id for event in events})
    members = _by_id(JuryMember, {event.data.get("member_id") for event in events})
    _by_id(User, {member.user_id for member in members.values()})  # loads the jurors' names at once
    return [HistoryEvent(at=event.at, action=event.action, actor=actors.get(event.actor_id),
                         juror=members.get(event.data.get("member_id")), round_id=event.data.get("round_id"),
                         source=event.data.get("source"), changes=event.data.get("changes", []),
                         reason=event.data.get("reason", "")) for event in events]


def _by_id(model: type[Any], ids: set[Any]) -> dict[int | None, Any]:  # looked up with ids that may be None
    ids = {value for value in ids if isinstance(value, int)}
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
