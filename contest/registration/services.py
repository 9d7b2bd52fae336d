"""The participant side of registration: people, guardian consent, registering for a
contest, entries and withdrawal. Every rule lives here; views, the CLI and tests call these."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from contest import files
from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import Category, Contest, ContestStatus
from contest.contests.services import SETUP_LOCKED_STATUSES, ensure_not_archived
from contest.db import insert_unless_present, utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.registration.eligibility import (
    Limits,
    birth_date_error,
    category_errors,
    eligibility_errors,
    is_minor_on,
    local_day,
)
from contest.registration.models import (
    ACTIVE_STATUSES,
    Entry,
    EntryWork,
    Participant,
    Registration,
    RegistrationCounter,
    RegistrationStatus,
    count_lines,
)
from contest.registration.uploads import ENTRY_AREA, Upload, check_entry_file, offered_name

# Bump when the consent text changes: every consent records the version its giver saw.
CONSENT_VERSION = "2026-11"
TEXT_LIMITS = {"surname": 100, "given_name": 100, "patronymic": 100, "school": 200, "district": 120,
               "teacher": 200, "phone": 40, "guardian_name": 200, "guardian_phone": 40}
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{6,25}$")
# Once judging starts, the field is fixed: a registration can no longer be withdrawn.
WITHDRAWABLE_STATUSES = (ContestStatus.REGISTRATION_OPEN.value, ContestStatus.REGISTRATION_CLOSED.value)


def consent_text() -> str:
    return _("I am the parent or legal guardian of this participant. I agree that they take part in "
             "the contest, that the library keeps the data in this form for running the contest, and "
             "that their name, school, grade and place are published with the results. I can withdraw "
             "this consent at any time; the name then disappears from the public pages.")


def needs_guardian(birth_date: date | None, today: date | None = None) -> bool:
    return is_minor_on(birth_date, today or local_day(utcnow()))


# Participants ---------------------------------------------------------------------------

def create_participant(account: User, data: dict[str, Any], *, consent: bool, actor: User) -> Participant:
    participant = Participant(account_id=account.id)
    _apply_participant_data(participant, data, consent=consent, actor=actor)
    db.session.add(participant)
    db.session.flush()
    record("participant.create", participant, actor=actor)
    return participant


def update_participant(participant: Participant, data: dict[str, Any], *, consent: bool, actor: User) -> Participant:
    _refuse_anonymised(participant)
    _apply_participant_data(participant, data, consent=consent, actor=actor)
    db.session.flush()
    record("participant.update", participant, actor=actor)
    return participant


def delete_participant(participant: Participant, *, actor: User) -> None:
    if participant.registrations:
        raise ServiceError(_l("This participant has registrations, so they cannot be deleted. "
                              "Withdraw the registrations instead."))
    record("participant.delete", participant, actor=actor)
    db.session.delete(participant)
    db.session.flush()


def withdraw_consent(participant: Participant, *, actor: User) -> None:
    """The guardian takes the consent back: from now on the name is not shown publicly."""
    if not participant.has_consent:
        raise ServiceError(_l("There is no consent to withdraw."))
    participant.consent_withdrawn_at = utcnow()
    db.session.flush()
    record("participant.consent_withdrawn", participant, actor=actor)


def _apply_participant_data(participant: Participant, data: dict[str, Any], *, consent: bool, actor: User) -> None:
    values = _clean_participant_data(data)
    minor = needs_guardian(values["birth_date"])
    if minor:
        for field in ("guardian_name", "guardian_phone"):
            if not values[field]:
                raise ServiceError(_l("A participant under 18 needs a parent or guardian: "
                                      "fill in their name and phone."), field)
        if not consent and participant.consent_at is None:  # a withdrawn consent stays withdrawn
            raise ServiceError(_l("A participant under 18 can only be registered with the consent of a "
                                  "parent or guardian: tick the consent box."), "consent")
    for name, value in values.items():
        setattr(participant, name, value)
    if minor and consent and not participant.has_consent:
        participant.consent_at = utcnow()
        participant.consent_version = CONSENT_VERSION
        participant.consent_by_id = actor.id
        participant.consent_withdrawn_at = None


def _clean_participant_data(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {name: (data.get(name) or "").strip() for name in TEXT_LIMITS}
    for name in ("surname", "given_name"):
        if not values[name]:
            raise ServiceError(_l("This field is required."), name)
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            raise ServiceError(_l("At most %(count)s characters.", count=limit), name)
        if any(not ch.isprintable() for ch in values[name]):
            raise ServiceError(_l("Remove the control characters from this field."), name)
    for name in ("phone", "guardian_phone"):
        if values[name] and not PHONE_PATTERN.match(values[name]):
            raise ServiceError(_l("Write the phone number with digits, for example +7 701 123 45 67."), name)
    values["birth_date"] = _checked_birth_date(data.get("birth_date"))
    values["grade"] = _checked_grade(data.get("grade"))
    return values


def _checked_birth_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, date):
        raise ServiceError(_l("Not a valid date."), "birth_date")
    problem = birth_date_error(value, local_day(utcnow()))
    if problem is not None:
        raise ServiceError(problem, "birth_date")
    return value


def _checked_grade(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if not isinstance(value, int) or not 1 <= value <= 12:
        raise ServiceError(_l("The grade is a number from 1 to 11 (12 for some schools)."), "grade")
    return value


def _refuse_anonymised(participant: Participant) -> None:
    if participant.anonymised_at is not None:
        raise ServiceError(_l("This participant's data was removed at the account's request."))


# Registering ----------------------------------------------------------------------------

def registration_is_open(contest: Contest, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (contest.status == ContestStatus.REGISTRATION_OPEN
            and contest.registration_opens_at <= now < contest.registration_closes_at)


def register(participant: Participant, contest: Contest, category: Category, *, actor: User,
             now: datetime | None = None) -> Registration:
    """Register a participant for a contest in a category, or say exactly why not."""
    _refuse_anonymised(participant)
    if category.contest_id != contest.id:
        raise ServiceError(_l("Choose one of this contest's categories."), "category")
    if not registration_is_open(contest, now):
        raise ServiceError(_l("Registration for this contest is not open."))
    _check_eligible(participant, contest)
    check_category_fit(participant, contest, category)
    counter = _locked_counter(contest)  # from here on, registrations for this contest queue up
    existing = db.session.scalars(select(Registration).where(
        Registration.contest_id == contest.id, Registration.participant_id == participant.id)).first()
    if existing is not None and existing.status != RegistrationStatus.WITHDRAWN:
        raise ServiceError(_l("%(name)s is already registered for this contest.", name=participant.full_name),
                           "participant")
    _check_places(contest, participant)
    if existing is not None:  # coming back after a withdrawal keeps the old code
        registration = existing
        registration.status = RegistrationStatus.PENDING.value
        registration.category = category
        registration.decision_reason, registration.decided_at, registration.decided_by_id = "", None, None
    else:
        counter.last_number += 1
        registration = Registration(
            contest=contest, participant=participant, category=category, registered_by_id=actor.id,
            number=counter.last_number, code=f"{counter.prefix}-{counter.last_number:04d}")
        db.session.add(registration)
    db.session.flush()
    record("registration.create", registration, actor=actor, code=registration.code)
    return registration


def _check_eligible(participant: Participant, contest: Contest) -> None:
    event_day = local_day(contest.event_at)
    errors = eligibility_errors(
        birth_date=participant.birth_date, grade=participant.grade, event_day=event_day,
        min_age=contest.min_age, max_age=contest.max_age, min_grade=contest.min_grade, max_grade=contest.max_grade)
    if errors:
        raise ServiceError(errors[0][1], "participant")
    if is_minor_on(participant.birth_date, event_day) and not participant.has_consent:
        raise ServiceError(_l("%(name)s is under 18 on the day of the contest: a parent's or guardian's "
                              "consent is needed first (edit the participant).", name=participant.full_name),
                           "participant")


def check_category_fit(participant: Participant, contest: Contest, category: Category) -> None:
    """Refuse, beside the category, a participant outside the category's age or grade limits
    (or one whose date of birth or grade is missing while the category needs it)."""
    errors = category_errors(birth_date=participant.birth_date, grade=participant.grade,
                             event_day=local_day(contest.event_at), limits=Limits.of(category))
    if errors:
        raise ServiceError(errors[0][1], "category")


def change_category(registration: Registration, category: Category, *, actor: User,
                    as_organiser: bool = False) -> None:
    """Move a registration to another category of its contest. The participant's account may do
    it while registration is open; an organiser until judging starts. The category's limits
    apply exactly as when registering."""
    contest = registration.contest
    ensure_not_archived(contest)
    _refuse_anonymised(registration.participant)
    if not registration.is_active:
        raise ServiceError(_l("This registration is no longer active."))
    if category.contest_id != contest.id:
        raise ServiceError(_l("Choose one of this contest's categories."), "category")
    if as_organiser and contest.status_enum in SETUP_LOCKED_STATUSES:
        raise ServiceError(_l("Judging has started: the category can no longer be changed."), "category")
    if not as_organiser and not registration_is_open(contest):
        raise ServiceError(_l("The category can be changed only while registration is open."), "category")
    if category.id == registration.category_id:
        raise ServiceError(_l("The registration is already in this category."), "category")
    check_category_fit(registration.participant, contest, category)
    old_category_id = registration.category_id
    registration.category = category
    db.session.flush()
    record("registration.category", registration, actor=actor, code=registration.code,
           old=old_category_id, new=category.id)


def registrations_outside_limits(contest: Contest) -> dict[int, list[tuple[Registration, str]]]:
    """Active registrations (pending or approved) that their category's limits no longer admit
    (the organiser narrowed them, or the participant's details changed), by category id, each
    with the reason. One query whatever the number of registrations; nothing is changed."""
    limited = {category.id: category for category in contest.categories if category.has_limits}
    if not limited:
        return {}
    registrations = db.session.scalars(
        select(Registration).join(Registration.participant)
        .where(Registration.contest_id == contest.id, Registration.category_id.in_(list(limited)),
               Registration.status.in_(ACTIVE_STATUSES))
        .options(contains_eager(Registration.participant)).order_by(Registration.number))
    event_day = local_day(contest.event_at)
    outside: dict[int, list[tuple[Registration, str]]] = {}
    for registration in registrations:
        participant = registration.participant
        errors = category_errors(birth_date=participant.birth_date, grade=participant.grade, event_day=event_day,
                                 limits=Limits.of(limited[registration.category_id]))
        if errors:
            outside.setdefault(registration.category_id, []).append(
                (registration, " ".join(str(message) for _field, message in errors)))
    return outside


def _check_places(contest: Contest, participant: Participant) -> None:
    active = (Registration.contest_id == contest.id, Registration.status.in_(ACTIVE_STATUSES))
    if contest.capacity is not None:
        taken = db.session.execute(select(func.count()).select_from(Registration).where(*active)).scalar_one()
        if taken >= contest.capacity:
            raise ServiceError(_l("Sorry, the contest is full: all %(count)s places are taken.",
                                  count=contest.capacity))
    school = normalised_school(participant.school)
    if contest.school_quota is not None and school:
        schools = db.session.scalars(select(Participant.school).join(Registration).where(*active))
        if sum(1 for other in schools if normalised_school(other) == school) >= contest.school_quota:
            raise ServiceError(_l("This school has already used all of its %(count)s places in the contest.",
                                  count=contest.school_quota), "participant")


def normalised_school(name: str) -> str:
    """'School  No. 12' and 'school no. 12' are the same school for the quota."""
    return " ".join((name or "").casefold().split())


def _locked_counter(contest: Contest) -> RegistrationCounter:
    """The contest's counter row, locked until the transaction ends (PostgreSQL: SELECT ... FOR
    UPDATE; SQLite allows one writer at a time anyway). Created on the first registration."""
    query = select(RegistrationCounter).where(RegistrationCounter.contest_id == contest.id).with_for_update()
    counter = db.session.scalars(query).first()
    if counter is None:
        base = code_prefix(contest)
        for prefix in (base, f"{base}{contest.id}"):  # a prefix another contest took gets the id added
            _insert_counter_if_missing(contest.id, prefix)
            counter = db.session.scalars(query).first()
            if counter is not None:
                break
    if counter is None:
        raise RuntimeError(f"no registration counter for contest {contest.id}")
    return counter


def _insert_counter_if_missing(contest_id: int, prefix: str) -> None:
    # Two first registrations may race to create the row: the loser's insert does nothing.
    db.session.execute(insert_unless_present(db.session, RegistrationCounter, contest_id=contest_id, prefix=prefix,
                                             last_number=0))


def code_prefix(contest: Contest) -> str:
    """'aqynfest-2026' with its event in 2026 gives AQY26: three letters of the slug, the year."""
    letters = re.sub(r"[^a-z]", "", contest.slug.lower())[:3].upper() or "REG"
    return f"{letters}{local_day(contest.event_at).year % 100:02d}"


def withdraw_registration(registration: Registration, *, actor: User) -> None:
    if not registration.is_active:
        raise ServiceError(_l("This registration is no longer active."))
    if registration.contest.status not in WITHDRAWABLE_STATUSES:
        raise ServiceError(_l("Judging has started: the registration can no longer be withdrawn."))
    registration.status = RegistrationStatus.WITHDRAWN.value
    db.session.flush()
    record("registration.withdraw", registration, actor=actor, code=registration.code)


# Entries --------------------------------------------------------------------------------

def entry_is_editable(registration: Registration, now: datetime | None = None) -> bool:
    return registration.is_active and registration_is_open(registration.contest, now)


@dataclass(frozen=True)
class WorkInput:
    """One work as the participant typed it on the entry page."""

    title: str = ""
    text: str = ""
    upload: Upload | None = None
    remove_file: bool = False


def work_field(position: int, name: str) -> str:
    """The entry form's field for a work's part ("works-0-title" for work 1's title)."""
    return f"works-{position - 1}-{name}"


def save_entry(registration: Registration, *, works: list[WorkInput], video_url: str = "", actor: User,
               now: datetime | None = None) -> Entry:
    """Save the entry's works (as many as the contest asks; a draft may still be incomplete,
    see completeness.py) and its video link. A work that has text or a file needs a title."""
    if not entry_is_editable(registration, now):
        raise ServiceError(_l("Entries can be changed only while registration is open."))
    contest = registration.contest
    if len(works) != contest.works_required:
        raise ServiceError(_l("This contest asks for %(count)s works in an entry.", count=contest.works_required))
    cleaned = [_checked_work(position, work, contest.line_limit) for position, work in enumerate(works, start=1)]
    video_url = checked_video_url(video_url)
    entry = registration.entry or Entry(registration=registration)
    entry.video_url = video_url
    for position, work in enumerate(cleaned, start=1):
        _save_work(entry, position, work)
    for extra in [work for work in entry.works if work.position > contest.works_required]:
        _drop_file(extra)  # the contest now asks for fewer works
        entry.works.remove(extra)
    db.session.add(entry)
    db.session.flush()
    record("entry.save", entry, actor=actor, code=registration.code,
           works=[{"position": work.position, "has_file": work.file_name is not None} for work in entry.works])
    return entry


def _checked_work(position: int, work: WorkInput, line_limit: int | None) -> WorkInput:
    title, text = (work.title or "").strip(), _normalised_text(work.text)
    if len(title) > 300:
        raise ServiceError(_l("At most %(count)s characters.", count=300), work_field(position, "title"))
    if not title and (text or work.upload is not None):
        raise ServiceError(_l("Give the work a title (the poem's name)."), work_field(position, "title"))
    if line_limit is not None and count_lines(text) > line_limit:
        raise ServiceError(_l("The poem has %(lines)s lines; this contest allows at most %(limit)s.",
                              lines=count_lines(text), limit=line_limit), work_field(position, "text"))
    if work.upload is not None:
        try:
            check_entry_file(work.upload)
        except ServiceError as error:
            raise ServiceError(error.message, work_field(position, "file")) from None
    return WorkInput(title=title, text=text, upload=work.upload, remove_file=work.remove_file)


def _save_work(entry: Entry, position: int, work: WorkInput) -> None:
    stored = entry.work_at(position)
    if stored is None:
        if not (work.title or work.text or work.upload):
            return  # nothing typed for this work yet: no empty row
        stored = EntryWork(position=position)
        entry.works.append(stored)
    stored.title, stored.text = work.title, work.text
    if work.upload is not None:
        _store_file(stored, work.upload)
    elif work.remove_file:
        _drop_file(stored)


def _normalised_text(text: str | None) -> str:
    return "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")).strip("\n")


def checked_video_url(url: str | None) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500 or " " in url:
        raise ServiceError(_l("The video link must be a web address starting with http:// or https://."),
                           "video_url")
    return url


def _store_file(work: EntryWork, upload: Upload) -> None:
    kind = check_entry_file(upload)
    _drop_file(work)
    work.file_name = files.write_bytes(db.session, ENTRY_AREA, f".{kind}", upload.data)
    work.file_original_name = offered_name(upload.safe_name, kind)
    work.file_type = kind
    work.file_size = len(upload.data)


def _drop_file(work: EntryWork) -> None:
    files.retire(db.session, ENTRY_AREA, work.file_name)
    work.file_name, work.file_original_name, work.file_type, work.file_size = None, "", "", None
