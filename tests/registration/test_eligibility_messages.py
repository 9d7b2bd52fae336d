"""The refusal a participant reads when a category's one-sided grade limit leaves them out:
the whole sentence, with the limit and their own grade."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from contest.errors import ServiceError
from contest.registration import services
from contest.registration.eligibility import Limits, category_errors, eligibility_errors
from contest.registration.models import Registration


@pytest.mark.parametrize(("grade", "limits", "message"), [
    (6, Limits(min_grade=7), "This category accepts school students of grade at least 7. The participant's grade: 6."),
    (9, Limits(max_grade=8), "This category accepts school students of grade at most 8. The participant's grade: 9."),
])
def test_a_one_sided_grade_limit_names_the_limit_and_the_grade(grade, limits, message):
    [(field, refusal)] = category_errors(birth_date=None, grade=grade, event_day=date(2027, 9, 20), limits=limits)
    assert field == "grade" and str(refusal) == message


@pytest.mark.parametrize(("limits", "message"), [
    (Limits(min_age=16), "This category accepts participants aged at least 16 on the day of the contest. "
                         "The participant's age on that day: 15."),
    (Limits(max_age=14), "This category accepts participants aged at most 14 on the day of the contest. "
                         "The participant's age on that day: 15."),
])
def test_a_one_sided_age_limit_names_the_limit_and_the_age(limits, message):
    born = date(2012, 9, 20)  # 15 on the event day
    [(field, refusal)] = category_errors(birth_date=born, grade=None, event_day=date(2027, 9, 20), limits=limits)
    assert field == "birth_date" and str(refusal) == message


def test_a_contest_age_limit_without_a_birth_date_asks_for_it_beside_the_field():
    [(field, refusal)] = eligibility_errors(birth_date=None, grade=None, event_day=date(2027, 9, 20), min_age=10,
                                            max_age=None, min_grade=None, max_grade=None)
    assert field == "birth_date" and str(refusal) == "This contest has an age limit: the date of birth is needed."


def contest_errors(birth_date=None, grade=None, **limits):
    bounds = {"min_age": None, "max_age": None, "min_grade": None, "max_grade": None, **limits}
    return [(field, str(message)) for field, message in
            eligibility_errors(birth_date=birth_date, grade=grade, event_day=date(2027, 9, 20), **bounds)]


def test_the_contests_age_limits_include_both_ends_and_name_the_age():
    born = date(2017, 9, 20)  # 10 on the event day
    assert contest_errors(born, min_age=10, max_age=10) == []
    assert contest_errors(born, min_age=11) == [
        ("birth_date", "On the day of the contest the participant will be 10; the youngest allowed age is 11.")]
    assert contest_errors(born, max_age=9) == [
        ("birth_date", "On the day of the contest the participant will be 10; the oldest allowed age is 9.")]


def test_the_contests_grade_limits_include_both_ends_and_name_the_range():
    assert contest_errors(grade=5, min_grade=5, max_grade=5) == []
    assert contest_errors(grade=4, min_grade=5) == [("grade", "This contest is for grades 5 to 12.")]
    assert contest_errors(grade=8, max_grade=7) == [("grade", "This contest is for grades 1 to 7.")]
    assert contest_errors(max_grade=7) == [("grade", "This contest is for school students: the grade is needed.")]
    assert contest_errors(birth_date=None, grade=None, min_age=6) == [
        ("birth_date", "This contest has an age limit: the date of birth is needed.")]


@pytest.mark.parametrize(("grade", "refusal"), [
    (4, "This category accepts school students of grade at least 5 and at most 7. The participant's grade: 4."),
    (8, "This category accepts school students of grade at least 5 and at most 7. The participant's grade: 8."),
    (5, None), (7, None),
])
def test_registering_checks_the_categorys_grade_limits(db, open_contest, make_category, make_participant,
                                                       grade, refusal):
    contest = open_contest()
    pupils = make_category(contest, name_en="Grades 5–7", min_grade=5, max_grade=7)
    pupil = make_participant(grade=grade)
    if refusal is None:
        assert services.register(pupil, contest, pupils, actor=pupil.account).category_id == pupils.id
        return
    with pytest.raises(ServiceError) as refused:
        services.register(pupil, contest, pupils, actor=pupil.account)
    assert refused.value.field == "category" and str(refused.value.message) == refusal
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_category_asks_for_the_missing_birth_date_or_grade_in_full():
    limits = Limits(min_age=10, max_grade=7)
    assert [(field, str(message)) for field, message in
            category_errors(birth_date=None, grade=None, event_day=date(2027, 9, 20), limits=limits)] == [
        ("birth_date", "This category accepts participants by age: add the participant's date of birth first."),
        ("grade", "This category accepts school students by grade: add the participant's grade first."),
    ]
