"""Registration rules through the services: participants and consent, registering, entries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.contests.models import Contest
from contest.db import utcnow
from contest.errors import ServiceError
from contest.judging.models import JuryMember
from contest.registration import services
from contest.registration.completeness import entry_completeness
from contest.registration.eligibility import local_day
from contest.registration.models import Entry, Participant, Registration
from contest.registration.services import WorkInput
from contest.registration.uploads import ENTRY_AREA, Upload
from tests.conftest import is_stored, stored_bytes, stored_names
from tests.upload_files import plain_pdf

ADULT = {"surname": "Сейітов", "given_name": "Ерлан", "birth_date": date(1999, 5, 1), "school": ""}


def pupil(**values):
    """A 12-year-old with a guardian."""
    today = local_day(utcnow())
    return {"surname": "Омарова", "given_name": "Әйгерім", "patronymic": "Қайратқызы",
            "birth_date": today.replace(year=today.year - 12) - timedelta(days=30),
            "school": "Гимназия № 12", "grade": 6, "guardian_name": "Омарова Гүлнар",
            "guardian_phone": "+7 701 111 22 33", **values}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Participants and consent ---------------------------------------------------------------

def test_names_are_kept_apart_and_exactly_as_typed(db, make_user):
    teacher = make_user()
    participant = services.create_participant(teacher, pupil(surname="  Омарова "), consent=True, actor=teacher)
    assert (participant.surname, participant.given_name, participant.patronymic) == (
        "Омарова", "Әйгерім", "Қайратқызы")
    assert participant.full_name == "Омарова Әйгерім Қайратқызы"


def test_a_minor_needs_a_guardian_and_a_recorded_consent(db, make_user):
    teacher = make_user()
    with pytest.raises(ServiceError, match="consent") as refused:
        services.create_participant(teacher, pupil(), consent=False, actor=teacher)
    assert refused.value.field == "consent"
    with pytest.raises(ServiceError, match="guardian") as refused:
        services.create_participant(teacher, pupil(guardian_phone=""), consent=True, actor=teacher)
    assert refused.value.field == "guardian_phone"
    assert count(db, Participant) == 0

    participant = services.create_participant(teacher, pupil(), consent=True, actor=teacher)
    assert participant.consent_by_id == teacher.id
    assert participant.consent_version == services.CONSENT_VERSION
    assert participant.consent_at is not None and participant.has_consent


def test_an_adult_needs_no_guardian(db, make_user):
    account = make_user()
    participant = services.create_participant(account, ADULT, consent=False, actor=account)
    assert participant.consent_at is None and participant.may_be_named_publicly


@pytest.mark.parametrize(("field", "value", "message"), [
    ("surname", "   ", "required"),
    ("given_name", "A" * 101, "At most 100"),
    ("phone", "call me", "digits"),
    ("birth_date", local_day(utcnow()) + timedelta(days=1), "cannot be in the future"),
    ("grade", 13, "grade"),
    ("school", "School\x00", "control characters"),
])
def test_bad_participant_data_is_refused_beside_its_field(db, make_user, field, value, message):
    account = make_user()
    with pytest.raises(ServiceError, match=message) as refused:
        services.create_participant(account, {**ADULT, field: value}, consent=False, actor=account)
    assert refused.value.field == field
    assert count(db, Participant) == 0


def test_withdrawing_consent_hides_the_name_and_stops_new_registrations(db, make_user, open_contest):
    teacher = make_user()
    participant = services.create_participant(teacher, pupil(), consent=True, actor=teacher)
    services.withdraw_consent(participant, actor=teacher)
    assert not participant.may_be_named_publicly
    contest = open_contest()
    with pytest.raises(ServiceError, match="consent is needed"):
        services.register(participant, contest, contest.categories[0], actor=teacher)
    # Other details can still be corrected; the consent stays withdrawn.
    services.update_participant(participant, pupil(school="Лицей № 3"), consent=False, actor=teacher)
    assert participant.school == "Лицей № 3" and not participant.has_consent


def test_a_participant_with_registrations_cannot_be_deleted(db, make_registration):
    registration = make_registration()
    with pytest.raises(ServiceError, match="has registrations"):
        services.delete_participant(registration.participant, actor=registration.registered_by)


# Registering ----------------------------------------------------------------------------

def test_registration_gets_a_readable_code_from_the_contest(db, make_participant, open_contest):
    contest = open_contest(slug="aqynfest-2026", event_at=datetime(2026, 12, 20, 6, tzinfo=UTC),
                           registration_opens_at=datetime(2026, 11, 1, tzinfo=UTC),
                           registration_closes_at=datetime(2026, 12, 10, tzinfo=UTC))
    now = datetime(2026, 11, 26, tzinfo=UTC)
    first, second = make_participant(), make_participant()
    one = services.register(first, contest, contest.categories[0], actor=first.account, now=now)
    two = services.register(second, contest, contest.categories[0], actor=second.account, now=now)
    assert (one.code, two.code) == ("AQY26-0001", "AQY26-0002")
    assert one.status == "pending"
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == one.id)) == \
        "registration.create"


def test_two_contests_with_the_same_prefix_get_different_codes(db, make_participant, open_contest):
    event = datetime.now(UTC) + timedelta(days=40)
    first = open_contest(slug="aqynfest-poetry", event_at=event)
    second = open_contest(slug="aqynfest-prose", event_at=event)
    person = make_participant()
    one = services.register(person, first, first.categories[0], actor=person.account)
    two = services.register(person, second, second.categories[0], actor=person.account)
    assert one.code.split("-")[0] != two.code.split("-")[0]
    assert two.code.startswith(f"AQY{event.year % 100:02d}{second.id}-")


@pytest.mark.parametrize(("status", "opens", "closes"), [
    ("published", -1, 10),  # announced, registration not opened by the organiser
    ("registration_open", 1, 10),  # the window starts tomorrow
    ("registration_open", -10, -1),  # the window closed yesterday
    ("registration_closed", -10, 10),
])
def test_registration_outside_the_window_is_refused(db, make_participant, open_contest, status, opens, closes):
    now = datetime.now(UTC)
    contest = open_contest(status=status, registration_opens_at=now + timedelta(days=opens),
                           registration_closes_at=now + timedelta(days=closes))
    person = make_participant()
    with pytest.raises(ServiceError, match="not open"):
        services.register(person, contest, contest.categories[0], actor=person.account)
    assert count(db, Registration) == 0


def test_age_and_grade_are_checked_on_the_event_day(db, make_participant, open_contest):
    contest = open_contest(min_grade=5, max_grade=7, max_age=13)
    event_day = contest.event_at.date()
    turning_14 = make_participant(birth_date=event_day.replace(year=event_day.year - 14), grade=7)
    eighth_grader = make_participant(birth_date=event_day.replace(year=event_day.year - 13) + timedelta(days=2),
                                     grade=8)
    with pytest.raises(ServiceError, match="will be 14"):
        services.register(turning_14, contest, contest.categories[0], actor=turning_14.account)
    with pytest.raises(ServiceError, match="grades 5 to 7"):
        services.register(eighth_grader, contest, contest.categories[0], actor=eighth_grader.account)
    assert count(db, Registration) == 0


def test_one_registration_per_participant_per_contest(db, make_participant, open_contest):
    contest = open_contest()
    person = make_participant()
    services.register(person, contest, contest.categories[0], actor=person.account)
    with pytest.raises(ServiceError, match="already registered"):
        services.register(person, contest, contest.categories[0], actor=person.account)
    assert count(db, Registration) == 1


def test_the_database_itself_refuses_a_second_registration(db, make_registration):
    registration = make_registration()
    duplicate = Registration(contest=registration.contest, participant=registration.participant,
                             category=registration.category, number=99, code="DUP-0099")
    db.session.add(duplicate)
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.flush()
    db.session.rollback()


def test_a_full_contest_says_so(db, make_participant, make_registration, open_contest):
    contest = open_contest(capacity=2)
    make_registration(contest)
    make_registration(contest, status="withdrawn")  # a withdrawn registration frees its place
    make_registration(contest)
    person = make_participant()
    with pytest.raises(ServiceError, match="full: all 2 places"):
        services.register(person, contest, contest.categories[0], actor=person.account)


def test_a_school_quota_counts_the_same_school_however_it_is_typed(db, make_participant, make_registration,
                                                                   open_contest):
    contest = open_contest(school_quota=1)
    make_registration(contest, make_participant(school="Гимназия № 12"))
    same_school = make_participant(school="  гимназия   № 12 ")
    with pytest.raises(ServiceError, match="school has already used"):
        services.register(same_school, contest, contest.categories[0], actor=same_school.account)
    other_school = make_participant(school="Лицей № 3")
    assert services.register(other_school, contest, contest.categories[0], actor=other_school.account)


def test_a_category_of_another_contest_is_refused(db, make_participant, open_contest):
    contest, other = open_contest(), open_contest()
    person = make_participant()
    with pytest.raises(ServiceError, match="categories") as refused:
        services.register(person, contest, other.categories[0], actor=person.account)
    assert refused.value.field == "category"


def test_withdrawing_and_coming_back_keeps_the_code(db, make_participant, open_contest):
    contest = open_contest()
    person = make_participant()
    registration = services.register(person, contest, contest.categories[0], actor=person.account)
    services.withdraw_registration(registration, actor=person.account)
    assert registration.status == "withdrawn"
    again = services.register(person, contest, contest.categories[0], actor=person.account)
    assert again.id == registration.id and again.status == "pending" and again.code == registration.code


def test_no_withdrawal_once_judging_has_started(db, make_registration):
    registration = make_registration()
    registration.contest.status = "judging"
    with pytest.raises(ServiceError, match="Judging has started"):
        services.withdraw_registration(registration, actor=registration.registered_by)
    assert registration.status == "pending"


# Entries --------------------------------------------------------------------------------

POEM = "Бір өлең\nекінші жол\n\nүшінші жол"


def one(title: str = "", text: str = "", **extra) -> list[WorkInput]:
    return [WorkInput(title=title, text=text, **extra)]


def test_an_entry_keeps_title_text_and_video(db, make_registration):
    registration = make_registration()
    entry = services.save_entry(registration, works=one(" Дала ", POEM + "\r\n"), video_url="https://youtu.be/x",
                                actor=registration.registered_by)
    work = entry.works[0]
    assert (work.title, work.text, work.line_count, entry.video_url) == ("Дала", POEM, 3, "https://youtu.be/x")


def test_the_line_limit_is_enforced(db, make_registration, open_contest):
    registration = make_registration(open_contest(line_limit=2))
    with pytest.raises(ServiceError, match="3 lines; this contest allows at most 2") as refused:
        services.save_entry(registration, works=one("Дала", POEM), actor=registration.registered_by)
    assert refused.value.field == "works-0-text"
    assert count(db, Entry) == 0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.kz/x", "data:text/html,x", "https://"])
def test_only_web_video_links_are_accepted(db, make_registration, url):
    registration = make_registration()
    with pytest.raises(ServiceError, match="http") as refused:
        services.save_entry(registration, works=one("Дала", POEM), video_url=url, actor=registration.registered_by)
    assert refused.value.field == "video_url"


def test_entries_are_frozen_when_registration_closes(db, make_registration):
    registration = make_registration()
    later = registration.contest.registration_closes_at + timedelta(seconds=1)
    with pytest.raises(ServiceError, match="only while registration is open"):
        services.save_entry(registration, works=one("Дала", POEM), actor=registration.registered_by, now=later)


def test_a_file_is_stored_under_a_random_name_and_replaced(db, app, make_registration, file_store):
    registration = make_registration()
    pdf = plain_pdf()
    entry = services.save_entry(registration, works=one("Дала", upload=Upload("../../Өлең.pdf", pdf)),
                                actor=registration.registered_by)
    db.session.commit()
    work = entry.works[0]
    first = work.file_name
    assert stored_bytes(ENTRY_AREA, first) == pdf and "Өлең" not in first and first.endswith(".pdf")
    assert work.file_original_name == "Өлең.pdf" and work.file_type == "pdf"

    services.save_entry(registration, works=one("Дала", upload=Upload("poem.txt", "Жаңа нұсқа".encode())),
                        actor=registration.registered_by)
    db.session.commit()
    assert not is_stored(ENTRY_AREA, first) and stored_bytes(ENTRY_AREA, work.file_name) == "Жаңа нұсқа".encode()

    services.save_entry(registration, works=one("Дала", remove_file=True), actor=registration.registered_by)
    db.session.commit()
    assert work.file_name is None


def test_a_refused_file_leaves_the_entry_as_it_was(db, make_registration, file_store):
    registration = make_registration()
    entry = services.save_entry(registration, works=one("Дала", POEM), actor=registration.registered_by)
    db.session.commit()
    with pytest.raises(ServiceError, match="PDF, DOCX") as refused:
        services.save_entry(registration, works=one("Changed", upload=Upload("poem.pdf", b"MZ\x90\x00 a program")),
                            actor=registration.registered_by)
    assert refused.value.field == "works-0-file"
    db.session.rollback()
    work = entry.works[0]
    assert (work.title, work.text, work.file_name) == ("Дала", POEM, None)
    assert all(stored_bytes(ENTRY_AREA, name) != b"MZ\x90\x00 a program" for name in stored_names(ENTRY_AREA))


def test_an_entry_holds_as_many_works_as_the_contest_asks(db, make_registration, open_contest):
    registration = make_registration(open_contest(works_required=3, work_requires="text"))
    works = [WorkInput("Бірінші", "a"), WorkInput(), WorkInput("Үшінші", "c")]
    entry = services.save_entry(registration, works=works, actor=registration.registered_by)
    # A work not started yet gets no row; the draft is saved even though it is incomplete.
    assert [(work.position, work.title) for work in entry.works] == [(1, "Бірінші"), (3, "Үшінші")]
    with pytest.raises(ServiceError, match="asks for 3 works"):
        services.save_entry(registration, works=one("Only one", "a"), actor=registration.registered_by)


def test_a_work_with_text_needs_a_title(db, make_registration, open_contest):
    registration = make_registration(open_contest(works_required=2))
    with pytest.raises(ServiceError, match="Give the work a title") as refused:
        services.save_entry(registration, works=[WorkInput("Дала", "a"), WorkInput("", "b")],
                            actor=registration.registered_by)
    assert refused.value.field == "works-1-title"
    assert count(db, Entry) == 0


def test_the_demo_gives_the_open_aqynfest_four_registrations_and_a_jury(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0  # again: nothing doubles
    db.session.expire_all()
    edition = db.session.scalar(select(Contest).where(Contest.slug == "aqynfest-2027"))
    registrations = db.session.scalars(select(Registration).where(Registration.contest_id == edition.id)
                                       .order_by(Registration.number)).all()
    if not services.registration_is_open(edition):  # a demo loaded after the window closed has none
        assert registrations == []
        return
    assert [registration.code for registration in registrations] == [
        "AQY27-0001", "AQY27-0002", "AQY27-0003", "AQY27-0004"]
    minors = [registration.participant for registration in registrations[1:]]
    assert all(participant.consent_version == services.CONSENT_VERSION for participant in minors)
    # Aqynfest's rules ask for three poems: the approved entries hold them, one pupil has sent one.
    done = [entry_completeness(edition, registration.entry) for registration in registrations]
    assert [(found.complete, found.required) for found in done] == [(3, 3), (3, 3), (1, 3), (0, 3)]
    assert registrations[0].entry.works[0].line_count == 8
    assert [registration.status for registration in registrations] == ["approved", "approved", "pending", "pending"]
    jury = db.session.scalars(select(JuryMember).where(JuryMember.contest_id == edition.id)).all()
    assert sorted((member.user.email, member.is_chair) for member in jury) == [
        ("juror1@demo.kz", True), ("juror2@demo.kz", False), ("juror3@demo.kz", False)]
