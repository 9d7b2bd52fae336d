"""Read-only loaders for the participant account's pages. Each loads what its page shows up
front, so that a page runs the same few queries however many rows it lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from contest.auth.models import User
from contest.contests.models import Contest
from contest.extensions import db
from contest.registration.models import Entry, Participant, Registration


def account_participants(account: User) -> list[Participant]:
    """The account's participants with their registrations, contests, categories and entries."""
    statement = (
        select(Participant)
        .where(Participant.account_id == account.id, Participant.anonymised_at.is_(None))
        .options(selectinload(Participant.registrations).options(
            joinedload(Registration.contest), joinedload(Registration.category),
            joinedload(Registration.entry).selectinload(Entry.works)))
        .order_by(Participant.surname, Participant.given_name, Participant.id)
    )
    return list(db.session.scalars(statement))


def participant_of(account: User, participant_id: int) -> Participant | None:
    """The participant when `account` manages it; None for anyone else's (the caller says 404)."""
    return db.session.scalar(
        select(Participant)
        .where(Participant.id == participant_id, Participant.account_id == account.id,
               Participant.anonymised_at.is_(None))
        .options(selectinload(Participant.registrations)))


def registration_of(account: User, registration_id: int) -> Registration | None:
    """The registration when `account` manages its participant; None otherwise."""
    return db.session.scalar(
        select(Registration)
        .join(Registration.participant)
        .where(Registration.id == registration_id, Participant.account_id == account.id,
               Participant.anonymised_at.is_(None))
        .options(joinedload(Registration.participant),
                 joinedload(Registration.contest).selectinload(Contest.categories),
                 joinedload(Registration.category), joinedload(Registration.entry).selectinload(Entry.works)))


def registration_with_entry(registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.id == registration_id)
        .options(joinedload(Registration.participant), joinedload(Registration.entry).selectinload(Entry.works)))


def account_registrations_in(account: User, contest: Contest) -> list[Registration]:
    """The account's registrations for one contest (shown in the contest page's box)."""
    return list(db.session.scalars(
        select(Registration).join(Registration.participant)
        .where(Registration.contest_id == contest.id, Participant.account_id == account.id,
               Participant.anonymised_at.is_(None))
        .options(joinedload(Registration.participant))
        .order_by(Registration.number)))


def visible_contest(contest_id: int) -> Contest | None:
    """A contest the public may see (not a draft), with its categories."""
    contest = db.session.scalar(
        select(Contest).where(Contest.id == contest_id).options(selectinload(Contest.categories)))
    return contest if contest is not None and contest.is_public else None
