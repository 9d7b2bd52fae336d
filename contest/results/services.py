"""The results workflow: live standings, agreement figures, advancement, publishing a frozen
snapshot and reading it back for public pages, exports and the jury protocol."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, overload

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import joinedload

from contest.audit.services import record
from contest.auth.models import User
from contest.contests.models import Category, Contest, ContestStatus, Round, RoundStage
from contest.contests.services import change_status, ensure_not_archived, lock_contest
from contest.db import utcnow
from contest.errors import ServiceError, optional_reason, required_reason
from contest.extensions import db
from contest.i18n import LANGUAGE_NAMES, format_table_datetime, format_weight, localized
from contest.judging.models import Advancement, JuryMember
from contest.judging.progress import progress_matrix
from contest.judging.services import check_organiser
from contest.registration.models import Participant, Registration, RegistrationStatus
from contest.results import adjusting, statistics
from contest.results import awards as engine_awards
from contest.results.exaequo import assign_with_decisions
from contest.results.loading import (
    RoundPanels,
    award_tiers,
    contest_rules,
    load_panels,
    rank_standings,
    results_round,
)
from contest.results.models import ExAequoDecision, ResultSnapshot
from contest.results.ranking import Method, Ranking, Standing, counting_sheets
from contest.results.signals import results_published
from contest.results.svg import histogram_svg, score_bins

REASON_LIMIT = 1000
SNAPSHOT_FORMAT = 1


# Live standings ------------------------------------------------------------------------------

@dataclass
class StandingRow:
    registration: Registration
    standing: Standing
    award: Any = None  # the contest's AwardTier row
    ex_aequo: bool = False  # the award is the jury's ex aequo decision (exaequo.py)


@dataclass
class CategoryStandings:
    category: Category
    rows: list[StandingRow] = field(default_factory=list)
    ranking: Ranking | None = None
    decisions: list[ExAequoDecision] = field(default_factory=list)
    # Rounds combined: entry -> each combined round's score, in the order of RoundStandings.rounds.
    round_scores: dict[int, tuple[Decimal | None, ...]] = field(default_factory=dict)
    # Rounds combined: each round's own ranking, in the same order.
    round_rankings: tuple[Ranking, ...] = ()


@dataclass
class RoundStandings:
    round: Round
    categories: list[CategoryStandings]
    panels: RoundPanels
    prize_total: Decimal = Decimal(0)
    rounds: list[Round] = field(default_factory=list)  # the rounds combined (just `round` when not combined)

    @property
    def combined(self) -> bool:
        return len(self.rounds) > 1


def round_of(contest: Contest, round_id: int | None) -> Round | None:
    """The round asked for (must be the contest's), else the one whose standings are the results."""
    if round_id is None:
        return results_round(contest)
    return next((round_ for round_ in contest.rounds if round_.id == round_id), None)


def live_standings(contest: Contest, round_: Round) -> RoundStandings:
    """Every category's standings with awards, in a fixed number of queries whatever the field and
    the number of rounds combined (the contest's setup loaded by the caller). Raises RankingError
    when the method cannot apply."""
    registrations = {registration.id: registration for registration in db.session.scalars(
        select(Registration).options(joinedload(Registration.participant))
        .where(Registration.contest_id == contest.id, Registration.status == RegistrationStatus.APPROVED.value))}
    ranked = rank_standings(contest, round_, entries=[(r.id, r.category_id) for r in registrations.values()])
    rankings = ranked.rankings
    tiers = {str(tier.id): tier for tier in contest.award_tiers}
    result = RoundStandings(round_, [], ranked.panels, rounds=ranked.rounds)
    engine_tiers = award_tiers(contest)
    stored = adjusting.decisions_of(round_)
    decisions, labels = adjusting.engine_decisions(stored), adjusting.tier_labels(contest)
    for category in contest.categories:
        ranking = rankings[category.id]
        awards = {award.entry: award for award in assign_with_decisions(
            ranking.standings, engine_tiers, decisions.get(category.id, []), labels)}
        result.prize_total += engine_awards.prize_total(awards.values())
        rows = [StandingRow(registrations[standing.entry], standing,
                            tiers[awards[standing.entry].tier.name] if standing.entry in awards else None,
                            standing.entry in awards and awards[standing.entry].ex_aequo)
                for standing in ranking.standings]
        result.categories.append(CategoryStandings(
            category, rows, ranking, decisions=[item for item in stored if item.category_id == category.id],
            round_scores=ranked.round_scores.get(category.id, {}),
            round_rankings=ranked.round_rankings.get(category.id, ())))
    return result


def total_label(data: dict[str, Any]) -> str:
    """The heading of a published snapshot's score column, the same in the page, the export and
    the protocol: a round scored by places shows what its number is (lower is better for a sum
    of places), rounds combined show a combined score."""
    if data.get("rounds"):
        return str(_l("Total"))
    if data.get("scoring") == "ranks":
        return str(_l("Sum of places")) if data.get("method") == Method.RANK_SUM.value else str(_l("Borda points"))
    return str(_l("Total"))


def decided_by_label(contest: Contest, standing: Standing) -> str:
    """How the place was decided, in words."""
    rule = standing.decided_by
    if rule == "score" and standing.method is Method.RANK_SUM:
        return str(_l("by the sum of places"))
    if rule == "score" and standing.method is Method.BORDA:
        return str(_l("by the Borda points"))
    if rule == "score":
        return str(_l("by the total"))
    if rule == "unranked":
        return str(_l("not ranked: no counted score sheet"))
    if rule == "shared":
        return str(_l("place shared"))
    if rule == "chair_total" and standing.method in (Method.RANK_SUM, Method.BORDA):
        return str(_l("tie broken by the chair's place"))
    if rule == "chair_total":
        return str(_l("tie broken by the chair's total"))
    if rule == "first_places":
        return str(_l("tie broken by the number of first places"))
    if rule.startswith("criterion:"):
        criterion = next((c for c in contest.criteria if f"criterion:{c.id}" == rule), None)
        return str(_l("tie broken by the criterion “%(name)s”",
                      name=localized(criterion, "name") if criterion else rule))
    return rule


def method_note(standing: Standing) -> str:
    if not standing.fell_back:
        return ""
    if standing.method in (Method.RANK_SUM, Method.BORDA):
        return str(_l("not ranked by every counting juror: the mean of the others' ranks stands in"))
    if standing.method is Method.SUM:
        return str(_l("too few jurors for the trimmed sum: plain sum used"))
    return str(_l("too few jurors for the trimmed mean: plain mean used"))


# Missing sheets ----------------------------------------------------------------------------

@dataclass(frozen=True)
class MissingSheet:
    juror: str
    code: str
    state: str


def missing_sheets(round_: Round) -> list[MissingSheet]:
    """Sheets a counting juror still owes (missing or draft) in the round."""
    matrix = progress_matrix(round_)
    result = []
    for member in matrix.members:
        if member.is_honorary:
            continue
        for registration in matrix.pending(member):
            result.append(MissingSheet(member.name, registration.code, matrix.state(member, registration).value))
    return result


# Agreement statistics ------------------------------------------------------------------------

@dataclass
class CategoryAgreement:
    category: Category
    # Kendall's W on complete rankings, the mean pairwise Spearman correlation when some juror
    # did not score some entry.
    concordance: statistics.Concordance | statistics.PairwiseAgreement | None
    jurors: list[tuple[JuryMember, statistics.JurorAgreement]]
    charts: list[tuple[Any, str]]  # (criterion, svg)
    incomplete: int = 0  # entries some juror did not score

    @property
    def pairwise(self) -> bool:
        return isinstance(self.concordance, statistics.PairwiseAgreement)


def _score_count(count: int) -> str:
    return ngettext("%(num)d score", "%(num)d scores", count)


def agreement(contest: Contest, round_: Round) -> list[CategoryAgreement]:
    panels = load_panels(contest, round_, all_scores=True)
    members = {member.id: member for member in panels.jurors}
    result = []
    for category in contest.categories:
        panel = panels.panels[category.id]
        ratings = statistics.ratings_of(panel)
        points = statistics.criterion_points(panel)
        charts = []
        for criterion in [] if round_.by_ranks else contest.criteria:  # places have no criteria
            name = localized(criterion, "name")
            bins = score_bins(points.get(criterion.id, []), Decimal(criterion.max_score))
            charts.append((criterion, histogram_svg(bins, title=str(_l("Scores for “%(name)s”", name=name)),
                                                     count_text=_score_count)))
        result.append(CategoryAgreement(
            category, statistics.concordance(ratings),
            [(members[item.juror], item) for item in statistics.juror_agreement(ratings) if item.juror in members],
            charts, statistics.incomplete_entries(ratings)))
    return result


# Advancement ---------------------------------------------------------------------------------

def mark_advancement(contest: Contest, round_: Round, *, actor: User | None) -> int:
    """Store who moves on from a qualifying round: the best `advance_count` of each category (a tie
    at the boundary takes every tied entry), or every entry whose rounded total reaches
    `advance_threshold`. Replaces an earlier marking; returns how many. The same marking
    marked again (two organisers pressing the button at once) is refused with who marked it."""
    check_organiser(actor)
    ensure_not_archived(contest)
    if round_.contest_id != contest.id:
        raise ServiceError(_l("This round belongs to another contest."))
    rule = advancement_rule(round_)
    if round_.stage != RoundStage.QUALIFYING.value or rule is None:
        raise ServiceError(_l("Only a qualifying round with a number of entries that advance, or a score needed "
                              "to advance, can mark who advances."))
    lock_contest(contest)  # a second organiser waits here, then finds the first one's marking
    if contest.status != ContestStatus.JUDGING.value:
        raise ServiceError(_l("Who advances can be marked only while the contest is in judging."))
    standings = live_standings(contest, round_)
    marking = {}
    for category in standings.categories:
        places = {row.standing.entry: row.standing.place for row in category.rows}
        for entry in engine_awards.advancing([row.standing for row in category.rows], **rule):
            marking[entry] = places[entry]
    _refuse_same_marking(round_, marking)
    db.session.execute(delete(Advancement).where(Advancement.round_id == round_.id))
    for entry, place in marking.items():
        db.session.add(Advancement(round_id=round_.id, registration_id=entry, place=place,
                                   created_by_id=getattr(actor, "id", None)))
    db.session.flush()
    record("results.advance", round_, actor=actor, contest_id=contest.id, registrations=list(marking))
    return len(marking)


def _refuse_same_marking(round_: Round, marking: dict[int, int | None]) -> None:
    stored = db.session.scalars(select(Advancement).where(Advancement.round_id == round_.id)).all()
    if stored and {row.registration_id: row.place for row in stored} == marking:
        latest = max(stored, key=lambda row: row.created_at)
        raise ServiceError(_l("Who advances is already marked: %(count)s entries. Marked by: %(name)s, "
                              "%(time)s. Nothing was changed.", count=len(stored), name=_name_of(latest.created_by_id),
                              time=format_table_datetime(latest.created_at)))


def _name_of(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else "—"


def advancement_rule(round_: Round) -> dict[str, Any] | None:
    """The engine's keyword for the round's advancement: top N or a threshold (never both, as the
    contest setup and a CHECK constraint guarantee), or None when the round sets neither."""
    if round_.advance_count:
        return {"top": round_.advance_count}
    if round_.advance_threshold is not None:
        return {"threshold": Decimal(round_.advance_threshold)}
    return None


def advanced_ids(round_: Round) -> set[int]:
    return set(db.session.scalars(select(Advancement.registration_id).where(Advancement.round_id == round_.id)))


# Snapshots -----------------------------------------------------------------------------------

def current_snapshot(contest_id: int, *, with_data: bool = True) -> ResultSnapshot | None:
    query = select(ResultSnapshot).where(ResultSnapshot.contest_id == contest_id, ResultSnapshot.retired_at.is_(None))
    if with_data:
        query = query.options(joinedload(ResultSnapshot.published_by))
    snapshot = db.session.scalar(query)
    return snapshot


def _texts(obj: Any, field_name: str = "name") -> dict[str, str]:
    return {code: localized(obj, field_name, code) for code in LANGUAGE_NAMES}


@overload
def _decimal_text(value: Decimal) -> str: ...


@overload
def _decimal_text(value: None) -> None: ...


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def snapshot_data(contest: Contest, standings: RoundStandings) -> dict[str, Any]:
    """The frozen results: everything public pages, exports and the protocol show, nothing more
    (contacts stay in the registrations and are joined in only for the organisers' export)."""
    panels = load_panels(contest, standings.round, all_scores=True,
                         entries=list(standings.panels.category_of.items()))
    rules = contest_rules(contest, standings.round)
    adjustments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in adjusting.adjustments_of(*standings.rounds):  # every combined round's: each is in its round's score
        adjustments[item.registration_id].append({"round": item.round_id, "kind": item.kind, "reason": item.reason,
                                                  "points": _decimal_text(Decimal(item.points))})
    categories = []
    for category in standings.categories:
        panel = panels.panels[category.category.id]
        counted = counting_sheets(panel, rules)
        per_juror: dict[int, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        for juror, entry, criterion, points in panel.scores:
            if juror in counted.get(entry, {}):
                per_juror[entry][juror][str(criterion)] = _decimal_text(points)
        round_standings = [(item, item.by_entry()) for item in category.round_rankings]
        rows = []
        for row in category.rows:
            standing = row.standing
            if standing.place is None:
                continue
            participant: Participant = row.registration.participant
            scores = per_juror.get(standing.entry, {})
            ranking = category.ranking
            rows.append({
                "registration_id": row.registration.id,
                "code": row.registration.code,
                "place": standing.place,
                "total": _decimal_text(standing.score),
                "jury_total": None if standing.score is None else _decimal_text(standing.score - standing.adjustment),
                "adjustment": _decimal_text(standing.adjustment) if standing.adjustment else None,
                "adjustments": adjustments.get(standing.entry, []),
                "ex_aequo": row.ex_aequo,
                "jurors_counted": standing.jurors_counted,
                "decided_by": standing.decided_by,
                "award": str(row.award.id) if row.award is not None else None,
                "award_name": _texts(row.award) if row.award is not None else None,
                "named": participant.may_be_named_publicly,
                "name": participant.full_name,
                "grade": participant.grade,
                "school": participant.school,
                "district": participant.district,
                "teacher": participant.teacher,
                "criteria": _criterion_means(scores, contest, rules.decimals),
                "juror_totals": {str(juror): _decimal_text(total) for juror, total in
                                 (ranking.totals if ranking else {}).get(standing.entry, {}).items()},
                "juror_totals_unclamped": _unclamped(ranking, standing.entry),
                "juror_scores": {str(juror): dict(points) for juror, points in scores.items()},
                "round_scores": [_decimal_text(score) if score is not None else None
                                 for score in category.round_scores.get(standing.entry, ())],
                "round_details": [_round_detail(item, by_entry.get(standing.entry), standing.entry)
                                  for item, by_entry in round_standings],
            })
        categories.append({"id": category.category.id, "name": _texts(category.category), "rows": rows,
                           "ex_aequo": _decisions_data(contest, category)})
    return {
        "format": SNAPSHOT_FORMAT,
        "round": {"id": standings.round.id, "name": _texts(standings.round)},
        "method": standings.round.method,
        "scoring": standings.round.scoring,
        "decimals": rules.decimals,
        "trim": rules.trim,
        "trim_min_jurors": rules.trim_threshold,
        "normalised": rules.normalise,
        "clamp": _decimal_text(rules.clamp) if rules.clamp is not None else None,
        "combination": contest.rounds_combination if standings.combined else None,
        "rounds": [{"id": item.id, "name": _texts(item),
                    "weight": _decimal_text(Decimal(item.weight)) if item.weight is not None else None,
                    "clamp": _decimal_text(Decimal(item.clamp_points)) if item.clamp_points is not None else None}
                   for item in standings.rounds] if standings.combined else [],
        "criteria": [{"id": c.id, "name": _texts(c), "max_score": c.max_score, "weight": c.weight}
                     for c in contest.criteria],
        "jurors": [{"id": m.id, "name": m.name, "is_chair": m.is_chair, "is_honorary": m.is_honorary}
                   for m in panels.jurors],
        "categories": categories,
    }


def _decisions_data(contest: Contest, category: CategoryStandings) -> list[dict[str, Any]]:
    """The jury's ex aequo decisions of a category as the protocol and the public page state them."""
    codes = {row.registration.id: row.registration.code for row in category.rows}
    tiers = list(contest.award_tiers)
    result = []
    for decision in category.decisions:
        position = next(index for index, tier in enumerate(tiers) if tier.id == decision.tier_id)
        skipped = tiers[position + 1] if decision.skip_next and position + 1 < len(tiers) else None
        result.append({"tier_name": _texts(tiers[position]),
                       "codes": [codes[entry] for entry in decision.registration_ids if entry in codes],
                       "skip_next": decision.skip_next,
                       "skipped_name": _texts(skipped) if skipped is not None else None,
                       "reason": decision.reason})
    return result


def _round_detail(ranking: Ranking, standing: Standing | None, entry: int) -> dict[str, Any]:
    """One combined round's numbers behind an entry's round score (`standing`, the entry's in that
    round): each juror's total as counted and, where clamping changed it, as given, and the
    round's points outside the jury."""
    adjustment = standing.adjustment if standing is not None else Decimal(0)
    totals = ranking.totals.get(entry, {})
    return {"juror_totals": {str(juror): _decimal_text(total) for juror, total in totals.items()},
            "juror_totals_unclamped": _unclamped(ranking, entry),
            "adjustment": _decimal_text(adjustment) if adjustment else None}


def _unclamped(ranking: Ranking | None, entry: int) -> dict[str, str]:
    """The totals clamping changed, as the jurors gave them (the protocol shows both)."""
    if ranking is None:
        return {}
    counted = ranking.totals.get(entry, {})
    return {str(juror): _decimal_text(total) for juror, total in ranking.unclamped.get(entry, {}).items()
            if counted.get(juror) != total}


def _criterion_means(scores: dict[int, dict[str, str]], contest: Contest, decimals: int) -> dict[str, str]:
    """Per criterion, the mean of the counted jurors' points (the optional public breakdown)."""
    step = Decimal(1).scaleb(-decimals)
    means = {}
    for criterion in contest.criteria:
        values = [Decimal(points[str(criterion.id)]) for points in scores.values() if str(criterion.id) in points]
        if values:
            mean = sum(values, Decimal(0)) / len(values)
            means[str(criterion.id)] = _decimal_text(mean.quantize(step, ROUND_HALF_UP))
    return means


class MissingSheetsError(ServiceError):
    def __init__(self, missing: list[MissingSheet]) -> None:
        super().__init__(_l("%(count)s score sheets are missing or not submitted. Give a reason to publish anyway.",
                            count=len(missing)), "reason")
        self.missing = missing


def publish_results(contest: Contest, *, actor: User | None, reason: str = "") -> ResultSnapshot:
    """Freeze the standings of the results round into a snapshot and move the contest to
    "results published". Refused, with nothing written, when sheets are missing and no reason
    is given, when the method cannot apply, or when the prizes exceed the fund."""
    check_organiser(actor)
    ensure_not_archived(contest)
    lock_contest(contest)  # a second organiser waits here, then finds the results published
    _refuse_published_already(contest)
    if contest.status != ContestStatus.JUDGING.value:
        raise ServiceError(_l("Results can be published only while the contest is in judging."))
    reason = optional_reason(reason, "reason", REASON_LIMIT)
    round_ = results_round(contest)
    if round_ is None:
        raise ServiceError(_l("The contest has no round to publish results of."))
    missing = missing_sheets(round_)
    if missing and not reason:
        raise MissingSheetsError(missing)
    standings = live_standings(contest, round_)
    engine_awards.check_prize_fund(standings.prize_total, contest.prize_fund)
    if not any(row.standing.place is not None for category in standings.categories for row in category.rows):
        raise ServiceError(_l("No entry has a submitted score sheet yet: there is nothing to publish."))
    snapshot = ResultSnapshot(contest_id=contest.id, round_id=round_.id, data=snapshot_data(contest, standings),
                              published_by_id=getattr(actor, "id", None), publish_reason=reason,
                              missing_sheets=len(missing))
    db.session.add(snapshot)
    db.session.flush()
    record("results.publish", snapshot, actor=actor, contest_id=contest.id, round_id=round_.id,
           missing_sheets=len(missing), reason=reason)
    change_status(contest, ContestStatus.RESULTS_PUBLISHED.value, actor=actor)
    results_published.send(current_app._get_current_object(),  # type: ignore[attr-defined]  # the app, as connected
                           contest=contest, snapshot=snapshot)
    return snapshot


def _refuse_published_already(contest: Contest) -> None:
    snapshot = current_snapshot(contest.id)
    if contest.status == ContestStatus.RESULTS_PUBLISHED.value and snapshot is not None:
        raise ServiceError(_l("The results are already published. Published by: %(name)s, %(time)s.",
                              name=_name_of(snapshot.published_by_id),
                              time=format_table_datetime(snapshot.published_at)))


def unpublish_results(contest: Contest, *, reason: str, actor: User | None) -> ResultSnapshot:
    """Withdraw the published results (the snapshot is kept, retired) and go back to judging."""
    check_organiser(actor)
    ensure_not_archived(contest)
    lock_contest(contest)
    reason = required_reason(reason, "reason", REASON_LIMIT, missing=_l("Say why the results are withdrawn."))
    snapshot = current_snapshot(contest.id)
    if snapshot is None or contest.status != ContestStatus.RESULTS_PUBLISHED.value:
        raise ServiceError(_l("The results of this contest are not published."))
    snapshot.retired_at = utcnow()
    snapshot.retired_by_id = getattr(actor, "id", None)
    snapshot.retire_reason = reason
    db.session.flush()
    record("results.unpublish", snapshot, actor=actor, contest_id=contest.id, reason=reason)
    change_status(contest, ContestStatus.JUDGING.value, actor=actor)
    return snapshot


def _has_current_snapshot(contest: Contest) -> bool:
    return db.session.scalar(select(ResultSnapshot.id).where(
        ResultSnapshot.contest_id == contest.id, ResultSnapshot.retired_at.is_(None))) is not None


def publish_through_snapshot(sender: object, *, contest: Contest, target: ContestStatus) -> None:
    # "Results published" promises a results page: the only way in is publishing a snapshot
    # (publish_results writes it, then moves the status). Paper ballots are imported first.
    if target == ContestStatus.RESULTS_PUBLISHED and not _has_current_snapshot(contest):
        raise ServiceError(_l("Publish the results from the contest's results page: it freezes what visitors see."))


def unpublish_with_reason(sender: object, *, contest: Contest, target: ContestStatus) -> None:
    """Back to judging from published results only by withdrawing them (with a reason)."""
    if (target == ContestStatus.JUDGING and contest.status == ContestStatus.RESULTS_PUBLISHED.value
            and _has_current_snapshot(contest)):
        raise ServiceError(_l("Withdraw the results from the contest's results page, with a reason."))


# Reading a snapshot --------------------------------------------------------------------------

def categories_as_consent_stands(snapshot: ResultSnapshot) -> list[dict[str, Any]]:
    """The snapshot's categories with each row's "named" as consent stands now, not as it stood
    when publishing: a guardian who withdraws consent hides the name from public results at
    once, and a consent given again shows it. One query."""
    namable = set(db.session.scalars(
        select(Registration.id).join(Participant, Registration.participant_id == Participant.id).where(
            Registration.contest_id == snapshot.contest_id, Participant.anonymised_at.is_(None),
            or_(Participant.consent_at.is_(None), Participant.consent_withdrawn_at.is_(None)))))
    return [{**category, "rows": [{**row, "named": row["registration_id"] in namable} for row in category["rows"]]}
            for category in snapshot.data["categories"]]


def winners_by_category(snapshot: ResultSnapshot) -> list[dict[str, Any]]:
    """The published rows that won an award, per category, named as consent stands now (the
    contest page shows them above the link to the full results). One query, whatever the field."""
    return [{**category, "places": len(category["rows"]), "rows": [row for row in category["rows"] if row.get("award")]}
            for category in categories_as_consent_stands(snapshot)]


def public_name(row: dict[str, Any]) -> str:
    """The name as consent allows, else the code."""
    if row.get("named"):
        return row["name"]
    return str(_l("Participant %(code)s", code=row["code"]))


def text_in(texts: dict[str, str] | None, language: str) -> str:
    if not texts:
        return ""
    return texts.get(language) or next((value for value in texts.values() if value), "")


def combination_text(data: dict[str, Any], language: str) -> str:
    """How a snapshot's total combines its rounds, weights as the contest states them (70% or 0,7)."""
    rounds = data.get("rounds") or []
    names = [text_in(item["name"], language) for item in rounds]
    if data.get("combination") == "weighted":
        weights = [item["weight"] for item in rounds]
        names = [_("%(round)s: weight %(weight)s", round=name, weight=format_weight(item["weight"], weights, language))
                 for name, item in zip(names, rounds, strict=True)]
        return _("Total: the weighted mean of the rounds' scores (%(rounds)s).", rounds="; ".join(names))
    return _("Total: the sum of the rounds' scores (%(rounds)s).", rounds="; ".join(names))
