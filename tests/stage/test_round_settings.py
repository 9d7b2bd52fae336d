"""The live round's settings: marked live, a time limit and an overrun penalty, checked and
copied with the contest."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from contest.contests import services
from contest.contests.models import Round
from contest.errors import ServiceError


def test_a_round_keeps_its_live_settings_and_the_copy_too(db, make_contest, make_user):
    contest = make_contest(score_decimals=1)
    organiser = make_user(role="organiser")
    round_ = services.add_part(contest, Round, {
        "name_kk": "Финал", "stage": "final", "is_live": True, "time_limit_seconds": 180,
        "overrun_penalty": Decimal("0.5")}, actor=organiser)
    assert round_.runs_live and round_.time_limit_text == "3:00" and round_.overrun_penalty_text
    year = timedelta(days=365)
    copy = services.copy_contest(contest, actor=organiser, event_at=contest.event_at + year,
                                 registration_opens_at=contest.registration_opens_at + year,
                                 registration_closes_at=contest.registration_closes_at + year)
    copied = copy.rounds[0]
    assert (copied.is_live, copied.time_limit_seconds, copied.overrun_penalty) == (True, 180, Decimal("0.5"))


@pytest.mark.parametrize("values, field", [
    ({"overrun_penalty": Decimal("0.25")}, "overrun_penalty"),  # finer than the contest's one decimal
    ({"overrun_penalty": Decimal("-1")}, "overrun_penalty"),
    ({"time_limit_seconds": 5}, "time_limit_seconds"),
])
def test_bad_live_settings_are_refused(db, make_contest, values, field):
    contest = make_contest(score_decimals=1)
    with pytest.raises(ServiceError) as refusal:
        services.add_part(contest, Round, {"name_kk": "Финал", "stage": "final", **values}, actor=None)
    assert refusal.value.field == field
    assert not contest.rounds
