"""Organisers' decisions on registrations: approve, reject with a reason, approve many at once.

Each decision is written to the audit log and emailed (once the change is committed) to the
account that registered the participant, in that account's language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from contest import i18n
from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import Category, Contest
from contest.contests.services import ensure_not_archived
from contest.db import utcnow
from contest.errors import ServiceError, required_reason
from contest.extensions import db
from contest.mail.outbox import send_mail_after_commit
from contest.registration.completeness import entry_completeness
from contest.registration.models import (
    ACTIVE_STATUSES,
    Entry,
    Participant,
    Registration,
    RegistrationCounter,
    RegistrationStatus,
)
from contest.registration.services import normalised_school, registration_is_open

REASON_MAX_LENGTH = 1000
OVERRIDE_REASON_MAX_LENGTH = 500
PENDING = RegistrationStatus.PENDING.value
APPROVED = RegistrationStatus.APPROVED.value
REJECTED = RegistrationStatus.REJECTED.value
WITHDRAWN = RegistrationStatus.WITHDRAWN.value

WITHDRAWN_MESSAGE = _l("This registration has been withdrawn by the participant; it can no longer be decided.")


# The organisers' table ------------------------------------------------------------------------

@dataclass(frozen=True)
class RegistrationFilters:
    """What the organiser searched for: a part of a name, code or school, and exact filters."""

    query: str = ""
    status: str | None = None
    category_id: int | None = None
    school: str | None = None
    district: str | None = None


def filtered_registrations(contest: Contest, filters: RegistrationFilters) -> Select[Registration]:
    """The contest's registrations matching `filters`, by code, with everything the table and
    the exports show loaded in the same query (participant, category, entry, account)."""
    statement = (
        select(Registration)
        .join(Registration.participant)
        .where(Registration.contest_id == contest.id)
        .options(joinedload(Registration.participant).joinedload(Participant.account),
                 joinedload(Registration.category), joinedload(Registration.entry).selectinload(Entry.works),
                 joinedload(Registration.registered_by))
        .order_by(Registration.number)
    )
    if filters.query.strip():
        pattern = f"%{filters.query.strip().lower()}%"
        full_name = Participant.surname + " " + Participant.given_name + " " + Participant.patronymic
        statement = statement.where(or_(
            func.lower(full_name).like(pattern),
            func.lower(Participant.given_name + " " + Participant.surname).like(pattern),
            func.lower(Registration.code).like(pattern),
            func.lower(Participant.school).like(pattern),
        ))
    if filters.status:
        statement = statement.where(Registration.status == filters.status)
    if filters.category_id is not None:
        statement = statement.where(Registration.category_id == filters.category_id)
    if filters.school:
        statement = statement.where(Participant.school == filters.school)
    if filters.district:
        statement = statement.where(Participant.district == filters.district)
    return statement


def filter_values(contest: Contest) -> tuple[list[str], list[str]]:
    """The schools and districts that occur among the contest's registrations (for the filters)."""
    def distinct(column) -> list[str]:
        return list(db.session.scalars(
            select(column).distinct().join(Registration, Registration.participant_id == Participant.id)
            .where(Registration.contest_id == contest.id, column != "").order_by(column)))

    return distinct(Participant.school), distinct(Participant.district)


def status_counts(contest: Contest) -> dict[str, int]:
    """How many registrations the contest has in each status (every status present, zero or not)."""
    rows = db.session.execute(select(Registration.status, func.count())
                              .where(Registration.contest_id == contest.id).group_by(Registration.status))
    counts = {status.value: 0 for status in RegistrationStatus}
    counts.update({status: count for status, count in rows})
    return counts


def registration_in_contest(contest: Contest, registration_id: int) -> Registration | None:
    """One registration of this contest with its participant, entry and accounts, or None
    (also for another contest's registration, so a guessed id shows nothing)."""
    return db.session.scalar(
        select(Registration)
        .where(Registration.id == registration_id, Registration.contest_id == contest.id)
        .options(joinedload(Registration.participant).joinedload(Participant.account),
                 joinedload(Registration.participant).joinedload(Participant.consent_by),
                 joinedload(Registration.category), joinedload(Registration.entry).selectinload(Entry.works),
                 joinedload(Registration.registered_by), joinedload(Registration.decided_by),
                 joinedload(Registration.entry_override_by)))


# Decisions --------------------------------------------------------------------------------------

def entry_needs_override(registration: Registration, now: datetime | None = None) -> bool:
    """Once registration has closed the participant can no longer complete the entry: one that
    does not meet the contest's rules is approved (and judged) only with an organiser's exception."""
    return (not registration.has_entry_override
            and not registration_is_open(registration.contest, now)
            and not entry_completeness(registration.contest, registration.entry).is_complete)


def allow_incomplete_entry(registration: Registration, reason: str, *, actor: User | None) -> None:
    """The organiser's exception for an entry that does not meet the rules: it may then be
    approved and judged. The reason is required, kept on the registration and audited."""
    ensure_not_archived(registration.contest)
    reason = required_reason(reason, "override_reason", OVERRIDE_REASON_MAX_LENGTH,
                             missing=_l("Write the reason for the exception."))
    completeness = entry_completeness(registration.contest, registration.entry)
    if completeness.is_complete:
        raise ServiceError(_l("The entry meets the contest's rules: no exception is needed."), "override_reason")
    registration.entry_override_reason = reason
    registration.entry_override_at = utcnow()
    registration.entry_override_by_id = getattr(actor, "id", None)
    db.session.flush()
    record("registration.entry_override", registration, actor=actor, contest_id=registration.contest_id,
           code=registration.code, reason=reason, missing=completeness.missing)


def approve_registration(registration: Registration, *, actor: User | None, override_reason: str = "",
                         now: datetime | None = None) -> None:
    """Pending → approved, or a rejected registration reconsidered (if a place is still free).
    After the deadline an incomplete entry needs `override_reason` (see entry_needs_override)."""
    ensure_not_archived(registration.contest)
    _refuse_withdrawn(registration)
    if registration.status == APPROVED:
        raise ServiceError(_l("This registration is already approved."))
    if entry_needs_override(registration, now):
        if not (override_reason or "").strip():
            # What is missing is listed on the registration's page beside this field, not repeated here.
            raise ServiceError(_l("The entry does not meet the contest's rules, and registration has closed. "
                                  "To approve it anyway, write the reason for the exception."), "override_reason")
        allow_incomplete_entry(registration, override_reason, actor=actor)
    if registration.status == REJECTED:
        # A rejected registration gave its place up; taking it back must respect the limits.
        _check_place_free(registration)
    _decide(registration, APPROVED, reason="", actor=actor)


def reject_registration(registration: Registration, reason: str, *, actor: User | None) -> None:
    """Pending or approved → rejected; the reason is required and sent to the account."""
    ensure_not_archived(registration.contest)
    _refuse_withdrawn(registration)
    reason = required_reason(reason, "reason", REASON_MAX_LENGTH,
                             missing=_l("Write the reason for the rejection: it is sent to the participant."))
    if registration.status == REJECTED:
        raise ServiceError(_l("This registration is already rejected."))
    _decide(registration, REJECTED, reason=reason, actor=actor)


def approve_registrations(contest: Contest, ids: Iterable[int], *, actor: User | None) -> int:
    """Approve the pending registrations among `ids` that belong to `contest`; any other id
    (another contest's, unknown, already decided, withdrawn) is left untouched, and so is an
    entry that needs an exception (those are decided one by one). Returns how many were approved."""
    ensure_not_archived(contest)
    wanted = {int(value) for value in ids}
    if not wanted:
        return 0
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.contest_id == contest.id, Registration.id.in_(wanted),
               Registration.status == PENDING)
        .order_by(Registration.number)
        .options(selectinload(Registration.participant).selectinload(Participant.account),
                 selectinload(Registration.registered_by), selectinload(Registration.category),
                 selectinload(Registration.entry).selectinload(Entry.works))
        .with_for_update()
    ).all()
    approvable = [registration for registration in registrations if not entry_needs_override(registration)]
    for registration in approvable:
        _decide(registration, APPROVED, reason="", actor=actor)
    db.session.flush()  # once for all: the rows of every decision, its audit event and its email go in batches
    return len(approvable)


def _refuse_withdrawn(registration: Registration) -> None:
    if registration.status == WITHDRAWN:
        raise ServiceError(WITHDRAWN_MESSAGE)


def _decide(registration: Registration, status: str, *, reason: str, actor: User | None) -> None:
    previous = registration.status
    registration.status = status
    registration.decision_reason = reason
    registration.decided_at = utcnow()
    registration.decided_by_id = getattr(actor, "id", None)
    action = "registration.approved" if status == APPROVED else "registration.rejected"
    data = {"contest_id": registration.contest_id, "code": registration.code, "previous": previous}
    if reason:
        data["reason"] = reason
    record(action, registration, actor=actor, **data)
    _email_decision(registration)


def _check_place_free(registration: Registration) -> None:
    """The contest's capacity and school quota, counted under the contest's counter lock
    (the same lock new registrations take), so two decisions cannot both take the last place."""
    contest = registration.contest
    if contest.capacity is None and contest.school_quota is None:
        return
    db.session.execute(select(RegistrationCounter.contest_id)
                       .where(RegistrationCounter.contest_id == contest.id).with_for_update())
    active = (select(func.count()).select_from(Registration)
              .where(Registration.contest_id == contest.id, Registration.status.in_(ACTIVE_STATUSES)))
    if contest.capacity is not None and db.session.execute(active).scalar_one() >= contest.capacity:
        raise ServiceError(_l("The contest is full: all %(count)d places are taken.", count=contest.capacity))
    school = normalised_school(registration.participant.school)
    if contest.school_quota is not None and school:
        schools = db.session.scalars(active.with_only_columns(Participant.school).join(Participant))
        if sum(1 for other in schools if normalised_school(other) == school) >= contest.school_quota:
            raise ServiceError(_l("The school's quota is used up: %(count)d participants per school.",
                                  count=contest.school_quota))


# Email ---------------------------------------------------------------------------------------

def _recipient(registration: Registration) -> User | None:
    account = registration.registered_by or registration.participant.account
    return account if account is not None and account.is_active else None


def _email_decision(registration: Registration) -> None:
    account = _recipient(registration)
    if account is None:
        return
    language = account.preferred_language if i18n.is_supported(account.preferred_language) else i18n.DEFAULT_LANGUAGE
    contest = registration.contest
    with force_locale(language):
        approved = registration.status == APPROVED
        subject = (_("Registration %(code)s approved", code=registration.code) if approved
                   else _("Registration %(code)s rejected", code=registration.code))
        body = render_template(
            "registration/email/decision.txt", account=account, registration=registration,
            participant_name=registration.participant.full_name, approved=approved,
            contest_title=i18n.localized(contest, "title", language),
            category_name=i18n.localized(registration.category, "name", language),
            link=_contest_link(contest))
    send_mail_after_commit(account.email, subject, body)


def _contest_link(contest: Contest) -> str:
    """The contest's public address, when the site's address is known."""
    if has_request_context():
        return url_for("contests.detail", slug=contest.slug, _external=True)
    site = current_app.config.get("SITE_URL")
    if not site:
        return ""
    with current_app.test_request_context(base_url=site):
        return url_for("contests.detail", slug=contest.slug, _external=True)


# The contest's setup -----------------------------------------------------------------------------

def no_registrations_in(sender: object, *, part: object) -> None:
    """A category that registrations were made in stays (the database refuses to delete it too):
    withdrawn and rejected registrations keep their category as part of the record."""
    if not isinstance(part, Category):
        return
    category = part
    count = db.session.scalar(select(func.count()).select_from(Registration)
                              .where(Registration.category_id == category.id))
    if count:
        raise ServiceError(_l("Registrations have been made in this category (%(count)s, withdrawn and rejected "
                              "ones included), so it cannot be deleted. Rename it instead.", count=count))
