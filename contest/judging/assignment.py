"""Who scores what. `load_scope` reads, in a fixed number of queries, everything that decides
whether a juror may open an entry; `Scope.why_closed` is the one rule, and every other
function (a juror's queue, a single check before saving, the progress matrix, the automatic
assignment, paper ballots) goes through it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ScalarSelect, Select, delete, insert, or_, select
from sqlalchemy.orm import joinedload, selectinload

from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import Contest, ContestStatus, Round
from contest.contests.services import ensure_not_archived
from contest.errors import ServiceError
from contest.extensions import db
from contest.judging.models import (
    Advancement,
    Assignment,
    AssignmentPlan,
    Conflict,
    JuryMember,
    PerformanceSlot,
    ScoreSheet,
    SheetStatus,
    jury_member_category,
)
from contest.registration.completeness import may_be_judged
from contest.registration.models import Entry, Registration, RegistrationStatus

# Jury and assignments may change until the results are out.
JURY_EDITABLE_STATUSES = frozenset(status.value for status in ContestStatus) - {
    ContestStatus.RESULTS_PUBLISHED.value, ContestStatus.ARCHIVED.value}

NOT_IN_ROUND = _l("This entry is not among the entries judged in this round.")
NOT_ASSIGNED = _l("This entry is not assigned to you.")
CONFLICTED = _l("You have a conflict of interest with this entry, so you cannot open or score it.")
INCOMPLETE = _l("This entry does not meet the contest's rules, so it is not judged unless an organiser "
                "makes an exception.")


@dataclass
class Scope:
    """What the jury (or some of its members) may open in one round."""

    round: Round
    members: list[JuryMember]
    registrations: list[Registration]  # approved, in performance order
    explicit: bool  # the round uses stored assignments (see AssignmentPlan)
    assigned: set[tuple[int, int]] = field(default_factory=set)  # (member id, registration id)
    categories: dict[int, set[int]] = field(default_factory=dict)  # member id -> category ids; none: all
    conflicts: set[tuple[int, int]] = field(default_factory=set)
    incomplete: set[int] = field(default_factory=set)  # approved, in the round, but no one may judge them

    def in_categories(self, member: JuryMember, registration: Registration) -> bool:
        allowed = self.categories.get(member.id)
        return not allowed or registration.category_id in allowed

    def is_assigned(self, member: JuryMember, registration: Registration) -> bool:
        # Honorary members' scores do not count, so the balanced assignment leaves them out and
        # they keep the default: every entry of their categories.
        if self.explicit and not member.is_honorary:
            return (member.id, registration.id) in self.assigned
        return self.in_categories(member, registration)

    def is_conflicted(self, member: JuryMember, registration: Registration) -> bool:
        return (member.id, registration.id) in self.conflicts

    def why_closed(self, member: JuryMember, registration: Registration) -> Any | None:
        """None when the member may open and score the entry, else the reason (a message)."""
        if member.contest_id == self.round.contest_id and registration.id in self.incomplete:
            return INCOMPLETE
        if member.contest_id != self.round.contest_id or registration.id not in self._registration_ids:
            return NOT_IN_ROUND
        if self.is_conflicted(member, registration):
            return CONFLICTED
        if not self.is_assigned(member, registration):
            return NOT_ASSIGNED
        return None

    def may_open(self, member: JuryMember, registration: Registration) -> bool:
        return self.why_closed(member, registration) is None

    def open_for(self, member: JuryMember) -> list[Registration]:
        return [registration for registration in self.registrations if self.may_open(member, registration)]

    @property
    def _registration_ids(self) -> set[int]:
        return {registration.id for registration in self.registrations}


def load_scope(round_: Round, *, members: Iterable[JuryMember] | None = None,
               registration_ids: Iterable[int] | None = None, with_entries: bool = False) -> Scope:
    """Six queries whatever the size of the jury or the field."""
    everyone = round_registrations(round_, ids=registration_ids, with_entries=with_entries, judgeable_only=False)
    return _scope(round_, members, everyone)


def _scope(round_: Round, members: Iterable[JuryMember] | None, everyone: list[Registration]) -> Scope:
    """The scope of `members` (the whole jury: None) over `everyone`, the round's approved
    registrations in question, judgeable or not (their entries loaded): three or four queries."""
    members = list(members) if members is not None else jury_of(round_.contest_id)
    member_ids = [member.id for member in members]
    registrations = [registration for registration in everyone if may_be_judged(registration)]
    explicit = db.session.get(AssignmentPlan, round_.id) is not None
    scope = Scope(round=round_, members=members, registrations=registrations, explicit=explicit,
                  incomplete={registration.id for registration in everyone} - {r.id for r in registrations})
    if not member_ids:
        return scope
    if explicit:
        scope.assigned = _pairs(select(Assignment.member_id, Assignment.registration_id).where(
            Assignment.round_id == round_.id, Assignment.member_id.in_(member_ids)))
    for member_id, category_id in db.session.execute(select(
            jury_member_category.c.member_id, jury_member_category.c.category_id).where(
            jury_member_category.c.member_id.in_(member_ids))):
        scope.categories.setdefault(member_id, set()).add(category_id)
    scope.conflicts = _pairs(select(Conflict.member_id, Conflict.registration_id).where(
        Conflict.member_id.in_(member_ids)))
    return scope


def _pairs(query) -> set[tuple[int, int]]:
    return {(first, second) for first, second in db.session.execute(query)}


def jury_of(contest_id: int) -> list[JuryMember]:
    """The contest's jury, chair first, then by name."""
    return list(db.session.scalars(
        select(JuryMember).join(JuryMember.user).options(joinedload(JuryMember.user))
        .where(JuryMember.contest_id == contest_id)
        .order_by(JuryMember.is_chair.desc(), User.name, JuryMember.id)))


def previous_round_id(round_: Round) -> ScalarSelect[int]:
    """The id of the round before this one in the contest (a qualifying round before the final),
    as a subquery that is NULL for the first round."""
    return (select(Round.id).where(Round.contest_id == round_.contest_id, Round.position < round_.position)
            .order_by(Round.position.desc()).limit(1).scalar_subquery())


def round_registrations(round_: Round, *, ids: Iterable[int] | None = None, with_entries: bool = False,
                        judgeable_only: bool = True, with_absent: bool = False) -> list[Registration]:
    """The entries judged in a round, in performance order: approved registrations whose entry
    meets the contest's rules (or that an organiser let through with a reason), and in a round
    after another one only those that advanced from it (none until organisers mark them).
    A performer marked absent on stage is owed no sheet, so is left out unless `with_absent`.
    `judgeable_only=False` keeps the incomplete ones too (to name them to organisers)."""
    query = (
        _in_round(select(Registration), round_, with_absent=with_absent)
        .order_by(PerformanceSlot.position.is_(None), PerformanceSlot.position, Registration.number)
        # The works decide whether an entry may be judged (two queries, whatever the field).
        .options(selectinload(Registration.entry).selectinload(Entry.works))
    )
    if ids is not None:
        query = query.where(Registration.id.in_(list(ids)))
    if with_entries:
        query = query.options(selectinload(Registration.participant))
    registrations = list(db.session.scalars(query))
    if not judgeable_only:
        return registrations
    return [registration for registration in registrations if may_be_judged(registration)]


def _in_round(query: Select[Any], round_: Round, *, with_absent: bool) -> Select[Any]:
    """`query` of registrations narrowed to those in the round (see round_registrations)."""
    query = (
        query.outerjoin(PerformanceSlot, (PerformanceSlot.registration_id == Registration.id)
                        & (PerformanceSlot.round_id == round_.id))
        .where(Registration.contest_id == round_.contest_id,
               Registration.status == RegistrationStatus.APPROVED.value)
    )
    earlier = previous_round_id(round_)  # in the same statement: no extra query
    query = query.where(or_(earlier.is_(None), Registration.id.in_(
        select(Advancement.registration_id).where(Advancement.round_id == earlier))))
    if not with_absent:
        query = query.where(or_(PerformanceSlot.is_absent.is_(None), PerformanceSlot.is_absent.is_(False)))
    return query


# For views and services ---------------------------------------------------------------------

def entries_for_juror(member: JuryMember, round_: Round) -> list[Registration]:
    """The entries this juror may open in this round (approved, assigned, not conflicted), in
    performance order, with entries and participants loaded."""
    if member.contest_id != round_.contest_id:
        return []
    return load_scope(round_, members=[member], with_entries=True).open_for(member)


def why_closed(member: JuryMember, registration: Registration, round_: Round) -> Any | None:
    """None when the juror may open this entry in this round, else the reason to show."""
    if member.contest_id != round_.contest_id or registration.contest_id != round_.contest_id:
        return NOT_IN_ROUND
    # The caller has the registration (with its entry, for the views): only whether it is in
    # the round is read again, not the entry and its works (a sheet sent checks this twice).
    in_round = db.session.scalar(_in_round(select(Registration.id), round_, with_absent=False)
                                 .where(Registration.id == registration.id)) is not None
    return _scope(round_, [member], [registration] if in_round else []).why_closed(member, registration)


def may_open(member: JuryMember, registration: Registration, round_: Round) -> bool:
    return why_closed(member, registration, round_) is None


def next_unscored(member: JuryMember, round_: Round, *, after: Registration | None = None) -> Registration | None:
    """"Save and next": the first entry after `after` (in performance order, wrapping round)
    that this juror may open and has not submitted yet; None when nothing is left."""
    queue = entries_for_juror(member, round_)
    submitted = set(db.session.scalars(select(ScoreSheet.registration_id).where(
        ScoreSheet.member_id == member.id, ScoreSheet.round_id == round_.id,
        ScoreSheet.status == SheetStatus.SUBMITTED.value)))
    start = next((index + 1 for index, registration in enumerate(queue)
                  if after is not None and registration.id == after.id), 0)
    for registration in queue[start:] + queue[:start]:
        if registration.id not in submitted and (after is None or registration.id != after.id):
            return registration
    return None


# Organiser actions ------------------------------------------------------------------------

def check_jury_editable(contest: Contest) -> None:
    ensure_not_archived(contest)
    if contest.status not in JURY_EDITABLE_STATUSES:
        raise ServiceError(_l("The results are published: the jury and its assignments can no longer change."))


def incomplete_entries(round_: Round) -> list[Registration]:
    """Approved entries of the round that no juror may open: incomplete, and no exception."""
    return [registration for registration in round_registrations(round_, judgeable_only=False)
            if not may_be_judged(registration)]


def assign_automatically(round_: Round, per_entry: Any, *, actor: User | None) -> dict[int, int]:
    """Give every entry that may be judged (complete, or let through by an organiser: the others
    are left out) `per_entry` jurors (not honorary, within their categories, without a conflict),
    loads as even as possible; a juror who already has a sheet for an entry keeps it.
    Deterministic: ties go to the lower member id. Returns member id -> number of entries."""
    check_jury_editable(round_.contest)
    if isinstance(per_entry, bool) or not isinstance(per_entry, int) or per_entry < 1:
        raise ServiceError(_l("Enter a whole number of jurors per entry, at least 1."), "per_entry")
    members = [member for member in jury_of(round_.contest_id) if not member.is_honorary]
    if len(members) < per_entry:
        raise ServiceError(_l("The jury has only %(count)s members whose scores count.", count=len(members)),
                           "per_entry")
    scope = load_scope(round_, members=members)
    skipped = [registration.code for registration in incomplete_entries(round_)]
    pairs = _balanced_pairs(scope, members, per_entry, _sheet_pairs(round_))
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id))
    if pairs:
        db.session.execute(insert(Assignment), [
            {"round_id": round_.id, "member_id": member_id, "registration_id": registration_id}
            for member_id, registration_id in pairs])
    plan = db.session.get(AssignmentPlan, round_.id) or AssignmentPlan(round_id=round_.id)
    plan.per_entry, plan.created_by_id = per_entry, getattr(actor, "id", None)  # a new plan or the one replaced
    db.session.add(plan)
    db.session.flush()
    loads = {member.id: sum(1 for member_id, _ in pairs if member_id == member.id) for member in members}
    record("jury.assign", round_, actor=actor, contest_id=round_.contest_id, per_entry=per_entry,
           assignments=len(pairs), loads={str(key): value for key, value in loads.items()},
           skipped_incomplete=skipped)
    return loads


def _balanced_pairs(scope: Scope, members: list[JuryMember], per_entry: int,
                    started: set[tuple[int, int]]) -> list[tuple[int, int]]:
    loads = {member.id: 0 for member in members}
    pairs: list[tuple[int, int]] = []
    short: list[str] = []
    for registration in scope.registrations:
        able = [member for member in members if scope.in_categories(member, registration)
                and not scope.is_conflicted(member, registration)]
        chosen = [member for member in able if (member.id, registration.id) in started]
        rest = sorted((member for member in able if member not in chosen), key=lambda m: (loads[m.id], m.id))
        chosen += rest[:max(0, per_entry - len(chosen))]
        if len(chosen) < per_entry:
            short.append(registration.code)
        for member in chosen:
            loads[member.id] += 1
            pairs.append((member.id, registration.id))
    if short:
        raise ServiceError(_l("Not enough jurors without a conflict for these entries: %(codes)s.",
                              codes=", ".join(short)), "per_entry")
    return pairs


def _sheet_pairs(round_: Round) -> set[tuple[int, int]]:
    return _pairs(select(ScoreSheet.member_id, ScoreSheet.registration_id).where(
        ScoreSheet.round_id == round_.id))


def clear_assignments(round_: Round, *, actor: User | None) -> None:
    """Back to the default: every juror scores every entry of their categories."""
    check_jury_editable(round_.contest)
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id))
    db.session.execute(delete(AssignmentPlan).where(AssignmentPlan.round_id == round_.id))
    db.session.flush()
    record("jury.assign_cleared", round_, actor=actor, contest_id=round_.contest_id)


def set_performance_order(round_: Round, registrations: list[Registration], *, actor: User | None) -> None:
    """Live mode: the order performers come on stage; entries left out follow by number."""
    check_jury_editable(round_.contest)
    ids = [registration.id for registration in registrations]
    if len(set(ids)) != len(ids):
        raise ServiceError(_l("Each entry may appear only once in the order."))
    if any(registration.contest_id != round_.contest_id for registration in registrations):
        raise ServiceError(NOT_IN_ROUND)
    store_performance_order(round_, ids)
    record("jury.performance_order", round_, actor=actor, contest_id=round_.contest_id, order=ids)


def store_performance_order(round_: Round, ids: list[int]) -> None:
    """Write the order (registration ids, first on stage first): each slot keeps what the stage
    recorded about it (absent, closed, its duration); entries left out lose their slot."""
    kept = {slot.registration_id: slot for slot in db.session.scalars(
        select(PerformanceSlot).where(PerformanceSlot.round_id == round_.id))}
    flags = {registration_id: {"is_absent": slot.is_absent, "closed_at": slot.closed_at,
                               "duration_seconds": slot.duration_seconds} for registration_id, slot in kept.items()}
    blank = {"is_absent": False, "closed_at": None, "duration_seconds": None}
    # Deleted and written again: positions are unique per round, so moving them row by row
    # would collide half way.
    db.session.execute(delete(PerformanceSlot).where(PerformanceSlot.round_id == round_.id))
    for slot in kept.values():
        db.session.expunge(slot)
    if ids:
        db.session.execute(insert(PerformanceSlot), [
            {"round_id": round_.id, "registration_id": registration_id, "position": position,
             **flags.get(registration_id, blank)}
            for position, registration_id in enumerate(ids, start=1)])
    db.session.flush()
