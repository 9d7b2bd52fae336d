"""A contest in judging with two categories, three jurors and submitted sheets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from contest.contests.models import Contest
from contest.db import utcnow
from contest.extensions import db
from contest.judging.models import JuryMember
from contest.registration.models import Registration
from tests.registration.helpers import one_work_entry


@dataclass
class Judged:
    contest: Contest
    jurors: list[JuryMember]
    registrations: list[Registration]
    criteria: list


@pytest.fixture
def judged(make_contest, make_category, make_criterion, make_round, make_award_tier, make_participant,
           make_registration, make_juror, make_sheet):
    """Category A: four entries, B: two; totals (two criteria, three jurors) make the order
    A1 > A2 > A3 > A4 and B1 > B2. A3's participant is a minor without consent to be named."""

    def build(entries_a: int = 4, entries_b: int = 2, submit_all: bool = True, **values) -> Judged:
        values.setdefault("status", "judging")
        contest = make_contest(**values)
        category_a = make_category(contest, name_en="Juniors")
        category_b = make_category(contest, name_en="Seniors")
        content = make_criterion(contest, name_en="Content")
        form = make_criterion(contest, name_en="Form")
        make_round(contest, name_en="Final")
        make_award_tier(contest, name_en="First degree", prize_amount=100_000)
        make_award_tier(contest, name_en="Second degree", prize_amount=50_000)
        jurors = [make_juror(contest, is_chair=index == 0) for index in range(3)]
        registrations = []
        for category, count in ((category_a, entries_a), (category_b, entries_b)):
            for index in range(count):
                hidden = {"birth_date": date.today().replace(year=date.today().year - 12),
                          "consent_withdrawn_at": utcnow()} if category is category_a and index == 2 else {}
                participant = make_participant(
                    surname=f"{category.name_en}{index + 1}", given_name="Aruzhan", phone="+7 777 123 45 67",
                    district="Almaly", teacher="Teacher T.", grade=7, **hidden)
                registration = make_registration(contest=contest, participant=participant, category=category,
                                                 status="approved")
                db.session.add(one_work_entry(registration, title=f"Poem {index + 1}", text="A line"))
                db.session.commit()
                registrations.append(registration)
                for member in jurors:
                    points = {content: max(10 - index, 0), form: max(9 - index, 0)}
                    make_sheet(member, registration, points=points,
                               status="submitted" if submit_all or member is not jurors[-1] else "draft")
        return Judged(contest, jurors, registrations, [content, form])

    return build
