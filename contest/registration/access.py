"""Who may see what of a registration, in one place (views of every domain ask here)."""

from __future__ import annotations

from contest.auth.models import Role, User
from contest.registration.models import Participant, Registration


def owns_participant(user: User, participant: Participant) -> bool:
    """The account that manages the participant; anonymised participants belong to nobody."""
    return (user.is_authenticated and participant.account_id == user.id
            and participant.anonymised_at is None)


def may_download_entry(user: User, registration: Registration) -> bool:
    """The entry's own account, organisers and administrators. Jurors assigned to the entry
    (and not in conflict with it) download it from their own page in contest/judging/views.py,
    which asks the judging rules (registration never imports judging)."""
    if not user.is_authenticated:
        return False
    if owns_participant(user, registration.participant):
        return True
    return user.has_role(Role.ORGANISER)
