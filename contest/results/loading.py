"""From the database to the engine: a round's panels per category and the contest's rules.

A constant number of queries whatever the size of the field: SQL sums points x weight per
submitted sheet (the engine's `Panel.totals`), and raw scores are fetched only for the
criteria the tie-break chain names. Honorary jurors and conflicts are passed to the engine,
which leaves them out (so the explanation of every number stays in one place)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Numeric, cast, func, select, type_coerce
from sqlalchemy.orm import joinedload

from contest.contests.models import Aggregation, Contest, Round, RoundStage
from contest.contests.models import Criterion as CriterionRow
from contest.extensions import db
from contest.judging.models import Conflict, JuryMember, Score, ScoreSheet, SheetStatus
from contest.registration.models import Registration, RegistrationStatus
from contest.results import awards as engine_awards
from contest.results import ranking as engine
from contest.results.adjustments import adjustment_totals
from contest.results.models import Adjustment
from contest.results.ranking import Panel, Ranking, Rules

METHODS = {
    Aggregation.MEAN.value: engine.Method.MEAN,
    Aggregation.TRIMMED_MEAN.value: engine.Method.TRIMMED_MEAN,
    Aggregation.MEDIAN.value: engine.Method.MEDIAN,
    Aggregation.SUM.value: engine.Method.SUM,
    Aggregation.TRIMMED_SUM.value: engine.Method.TRIMMED_SUM,
}
TOTAL_TYPE = Numeric(18, 6)


def contest_rules(contest: Contest) -> Rules:
    """The contest's ranking settings for the engine. A trimmed method always falls back to its
    plain form for an entry with fewer counting jurors than the contest's minimum (a juror who
    abstained on their own student must not make the whole category unpublishable); the
    standings mark every entry that fell back."""
    return Rules(method=METHODS.get(contest.aggregation, engine.Method.MEAN),
                 trim=contest.trim_count or 1, trim_min_jurors=contest.trim_min_jurors, allow_fallback=True,
                 normalise=bool(contest.normalise_scores),
                 decimals=2 if contest.score_decimals is None else contest.score_decimals,
                 tie_break=tuple(contest.tie_break_rules or ()))


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
    """Panels per category of `round_` (contest setup already loaded). Five queries, six when
    the tie-break chain names a criterion or `all_scores` asks for every score (statistics).

    `entries`: (registration id, category id) pairs when the caller already has them."""
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
    excluded = set(db.session.execute(
        select(Conflict.member_id, Conflict.registration_id)
        .join(JuryMember, JuryMember.id == Conflict.member_id)
        .where(JuryMember.contest_id == contest.id)).all())
    submitted = (ScoreSheet.round_id == round_.id, ScoreSheet.status == SheetStatus.SUBMITTED.value)
    weighted = type_coerce(func.sum(Score.points * cast(CriterionRow.weight, TOTAL_TYPE)), TOTAL_TYPE)
    totals: dict[int, dict[tuple[int, int], Decimal]] = defaultdict(dict)
    for member_id, registration_id, total in db.session.execute(
            select(ScoreSheet.member_id, ScoreSheet.registration_id, weighted)
            .join(Score, Score.sheet_id == ScoreSheet.id)
            .join(CriterionRow, CriterionRow.id == Score.criterion_id)
            .where(*submitted).group_by(ScoreSheet.id, ScoreSheet.member_id, ScoreSheet.registration_id)):
        category = category_of.get(registration_id)
        if category is not None:
            totals[category][member_id, registration_id] = total
    scores: dict[int, list[engine.ScoreRow]] = defaultdict(list)
    wanted = None if all_scores else _tie_break_criteria(rules)
    if wanted is None or wanted:
        query = (select(ScoreSheet.member_id, ScoreSheet.registration_id, Score.criterion_id, Score.points)
                 .join(Score, Score.sheet_id == ScoreSheet.id).where(*submitted))
        if wanted is not None:
            query = query.where(Score.criterion_id.in_(wanted))
        for member_id, registration_id, criterion_id, points in db.session.execute(query):
            category = category_of.get(registration_id)
            if category is not None:
                scores[category].append((member_id, registration_id, criterion_id, Decimal(points)))
    step = engine.quantizer(rules.decimals)
    adjustments = adjustment_totals(db.session.execute(
        select(Adjustment.registration_id, Adjustment.points).where(Adjustment.round_id == round_.id)).all())
    engine_jurors = [engine.Juror(member.id, member.is_chair, member.is_honorary) for member in jurors]
    criteria = [engine.Criterion(criterion.id, Decimal(str(criterion.weight)), Decimal(criterion.max_score))
                for criterion in contest.criteria]
    by_category: dict[int, list[int]] = defaultdict(list)
    adjusted: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for registration_id, category in category_of.items():
        by_category[category].append(registration_id)
        if registration_id in adjustments:
            # Stored with three decimals; entered with at most the contest's (the form refuses more).
            adjusted[category][registration_id] = adjustments[registration_id].quantize(step, ROUND_HALF_UP)
    panels = {category.id: Panel(entries=by_category.get(category.id, []), jurors=engine_jurors,
                                 criteria=criteria, scores=scores.get(category.id, []),
                                 excluded=frozenset(excluded), totals=totals.get(category.id, {}),
                                 adjustments=adjusted.get(category.id, {}))
              for category in contest.categories}
    return RoundPanels(round_, panels, jurors, category_of)


def rank_round(contest: Contest, panels: RoundPanels) -> dict[int, Ranking]:
    """The engine's ranking of every category (RankingError when the method cannot apply)."""
    rules = contest_rules(contest)
    return {category_id: engine.rank(panel, rules) for category_id, panel in panels.panels.items()}
