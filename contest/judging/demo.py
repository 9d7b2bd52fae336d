"""The demo jury of the open Aqynfest edition: the three demo jurors, the first one chairing.
Idempotent; goes through the services like an organiser would."""

from __future__ import annotations

from sqlalchemy import select

from contest.auth.services import find_user_by_email
from contest.contests.demo import AQYNFEST_NEXT_SLUG
from contest.contests.models import Contest
from contest.extensions import db
from contest.judging import jury

DEMO_JURORS = ("juror1@demo.kz", "juror2@demo.kz", "juror3@demo.kz")


def load_jury() -> None:
    contest = db.session.scalar(select(Contest).where(Contest.slug == AQYNFEST_NEXT_SLUG))
    organiser = find_user_by_email("organiser@demo.kz")
    if contest is None:
        return
    for position, email in enumerate(DEMO_JURORS):
        user = find_user_by_email(email)
        if user is not None and jury.membership(contest, user) is None:
            jury.add_juror(contest, user, is_chair=position == 0, actor=organiser)
