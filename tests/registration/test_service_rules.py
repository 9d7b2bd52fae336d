"""Each registration rule at its edge, through the services: the exact refusal a person reads
(and beside which field), that a refusal writes nothing, and what is recorded when it succeeds
(the code, the status, the audit event and who acted)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.contests.models import Contest
from contest.db import utcnow
from contest.errors import ServiceError
from contest.registration import services
from contest.registration.eligibility import local_day, years_before
from contest.registration.models import Entry, EntryWork, Participant, Registration, RegistrationCounter
from contest.registration.services import WorkInput
from contest.registration.uploads import ENTRY_AREA, Upload
from tests.conftest import is_stored, stored_bytes
from tests.upload_files import plain_pdf

ADULT = {"surname": "Сейітов", "given_name": "Ерлан", "birth_date": date(1999, 5, 1)}
GUARDIAN = {"guardian_name": "Омарова Гүлнар", "guardian_phone": "+7 701 111 22 33"}


def minor(**values) -> dict:
    today = local_day(utcnow())
    return {"surname": "Омарова", "given_name": "Әйгерім", "birth_date": years_before(today, 12), **GUARDIAN,
            **values}


def refusal(call, *args, **kwargs) -> tuple[str, str | None]:
    """The refusal's text as a person reads it (English outside a request) and its field."""
    with pytest.raises(ServiceError) as refused:
        call(*args, **kwargs)
    return str(refused.value.message), refused.value.field


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def events(db) -> list[tuple]:
    return [(event.action, event.actor_id, event.object_type, event.object_id, event.data)
            for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def born_aged(contest, years: int) -> date:
    """A date of birth that makes someone exactly `years` old on the contest's event day."""
    return years_before(local_day(contest.event_at), years)


# Participants ------------------------------------------------------------------------------

def test_creating_editing_and_deleting_a_participant_is_audited_with_who_did_it(db, make_user):
    parent, librarian = make_user(), make_user()
    participant = services.create_participant(parent, ADULT, consent=False, actor=librarian)
    assert participant.account_id == parent.id
    services.update_participant(participant, {**ADULT, "school": "Лицей № 3"}, consent=False, actor=parent)
    assert participant.school == "Лицей № 3"
    number = participant.id
    services.delete_participant(participant, actor=parent)
    assert db.session.get(Participant, number) is None
    assert events(db) == [("participant.create", librarian.id, "Participant", number, {}),
                          ("participant.update", parent.id, "Participant", number, {}),
                          ("participant.delete", parent.id, "Participant", number, {})]


def test_a_participant_with_a_registration_stays_and_the_refusal_says_what_to_do(db, make_registration):
    registration = make_registration(status="withdrawn")  # even a withdrawn one keeps the person
    participant = registration.participant
    assert refusal(services.delete_participant, participant, actor=participant.account) == (
        "This participant has registrations, so they cannot be deleted. Withdraw the registrations instead.", None)
    assert db.session.get(Participant, participant.id) is participant and events(db) == []


@pytest.mark.parametrize("missing", ["guardian_name", "guardian_phone"])
def test_a_minor_without_a_guardian_is_refused_beside_the_missing_field(db, make_user, missing):
    parent = make_user()
    assert refusal(services.create_participant, parent, minor(**{missing: "  "}), consent=True, actor=parent) == (
        "A participant under 18 needs a parent or guardian: fill in their name and phone.", missing)
    assert count(db, Participant) == 0 and events(db) == []


def test_a_minor_without_the_ticked_consent_is_refused_beside_the_box(db, make_user):
    parent = make_user()
    assert refusal(services.create_participant, parent, minor(), consent=False, actor=parent) == (
        "A participant under 18 can only be registered with the consent of a parent or guardian: "
        "tick the consent box.", "consent")
    assert count(db, Participant) == 0


def test_an_adult_needs_no_guardian_and_a_ticked_box_records_no_consent(db, make_user):
    account = make_user()
    participant = services.create_participant(account, ADULT, consent=True, actor=account)
    assert (participant.consent_at, participant.consent_version, participant.consent_by_id) == (None, None, None)
    assert (participant.guardian_name, participant.guardian_phone) == ("", "")


def test_a_standing_consent_keeps_its_giver_and_a_withdrawn_one_can_be_given_again(db, make_user):
    parent, teacher = make_user(), make_user()
    participant = services.create_participant(parent, minor(), consent=True, actor=parent)
    given_at = participant.consent_at
    services.update_participant(participant, minor(school="Лицей № 3"), consent=True, actor=teacher)
    assert (participant.consent_at, participant.consent_by_id) == (given_at, parent.id)

    services.withdraw_consent(participant, actor=parent)
    withdrawn_at = participant.consent_withdrawn_at
    assert withdrawn_at is not None and not participant.has_consent
    services.update_participant(participant, minor(), consent=False, actor=parent)
    assert participant.consent_withdrawn_at == withdrawn_at  # editing does not bring it back
    services.update_participant(participant, minor(), consent=True, actor=teacher)
    assert participant.has_consent and participant.consent_withdrawn_at is None
    assert participant.consent_by_id == teacher.id and participant.consent_version == services.CONSENT_VERSION
    assert [action for action, *_ in events(db)] == [
        "participant.create", "participant.update", "participant.consent_withdrawn", "participant.update",
        "participant.update"]


def test_there_is_no_consent_to_withdraw_for_an_adult_or_twice(db, make_user):
    account = make_user()
    adult = services.create_participant(account, ADULT, consent=False, actor=account)
    assert refusal(services.withdraw_consent, adult, actor=account) == ("There is no consent to withdraw.", None)
    child = services.create_participant(account, minor(), consent=True, actor=account)
    services.withdraw_consent(child, actor=account)
    first = child.consent_withdrawn_at
    assert refusal(services.withdraw_consent, child, actor=account) == ("There is no consent to withdraw.", None)
    assert child.consent_withdrawn_at == first
    withdrawals = [event for event in events(db) if event[0] == "participant.consent_withdrawn"]
    assert withdrawals == [("participant.consent_withdrawn", account.id, "Participant", child.id, {})]


def test_a_guardian_is_needed_until_the_eighteenth_birthday():
    birth = date(2010, 3, 15)
    assert services.needs_guardian(birth, date(2028, 3, 14))
    assert not services.needs_guardian(birth, date(2028, 3, 15))
    assert not services.needs_guardian(None, date(2028, 3, 14))
    assert services.needs_guardian(years_before(local_day(utcnow()), 18) + timedelta(days=1))
    assert not services.needs_guardian(years_before(local_day(utcnow()), 18))


TEXT_FIELDS = [("surname", 100), ("given_name", 100), ("patronymic", 100), ("school", 200), ("district", 120),
               ("teacher", 200), ("guardian_name", 200)]


@pytest.mark.parametrize(("field", "limit"), TEXT_FIELDS)
def test_each_text_field_takes_its_limit_and_not_one_character_more(db, make_user, field, limit):
    account = make_user()
    participant = services.create_participant(account, {**ADULT, field: "а" * limit}, consent=False, actor=account)
    assert getattr(participant, field) == "а" * limit
    assert refusal(services.update_participant, participant, {**ADULT, field: "а" * (limit + 1)}, consent=False,
                   actor=account) == (f"At most {limit} characters.", field)
    assert getattr(participant, field) == "а" * limit


@pytest.mark.parametrize("field", ["phone", "guardian_phone"])
def test_phone_numbers_take_forty_characters_and_only_digits_and_separators(db, make_user, field):
    account = make_user()
    message = "Write the phone number with digits, for example +7 701 123 45 67."
    assert refusal(services.create_participant, account, {**ADULT, field: "7" * 41}, consent=False,
                   actor=account) == ("At most 40 characters.", field)
    for wrong in ("call me", "12345", "7" * 26, "+7 701 123 45 67 ext"):
        assert refusal(services.create_participant, account, {**ADULT, field: wrong}, consent=False,
                       actor=account) == (message, field)
    assert count(db, Participant) == 0
    for right in ("123456", "7" * 25, "+7 (701) 123-45-67"):
        assert getattr(services.create_participant(account, {**ADULT, field: right}, consent=False, actor=account),
                       field) == right


def test_every_text_is_trimmed_and_a_missing_one_is_empty(db, make_user):
    account = make_user()
    values = {name: f"  {name[:3]}1  " for name in services.TEXT_LIMITS if "phone" not in name}
    values.update(phone=" +7 701 000 00 01 ", guardian_phone=None, birth_date=date(1990, 1, 1))
    participant = services.create_participant(account, values, consent=False, actor=account)
    for name in values:
        if name not in ("phone", "guardian_phone", "birth_date"):
            assert getattr(participant, name) == f"{name[:3]}1"
    assert (participant.phone, participant.guardian_phone) == ("+7 701 000 00 01", "")
    bare = services.create_participant(account, {"surname": "Ли", "given_name": "Ан"}, consent=False, actor=account)
    assert (bare.patronymic, bare.school, bare.birth_date, bare.grade) == ("", "", None, None)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("surname", None, "This field is required."),
    ("given_name", "   ", "This field is required."),
    ("given_name", "Ерлан\x07", "Remove the control characters from this field."),
    ("teacher", "Айгүл\nапай", "Remove the control characters from this field."),
    ("birth_date", "1999-05-01", "Not a valid date."),
    ("birth_date", local_day(utcnow()) + timedelta(days=1), "The date of birth cannot be in the future."),
    ("grade", "7", "The grade is a number from 1 to 11 (12 for some schools)."),
    ("grade", 0, "The grade is a number from 1 to 11 (12 for some schools)."),
    ("grade", 13, "The grade is a number from 1 to 11 (12 for some schools)."),
])
def test_wrong_participant_data_gets_its_exact_message_beside_its_field(db, make_user, field, value, message):
    account = make_user()
    assert refusal(services.create_participant, account, {**ADULT, field: value}, consent=False,
                   actor=account) == (message, field)
    assert count(db, Participant) == 0 and events(db) == []


@pytest.mark.parametrize(("value", "kept"), [(1, 1), (12, 12), ("", None), (None, None)])
def test_grades_one_to_twelve_are_kept_and_an_empty_grade_is_none(db, make_user, value, kept):
    account = make_user()
    participant = services.create_participant(account, {**ADULT, "grade": value, "birth_date": ""}, consent=False,
                                              actor=account)
    assert (participant.grade, participant.birth_date) == (kept, None)


def test_a_removed_participant_cannot_be_edited_or_registered(db, make_participant, open_contest):
    participant = make_participant(surname="Сейітов")
    participant.anonymised_at = datetime.now(UTC)
    contest = open_contest()
    message = ("This participant's data was removed at the account's request.", None)
    assert refusal(services.update_participant, participant, ADULT, consent=False, actor=participant.account) == message
    assert participant.surname == "Сейітов"
    assert refusal(services.register, participant, contest, contest.categories[0],
                   actor=participant.account) == message
    assert count(db, Registration) == 0 and events(db) == []


# Registering --------------------------------------------------------------------------------

def test_the_registration_window_includes_its_opening_and_excludes_its_closing(make_contest):
    opens = datetime(2026, 11, 1, 4, tzinfo=UTC)
    closes = datetime(2026, 12, 1, 4, tzinfo=UTC)
    contest = make_contest(status="registration_open", registration_opens_at=opens, registration_closes_at=closes)
    tick = timedelta(microseconds=1)
    assert [services.registration_is_open(contest, moment) for moment in (opens - tick, opens, closes - tick, closes)] \
        == [False, True, True, False]
    contest.status = "registration_closed"
    assert not services.registration_is_open(contest, opens + tick)
    now = datetime.now(UTC)
    contest.status, contest.registration_opens_at, contest.registration_closes_at = (
        "registration_open", now - timedelta(hours=1), now + timedelta(hours=1))
    assert services.registration_is_open(contest)  # without a moment: now


def test_a_teacher_registering_a_pupil_is_recorded_as_the_one_who_registered(db, make_user, make_participant,
                                                                            open_contest):
    contest = open_contest(slug="aqynfest-2026", event_at=datetime(2026, 12, 20, 6, tzinfo=UTC),
                           registration_opens_at=datetime(2026, 11, 1, tzinfo=UTC),
                           registration_closes_at=datetime(2026, 12, 10, tzinfo=UTC))
    teacher = make_user()
    pupil = make_participant()
    registration = services.register(pupil, contest, contest.categories[0], actor=teacher,
                                     now=datetime(2026, 11, 26, tzinfo=UTC))
    assert (registration.code, registration.number, registration.status, registration.registered_by_id,
            registration.participant_id, registration.category_id) == (
        "AQY26-0001", 1, "pending", teacher.id, pupil.id, contest.categories[0].id)
    assert db.session.get(RegistrationCounter, contest.id).last_number == 1
    assert events(db) == [("registration.create", teacher.id, "Registration", registration.id,
                           {"code": "AQY26-0001"})]


@pytest.mark.parametrize(("slug", "event_at", "prefix"), [
    ("Aqyn-Fest", datetime(2026, 6, 1, 6, tzinfo=UTC), "AQY26"),
    ("12-days-of-verse", datetime(2005, 6, 1, 6, tzinfo=UTC), "DAY05"),
    ("2027", datetime(2027, 6, 1, 6, tzinfo=UTC), "REG27"),
    ("ab", datetime(2030, 6, 1, 6, tzinfo=UTC), "AB30"),
    # 20:00 UTC on New Year's Eve is already 1 January in Almaty: the event's year is 2027.
    ("poetry", datetime(2026, 12, 31, 20, tzinfo=UTC), "POE27"),
])
def test_the_code_prefix_is_three_letters_of_the_slug_and_the_local_year(slug, event_at, prefix):
    assert services.code_prefix(Contest(slug=slug, event_at=event_at)) == prefix


def test_a_prefix_taken_by_another_contest_gets_the_contest_id(db, make_participant, open_contest):
    event = datetime(2027, 6, 1, 6, tzinfo=UTC)
    first = open_contest(slug="aqynfest-poetry", event_at=event)
    second = open_contest(slug="aqynfest-prose", event_at=event)
    person = make_participant()
    services.register(person, first, first.categories[0], actor=person.account)
    services.register(make_participant(), first, first.categories[0], actor=person.account)
    other = services.register(person, second, second.categories[0], actor=person.account)
    assert other.code == f"AQY27{second.id}-0001"
    assert {row.contest_id: (row.prefix, row.last_number) for row in db.session.scalars(
        select(RegistrationCounter))} == {first.id: ("AQY27", 2), second.id: (f"AQY27{second.id}", 1)}


def test_refusals_before_a_place_is_taken_name_the_field(db, make_participant, open_contest):
    contest, other = open_contest(), open_contest()
    person = make_participant()
    assert refusal(services.register, person, contest, other.categories[0], actor=person.account) == (
        "Choose one of this contest's categories.", "category")
    contest.status = "registration_closed"
    assert refusal(services.register, person, contest, contest.categories[0], actor=person.account) == (
        "Registration for this contest is not open.", None)
    assert count(db, Registration) == 0 and count(db, RegistrationCounter) == 0


@pytest.mark.parametrize("status", ["pending", "approved", "rejected"])
def test_a_second_registration_is_refused_with_the_persons_name(db, make_participant, make_registration,
                                                                open_contest, status):
    contest = open_contest()
    person = make_participant(surname="Сейітов", given_name="Ерлан")
    make_registration(contest, person, status=status)
    assert refusal(services.register, person, contest, contest.categories[0], actor=person.account) == (
        "Сейітов Ерлан is already registered for this contest.", "participant")
    assert count(db, Registration) == 1


def test_coming_back_after_a_withdrawal_starts_over_in_the_new_category(db, make_user, make_participant,
                                                                        make_category, open_contest):
    contest = open_contest()
    poetry, prose = contest.categories[0], make_category(contest)
    moderator = make_user(role="organiser")
    person = make_participant()
    registration = services.register(person, contest, poetry, actor=person.account)
    services.withdraw_registration(registration, actor=person.account)
    registration.decision_reason, registration.decided_at, registration.decided_by_id = (
        "Old note", datetime.now(UTC), moderator.id)
    again = services.register(person, contest, prose, actor=person.account)
    assert again.id == registration.id
    assert (again.status, again.category_id, again.decision_reason, again.decided_at, again.decided_by_id) == (
        "pending", prose.id, "", None, None)
    # The code was kept, so the next new registration takes the next number, not a repeated one.
    assert services.register(make_participant(), contest, poetry, actor=person.account).number == 2
    assert [data for action, _actor, _type, _id, data in events(db) if action == "registration.create"] == [
        {"code": registration.code}, {"code": registration.code}, {"code": again.code[:-1] + "2"}]


def test_coming_back_to_a_full_contest_is_refused(db, make_participant, make_registration, open_contest):
    contest = open_contest(capacity=1)
    person = make_participant()
    mine = make_registration(contest, person, status="withdrawn")
    make_registration(contest)
    assert refusal(services.register, person, contest, contest.categories[0], actor=person.account)[0] == (
        "Sorry, the contest is full: all 1 places are taken.")
    assert mine.status == "withdrawn"


def test_the_contest_limits_are_refused_beside_the_participant(db, make_participant, open_contest):
    contest = open_contest(max_age=13)
    too_old = make_participant(birth_date=born_aged(contest, 14))
    assert refusal(services.register, too_old, contest, contest.categories[0], actor=too_old.account) == (
        "On the day of the contest the participant will be 14; the oldest allowed age is 13.", "participant")
    young = open_contest(min_age=10)
    too_young = make_participant(birth_date=born_aged(young, 10) + timedelta(days=1))
    assert refusal(services.register, too_young, young, young.categories[0], actor=too_young.account) == (
        "On the day of the contest the participant will be 9; the youngest allowed age is 10.", "participant")
    assert count(db, Registration) == 0
    assert services.register(make_participant(birth_date=born_aged(young, 10)), young, young.categories[0],
                             actor=too_young.account).status == "pending"


def test_consent_is_needed_for_whoever_is_under_18_on_the_event_day(db, make_participant, open_contest):
    contest = open_contest()
    # Seventeen today, eighteen on the event day: an adult for this contest, no consent needed.
    turning_18 = make_participant(birth_date=born_aged(contest, 18), consent_at=None)
    assert services.needs_guardian(turning_18.birth_date)
    assert services.register(turning_18, contest, contest.categories[0], actor=turning_18.account).status == "pending"
    still_17 = make_participant(surname="Омарова", given_name="Әйгерім",
                                birth_date=born_aged(contest, 18) + timedelta(days=1), consent_at=None)
    assert refusal(services.register, still_17, contest, contest.categories[0], actor=still_17.account) == (
        "Омарова Әйгерім is under 18 on the day of the contest: a parent's or guardian's consent is needed first "
        "(edit the participant).", "participant")
    assert count(db, Registration) == 1


def test_the_last_place_can_be_taken_and_then_the_contest_is_full(db, make_participant, make_registration,
                                                                  open_contest):
    contest, other = open_contest(capacity=3), open_contest()
    make_registration(contest, status="approved")
    make_registration(contest, status="rejected")  # a rejected registration frees its place
    make_registration(contest)
    make_registration(other)  # another contest's registrations take none of this one's places
    last = make_participant()
    services.register(last, contest, contest.categories[0], actor=last.account)
    late = make_participant()
    assert refusal(services.register, late, contest, contest.categories[0], actor=late.account) == (
        "Sorry, the contest is full: all 3 places are taken.", None)
    assert count(db, Registration) == 5


def test_a_school_takes_its_quota_and_no_more(db, make_participant, make_registration, open_contest):
    contest, other = open_contest(school_quota=2), open_contest()
    make_registration(contest, make_participant(school="Гимназия № 12"))
    make_registration(contest, make_participant(school="Гимназия № 12"), status="withdrawn")
    make_registration(other, make_participant(school="Гимназия № 12"))
    make_registration(contest, make_participant(school="Лицей № 3"))
    second = make_participant(school="ГИМНАЗИЯ № 12")
    services.register(second, contest, contest.categories[0], actor=second.account)
    third = make_participant(school="гимназия  № 12")
    assert refusal(services.register, third, contest, contest.categories[0], actor=third.account) == (
        "This school has already used all of its 2 places in the contest.", "participant")
    assert count(db, Registration) == 5


def test_participants_without_a_school_are_not_held_to_a_school_quota(db, make_participant, make_registration,
                                                                      open_contest):
    contest = open_contest(school_quota=1)
    make_registration(contest, make_participant(school=""))
    homeschooled = make_participant(school="  ")
    assert services.register(homeschooled, contest, contest.categories[0], actor=homeschooled.account)


def test_school_names_are_compared_without_case_or_extra_spaces():
    assert services.normalised_school("  Гимназия   № 12 ") == "гимназия № 12"
    assert services.normalised_school("SCHOOL\tNo. 12") == "school no. 12"
    assert services.normalised_school(None) == ""


# Changing the category ----------------------------------------------------------------------

@pytest.fixture
def two_groups(open_contest, make_category):
    contest = open_contest(event_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=60))
    young = make_category(contest, name_en="Ages 14–18", min_age=14, max_age=18)
    older = make_category(contest, name_en="Ages 19–29", min_age=19, max_age=29)
    return contest, young, older


def test_the_participant_moves_to_another_category_while_registration_is_open(db, two_groups, make_participant,
                                                                              make_registration):
    contest, young, _older = two_groups
    registration = make_registration(contest, make_participant(birth_date=born_aged(contest, 16)))
    old = registration.category_id
    account = registration.participant.account
    services.change_category(registration, young, actor=account)
    assert registration.category_id == young.id
    assert events(db) == [("registration.category", account.id, "Registration", registration.id,
                           {"code": registration.code, "old": old, "new": young.id})]


def test_a_category_change_is_refused_with_its_reason_and_nothing_moves(db, two_groups, make_participant,
                                                                        make_registration, open_contest):
    contest, young, older = two_groups
    registration = make_registration(contest, make_participant(birth_date=born_aged(contest, 16)), category=young)
    account = registration.participant.account
    assert refusal(services.change_category, registration, young, actor=account) == (
        "The registration is already in this category.", "category")
    assert refusal(services.change_category, registration, open_contest().categories[0], actor=account) == (
        "Choose one of this contest's categories.", "category")
    assert refusal(services.change_category, registration, older, actor=account) == (
        "This category accepts participants aged at least 19 and at most 29 on the day of the contest. "
        "The participant's age on that day: 16.", "category")
    contest.status = "judging"
    assert refusal(services.change_category, registration, contest.categories[0], actor=account) == (
        "The category can be changed only while registration is open.", "category")
    assert refusal(services.change_category, registration, contest.categories[0], actor=account,
                   as_organiser=True) == ("Judging has started: the category can no longer be changed.", "category")
    contest.status = "archived"
    assert refusal(services.change_category, registration, contest.categories[0], actor=account,
                   as_organiser=True) == ("This contest is archived: nothing in it can change any more.", None)
    assert registration.category_id == young.id and events(db) == []


def test_a_withdrawn_or_removed_registration_keeps_its_category(db, two_groups, make_participant, make_registration):
    contest, young, _older = two_groups
    withdrawn = make_registration(contest, make_participant(birth_date=born_aged(contest, 16)), status="withdrawn")
    assert refusal(services.change_category, withdrawn, young, actor=None, as_organiser=True) == (
        "This registration is no longer active.", None)
    removed = make_registration(contest, make_participant(birth_date=born_aged(contest, 16)))
    removed.participant.anonymised_at = datetime.now(UTC)
    assert refusal(services.change_category, removed, young, actor=None, as_organiser=True) == (
        "This participant's data was removed at the account's request.", None)
    assert withdrawn.category_id == removed.category_id == contest.categories[0].id


def test_the_organiser_may_change_the_category_after_the_window_closes(db, two_groups, make_participant,
                                                                       make_registration, make_user):
    contest, young, _older = two_groups
    organiser = make_user(role="organiser")
    registration = make_registration(contest, make_participant(birth_date=born_aged(contest, 16)), status="approved")
    contest.registration_closes_at = datetime.now(UTC) - timedelta(days=1)
    assert refusal(services.change_category, registration, young, actor=registration.participant.account)[0] == (
        "The category can be changed only while registration is open.")
    services.change_category(registration, young, actor=organiser, as_organiser=True)
    assert registration.category_id == young.id and events(db)[0][:2] == ("registration.category", organiser.id)


def test_the_outside_list_gives_each_registration_all_its_reasons_in_number_order(db, make_category,
                                                                                 make_participant,
                                                                                 make_registration, open_contest):
    contest = open_contest(event_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=60))
    pupils = make_category(contest, min_age=10, max_age=14, min_grade=5, max_grade=8)
    free = contest.categories[0]
    older = make_registration(contest, make_participant(birth_date=born_aged(contest, 16), grade=10),
                              category=pupils)
    fitting = make_registration(contest, make_participant(birth_date=born_aged(contest, 12), grade=6),
                                category=pupils)
    no_grade = make_registration(contest, make_participant(birth_date=born_aged(contest, 15)), category=pupils,
                                 status="approved")
    make_registration(contest, make_participant(birth_date=born_aged(contest, 30)), category=pupils,
                      status="rejected")
    make_registration(contest, make_participant(birth_date=born_aged(contest, 30)), category=free)
    older.number = 100  # listed by number (the code's order), not in the order they were made
    db.session.commit()
    outside = services.registrations_outside_limits(contest)
    assert list(outside) == [pupils.id]
    assert [(registration, reason) for registration, reason in outside[pupils.id]] == [
        (no_grade, "This category accepts participants aged at least 10 and at most 14 on the day of the contest. "
                   "The participant's age on that day: 15. This category accepts school students by grade: add the "
                   "participant's grade first."),
        (older, "This category accepts participants aged at least 10 and at most 14 on the day of the contest. "
                "The participant's age on that day: 16. This category accepts school students of grade at least 5 "
                "and at most 8. The participant's grade: 10.")]
    assert fitting not in [registration for registration, _reason in outside[pupils.id]]


def test_without_limited_categories_nobody_is_outside(db, make_participant, make_registration, open_contest,
                                                      count_queries):
    contest = open_contest()
    make_registration(contest, make_participant(birth_date=born_aged(contest, 70)))
    db.session.expire_all()
    contest.categories  # noqa: B018 (loaded before counting)
    with count_queries() as log:
        assert services.registrations_outside_limits(contest) == {}
    assert log.count == 0


# Withdrawal ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("contest_status", "registration_status"), [
    ("registration_open", "pending"), ("registration_closed", "approved")])
def test_a_registration_can_be_withdrawn_until_judging_starts(db, make_registration, contest_status,
                                                               registration_status):
    registration = make_registration(status=registration_status)
    registration.contest.status = contest_status
    account = registration.participant.account
    services.withdraw_registration(registration, actor=account)
    assert registration.status == "withdrawn"
    assert events(db) == [("registration.withdraw", account.id, "Registration", registration.id,
                           {"code": registration.code})]


@pytest.mark.parametrize(("contest_status", "registration_status", "message"), [
    ("registration_open", "withdrawn", "This registration is no longer active."),
    ("registration_open", "rejected", "This registration is no longer active."),
    ("judging", "approved", "Judging has started: the registration can no longer be withdrawn."),
    ("results_published", "approved", "Judging has started: the registration can no longer be withdrawn."),
])
def test_a_withdrawal_is_refused_with_its_reason(db, make_registration, contest_status, registration_status,
                                                 message):
    registration = make_registration(status=registration_status)
    registration.contest.status = contest_status
    assert refusal(services.withdraw_registration, registration, actor=registration.registered_by) == (message, None)
    assert registration.status == registration_status and events(db) == []


# Entries ------------------------------------------------------------------------------------

def test_an_entry_is_editable_only_while_active_and_open(db, make_registration):
    registration = make_registration()
    closes = registration.contest.registration_closes_at
    assert services.entry_is_editable(registration)
    assert not services.entry_is_editable(registration, closes)
    registration.status = "withdrawn"
    assert not services.entry_is_editable(registration)
    assert refusal(services.save_entry, registration, works=[WorkInput("Дала", "a")],
                   actor=registration.registered_by) == ("Entries can be changed only while registration is open.",
                                                        None)
    assert count(db, Entry) == 0


def test_an_entry_must_have_as_many_works_as_the_contest_asks(db, make_registration, open_contest):
    registration = make_registration(open_contest(works_required=2))
    assert refusal(services.save_entry, registration, works=[WorkInput("Дала", "a")] * 3,
                   actor=registration.registered_by) == ("This contest asks for 2 works in an entry.", None)
    assert count(db, Entry) == 0


def test_a_title_takes_300_characters_and_a_file_needs_one(db, make_registration, open_contest):
    registration = make_registration(open_contest(works_required=2))
    account = registration.registered_by
    assert refusal(services.save_entry, registration, works=[WorkInput("Дала"), WorkInput("ө" * 301)],
                   actor=account) == ("At most 300 characters.", "works-1-title")
    assert refusal(services.save_entry, registration,
                   works=[WorkInput(" ", upload=Upload("poem.txt", "Өлең".encode())), WorkInput()],
                   actor=account) == ("Give the work a title (the poem's name).", "works-0-title")
    assert count(db, Entry) == 0
    entry = services.save_entry(registration, works=[WorkInput(), WorkInput(" " + "ө" * 300 + " ")], actor=account)
    assert [(work.position, work.title) for work in entry.works] == [(2, "ө" * 300)]


def test_a_poem_may_have_exactly_the_line_limit(db, make_registration, open_contest):
    registration = make_registration(open_contest(line_limit=3, works_required=2))
    account = registration.registered_by
    entry = services.save_entry(registration, works=[WorkInput("Бір", "a\nb\n\nc"), WorkInput()], actor=account)
    assert entry.works[0].line_count == 3
    assert refusal(services.save_entry, registration, works=[WorkInput("Бір", "a"), WorkInput("Екі", "a\nb\nc\nd")],
                   actor=account) == ("The poem has 4 lines; this contest allows at most 3.", "works-1-text")
    unlimited = make_registration(open_contest())
    poem = "\n".join(f"line {number}" for number in range(200))
    assert services.save_entry(unlimited, works=[WorkInput("Ұзын", poem)], actor=account).works[0].line_count == 200


def test_a_refused_file_in_the_second_work_is_named_beside_that_work(db, make_registration, open_contest):
    registration = make_registration(open_contest(works_required=2))
    assert refusal(services.save_entry, registration,
                   works=[WorkInput("Бір", "a"), WorkInput("Екі", upload=Upload("poem.txt", b""))],
                   actor=registration.registered_by) == ("The file is empty.", "works-1-file")
    assert count(db, Entry) == 0 and count(db, EntryWork) == 0


def test_the_text_keeps_its_lines_without_trailing_spaces_or_blank_ends(db, make_registration):
    registration = make_registration()
    entry = services.save_entry(registration, works=[WorkInput("Дала", "\r\n\n  Бірінші жол  \r\nекінші\t\n\n\n")],
                                actor=registration.registered_by)
    assert entry.works[0].text == "  Бірінші жол\nекінші"
    entry = services.save_entry(registration, works=[WorkInput("Дала", None)], actor=registration.registered_by)
    assert entry.works[0].text == ""


def test_saving_again_updates_the_work_and_keeps_its_file(db, make_registration):
    registration = make_registration()
    account = registration.registered_by
    pdf = plain_pdf()
    entry = services.save_entry(registration, works=[WorkInput("Дала", upload=Upload("my poem.pdf", pdf))],
                                video_url=" https://youtu.be/x ", actor=account)
    db.session.commit()
    work = entry.works[0]
    stored = work.file_name
    assert (work.file_original_name, work.file_type, work.file_size, entry.video_url) == (
        "my poem.pdf", "pdf", len(pdf), "https://youtu.be/x")
    services.save_entry(registration, works=[WorkInput("Дала (жаңа)", "Жаңа жол")], actor=account)
    db.session.commit()
    assert (work.id, work.title, work.text, work.file_name, entry.video_url) == (
        entry.works[0].id, "Дала (жаңа)", "Жаңа жол", stored, "")
    assert stored_bytes(ENTRY_AREA, stored) == pdf
    services.save_entry(registration, works=[WorkInput("Дала (жаңа)", remove_file=True)], actor=account)
    db.session.commit()
    assert (work.file_name, work.file_original_name, work.file_type, work.file_size) == (None, "", "", None)
    assert not is_stored(ENTRY_AREA, stored)


def test_saving_an_entry_is_audited_with_which_works_have_files(db, make_registration, open_contest):
    registration = make_registration(open_contest(works_required=3))
    account = registration.participant.account
    entry = services.save_entry(registration, works=[
        WorkInput("Бір", "a"), WorkInput(), WorkInput("Үш", upload=Upload("poem.txt", "Өлең".encode()))],
        actor=account)
    assert events(db) == [("entry.save", account.id, "Entry", entry.id, {
        "code": registration.code, "works": [{"position": 1, "has_file": False}, {"position": 3, "has_file": True}]})]


def test_when_the_contest_asks_for_fewer_works_the_extra_ones_and_their_files_go(db, make_registration,
                                                                                open_contest):
    contest = open_contest(works_required=3)
    registration = make_registration(contest)
    account = registration.registered_by
    text_file = Upload("poem.txt", "Өлең".encode())
    entry = services.save_entry(registration, works=[WorkInput("Бір", "a"), WorkInput("Екі", upload=text_file),
                                                     WorkInput("Үш", upload=text_file)], actor=account)
    db.session.commit()
    dropped = [work.file_name for work in entry.works[1:]]
    contest.works_required = 1
    services.save_entry(registration, works=[WorkInput("Бір", "a")], actor=account)
    db.session.commit()
    assert [work.title for work in entry.works] == ["Бір"] and count(db, EntryWork) == 1
    assert not any(is_stored(ENTRY_AREA, name) for name in dropped)


@pytest.mark.parametrize(("url", "kept"), [
    ("", ""), ("   ", ""), (None, ""), (" http://video.kz/a ", "http://video.kz/a"),
    ("https://video.kz/" + "a" * 483, "https://video.kz/" + "a" * 483),
])
def test_video_links_are_trimmed_and_may_be_500_characters(url, kept):
    assert services.checked_video_url(url) == kept


@pytest.mark.parametrize("url", ["https://video.kz/" + "a" * 484, "https://video.kz/my video", "https:///path",
                                 "video.kz/watch", "mailto:a@b.kz"])
def test_other_video_links_are_refused_beside_the_field(app, url):
    assert refusal(services.checked_video_url, url) == (
        "The video link must be a web address starting with http:// or https://.", "video_url")


def test_the_work_fields_are_numbered_from_zero_on_the_form():
    assert services.work_field(1, "title") == "works-0-title"
    assert services.work_field(3, "file") == "works-2-file"


def test_refusals_read_in_kazakh_on_kazakh_pages(db, make_participant, make_registration, open_contest):
    contest = open_contest(capacity=1)
    make_registration(contest)
    person = make_participant()
    with force_locale("kk"):
        message, field = refusal(services.register, person, contest, contest.categories[0], actor=person.account)
    assert field is None and "1" in message and "contest is full" not in message


CONSENT_EN = ("I am the parent or legal guardian of this participant. I agree that they take part in the contest, that "
              "the library keeps the data in this form for running the contest, and that their name, school, grade and "
              "place are published with the results. I can withdraw this consent at any time; the name then "
              "disappears from the public pages.")
CONSENT_KK = ("Мен осы қатысушының ата-анасымын немесе заңды өкілімін. Оның байқауға қатысуына, кітапхананың осы "
              "формадағы деректерді байқауды өткізу үшін сақтауына және оның аты-жөні, мектебі, сыныбы мен орны "
              "нәтижелермен бірге жариялануына келісемін. Бұл келісімді кез келген уақытта кері қайтара аламын; "
              "сонда аты-жөні жария беттерден алынып тасталады.")


@pytest.mark.parametrize(("language", "text"), [("kk", CONSENT_KK), ("en", CONSENT_EN)])
def test_the_guardian_reads_the_whole_consent_text_in_the_pages_language(client, login_as, language, text):
    login_as("participant")
    html = client.get("/my/participants/new", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'id="consent-text">{text}</div>' in html


def test_a_poem_keeps_its_first_and_last_letters(db, make_registration):
    registration = make_registration()
    entry = services.save_entry(registration, works=[WorkInput("Хат", "XX ғасыр\nжол X")],
                                actor=registration.registered_by)
    assert entry.works[0].text == "XX ғасыр\nжол X"
