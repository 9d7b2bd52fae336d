"""The refusal a participant reads when a category's one-sided grade limit leaves them out:
the whole sentence, with the limit and their own grade."""

from __future__ import annotations

from datetime import date

import pytest

from contest.registration.eligibility import Limits, category_errors


@pytest.mark.parametrize(("grade", "limits", "message"), [
    (6, Limits(min_grade=7), "This category accepts school students of grade at least 7. The participant's grade: 6."),
    (9, Limits(max_grade=8), "This category accepts school students of grade at most 8. The participant's grade: 9."),
])
def test_a_one_sided_grade_limit_names_the_limit_and_the_grade(grade, limits, message):
    [(field, refusal)] = category_errors(birth_date=None, grade=grade, event_day=date(2027, 9, 20), limits=limits)
    assert field == "grade" and str(refusal) == message
