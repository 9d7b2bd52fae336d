"""A category's age and grade limits: the pure rule, then every way into a category (registering,
the teacher's import, a change of category by the participant and by an organiser), the warning
when an organiser narrows the limits, and plausible dates of birth."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from contest.db import utcnow
from contest.errors import ServiceError
from contest.registration import services
from contest.registration.eligibility import Limits, birth_date_error, category_errors, local_day, years_before
from contest.registration.models import Participant, Registration
from tests.registration.helpers import audit_actions, page

EN = {"Accept-Language": "en"}
KK = {"Accept-Language": "kk"}
EVENT_DAY = date(2027, 9, 20)


def errors(birth_date=None, grade=None, **limits):
    return category_errors(birth_date=birth_date, grade=grade, event_day=EVENT_DAY, limits=Limits(**limits))


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# The rule ------------------------------------------------------------------------------------------

def test_a_category_without_limits_admits_anyone():
    assert errors() == []
    assert errors(birth_date=date(1950, 1, 1), grade=None) == []


@pytest.mark.parametrize(("birth_date", "admitted"), [
    (date(2013, 9, 20), True),   # 14 exactly on the event day: the birthday counts
    (date(2013, 9, 21), False),  # turns 14 the day after: still 13
    (date(2008, 9, 21), True),   # 18, turning 19 the day after: the oldest admitted
    (date(2008, 9, 20), False),  # turns 19 on the event day: one over
])
def test_age_limits_are_counted_on_the_event_day(birth_date, admitted):
    assert (errors(birth_date=birth_date, min_age=14, max_age=18) == []) is admitted


def test_the_age_message_names_the_range_and_the_age():
    [(field, message)] = errors(birth_date=date(2001, 1, 1), min_age=14, max_age=18)
    assert field == "birth_date"
    assert str(message) == ("This category accepts participants aged at least 14 and at most 18 on the day of "
                            "the contest. The participant's age on that day: 26.")
    [(_field, only_min)] = errors(birth_date=date(2015, 1, 1), min_age=19)
    assert "aged at least 19 on the day" in str(only_min) and "at most" not in str(only_min)
    [(_field, only_max)] = errors(birth_date=date(2001, 1, 1), max_age=18)
    assert "aged at most 18 on the day" in str(only_max)


@pytest.mark.parametrize(("grade", "admitted"), [(5, True), (6, True), (4, False), (7, False)])
def test_grade_limits_include_both_ends(grade, admitted):
    assert (errors(grade=grade, min_grade=5, max_grade=6) == []) is admitted


def test_the_grade_message_names_the_range_and_the_grade():
    [(field, message)] = errors(grade=7, min_grade=5, max_grade=6)
    assert field == "grade"
    assert str(message) == ("This category accepts school students of grade at least 5 and at most 6. "
                            "The participant's grade: 7.")
    assert "grade at least 7." in str(errors(grade=6, min_grade=7)[0][1])
    assert "grade at most 6." in str(errors(grade=7, max_grade=6)[0][1])


def test_a_missing_birth_date_or_grade_is_asked_for_not_let_through():
    [(field, message)] = errors(min_age=14)
    assert field == "birth_date" and "add the participant's date of birth" in str(message)
    [(field, message)] = errors(birth_date=date(2012, 1, 1), max_grade=7)
    assert field == "grade" and "add the participant's grade" in str(message)
    assert len(errors(max_age=18, min_grade=5)) == 2


def test_plausible_birth_dates():
    today = date(2026, 12, 4)
    assert birth_date_error(today, today) is None
    assert "future" in str(birth_date_error(today + timedelta(days=1), today))
    assert birth_date_error(date(1926, 12, 4), today) is None  # exactly 100 years ago
    assert "more than 100 years ago" in str(birth_date_error(date(1926, 12, 3), today))
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)


# Registering ---------------------------------------------------------------------------------------

@pytest.fixture
def age_groups(open_contest, make_category):
    """An open contest with two age groups, 14–18 and 19–29 (the fixture's category has no limits)."""
    contest = open_contest(event_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=60))
    young = make_category(contest, name_en="Ages 14–18", name_kk="14–18 жас", min_age=14, max_age=18)
    older = make_category(contest, name_en="Ages 19–29", name_kk="19–29 жас", min_age=19, max_age=29)
    return contest, young, older


def born_aged(contest, years: int) -> date:
    """A date of birth that makes someone exactly `years` old on the contest's event day."""
    return years_before(local_day(contest.event_at), years)


def test_register_refuses_outside_the_category_beside_the_category(db, age_groups, make_participant):
    contest, young, older = age_groups
    adult = make_participant(birth_date=born_aged(contest, 26))
    with pytest.raises(ServiceError) as refused:
        services.register(adult, contest, young, actor=adult.account)
    assert refused.value.field == "category" and "at most 18" in str(refused.value.message)
    assert count(db, Registration) == 0
    assert services.register(adult, contest, older, actor=adult.account).category_id == older.id


def test_register_asks_for_a_missing_birth_date(db, age_groups, make_participant):
    contest, young, _older = age_groups
    unknown = make_participant()
    unknown.birth_date = None
    with pytest.raises(ServiceError, match="add the participant's date of birth"):
        services.register(unknown, contest, young, actor=unknown.account)
    assert count(db, Registration) == 0


def test_registration_form_shows_the_message_beside_the_category_in_kazakh(client, db, login_as, age_groups,
                                                                          make_participant):
    contest, young, older = age_groups
    me = login_as("participant")
    poet = make_participant(account=me, birth_date=born_aged(contest, 26))
    form = page(client.get(f"/my/register/{contest.id}", headers=EN))
    # The select names the category; its limits are listed under it (a closed select cuts long text).
    assert re.search(r'<option[^>]*>Ages 14–18</option>', form)
    assert re.search(r'id="category_id-help"[^>]*><ul class="category-limits"><li>Ages 14–18: age on the event day: '
                     r'14 – 18</li>', form)
    response = client.post_form(f"/my/register/{contest.id}", {"participant_id": poet.id, "category_id": young.id},
                                headers=KK)
    assert response.status_code == 422
    html = page(response)
    message = ("Бұл санаттағы қатысушылардың байқау күнгі жасы: ең азы 14, ең көбі 18. "
               "Қатысушының сол күнгі жасы: 26.")
    assert re.search(r'id="category_id-error"[^>]*>' + re.escape(message), html)
    assert count(db, Registration) == 0
    ok = client.post_form(f"/my/register/{contest.id}", {"participant_id": poet.id, "category_id": older.id})
    assert ok.status_code == 302 and count(db, Registration) == 1


# A change of category --------------------------------------------------------------------------------

def test_the_participant_changes_the_category_within_the_limits(client, db, login_as, age_groups,
                                                               make_participant, make_registration):
    contest, young, older = age_groups
    me = login_as("participant")
    pupil = make_participant(account=me, birth_date=born_aged(contest, 15))
    registration = make_registration(contest=contest, participant=pupil, category=young)
    url = f"/my/registrations/{registration.id}"
    assert "Change the category" in page(client.get(url, headers=EN))

    refused = client.post_form(f"{url}/category", {"category_id": older.id}, headers=EN)
    assert refused.status_code == 422
    assert re.search(r'id="category_id-error"[^>]*>This category accepts participants aged at least 19 and at '
                     r'most 29', page(refused))
    db.session.refresh(registration)
    assert registration.category_id == young.id
    assert "registration.category" not in audit_actions(db, registration.id)

    unlimited = contest.categories[0]
    moved = client.post_form(f"{url}/category", {"category_id": unlimited.id}, headers=EN)
    assert moved.status_code == 302
    db.session.refresh(registration)
    assert registration.category_id == unlimited.id
    assert "registration.category" in audit_actions(db, registration.id)


def test_the_participant_cannot_change_the_category_after_registration_closes(db, age_groups, make_participant,
                                                                             make_registration):
    contest, young, older = age_groups
    registration = make_registration(contest=contest, participant=make_participant(
        birth_date=born_aged(contest, 15)), category=older)
    contest.status = "registration_closed"
    with pytest.raises(ServiceError, match="only while registration is open"):
        services.change_category(registration, young, actor=registration.participant.account)
    # An organiser still may (until judging starts), and the limits still apply.
    services.change_category(registration, young, actor=None, as_organiser=True)
    assert registration.category_id == young.id
    contest.status = "judging"
    with pytest.raises(ServiceError, match="Judging has started"):
        services.change_category(registration, contest.categories[0], actor=None, as_organiser=True)


def test_the_organiser_changes_the_category_and_sees_the_refusal(client, db, login_as, age_groups,
                                                                make_participant, make_registration):
    contest, young, older = age_groups
    login_as("organiser")
    registration = make_registration(contest=contest, participant=make_participant(
        birth_date=born_aged(contest, 26)), category=older)
    url = f"/manage/contests/{contest.id}/registrations/{registration.id}"
    assert "Change the category" in page(client.get(url, headers=EN))

    refused = client.post_form(f"{url}/category", {"category_id": young.id}, headers=EN)
    assert refused.status_code == 422
    assert re.search(r'id="category_id-error"[^>]*>This category accepts participants aged at least 14 and at '
                     r"most 18 on the day of the contest. The participant&#39;s age on that day: 26.", page(refused))
    db.session.refresh(registration)
    assert registration.category_id == older.id

    moved = client.post_form(f"{url}/category", {"category_id": contest.categories[0].id}, headers=EN)
    assert moved.status_code == 302
    db.session.refresh(registration)
    assert registration.category_id == contest.categories[0].id


def test_a_category_of_another_contest_is_refused(client, db, login_as, age_groups, open_contest,
                                                  make_registration):
    contest, _young, older = age_groups
    login_as("organiser")
    registration = make_registration(contest=contest, category=older)
    other = open_contest().categories[0]
    response = client.post_form(f"/manage/contests/{contest.id}/registrations/{registration.id}/category",
                                {"category_id": other.id}, headers=EN)
    assert response.status_code == 422 and "Not a valid choice" in page(response)
    db.session.refresh(registration)
    assert registration.category_id == older.id


# The teacher's import ----------------------------------------------------------------------------

HEADER = ["Surname", "Given name", "Date of birth", "Grade", "Guardian", "Guardian's phone", "Guardian's consent",
          "Category"]


def csv_upload(rows: list[list[str]]) -> bytes:
    lines = [";".join(HEADER), *(";".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def pupil_row(surname: str, birth_date: date, category: str, grade: str = "") -> list[str]:
    return [surname, "Аружан", birth_date.strftime("%d.%m.%Y"), grade, "Ата-анасы", "+7 701 111 22 33", "иә",
            category]


def upload(client, contest, data: bytes):
    return client.post_form(f"/manage/contests/{contest.id}/registrations/import",
                            {"teacher_email": "teacher@school.kz", "file": (io.BytesIO(data), "pupils.csv")},
                            content_type="multipart/form-data", headers=EN)


def test_the_import_preview_refuses_a_pupil_outside_the_category(client, db, login_as, make_user, age_groups):
    contest, _young, _older = age_groups
    make_user(email="teacher@school.kz")
    login_as("organiser")
    response = upload(client, contest, csv_upload([
        pupil_row("Бекова", born_aged(contest, 15), "Ages 14–18"),
        pupil_row("Серікова", born_aged(contest, 15), "Ages 19–29"),
        ["Нұрланов", "Диас", "", "", "", "", "", "Ages 14–18"],
    ]))
    assert response.status_code == 422
    html = page(response)
    assert "This category accepts participants aged at least 19 and at most 29" in html
    assert "add the participant&#39;s date of birth" in html
    assert 'name="payload"' not in html
    assert (count(db, Participant), count(db, Registration)) == (0, 0)


def test_the_import_confirm_checks_the_limits_again(client, db, login_as, make_user, age_groups):
    """Limits narrowed between the preview and the confirmation: nothing is written."""
    contest, young, _older = age_groups
    make_user(email="teacher@school.kz")
    login_as("organiser")
    preview = upload(client, contest, csv_upload([pupil_row("Бекова", born_aged(contest, 17), "Ages 14–18")]))
    assert preview.status_code == 200
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page(preview)).group(1)
    young.max_age = 16
    db.session.commit()
    response = client.post_form(f"/manage/contests/{contest.id}/registrations/import/confirm",
                                {"payload": payload}, headers=EN)
    assert response.status_code == 422
    assert "aged at least 14 and at most 16" in page(response)
    assert (count(db, Participant), count(db, Registration)) == (0, 0)
    young.max_age = 18
    db.session.commit()
    done = client.post_form(f"/manage/contests/{contest.id}/registrations/import/confirm", {"payload": payload})
    assert done.status_code == 302 and count(db, Registration) == 1


def test_the_import_refuses_implausible_birth_dates(client, db, login_as, make_user, open_contest):
    contest = open_contest()
    make_user(email="teacher@school.kz")
    login_as("organiser")
    only = contest.categories[0].name_en
    response = upload(client, contest, csv_upload([
        pupil_row("Болашақова", local_day(utcnow()) + timedelta(days=3), only),
        pupil_row("Көнекөзова", date(1012, 5, 25), only),
    ]))
    assert response.status_code == 422
    html = page(response)
    assert "The date of birth cannot be in the future." in html
    assert "The date of birth cannot be more than 100 years ago" in html
    assert (count(db, Participant), count(db, Registration)) == (0, 0)


# Narrowing a category's limits --------------------------------------------------------------------

def test_narrowing_lists_the_registrations_left_outside_and_changes_nothing(client, db, login_as, age_groups,
                                                                           make_participant, make_registration):
    contest, young, _older = age_groups
    login_as("organiser")
    seventeen = make_registration(contest=contest, participant=make_participant(
        surname="Сейітова", birth_date=born_aged(contest, 17)), category=young)
    fifteen = make_registration(contest=contest, participant=make_participant(
        surname="Омарова", birth_date=born_aged(contest, 15)), category=young)
    withdrawn = make_registration(contest=contest, participant=make_participant(
        birth_date=born_aged(contest, 18)), category=young, status="withdrawn")

    response = client.post_form(f"/manage/contests/{contest.id}/categories/{young.id}", {
        "name_en": "Ages 14–16", "min_age": "14", "max_age": "16"}, headers=EN)
    assert response.status_code == 302
    overview = page(client.get(response.headers["Location"], headers=EN))
    assert "1 registration in this category is outside its new limits: " + seventeen.code in overview
    assert "Registrations outside their category's limits" in overview
    section = overview.split("Registrations outside their category")[1]
    assert seventeen.code in section and "Сейітова" in section and "age on that day: 17" in section
    assert fifteen.code not in section and withdrawn.code not in section
    db.session.refresh(seventeen)
    assert (seventeen.status, seventeen.category_id) == ("pending", young.id)


def test_the_outside_list_takes_one_query_however_many_registrations(db, age_groups, make_participant,
                                                                    make_registration, count_queries):
    contest, young, older = age_groups

    def add(how_many: int) -> None:
        for _ in range(how_many):
            make_registration(contest=contest, participant=make_participant(birth_date=born_aged(contest, 17)),
                              category=young)
            make_registration(contest=contest, participant=make_participant(birth_date=born_aged(contest, 25)),
                              category=older)

    young.max_age = 16
    add(2)
    db.session.expire_all()
    with count_queries() as few:
        assert len(services.registrations_outside_limits(contest)[young.id]) == 2
    add(20)
    db.session.expire_all()
    with count_queries() as many:
        outside = services.registrations_outside_limits(contest)
    assert len(outside[young.id]) == 22 and older.id not in outside
    # BEGIN, the contest and its categories, then the one query of registrations with their participants.
    assert few.count == many.count <= 4


def test_the_setup_page_runs_the_same_queries_for_few_and_many_outside(client, db, login_as, age_groups,
                                                                      make_participant, make_registration,
                                                                      count_queries):
    contest, young, _older = age_groups
    login_as("organiser")
    young.max_age = 16
    db.session.commit()

    def add(how_many: int) -> None:
        for _ in range(how_many):
            make_registration(contest=contest, participant=make_participant(birth_date=born_aged(contest, 17)),
                              category=young)

    add(1)
    client.get(f"/manage/contests/{contest.id}")
    with count_queries() as few:
        client.get(f"/manage/contests/{contest.id}", headers=EN)
    add(15)
    with count_queries() as many:
        html = page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    assert html.count("age on that day: 17") == 16
    assert few.count == many.count


# Plausible dates of birth in the participant form and the service --------------------------------

@pytest.mark.parametrize(("birth_date", "message"), [
    ((local_day(utcnow()) + timedelta(days=1)).isoformat(), "The date of birth cannot be in the future."),
    ("1912-05-25", "The date of birth cannot be more than 100 years ago: check the year."),
])
def test_the_participant_form_refuses_implausible_birth_dates(client, db, login_as, birth_date, message):
    login_as("participant")
    response = client.post_form("/my/participants/new", {"surname": "Әлиев", "given_name": "Әли",
                                                         "birth_date": birth_date}, headers=EN)
    assert response.status_code == 422
    assert re.search(r'id="birth_date-error"[^>]*>' + re.escape(message), page(response))
    assert count(db, Participant) == 0


def test_editing_a_participant_checks_the_birth_date_too(db, make_participant):
    participant = make_participant(birth_date=date(2000, 1, 1))
    data = {"surname": participant.surname, "given_name": participant.given_name, "birth_date": date(1900, 1, 1)}
    with pytest.raises(ServiceError) as refused:
        services.update_participant(participant, data, consent=False, actor=participant.account)
    assert refused.value.field == "birth_date"
    db.session.rollback()
    assert db.session.get(Participant, participant.id).birth_date == date(2000, 1, 1)
