"""The running order of a live round: drawn by lot (a recorded, reproducible draw), grouped by
category, or set by hand (one step up or down); a late arrival goes to the end, an absent
performer is owed no score sheet. Every change is audited and moves the stage's version.

A round is live when its contest is a recitation contest or the organiser marked it live
(`Round.runs_live`). The order is stored as judging's performance slots, which also decide the
juror's queue, the progress matrix and the missing-sheet checks."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest import i18n
from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import ContestStatus, Round
from contest.contests.services import ensure_not_archived
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.judging.assignment import round_registrations, store_performance_order
from contest.judging.models import PerformanceSlot
from contest.judging.services import check_stage_lead
from contest.mail.outbox import send_mail_after_commit
from contest.registration.models import Registration
from contest.stage.models import StageState
from contest.stage.state import bump, locked_state

SEED_LIMIT = 64
T = TypeVar("T")


@dataclass
class Slot:
    """One performer in the running order, as the stage pages show it."""

    position: int
    registration: Registration
    is_absent: bool
    closed_at: datetime | None
    duration_seconds: int | None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_waiting(self) -> bool:
        return not self.is_absent and not self.is_closed


def drawn_order(items: Sequence[T], seed: str) -> list[T]:
    """The draw: `items` (already in a stable order, e.g. by registration code) shuffled by a
    generator seeded with `seed`. The same seed over the same items gives the same order on any
    machine and Python version that keeps `random.Random`'s documented seeding of strings."""
    drawn = list(items)
    random.Random(seed).shuffle(drawn)
    return drawn


def running_order(round_: Round) -> list[Slot]:
    """Every performer of the round in order, absent ones included; entries without a slot yet
    follow by number. Three queries whatever the field."""
    registrations = round_registrations(round_, with_entries=True, with_absent=True)
    slots = {slot.registration_id: slot for slot in db.session.scalars(
        select(PerformanceSlot).where(PerformanceSlot.round_id == round_.id))}
    result = []
    for position, registration in enumerate(registrations, start=1):
        slot = slots.get(registration.id)
        result.append(Slot(position, registration, bool(slot and slot.is_absent), slot.closed_at if slot else None,
                           slot.duration_seconds if slot else None))
    return result


def check_live(round_: Round) -> None:
    if not round_.runs_live:
        raise ServiceError(_l("This round is not a live round: mark it live in the round's settings."))


def _check_may_change(round_: Round, actor: User | None) -> tuple[User, StageState]:
    actor = check_stage_lead(round_.contest, actor)
    ensure_not_archived(round_.contest)
    check_live(round_)
    if round_.contest.status in (ContestStatus.RESULTS_PUBLISHED.value, ContestStatus.ARCHIVED.value):
        raise ServiceError(_l("The results are published: the running order can no longer change."))
    return actor, locked_state(round_)


def _check_not_started(state: StageState, order: list[Slot]) -> None:
    if state.current_registration_id is not None or any(slot.is_closed for slot in order):
        raise ServiceError(_l("Performances have started: move performers one by one instead of reordering "
                              "the whole round."))


def draw_order(round_: Round, *, seed: str | None, actor: User | None) -> str:
    """Draw the order by lot and return the seed (a new random one unless given): the seed, the
    time and who drew are in the audit log, so the draw can be repeated and checked."""
    actor, state = _check_may_change(round_, actor)
    order = running_order(round_)
    _check_not_started(state, order)
    seed = (seed or "").strip() or secrets.token_hex(8)
    if len(seed) > SEED_LIMIT:
        raise ServiceError(_l("At most %(count)s characters.", count=SEED_LIMIT), "seed")
    drawn = drawn_order(sorted((slot.registration for slot in order), key=lambda item: item.code), seed)
    _store(round_, state, [registration.id for registration in drawn])
    record("stage.order_drawn", round_, actor=actor, contest_id=round_.contest_id, seed=seed,
           drawn_at=utcnow().isoformat(), order=[registration.code for registration in drawn])
    return seed


def order_by_category(round_: Round, *, actor: User | None) -> None:
    """Categories one after another in the contest's order; within each, the current order
    (so a draw followed by this gives a draw within each category)."""
    actor, state = _check_may_change(round_, actor)
    order = running_order(round_)
    _check_not_started(state, order)
    positions = {category.id: index for index, category in enumerate(round_.contest.categories)}
    grouped = sorted(order, key=lambda slot: positions.get(slot.registration.category_id, len(positions)))
    _store(round_, state, [slot.registration.id for slot in grouped])
    record("stage.order_by_category", round_, actor=actor, contest_id=round_.contest_id,
           order=[slot.registration.code for slot in grouped])


MOVES = ("up", "down", "end")


def move_performer(round_: Round, registration_id: int, direction: str, *, actor: User | None) -> None:
    """One step up or down, or to the end (a late arrival, who also stops being absent)."""
    actor, state = _check_may_change(round_, actor)
    order = running_order(round_)
    index = _index_of(order, registration_id)
    if direction not in MOVES:
        raise ServiceError(_l("Choose where to move the performer."))
    slot = order[index]
    if slot.is_closed:
        raise ServiceError(_l("%(code)s has already performed: the place cannot change.", code=slot.registration.code))
    if direction == "end":
        order.append(order.pop(index))
    else:
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(order) or order[other].is_closed:
            return  # already first (or last, or next to a finished performance): nothing to move
        order[index], order[other] = order[other], order[index]
    _store(round_, state, [item.registration.id for item in order])
    if direction == "end" and slot.is_absent:
        _set_absent(round_, registration_id, False)
    record("stage.order_moved", slot.registration, actor=actor, contest_id=round_.contest_id, round_id=round_.id,
           code=slot.registration.code, direction=direction)


def mark_absent(round_: Round, registration_id: int, absent: bool, *, actor: User | None) -> None:
    """An absent performer keeps the place but is owed no sheet; marking them present again
    leaves them where they are (a late arrival is moved to the end instead)."""
    actor, state = _check_may_change(round_, actor)
    order = running_order(round_)
    slot = order[_index_of(order, registration_id)]
    if slot.is_closed or state.current_registration_id == registration_id:
        raise ServiceError(_l("%(code)s is on stage or has already performed.", code=slot.registration.code))
    if slot.is_absent == absent:
        return
    _store(round_, state, [item.registration.id for item in order])  # every performer holds a slot to mark
    _set_absent(round_, registration_id, absent)
    record("stage.absent" if absent else "stage.present", slot.registration, actor=actor,
           contest_id=round_.contest_id, round_id=round_.id, code=slot.registration.code)


def _index_of(order: list[Slot], registration_id: int) -> int:
    index = next((index for index, slot in enumerate(order) if slot.registration.id == registration_id), None)
    if index is None:
        raise ServiceError(_l("This entry is not among the entries judged in this round."))
    return index


def _set_absent(round_: Round, registration_id: int, absent: bool) -> None:
    slot = db.session.get(PerformanceSlot, (round_.id, registration_id))
    if slot is not None:
        slot.is_absent = absent
        db.session.flush()


def _store(round_: Round, state: StageState, ids: list[int]) -> None:
    store_performance_order(round_, ids)
    bump(state)


# Announcing the order ----------------------------------------------------------------------------

def publish_order(round_: Round, *, actor: User | None) -> int:
    """Show each performer their place on their registration page and e-mail the accounts that
    manage them (a participant, a parent, a teacher with several pupils) once, every place of
    theirs in one message. Returns how many accounts were e-mailed. Later moves show on the
    pages but send nothing more."""
    actor, state = _check_may_change(round_, actor)
    if state.order_published_at is not None:
        raise ServiceError(_l("The running order has already been announced."))
    order = running_order(round_)
    if not order:
        raise ServiceError(_l("No performers in this round yet."))
    _store(round_, state, [slot.registration.id for slot in order])  # the order shown is the order kept
    state.order_published_at, state.order_published_by_id = utcnow(), actor.id
    places: dict[int, tuple[User, list[Slot]]] = {}
    for slot in order:
        for account in _accounts_of(slot.registration):
            places.setdefault(account.id, (account, []))[1].append(slot)
    for account, slots in places.values():
        _email_order(account, round_, slots)
    record("stage.order_published", round_, actor=actor, contest_id=round_.contest_id,
           order=[slot.registration.code for slot in order], emailed=sorted(places))
    return len(places)


def _accounts_of(registration: Registration) -> list[User]:
    """The participant's own account and the one that registered them (a teacher), once each."""
    accounts = {account.id: account for account in (registration.participant.account, registration.registered_by)
                if account is not None and account.is_active}
    return list(accounts.values())


def _email_order(account: User, round_: Round, slots: list[Slot]) -> None:
    language = account.preferred_language if i18n.is_supported(account.preferred_language) else i18n.DEFAULT_LANGUAGE
    with force_locale(language):
        title = i18n.localized(round_.contest, "title")  # in `language`: the locale forced here
        subject = _("Performance order: %(contest)s", contest=title)
        body = render_template("stage/email/order_published.txt", account=account, slots=slots, contest_title=title,
                               round_name=round_.label, link=_dashboard_link())
    send_mail_after_commit(account.email, subject, body)


def _dashboard_link() -> str:
    """Where the accounts see their registrations, when the site's address is known."""
    if has_request_context():
        return url_for("registration.dashboard", _external=True)
    site = current_app.config.get("SITE_URL")
    if not site:
        return ""
    with current_app.test_request_context(base_url=site):
        return url_for("registration.dashboard", _external=True)


def published_slot(registration: Registration) -> list[tuple[Round, Slot]]:
    """The registration's places in the announced orders of its contest's live rounds (for its page)."""
    rows = db.session.execute(
        select(Round, PerformanceSlot).join(StageState, StageState.round_id == Round.id)
        .join(PerformanceSlot, (PerformanceSlot.round_id == Round.id)
              & (PerformanceSlot.registration_id == registration.id))
        .where(Round.contest_id == registration.contest_id, StageState.order_published_at.is_not(None))
        .order_by(Round.position, Round.id)).all()
    return [(round_, Slot(slot.position, registration, slot.is_absent, slot.closed_at, slot.duration_seconds))
            for round_, slot in rows]
