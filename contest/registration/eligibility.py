"""Who may enter a contest and each of its categories: age on the event date and school grade;
and which dates of birth are plausible at all. Pure functions over plain values, so the rules
are tested without a database; every way into a contest or a category calls them.

Age is always counted on the contest's event day (in Almaty): a contest cannot be saved
without an event date, so there is always a day to count on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from contest.i18n import LOCAL_ZONE

ADULT_AGE = 18
# A date of birth further back than this many years is a typing mistake (1012 for 2012).
OLDEST_PLAUSIBLE_AGE = 100


def age_on(birth_date: date, day: date) -> int:
    """Full years on `day`: someone born on 20 February turns a year older on 20 February."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def is_minor_on(birth_date: date | None, day: date) -> bool:
    return birth_date is not None and age_on(birth_date, day) < ADULT_AGE


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_date_error(birth_date: date, today: date) -> object | None:
    """Why a date of birth cannot be right, or None: not in the future, not more than 100 years ago."""
    if birth_date > today:
        return _l("The date of birth cannot be in the future.")
    if birth_date < years_before(today, OLDEST_PLAUSIBLE_AGE):
        return _l("The date of birth cannot be more than %(years)s years ago: check the year.",
                  years=OLDEST_PLAUSIBLE_AGE)
    return None


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


@dataclass(frozen=True)
class Limits:
    """A category's bounds: age in full years on the event day and school grade (None: no bound)."""

    min_age: int | None = None
    max_age: int | None = None
    min_grade: int | None = None
    max_grade: int | None = None

    @classmethod
    def of(cls, holder: object) -> Limits:
        """The limits of anything that has the four columns (a category)."""
        return cls(getattr(holder, "min_age", None), getattr(holder, "max_age", None),
                   getattr(holder, "min_grade", None), getattr(holder, "max_grade", None))

    @property
    def by_age(self) -> bool:
        return self.min_age is not None or self.max_age is not None

    @property
    def by_grade(self) -> bool:
        return self.min_grade is not None or self.max_grade is not None


def category_errors(*, birth_date: date | None, grade: int | None, event_day: date,
                    limits: Limits) -> list[tuple[str, object]]:
    """(field, message) pairs, one for each of the category's limits the participant does not
    meet. A limit that cannot be checked (no date of birth, no grade) is not met: the message
    asks for the missing detail rather than letting the participant through."""
    errors: list[tuple[str, object]] = []
    if limits.by_age:
        if birth_date is None:
            errors.append(("birth_date", _l("This category accepts participants by age: add the participant's "
                                            "date of birth first.")))
        else:
            age = age_on(birth_date, event_day)
            if not _within(age, limits.min_age, limits.max_age):
                errors.append(("birth_date", _age_message(limits, age)))
    if limits.by_grade:
        if grade is None:
            errors.append(("grade", _l("This category accepts school students by grade: add the participant's "
                                       "grade first.")))
        elif not _within(grade, limits.min_grade, limits.max_grade):
            errors.append(("grade", _grade_message(limits, grade)))
    return errors


def _within(value: int, least: int | None, most: int | None) -> bool:
    return (least is None or value >= least) and (most is None or value <= most)


def _age_message(limits: Limits, age: int) -> object:
    if limits.min_age is not None and limits.max_age is not None:
        return _l("This category accepts participants aged at least %(least)s and at most %(most)s on the day "
                  "of the contest. The participant's age on that day: %(age)s.",
                  least=limits.min_age, most=limits.max_age, age=age)
    if limits.min_age is not None:
        return _l("This category accepts participants aged at least %(least)s on the day of the contest. "
                  "The participant's age on that day: %(age)s.", least=limits.min_age, age=age)
    return _l("This category accepts participants aged at most %(most)s on the day of the contest. "
              "The participant's age on that day: %(age)s.", most=limits.max_age, age=age)


def _grade_message(limits: Limits, grade: int) -> object:
    if limits.min_grade is not None and limits.max_grade is not None:
        return _l("This category accepts school students of grade at least %(least)s and at most %(most)s. "
                  "The participant's grade: %(grade)s.", least=limits.min_grade, most=limits.max_grade, grade=grade)
    if limits.min_grade is not None:
        return _l("This category accepts school students of grade at least %(least)s. "
                  "The participant's grade: %(grade)s.", least=limits.min_grade, grade=grade)
    return _l("This category accepts school students of grade at most %(most)s. "
              "The participant's grade: %(grade)s.", most=limits.max_grade, grade=grade)
