"""An account's own data: a copy of everything we keep about it, and deletion on request.

Deletion keeps published results consistent: a participant who appears in results (or has any
registration on record) is anonymised rather than deleted, so places, codes and counts do not
shift; everything that identifies the person or lets anyone contact them is removed."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from contest import files
from contest.audit.services import record
from contest.auth.models import Role, User
from contest.auth.passwords import verify_password
from contest.auth.services import end_all_sessions
from contest.contests.models import ContestStatus
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.i18n import localized
from contest.registration.models import Entry, Participant, Registration, RegistrationStatus
from contest.registration.uploads import ENTRY_AREA

# Contests whose results are public: their participants stay in the results, anonymised.
FINISHED_STATUSES = (ContestStatus.RESULTS_PUBLISHED.value, ContestStatus.ARCHIVED.value)
DELETED_NAME = "Deleted account"


def _participants_with_everything(account: User) -> list[Participant]:
    return list(db.session.scalars(
        select(Participant).where(Participant.account_id == account.id)
        .options(joinedload(Participant.consent_by),
                 selectinload(Participant.registrations).options(
                     joinedload(Registration.contest), joinedload(Registration.category),
                     joinedload(Registration.entry).selectinload(Entry.works)))
        .order_by(Participant.id)))


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


# Download ------------------------------------------------------------------------------------

def account_data(account: User, *, actor: User) -> dict[str, Any]:
    """Everything kept about the account and its participants, as plain JSON-ready values.
    Entry files are listed by name, type and size; their bytes are downloaded separately."""
    data = {
        "exported_at": _when(utcnow()),
        "account": {
            "email": account.email, "name": account.name, "role": account.role,
            "language": account.preferred_language, "created_at": _when(account.created_at),
            "last_login_at": _when(account.last_login_at),
        },
        "participants": [_participant_data(p) for p in _participants_with_everything(account)],
    }
    record("account.data_export", account, actor=actor)
    return data


def _participant_data(participant: Participant) -> dict[str, Any]:
    return {
        "surname": participant.surname, "given_name": participant.given_name,
        "patronymic": participant.patronymic, "birth_date": _when(participant.birth_date),
        "school": participant.school, "grade": participant.grade, "district": participant.district,
        "teacher": participant.teacher, "phone": participant.phone,
        "guardian_name": participant.guardian_name, "guardian_phone": participant.guardian_phone,
        "consent": {
            "given_at": _when(participant.consent_at), "text_version": participant.consent_version,
            "given_by": participant.consent_by.email if participant.consent_by else None,
            "withdrawn_at": _when(participant.consent_withdrawn_at),
        },
        "anonymised_at": _when(participant.anonymised_at),
        "created_at": _when(participant.created_at),
        "registrations": [_registration_data(r) for r in participant.registrations],
    }


def _registration_data(registration: Registration) -> dict[str, Any]:
    entry = registration.entry
    return {
        "contest": localized(registration.contest, "title"),
        "category": localized(registration.category, "name"),
        "code": registration.code, "status": registration.status,
        "decision_reason": registration.decision_reason, "registered_at": _when(registration.created_at),
        "entry": None if entry is None else {
            "video_url": entry.video_url,
            "works": [{
                "number": work.position, "title": work.title, "text": work.text, "line_count": work.line_count,
                "file": {"name": work.file_original_name, "type": work.file_type, "size": work.file_size}
                if work.file_name else None,
            } for work in entry.works],
        },
    }


# Deletion ------------------------------------------------------------------------------------

def may_delete_itself(account: User) -> bool:
    """Participant accounts only: staff accounts are closed by an administrator, so that the
    site never loses its last administrator or an organiser's audit trail by accident."""
    return account.role == Role.PARTICIPANT.value


def delete_account(account: User, *, password: str, actor: User) -> None:
    """Withdraw what is still running, anonymise or delete the participants, close the account."""
    if not may_delete_itself(account):
        raise ServiceError(_l("Staff accounts are closed by an administrator. Please ask one."))
    if not verify_password(account.password_hash, password or ""):
        raise ServiceError(_l("The password is incorrect."), "password")
    now = utcnow()
    for participant in _participants_with_everything(account):
        for registration in participant.registrations:
            _settle_registration(registration, actor=actor)
        if participant.registrations:
            anonymise_participant(participant, actor=actor, now=now)
        else:
            record("participant.delete", participant, actor=actor, reason="account_deleted")
            db.session.delete(participant)
    _close_account(account, now=now)
    record("account.delete", account, actor=actor)
    db.session.flush()


def _settle_registration(registration: Registration, *, actor: User) -> None:
    """A registration in a contest that has not finished is withdrawn, whatever its window:
    the person asked to leave. Finished contests keep theirs, so results stay as published."""
    if registration.contest.status in FINISHED_STATUSES:
        return
    if registration.is_active:
        old = registration.status
        registration.status = RegistrationStatus.WITHDRAWN.value
        record("registration.withdraw", registration, actor=actor, code=registration.code, old=old,
               reason="account_deleted")
    if registration.entry is not None:
        # Nobody will judge it: the poems go with the person.
        for work in registration.entry.works:
            work.title = ""
            work.text = ""


def anonymise_participant(participant: Participant, *, actor: User, now: datetime | None = None) -> None:
    """Replace the name and clear every contact, guardian and birth detail and the entry files;
    keep school, grade, district and the registrations that results refer to."""
    participant.surname = ""
    participant.given_name = ""
    participant.patronymic = ""
    participant.birth_date = None
    participant.teacher = ""
    participant.phone = ""
    participant.guardian_name = ""
    participant.guardian_phone = ""
    participant.anonymised_at = now or utcnow()
    for registration in participant.registrations:
        if registration.entry is not None:
            _remove_entry_files(registration.entry)
    record("participant.anonymise", participant, actor=actor)


def _remove_entry_files(entry: Entry) -> None:
    for work in entry.works:
        files.retire(db.session, ENTRY_AREA, work.file_name)
        work.file_name = None
        work.file_original_name = ""
        work.file_type = ""
        work.file_size = None
    entry.video_url = ""


def _close_account(account: User, *, now: datetime) -> None:
    """The account can no longer sign in and no longer names or reaches its owner; the row
    stays so that audit events and registrations keep pointing somewhere."""
    account.is_active = False
    end_all_sessions(account)
    account.email = f"deleted-{account.id}-{secrets.token_hex(4)}@deleted.invalid"
    account.name = DELETED_NAME
    account.preferred_language = None
    account.password_hash = "!deleted"  # not a hash any password can match
    account.last_login_at = None
