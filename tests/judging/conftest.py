"""A contest in judging with a jury, criteria and approved entries, made in one call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from contest.auth.models import User
from contest.contests.models import Contest, Criterion, Round
from contest.extensions import db
from contest.judging.models import JuryMember
from contest.registration.models import Registration
from tests.registration.helpers import one_work_entry


@dataclass
class Judging:
    contest: Contest
    round: Round
    criteria: list[Criterion]
    entries: list[Registration]
    jurors: list[JuryMember]
    organiser: User

    def points(self, *values) -> dict[int, object]:
        """Criterion id -> value, in criterion order."""
        return {criterion.id: value for criterion, value in zip(self.criteria, values, strict=True)}


@pytest.fixture
def judging(make_contest, make_category, make_round, make_criterion, make_registration, make_juror,
            make_user) -> Callable[..., Judging]:
    """Two criteria by default: "Content" 0..10 in whole points, "Form" 0..10 in halves."""

    def make(*, jurors: int = 2, entries: int = 3, criteria=(("Content", 10, 1.0), ("Form", 10, 0.5)),
             **contest_values) -> Judging:
        contest_values.setdefault("status", "judging")
        contest = make_contest(**contest_values)
        make_category(contest)
        round_ = make_round(contest)
        made = [make_criterion(contest, name_en=name, name_ru=f"{name} (ru)", max_score=top, step=step)
                for name, top, step in criteria]
        registrations = [make_registration(contest, status="approved") for _ in range(entries)]
        # Each approved entry holds the one work the contest asks for, so every one may be judged.
        for number, registration in enumerate(registrations, start=1):
            db.session.add(one_work_entry(registration, title=f"Poem {number}", text="A line"))
        db.session.commit()
        members = [make_juror(contest) for _ in range(jurors)]
        return Judging(contest, round_, made, registrations, members, make_user(role="organiser"))

    return make
