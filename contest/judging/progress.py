"""How far the jury has got: the organisers' progress matrix, a juror's queue, reminders."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest import i18n
from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import Contest, Round
from contest.contests.services import ensure_not_archived
from contest.errors import ServiceError
from contest.extensions import db
from contest.i18n import localized
from contest.judging.assignment import Scope, entries_for_juror, load_scope
from contest.judging.models import JuryMember, ScoreSheet
from contest.judging.services import check_organiser
from contest.mail.outbox import send_mail_after_commit
from contest.registration.models import Registration


class CellState(enum.StrEnum):
    NOT_ASSIGNED = "not_assigned"
    MISSING = "missing"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFLICT = "conflict"


@dataclass
class ProgressMatrix:
    round: Round
    members: list[JuryMember]
    registrations: list[Registration]
    states: dict[tuple[int, int], CellState] = field(default_factory=dict)

    def state(self, member: JuryMember, registration: Registration) -> CellState:
        return self.states[(member.id, registration.id)]

    def counts(self, member: JuryMember) -> Counter[CellState]:
        return Counter(self.state(member, registration) for registration in self.registrations)

    def pending(self, member: JuryMember) -> list[Registration]:
        """Entries this member still owes a submitted sheet for."""
        return [registration for registration in self.registrations
                if self.state(member, registration) in (CellState.MISSING, CellState.DRAFT)]

    @property
    def totals(self) -> Counter[CellState]:
        return Counter(self.states.values())


def progress_matrix(round_: Round) -> ProgressMatrix:
    """Jurors x entries, each cell missing, draft, submitted, conflict or not assigned. Eight
    queries whatever the size of the jury and the field."""
    scope = load_scope(round_, with_entries=True)
    statuses = dict(((member_id, registration_id), status) for member_id, registration_id, status in
                    db.session.execute(select(ScoreSheet.member_id, ScoreSheet.registration_id, ScoreSheet.status)
                                       .where(ScoreSheet.round_id == round_.id)))
    matrix = ProgressMatrix(round=round_, members=scope.members, registrations=scope.registrations)
    for member in scope.members:
        for registration in scope.registrations:
            key = (member.id, registration.id)
            matrix.states[key] = _cell(scope, member, registration, statuses.get(key))
    return matrix


def _cell(scope: Scope, member: JuryMember, registration: Registration, status: str | None) -> CellState:
    if scope.is_conflicted(member, registration):
        return CellState.CONFLICT
    if status is not None:
        return CellState(status)
    return CellState.MISSING if scope.is_assigned(member, registration) else CellState.NOT_ASSIGNED


@dataclass
class QueueItem:
    registration: Registration
    sheet: ScoreSheet | None

    @property
    def state(self) -> CellState:
        return CellState(self.sheet.status) if self.sheet is not None else CellState.MISSING


def juror_queue(member: JuryMember, round_: Round) -> list[QueueItem]:
    """A juror's entries in performance order with their own sheets (unscored ones first is
    the view's choice: `[item for item in queue if item.state != "submitted"]`)."""
    registrations = entries_for_juror(member, round_)
    sheets = {sheet.registration_id: sheet for sheet in db.session.scalars(select(ScoreSheet).where(
        ScoreSheet.member_id == member.id, ScoreSheet.round_id == round_.id))}
    return [QueueItem(registration, sheets.get(registration.id)) for registration in registrations]


def remind_jurors(contest: Contest, round_: Round, *, actor: User | None, link: str | None = None) -> int:
    """Email every juror who still owes sheets in this round how many; returns how many were
    emailed. `link` is where they score (the view passes its address)."""
    check_organiser(actor)
    ensure_not_archived(contest)
    if round_.contest_id != contest.id:
        raise ServiceError(_l("This round belongs to another contest."))
    matrix = progress_matrix(round_)
    link = link or url_for("site.home", _external=True)
    reminded = []
    for member in matrix.members:
        pending = matrix.pending(member)
        if pending and member.user.is_active:
            _send_reminder(member, contest, round_, len(pending), link)
            reminded.append(member.id)
    record("jury.remind", round_, actor=actor, contest_id=contest.id, members=reminded)
    return len(reminded)


def _send_reminder(member: JuryMember, contest: Contest, round_: Round, count: int, link: str) -> None:
    user = member.user
    with force_locale(user.preferred_language or i18n.current_language()):
        subject = _("Score sheets are waiting for you: %(contest)s", contest=localized(contest, "title"))
        body = render_template("judging/email/reminder.txt", user=user, contest=contest, round=round_,
                               count=count, link=link)
    send_mail_after_commit(user.email, subject, body)
