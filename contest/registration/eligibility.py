"""Who may enter a contest: age on the event date and school grade. Pure functions over
plain values, so the rules are tested without a database."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from contest.i18n import LOCAL_ZONE

ADULT_AGE = 18


def age_on(birth_date: date, day: date) -> int:
    """Full years on `day`: someone born on 20 February turns a year older on 20 February."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def is_minor_on(birth_date: date | None, day: date) -> bool:
    return birth_date is not None and age_on(birth_date, day) < ADULT_AGE


def local_day(moment: datetime) -> date:
    """The calendar day in Almaty: an event at 00:30 local time is on that local day."""
    return moment.astimezone(LOCAL_ZONE).date()


def eligibility_errors(*, birth_date: date | None, grade: int | None, event_day: date,
                       min_age: int | None, max_age: int | None,
                       min_grade: int | None, max_grade: int | None) -> list[tuple[str, object]]:
    """(field, message) pairs, one for each rule the participant does not meet."""
    errors: list[tuple[str, object]] = []
    if min_age is not None or max_age is not None:
        if birth_date is None:
            errors.append(("birth_date", _l("This contest has an age limit: the date of birth is needed.")))
        else:
            age = age_on(birth_date, event_day)
            if min_age is not None and age < min_age:
                errors.append(("birth_date", _l("On the day of the contest the participant will be %(age)s; "
                                                "the youngest allowed age is %(limit)s.", age=age, limit=min_age)))
            if max_age is not None and age > max_age:
                errors.append(("birth_date", _l("On the day of the contest the participant will be %(age)s; "
                                                "the oldest allowed age is %(limit)s.", age=age, limit=max_age)))
    if min_grade is not None or max_grade is not None:
        if grade is None:
            errors.append(("grade", _l("This contest is for school students: the grade is needed.")))
        elif (min_grade is not None and grade < min_grade) or (max_grade is not None and grade > max_grade):
            errors.append(("grade", _l("This contest is for grades %(low)s to %(high)s.",
                                       low=min_grade or 1, high=max_grade or 12)))
    return errors
