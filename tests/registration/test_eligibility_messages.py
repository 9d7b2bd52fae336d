"""The refusal a participant reads when a category's one-sided grade limit leaves them out:
the whole sentence, with the limit and their own grade."""

from __future__ import annotations

from datetime import date

import pytest

from contest.registration.eligibility import Limits, category_errors, eligibility_errors


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
