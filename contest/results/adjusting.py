"""Entering what the jury's sheets do not hold: penalties and bonuses outside the jury, and the
jury's ex aequo decisions. Organisers only, while the contest is in judging; every change is
audited with its reason. The rules themselves are in adjustments.py and exaequo.py."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import Contest, ContestStatus, RankMethod, Round
from contest.contests.services import ensure_not_archived, lock_contest
from contest.errors import ServiceError, required_reason
from contest.extensions import db
from contest.i18n import localized
from contest.judging.services import check_organiser
from contest.registration.models import Registration, RegistrationStatus
from contest.results.exaequo import ExAequo, ExAequoError, assign_with_decisions
from contest.results.loading import award_tiers, combined_rounds, load_panels, rank_round, results_round
from contest.results.models import Adjustment, AdjustmentKind, ExAequoDecision

REASON_LIMIT = 1000
# Far above any jury's scale, far below what the column holds: a typo of extra digits is refused.
POINTS_LIMIT = Decimal(100_000)


def entries_of(contest: Contest) -> list[Registration]:
    """The contest's approved entries by code, with their participants: what points can be given to."""
    return list(db.session.scalars(select(Registration).options(joinedload(Registration.participant))
                                   .where(Registration.contest_id == contest.id,
                                          Registration.status == RegistrationStatus.APPROVED.value)
                                   .order_by(Registration.code)))


def adjustments_of(*rounds: Round) -> list[Adjustment]:
    """The rounds' adjustments with their entries, round by round in the order given, oldest
    first within a round. One query, however many rounds."""
    order = {round_.id: position for position, round_ in enumerate(rounds)}
    found = db.session.scalars(
        select(Adjustment).options(joinedload(Adjustment.registration).joinedload(Registration.participant),
                                   joinedload(Adjustment.created_by))
        .where(Adjustment.round_id.in_(order)).order_by(Adjustment.id))
    return sorted(found, key=lambda item: order[item.round_id])  # stable: oldest first stays


def counts_in_combination(contest: Contest, round_: Round) -> bool:
    """Whether `round_`'s score is one of several the final standings combine (its points outside
    the jury then count in the total as its score does)."""
    last = results_round(contest)
    rounds = combined_rounds(contest, last) if last is not None else []
    return len(rounds) > 1 and round_ in rounds


def decisions_of(round_: Round) -> list[ExAequoDecision]:
    """The round's ex aequo decisions, oldest first. One query."""
    return list(db.session.scalars(select(ExAequoDecision).options(joinedload(ExAequoDecision.created_by))
                                   .where(ExAequoDecision.round_id == round_.id).order_by(ExAequoDecision.id)))


def engine_decisions(decisions: list[ExAequoDecision]) -> dict[int, list[ExAequo]]:
    """category id -> the engine's decisions (tiers named by id, as loading.award_tiers names them)."""
    result: dict[int, list[ExAequo]] = defaultdict(list)
    for decision in decisions:
        result[decision.category_id].append(
            ExAequo(str(decision.tier_id), frozenset(decision.registration_ids), decision.skip_next))
    return result


def tier_labels(contest: Contest) -> dict[str, str]:
    return {str(tier.id): localized(tier, "name") for tier in contest.award_tiers}


def _check_can_change(contest: Contest, round_: Round, actor: User | None) -> None:
    check_organiser(actor)
    _check_open(contest, round_)


def _check_open(contest: Contest, round_: Round) -> None:
    ensure_not_archived(contest)
    if round_.contest_id != contest.id:
        raise ServiceError(_l("This round belongs to another contest."))
    lock_contest(contest)
    if contest.status != ContestStatus.JUDGING.value:
        raise ServiceError(_l("Penalties, bonuses and ex aequo decisions can be changed only while the contest is "
                              "in judging; withdraw published results first."))


def parse_points(text: str | None, decimals: int) -> Decimal:
    """Signed points as people type them (a comma or a dot, a minus for a penalty), at most the
    contest's decimals: the final score is the rounded jury score plus these, exactly."""
    value = (text or "").strip().replace(",", ".").replace("−", "-").replace(" ", "")
    try:
        points = Decimal(value)
    except InvalidOperation:
        points = None
    if points is None or not points.is_finite():
        raise ServiceError(_l("Enter a number of points, for example -1 for a penalty or 0.5 for a bonus."),
                           "points")
    if not points:
        raise ServiceError(_l("Zero points change nothing: enter a penalty (below zero) or a bonus."), "points")
    if abs(points) > POINTS_LIMIT:
        raise ServiceError(_l("At most %(limit)s points either way.", limit=POINTS_LIMIT), "points")
    if points != points.quantize(Decimal(1).scaleb(-decimals)):
        raise ServiceError(_l("At most %(count)d decimals, as the contest's scores are rounded.", count=decimals),
                           "points")
    return points


def _entry(contest: Contest, registration_id: int | None) -> Registration:
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if (registration is None or registration.contest_id != contest.id
            or registration.status != RegistrationStatus.APPROVED.value):
        raise ServiceError(_l("Choose an approved entry of this contest."), "registration")
    return registration


def add_adjustment(contest: Contest, round_: Round, *, registration_id: int | None, kind: str, points: str | None,
                   reason: str | None, actor: User | None) -> Adjustment:
    """Record points outside the jury for an entry in the round; nothing is written when refused."""
    _check_can_change(contest, round_, actor)
    if round_.by_ranks and round_.method == RankMethod.RANK_SUM.value:
        raise ServiceError(_l("This round is ranked by the sum of places, which has no points to add or take away."))
    registration = _entry(contest, registration_id)
    if kind not in set(AdjustmentKind):
        raise ServiceError(_l("Choose what the points are for."), "kind")
    decimals = 2 if contest.score_decimals is None else contest.score_decimals
    value = parse_points(points, decimals)
    text = required_reason(reason, "reason", REASON_LIMIT,
                           missing=_l("Say why: the reason is shown in the jury protocol."))
    return _store_adjustment(contest, round_, registration, kind, value, text, actor)


def add_overrun_penalty(contest: Contest, round_: Round, registration: Registration, *, points: Decimal,
                        reason: str, actor: User | None) -> Adjustment:
    """The round's penalty for going over its time limit, entered when the chair closes the
    performance (contest/stage/ checks that the actor runs the stage). `points` is the penalty
    as the round defines it (above zero); it is stored as a negative adjustment."""
    _check_open(contest, round_)
    if registration.contest_id != contest.id:
        raise ServiceError(_l("Choose an approved entry of this contest."), "registration")
    return _store_adjustment(contest, round_, registration, AdjustmentKind.TIME_OVERRUN.value, -abs(points),
                             reason, actor)


def _store_adjustment(contest: Contest, round_: Round, registration: Registration, kind: str, value: Decimal,
                      reason: str, actor: User | None) -> Adjustment:
    adjustment = Adjustment(round_id=round_.id, registration_id=registration.id, kind=kind, points=value,
                            reason=reason, created_by_id=getattr(actor, "id", None))
    db.session.add(adjustment)
    db.session.flush()
    record("results.adjustment_add", adjustment, actor=actor, contest_id=contest.id, round_id=round_.id,
           registration_id=registration.id, code=registration.code, kind=kind, points=f"{value:f}", reason=reason)
    return adjustment


def remove_adjustment(contest: Contest, adjustment_id: int, *, actor: User | None) -> None:
    adjustment = db.session.get(Adjustment, adjustment_id)
    if adjustment is None or adjustment.round.contest_id != contest.id:
        raise ServiceError(_l("This penalty or bonus no longer exists."))
    _check_can_change(contest, adjustment.round, actor)
    record("results.adjustment_remove", adjustment, actor=actor, contest_id=contest.id,
           round_id=adjustment.round_id, registration_id=adjustment.registration_id,
           code=adjustment.registration.code, kind=adjustment.kind, points=f"{adjustment.points:f}",
           reason=adjustment.reason)
    db.session.delete(adjustment)
    db.session.flush()


def _codes(contest: Contest, category_id: int, text: str | None) -> list[Registration]:
    codes = [code.strip().upper() for code in (text or "").replace(";", ",").replace(" ", ",").split(",")
             if code.strip()]
    if len(set(codes)) < 2:
        raise ServiceError(_l("Name at least two entries by their codes, separated by commas."), "codes")
    found = {registration.code.upper(): registration for registration in db.session.scalars(
        select(Registration).where(Registration.contest_id == contest.id, Registration.category_id == category_id,
                                   Registration.status == RegistrationStatus.APPROVED.value))}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ServiceError(_l("No approved entry of this category has the code %(codes)s.",
                              codes=", ".join(unknown)), "codes")
    return [found[code] for code in dict.fromkeys(codes)]


def decide_ex_aequo(contest: Contest, round_: Round, *, category_id: int | None, tier_id: int | None,
                    codes: str | None, skip_next: bool, reason: str | None, actor: User | None) -> ExAequoDecision:
    """Record the jury's decision to give a tier to several entries of a category. Refused, with
    nothing written, when it does not fit the standings as they are now (exaequo.py says how)."""
    _check_can_change(contest, round_, actor)
    category = next((item for item in contest.categories if item.id == category_id), None)
    if category is None:
        raise ServiceError(_l("Choose a category of this contest."), "category")
    tier = next((item for item in contest.award_tiers if item.id == tier_id), None)
    if tier is None:
        raise ServiceError(_l("Choose an award tier of this contest."), "tier")
    registrations = _codes(contest, category.id, codes)
    text = required_reason(reason, "reason", REASON_LIMIT,
                           missing=_l("Give the jury's reason: it is shown in the protocol and on the results page."))
    existing = [decision for decision in decisions_of(round_) if decision.category_id == category.id]
    if any(decision.tier_id == tier.id for decision in existing):
        raise ServiceError(_l("The jury has already decided on this tier in this category; remove that decision "
                              "first."), "tier")
    decision = ExAequoDecision(round_id=round_.id, category_id=category.id, tier_id=tier.id,
                               registration_ids=[registration.id for registration in registrations],
                               skip_next=skip_next, reason=text, created_by_id=getattr(actor, "id", None))
    ranking = rank_round(contest, load_panels(contest, round_))[category.id]
    try:
        assign_with_decisions(ranking.standings, award_tiers(contest),
                              engine_decisions([*existing, decision])[category.id], tier_labels(contest))
    except ExAequoError as error:
        raise ServiceError(error.message, "codes") from error
    db.session.add(decision)
    db.session.flush()
    record("results.ex_aequo_add", decision, actor=actor, contest_id=contest.id, round_id=round_.id,
           category_id=category.id, tier_id=tier.id, codes=[registration.code for registration in registrations],
           skip_next=skip_next, reason=text)
    return decision


def remove_ex_aequo(contest: Contest, decision_id: int, *, actor: User | None) -> None:
    decision = db.session.get(ExAequoDecision, decision_id)
    if decision is None or decision.round.contest_id != contest.id:
        raise ServiceError(_l("This ex aequo decision no longer exists."))
    _check_can_change(contest, decision.round, actor)
    record("results.ex_aequo_remove", decision, actor=actor, contest_id=contest.id, round_id=decision.round_id,
           category_id=decision.category_id, tier_id=decision.tier_id, registrations=list(decision.registration_ids),
           skip_next=decision.skip_next, reason=decision.reason)
    db.session.delete(decision)
    db.session.flush()
