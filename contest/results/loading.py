"""From the database to the engine: a round's panels per category and the contest's rules.

A constant number of queries whatever the size of the field, and whatever the number of rounds
combined (they are loaded together): SQL sums points x weight per submitted sheet (the
engine's `Panel.totals`), and raw scores are fetched only for the criteria the tie-break chain
names. Honorary jurors and conflicts are passed to the engine, which leaves them out (so the
explanation of every number stays in one place)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, case, func, literal, select, type_coerce
from sqlalchemy.orm import joinedload

from contest.contests.models import Aggregation, Contest, RankMethod, Round, RoundsCombination, RoundStage
from contest.extensions import db
from contest.judging.models import Conflict, JuryMember, Score, ScoreSheet, SheetStatus
from contest.registration.models import Registration, RegistrationStatus
from contest.results import awards as engine_awards
from contest.results import combining
from contest.results import ranking as engine
from contest.results.adjustments import adjustment_totals
from contest.results.models import Adjustment
from contest.results.ranking import Panel, Ranking, Rules
from contest.results.rankings import rank_panel

METHODS = {
    Aggregation.MEAN.value: engine.Method.MEAN,
    Aggregation.TRIMMED_MEAN.value: engine.Method.TRIMMED_MEAN,
    Aggregation.MEDIAN.value: engine.Method.MEDIAN,
    Aggregation.SUM.value: engine.Method.SUM,
    Aggregation.TRIMMED_SUM.value: engine.Method.TRIMMED_SUM,
    RankMethod.RANK_SUM.value: engine.Method.RANK_SUM,
    RankMethod.BORDA.value: engine.Method.BORDA,
}
TOTAL_TYPE = Numeric(18, 6)


def contest_rules(contest: Contest, round_: Round | None = None) -> Rules:
    """The contest's ranking settings for the engine, with `round_`'s own method and clamping
    when given. A trimmed method always falls back to its plain form for an entry with fewer
    counting jurors than the contest's minimum (a juror who abstained on their own student must
    not make the whole category unpublishable); the standings mark every entry that fell back."""
    method = round_.method if round_ is not None else contest.aggregation
    # Clamping brings points towards the mean: places have none to bring.
    clamp = round_.clamp_points if round_ is not None and not round_.by_ranks else None
    return Rules(method=METHODS.get(method, engine.Method.MEAN),
                 trim=contest.trim_count or 1, trim_min_jurors=contest.trim_min_jurors, allow_fallback=True,
                 normalise=bool(contest.normalise_scores),
                 decimals=2 if contest.score_decimals is None else contest.score_decimals,
                 tie_break=tuple(contest.tie_break_rules or ()),
                 clamp=None if clamp is None else Decimal(clamp))


def award_tiers(contest: Contest, language: str | None = None) -> list[engine_awards.AwardTier]:
    """The contest's tiers for the engine; `name` carries the tier's position so the caller can
    find the database row (names are looked up per language when shown)."""
    return [engine_awards.AwardTier(name=str(tier.id), winners_count=tier.winners_count,
                                    prize_amount=Decimal(tier.prize_amount or 0),
                                    min_score=None if tier.min_score is None else Decimal(tier.min_score))
            for tier in contest.award_tiers]


def results_round(contest: Contest) -> Round | None:
    """The round whose standings are the contest's results: the last final, else the last round."""
    finals = [round_ for round_ in contest.rounds if round_.stage == RoundStage.FINAL.value]
    rounds = finals or contest.rounds
    return rounds[-1] if rounds else None


@dataclass
class RoundPanels:
    """Every category's panel of one round, and the entries' category and code."""

    round: Round
    panels: dict[int, Panel]
    jurors: list[JuryMember]
    category_of: dict[int, int] = field(default_factory=dict)


def _weighted_sum(contest: Contest) -> Any:
    """SUM(points x the criterion's weight) of a sheet, the weights written into the query."""
    weights = {criterion.id: Decimal(str(criterion.weight)) for criterion in contest.criteria}
    if all(weight == 1 for weight in weights.values()):
        return type_coerce(func.sum(Score.points), TOTAL_TYPE)
    factor = case({criterion_id: literal(weight, TOTAL_TYPE) for criterion_id, weight in weights.items()},
                  value=Score.criterion_id, else_=literal(Decimal(0), TOTAL_TYPE))
    return type_coerce(func.sum(Score.points * factor), TOTAL_TYPE)


def _tie_break_criteria(rules: Rules) -> list[int]:
    ids = []
    for rule in rules.tie_break:
        if rule.startswith(engine.CRITERION_RULE):
            try:
                ids.append(int(rule.removeprefix(engine.CRITERION_RULE)))
            except ValueError:
                continue
    return ids


def load_panels(contest: Contest, round_: Round, *, all_scores: bool = False,
                entries: Iterable[tuple[int, int]] | None = None) -> RoundPanels:
    """Panels per category of `round_` (contest setup already loaded). Four queries (the points of
    the criteria the tie-break chain names come with the totals), five when `all_scores` asks
    for every score (statistics), one more when the round is scored by places.

    `entries`: (registration id, category id) pairs when the caller already has them."""
    return load_rounds(contest, [round_], all_scores=all_scores, entries=entries)[0]


def load_rounds(contest: Contest, rounds: Sequence[Round], *, all_scores: bool = False,
                entries: Iterable[tuple[int, int]] | None = None) -> list[RoundPanels]:
    """`load_panels` of several rounds at once, in the same number of queries as one round (plus
    one for the places of the rounds scored by ranks, whatever their number)."""
    rules = contest_rules(contest)
    if entries is None:
        entries = db.session.execute(
            select(Registration.id, Registration.category_id)
            .where(Registration.contest_id == contest.id,
                   Registration.status == RegistrationStatus.APPROVED.value)
            .order_by(Registration.id)).all()
    category_of = dict(entries)
    jurors = list(db.session.scalars(select(JuryMember).options(joinedload(JuryMember.user))
                                     .where(JuryMember.contest_id == contest.id)
                                     .order_by(JuryMember.id)))
    excluded = frozenset(db.session.execute(
        select(Conflict.member_id, Conflict.registration_id)
        .join(JuryMember, JuryMember.id == Conflict.member_id)
        .where(JuryMember.contest_id == contest.id)).all())
    round_ids = [round_.id for round_ in rounds]
    submitted = (ScoreSheet.round_id.in_(round_ids), ScoreSheet.status == SheetStatus.SUBMITTED.value)
    wanted = None if all_scores else _tie_break_criteria(rules)
    # One pass over the scores: per sheet the weighted total and the points of each criterion the
    # tie-break chain names. Weights go in as a CASE, not a join: the join doubled PostgreSQL's time.
    tie_columns = [func.max(case((Score.criterion_id == criterion_id, Score.points))) for criterion_id in wanted or ()]
    totals: dict[tuple[int, int], dict[tuple[int, int], Decimal]] = defaultdict(dict)  # (round, category) -> ...
    scores: dict[tuple[int, int], list[engine.ScoreRow]] = defaultdict(list)
    for round_id, member_id, registration_id, total, *points in db.session.execute(
            select(ScoreSheet.round_id, ScoreSheet.member_id, ScoreSheet.registration_id,
                   _weighted_sum(contest), *tie_columns)
            .join(Score, Score.sheet_id == ScoreSheet.id).where(*submitted)
            # Every selected column grouped: SQLite groups faster so than by the id alone.
            .group_by(ScoreSheet.id, ScoreSheet.round_id, ScoreSheet.member_id, ScoreSheet.registration_id)):
        category = category_of.get(registration_id)
        if category is None:
            continue
        totals[round_id, category][member_id, registration_id] = total
        rows = scores[round_id, category]
        for criterion_id, value in zip(wanted or (), points, strict=True):
            if value is not None:
                rows.append((member_id, registration_id, criterion_id, Decimal(value)))
    if wanted is None:
        for round_id, member_id, registration_id, criterion_id, value in db.session.execute(
                select(ScoreSheet.round_id, ScoreSheet.member_id, ScoreSheet.registration_id, Score.criterion_id,
                       Score.points).join(Score, Score.sheet_id == ScoreSheet.id).where(*submitted)):
            category = category_of.get(registration_id)
            if category is not None:
                scores[round_id, category].append((member_id, registration_id, criterion_id, Decimal(value)))
    _load_places([round_.id for round_ in rounds if round_.by_ranks], category_of, totals)
    step = engine.quantizer(rules.decimals)
    adjustment_rows: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for round_id, registration_id, adjustment in db.session.execute(
            select(Adjustment.round_id, Adjustment.registration_id, Adjustment.points)
            .where(Adjustment.round_id.in_(round_ids))):
        adjustment_rows[round_id].append((registration_id, adjustment))
    adjustments = {round_id: adjustment_totals(rows) for round_id, rows in adjustment_rows.items()}
    engine_jurors = [engine.Juror(member.id, member.is_chair, member.is_honorary) for member in jurors]
    criteria = [engine.Criterion(criterion.id, Decimal(str(criterion.weight)), Decimal(criterion.max_score))
                for criterion in contest.criteria]
    by_category: dict[int, list[int]] = defaultdict(list)
    adjusted: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)  # (round, category) -> ...
    for registration_id, category in category_of.items():
        by_category[category].append(registration_id)
        for round_id, entered in adjustments.items():
            if registration_id in entered:
                # Stored with three decimals; entered with at most the contest's (the form refuses more).
                adjusted[round_id, category][registration_id] = entered[registration_id].quantize(step, ROUND_HALF_UP)
    return [RoundPanels(round_, {
        category.id: Panel(entries=by_category.get(category.id, []), jurors=engine_jurors,
                           criteria=() if round_.by_ranks else criteria,
                           scores=scores.get((round_.id, category.id), []), excluded=excluded,
                           totals=totals.get((round_.id, category.id), {}),
                           adjustments=adjusted.get((round_.id, category.id), {}), places=round_.by_ranks)
        for category in contest.categories}, jurors, category_of) for round_ in rounds]


def _load_places(round_ids: list[int], category_of: dict[int, int],
                 totals: dict[tuple[int, int], dict[tuple[int, int], Decimal]]) -> None:
    """The submitted places of the rounds scored by ranks, as the panels' totals (one query, none
    when no round is scored by ranks)."""
    if not round_ids:
        return
    for round_id, member_id, registration_id, place in db.session.execute(
            select(ScoreSheet.round_id, ScoreSheet.member_id, ScoreSheet.registration_id, ScoreSheet.place)
            .where(ScoreSheet.round_id.in_(round_ids), ScoreSheet.status == SheetStatus.SUBMITTED.value,
                   ScoreSheet.place.is_not(None))):
        category = category_of.get(registration_id)
        if category is not None and place is not None:
            totals[round_id, category][member_id, registration_id] = Decimal(place)


def combined_rounds(contest: Contest, round_: Round) -> list[Round]:
    """The rounds whose scores make `round_`'s standings: the round alone, or, when the contest
    combines its rounds and `round_` is the results round, every round up to it, in order."""
    if contest.rounds_combination == RoundsCombination.RESULTS_ROUND or round_ is not results_round(contest):
        return [round_]
    return contest.rounds[:contest.rounds.index(round_) + 1]


@dataclass
class RoundRankings:
    """The standings of a round (rounds combined when the contest says so) per category."""

    panels: RoundPanels  # the round's own panels (of the last round when combined)
    rankings: dict[int, Ranking]
    rounds: list[Round]  # the rounds combined, in order (just the round when not combined)
    # category -> entry -> each combined round's score (empty when not combined)
    round_scores: dict[int, dict[int, tuple[Decimal | None, ...]]] = field(default_factory=dict)
    # category -> each combined round's own ranking, in order (empty when not combined)
    round_rankings: dict[int, tuple[Ranking, ...]] = field(default_factory=dict)


def rank_standings(contest: Contest, round_: Round, *,
                   entries: Iterable[tuple[int, int]] | None = None) -> RoundRankings:
    """`round_`'s rankings as its standings show them: combined with the earlier rounds when the
    contest combines rounds and this is the results round (RankingError when a method cannot apply)."""
    rounds = combined_rounds(contest, round_)
    _check_tiers_comparable(contest, rounds)
    loaded = load_rounds(contest, rounds, entries=entries)
    if len(rounds) == 1:
        return RoundRankings(loaded[0], rank_round(contest, loaded[0]), rounds)
    per_round = [rank_round(contest, panels) for panels in loaded]
    combination = combining.Combination(contest.rounds_combination)
    weights = [Decimal(1) if item.weight is None else Decimal(item.weight) for item in rounds]
    last, rules = loaded[-1], contest_rules(contest, round_)
    result = RoundRankings(last, {}, rounds)
    for category_id, panel in last.panels.items():
        combined = combining.combine_rounds([rankings[category_id] for rankings in per_round], weights,
                                            combination, panel, rules)
        result.rankings[category_id] = combined.ranking
        result.round_scores[category_id] = dict(combined.round_scores)
        result.round_rankings[category_id] = combined.rounds
    return result


def _check_tiers_comparable(contest: Contest, rounds: Sequence[Round]) -> None:
    """An award tier's minimum score reads a score where higher is better; a sum of places is not one
    (rounds combined turn it into points, so only a round standing alone is refused)."""
    if (len(rounds) == 1 and rounds[0].method == RankMethod.RANK_SUM.value and rounds[0].by_ranks
            and any(tier.min_score is not None for tier in contest.award_tiers)):
        raise engine.RankingError(_l("A sum of places is best when lowest, so an award tier's minimum score cannot "
                                     "apply to it: remove the minimum, or combine the places by the Borda count."))


def rank_round(contest: Contest, panels: RoundPanels) -> dict[int, Ranking]:
    """The engine's ranking of every category by the round's own rules (RankingError when the
    method cannot apply)."""
    rules = contest_rules(contest, panels.round)
    return {category_id: rank_panel(panel, rules) for category_id, panel in panels.panels.items()}
