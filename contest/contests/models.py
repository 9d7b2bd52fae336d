"""Contests and their setup: rounds, categories, criteria, award tiers, status history."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.auth.models import User
from contest.db import Base, LabelledEnum, TimestampMixin, UTCDateTime, set_labels, utcnow
from contest.i18n import format_amount, format_score, format_weight, localized
from contest.pictures import HasCover


def _in(column: str, enum_class: type[enum.StrEnum]) -> str:
    """A CHECK expression listing an enum's values, so the database refuses unknown ones."""
    return f"{column} IN ({', '.join(repr(member.value) for member in enum_class)})"


class ContestKind(LabelledEnum):
    WRITING = "writing"
    RECITATION = "recitation"


class ContestLevel(LabelledEnum):
    CITY = "city"
    REGIONAL = "regional"
    REPUBLICAN = "republican"
    INTERNATIONAL = "international"


class ContestStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_OPEN = "registration_open"
    REGISTRATION_CLOSED = "registration_closed"
    JUDGING = "judging"
    RESULTS_PUBLISHED = "results_published"
    ARCHIVED = "archived"

    @property
    def action_label(self) -> str:
        """The button that moves a contest into this status."""
        return str(MOVE_LABELS[self])


class Aggregation(LabelledEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    MEDIAN = "median"
    SUM = "sum"
    TRIMMED_SUM = "trimmed_sum"  # ski-jumping style: drop the extremes, add the rest


class RoundsCombination(LabelledEnum):
    """How the final standings come from the rounds (results/combining.py)."""

    RESULTS_ROUND = "results_round"  # the results round alone
    SUM = "sum"
    WEIGHTED = "weighted"


class Scoring(LabelledEnum):
    """What a round asks of each juror (results/rankings.py ranks the second kind)."""

    POINTS = "points"  # points per criterion
    RANKS = "ranks"  # a place per entry of each category, 1 = best


class RankMethod(LabelledEnum):
    """How the jurors' places make the standings of a round scored by ranks."""

    RANK_SUM = "rank_sum"  # the sum of the places, lower is better
    BORDA = "borda"  # n - place points from each juror, higher is better


class RoundStage(LabelledEnum):
    QUALIFYING = "qualifying"
    FINAL = "final"


class WorkRequirement(LabelledEnum):
    """What each work of an entry must carry besides its title."""

    TEXT = "text"
    FILE = "file"
    TEXT_OR_FILE = "text_or_file"
    TEXT_AND_FILE = "text_and_file"


class AwardDocument(LabelledEnum):
    WINNER_DIPLOMA = "winner_diploma"
    PARTICIPATION_CERTIFICATE = "participation_certificate"


LABELS = set_labels({
    ContestKind.WRITING: _l("Writing"),
    ContestKind.RECITATION: _l("Recitation"),
    ContestLevel.CITY: _l("City"),
    ContestLevel.REGIONAL: _l("Regional"),
    ContestLevel.REPUBLICAN: _l("Republican"),
    ContestLevel.INTERNATIONAL: _l("International"),
    ContestStatus.DRAFT: _l("Draft"),
    ContestStatus.PUBLISHED: _l("Announced"),
    ContestStatus.REGISTRATION_OPEN: _l("Registration open"),
    ContestStatus.REGISTRATION_CLOSED: _l("Registration closed"),
    ContestStatus.JUDGING: _l("Judging"),
    ContestStatus.RESULTS_PUBLISHED: _l("Results published"),
    ContestStatus.ARCHIVED: _l("Archived"),
    Aggregation.MEAN: _l("Mean of the jurors' totals"),
    Aggregation.TRIMMED_MEAN: _l("Mean without the highest and lowest total"),
    Aggregation.MEDIAN: _l("Median of the jurors' totals"),
    Aggregation.SUM: _l("Sum of the jurors' totals"),
    Aggregation.TRIMMED_SUM: _l("Sum without the highest and lowest totals (as in ski jumping)"),
    RoundsCombination.RESULTS_ROUND: _l("The results round alone (the last final)"),
    RoundsCombination.SUM: _l("The sum of every round's score"),
    RoundsCombination.WEIGHTED: _l("A weighted combination of the rounds' scores (each round's weight)"),
    Scoring.POINTS: _l("Points per criterion"),
    Scoring.RANKS: _l("Places, 1 = best"),
    RankMethod.RANK_SUM: _l("Sum of the jurors' places (lower is better)"),
    RankMethod.BORDA: _l("Borda count: n − place points from each juror (higher is better)"),
    RoundStage.QUALIFYING: _l("Qualifying round"),
    RoundStage.FINAL: _l("Final"),
    WorkRequirement.TEXT: _l("The text typed in"),
    WorkRequirement.FILE: _l("An attached file"),
    WorkRequirement.TEXT_OR_FILE: _l("The text or an attached file"),
    WorkRequirement.TEXT_AND_FILE: _l("The text and an attached file"),
    AwardDocument.WINNER_DIPLOMA: _l("Winner's diploma"),
    AwardDocument.PARTICIPATION_CERTIFICATE: _l("Certificate of participation"),
})

# The rule in a sentence, for the participant's entry page.
WORK_RULE_SENTENCES = {
    WorkRequirement.TEXT: _l("Each work needs a title and its text typed into the form."),
    WorkRequirement.FILE: _l("Each work needs a title and an attached file."),
    WorkRequirement.TEXT_OR_FILE: _l("Each work needs a title and either its text typed in or an attached file."),
    WorkRequirement.TEXT_AND_FILE: _l("Each work needs a title, its text typed in and an attached file."),
}

MOVE_LABELS = {
    ContestStatus.DRAFT: _l("Back to draft"),
    ContestStatus.PUBLISHED: _l("Publish the announcement"),
    ContestStatus.REGISTRATION_OPEN: _l("Open registration"),
    ContestStatus.REGISTRATION_CLOSED: _l("Close registration"),
    ContestStatus.JUDGING: _l("Start judging"),
    ContestStatus.RESULTS_PUBLISHED: _l("Publish results"),
    ContestStatus.ARCHIVED: _l("Archive"),
}


# Bounds of the ranking settings (the form, the service and the CHECK constraints share them).
MAX_DECIMALS = 3
MAX_TRIM = 10
MAX_JURORS = 100
# Sensible bounds of a category's limits (the form, the service and the CHECK constraints share
# them): an age in full years, a school grade as Kazakhstan's schools count them.
CATEGORY_AGES = (0, 100)
SCHOOL_GRADES = (1, 12)
# The most works one entry may hold (the upload limit of a request is counted from it).
MAX_WORKS = 5
# Scores and thresholds: up to 9 digits before the point, 3 after (the most decimals a contest rounds to).
SCORE_TYPE = Numeric(12, 3)


def score_text(value: Decimal | None) -> str | None:
    """A stored score for people: the locale's decimal sign, no trailing zeros (37.500 -> 37,5)."""
    return None if value is None else format_score(value, 0)


class Contest(HasCover, TimestampMixin, Base):
    __tablename__ = "contest"
    __table_args__ = (
        CheckConstraint(_in("status", ContestStatus), name="status_known"),
        CheckConstraint(_in("kind", ContestKind), name="kind_known"),
        CheckConstraint(_in("level", ContestLevel), name="level_known"),
        CheckConstraint(_in("aggregation", Aggregation), name="aggregation_known"),
        CheckConstraint("registration_opens_at < registration_closes_at", name="registration_window_ordered"),
        CheckConstraint("registration_closes_at <= event_at", name="event_after_registration"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("prize_fund IS NULL OR prize_fund >= 0", name="prize_fund_not_negative"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_range_ordered"),
        CheckConstraint("min_grade IS NULL OR max_grade IS NULL OR min_grade <= max_grade",
                        name="grade_range_ordered"),
        CheckConstraint("school_quota IS NULL OR school_quota > 0", name="school_quota_positive"),
        CheckConstraint("line_limit IS NULL OR line_limit > 0", name="line_limit_positive"),
        CheckConstraint("score_decimals BETWEEN 0 AND 3", name="score_decimals_range"),
        CheckConstraint(f"works_required BETWEEN 1 AND {MAX_WORKS}", name="works_required_range"),
        CheckConstraint(_in("work_requires", WorkRequirement), name="work_requires_known"),
        CheckConstraint(f"trim_count BETWEEN 1 AND {MAX_TRIM}", name="trim_count_range"),
        CheckConstraint(f"trim_min_jurors IS NULL OR (trim_min_jurors >= 2 * trim_count + 1 "
                        f"AND trim_min_jurors <= {MAX_JURORS})", name="trim_min_jurors_enough"),
        CheckConstraint(_in("rounds_combination", RoundsCombination), name="rounds_combination_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(30), default=ContestStatus.DRAFT.value, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))

    title_kk: Mapped[str] = mapped_column(String(300), default="")
    title_ru: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description_kk: Mapped[str] = mapped_column(Text, default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    rules_kk: Mapped[str] = mapped_column(Text, default="")
    rules_ru: Mapped[str] = mapped_column(Text, default="")
    rules_en: Mapped[str] = mapped_column(Text, default="")
    dedication_kk: Mapped[str] = mapped_column(String(300), default="")
    dedication_ru: Mapped[str] = mapped_column(String(300), default="")
    dedication_en: Mapped[str] = mapped_column(String(300), default="")
    venue_kk: Mapped[str] = mapped_column(String(300), default="")
    venue_ru: Mapped[str] = mapped_column(String(300), default="")
    venue_en: Mapped[str] = mapped_column(String(300), default="")

    event_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int | None]
    # Eligibility: age is counted on the event date; every bound is optional.
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    min_grade: Mapped[int | None]
    max_grade: Mapped[int | None]
    school_quota: Mapped[int | None]
    line_limit: Mapped[int | None]
    prize_fund: Mapped[int | None]  # tenge
    is_blind: Mapped[bool] = mapped_column(default=False)
    aggregation: Mapped[str] = mapped_column(String(20), default=Aggregation.MEAN.value)
    # Ordered rule names: "criterion:<id>", "chair_total", "first_places", "shared".
    tie_break_rules: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Ranking settings: decimals of the published aggregate (half up); how many totals a trimmed
    # method drops at each end, and the fewest jurors it needs before falling back to the plain
    # mean or sum (None: the least that works, 2 * trim_count + 1); per-juror normalisation.
    score_decimals: Mapped[int] = mapped_column(default=2, server_default=text("2"))
    trim_count: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    trim_min_jurors: Mapped[int | None]
    normalise_scores: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The final standings: the results round alone, or every round up to it combined (sum or weights).
    rounds_combination: Mapped[str] = mapped_column(String(20), default=RoundsCombination.RESULTS_ROUND.value,
                                                    server_default=RoundsCombination.RESULTS_ROUND.value)
    # What an entry must hold (the contest's rules): how many works, what each work carries
    # besides its title, and whether a link to a performance video is required.
    works_required: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    work_requires: Mapped[str] = mapped_column(String(20), default=WorkRequirement.TEXT_OR_FILE.value,
                                               server_default=WorkRequirement.TEXT_OR_FILE.value)
    video_required: Mapped[bool] = mapped_column(default=False, server_default=false())

    rounds: Mapped[list[Round]] = relationship(
        back_populates="contest", cascade="all, delete-orphan", order_by="(Round.position, Round.id)")
    categories: Mapped[list[Category]] = relationship(
        back_populates="contest", cascade="all, delete-orphan", order_by="Category.position")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="contest", cascade="all, delete-orphan", order_by="Criterion.position")
    award_tiers: Mapped[list[AwardTier]] = relationship(
        back_populates="contest", cascade="all, delete-orphan", order_by="AwardTier.position")
    status_changes: Mapped[list[ContestStatusChange]] = relationship(
        back_populates="contest", cascade="all, delete-orphan", order_by="ContestStatusChange.id")

    @property
    def status_enum(self) -> ContestStatus:
        return ContestStatus(self.status)

    @property
    def status_label(self) -> str:
        return ContestStatus(self.status).label

    @property
    def kind_label(self) -> str:
        return ContestKind(self.kind).label

    @property
    def level_label(self) -> str:
        return ContestLevel(self.level).label

    @property
    def aggregation_label(self) -> str:
        return Aggregation(self.aggregation).label

    @property
    def work_requirement(self) -> WorkRequirement:
        return WorkRequirement(self.work_requires)

    @property
    def work_rule(self) -> str:
        return str(WORK_RULE_SENTENCES[self.work_requirement])

    @property
    def is_public(self) -> bool:
        return self.status != ContestStatus.DRAFT

    @property
    def is_trimmed(self) -> bool:
        return self.aggregation in (Aggregation.TRIMMED_MEAN, Aggregation.TRIMMED_SUM)

    @property
    def trim_threshold(self) -> int:
        """The fewest counting jurors the trimmed method needs before it falls back."""
        return self.trim_min_jurors if self.trim_min_jurors is not None else 2 * (self.trim_count or 1) + 1

    @property
    def ranking_summary(self) -> str:
        """The ranking rules in one sentence, for organisers and the public contest page."""
        parts = [self.aggregation_label]
        if self.is_trimmed:
            parts.append(str(_l("%(trim)s dropped at each end, with at least %(least)s jurors (fewer: no trimming)",
                                trim=self.trim_count, least=self.trim_threshold)))
        if self.normalise_scores:
            parts.append(str(_l("each juror's totals normalised")))
        if self.rounds_combination != RoundsCombination.RESULTS_ROUND:
            parts.append(RoundsCombination(self.rounds_combination).label)
        parts.append(str(_l("rounded half up to %(decimals)s decimals", decimals=self.score_decimals)))
        return "; ".join(parts)


class _ContestPart:
    """Columns every setup row shares: its contest and its place in the contest's list."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    name_kk: Mapped[str] = mapped_column(String(200), default="")
    name_ru: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")


class Round(_ContestPart, Base):
    __tablename__ = "contest_round"
    __table_args__ = (
        CheckConstraint(_in("stage", RoundStage), name="stage_known"),
        CheckConstraint("advance_count IS NULL OR advance_count > 0", name="advance_count_positive"),
        CheckConstraint("advance_threshold IS NULL OR advance_threshold >= 0", name="advance_threshold_not_negative"),
        CheckConstraint("advance_count IS NULL OR advance_threshold IS NULL", name="advance_count_or_threshold"),
        CheckConstraint(f"aggregation IS NULL OR {_in('aggregation', Aggregation)}", name="aggregation_known"),
        CheckConstraint("weight IS NULL OR weight > 0", name="weight_positive"),
        CheckConstraint("clamp_points IS NULL OR clamp_points > 0", name="clamp_points_positive"),
        CheckConstraint(_in("scoring", Scoring), name="scoring_known"),
        CheckConstraint(f"rank_method IS NULL OR {_in('rank_method', RankMethod)}", name="rank_method_known"),
        CheckConstraint("scoring = 'points' OR rank_method IS NOT NULL", name="ranks_have_method"),
        CheckConstraint("time_limit_seconds IS NULL OR time_limit_seconds > 0", name="time_limit_positive"),
        CheckConstraint("overrun_penalty IS NULL OR overrun_penalty > 0", name="overrun_penalty_positive"),
    )

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default=RoundStage.FINAL.value)
    # How many of the best advance to the next round (qualifying rounds only).
    advance_count: Mapped[int | None]
    # Or: every entry whose total reaches this score advances (at most one of the two).
    advance_threshold: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    # The round's own method (None: the contest's), its weight when the contest combines rounds
    # by weights, and k of outlier clamping (None: no clamping).
    aggregation: Mapped[str | None] = mapped_column(String(20))
    weight: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    clamp_points: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    # Points per criterion, or a place per entry; for places, how they are aggregated.
    scoring: Mapped[str] = mapped_column(String(20), default=Scoring.POINTS.value, server_default=Scoring.POINTS.value)
    rank_method: Mapped[str | None] = mapped_column(String(20))
    # Live rounds (performances on stage, see contest/stage/): a round of a recitation contest
    # always is one; the organiser may mark any other round live. Each performance may take
    # `time_limit_seconds` (None: no limit); going over costs `overrun_penalty` points (None: none).
    is_live: Mapped[bool] = mapped_column(default=False, server_default=false())
    time_limit_seconds: Mapped[int | None]
    overrun_penalty: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    contest: Mapped[Contest] = relationship(back_populates="rounds")

    @property
    def runs_live(self) -> bool:
        """Performed on stage: the chair calls performers in a running order (contest/stage/)."""
        return self.is_live or self.contest.kind == ContestKind.RECITATION.value

    @property
    def time_limit_text(self) -> str | None:
        if self.time_limit_seconds is None:
            return None
        minutes, seconds = divmod(self.time_limit_seconds, 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def overrun_penalty_text(self) -> str | None:
        return score_text(self.overrun_penalty)

    @property
    def stage_label(self) -> str:
        return RoundStage(self.stage).label

    @property
    def label(self) -> str:
        """The round's name, with its stage in brackets only when the name does not already say
        it: "Сырттай іріктеу (Іріктеу кезеңі)", but "Финал", never "Финал (Финал)"."""
        name, stage = localized(self, "name"), self.stage_label
        if not name or name.casefold() == stage.casefold():
            return name or stage
        return f"{name} ({stage})"

    @property
    def advance_threshold_text(self) -> str | None:
        return score_text(self.advance_threshold)

    @property
    def by_ranks(self) -> bool:
        return self.scoring == Scoring.RANKS.value

    @property
    def method(self) -> str:
        """The method that scores this round: how places are aggregated in a round scored by
        ranks, else its own points method, else the contest's."""
        if self.by_ranks:
            return self.rank_method or RankMethod.RANK_SUM.value
        return self.aggregation or self.contest.aggregation

    @property
    def method_label(self) -> str:
        if self.by_ranks:
            return RankMethod(self.method).label
        return Aggregation(self.method).label

    @property
    def scoring_label(self) -> str:
        return Scoring(self.scoring).label

    @property
    def weight_text(self) -> str | None:
        """As the contest states its weights: 70% when they add up to 100, else 0,7 or 2."""
        weights = [item.weight for item in self.contest.rounds]
        return None if self.weight is None else format_weight(self.weight, weights)

    @property
    def clamp_text(self) -> str | None:
        return score_text(self.clamp_points)


class Category(_ContestPart, Base):
    """An age group or a nomination; each is ranked separately. Its optional limits (age on the
    contest's event day, school grade) are checked on every way into it: see
    contest/registration/eligibility.py."""

    __tablename__ = "contest_category"
    __table_args__ = (
        CheckConstraint(f"min_age IS NULL OR min_age BETWEEN {CATEGORY_AGES[0]} AND {CATEGORY_AGES[1]}",
                        name="min_age_range"),
        CheckConstraint(f"max_age IS NULL OR max_age BETWEEN {CATEGORY_AGES[0]} AND {CATEGORY_AGES[1]}",
                        name="max_age_range"),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_range_ordered"),
        CheckConstraint(f"min_grade IS NULL OR min_grade BETWEEN {SCHOOL_GRADES[0]} AND {SCHOOL_GRADES[1]}",
                        name="min_grade_range"),
        CheckConstraint(f"max_grade IS NULL OR max_grade BETWEEN {SCHOOL_GRADES[0]} AND {SCHOOL_GRADES[1]}",
                        name="max_grade_range"),
        CheckConstraint("min_grade IS NULL OR max_grade IS NULL OR min_grade <= max_grade",
                        name="grade_range_ordered"),
    )

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    min_grade: Mapped[int | None]
    max_grade: Mapped[int | None]
    contest: Mapped[Contest] = relationship(back_populates="categories")

    @property
    def has_limits(self) -> bool:
        return any(value is not None for value in (self.min_age, self.max_age, self.min_grade, self.max_grade))

    @property
    def limits_text(self) -> str | None:
        """The limits in a few words for setup tables and the public page (None without limits)."""
        parts = []
        if self.min_age is not None or self.max_age is not None:
            parts.append(str(_l("age on the event day: %(range)s", range=_range_text(self.min_age, self.max_age))))
        if self.min_grade is not None or self.max_grade is not None:
            parts.append(str(_l("grade: %(range)s", range=_range_text(self.min_grade, self.max_grade))))
        return "; ".join(parts) or None


def _range_text(least: int | None, most: int | None) -> str:
    if least is not None and most is not None:
        return f"{least} – {most}" if least != most else str(least)
    if least is not None:
        return str(_l("at least %(least)s", least=least))
    return str(_l("at most %(most)s", most=most))


class Criterion(_ContestPart, Base):
    __tablename__ = "contest_criterion"
    __table_args__ = (
        CheckConstraint("max_score > 0", name="max_score_positive"),
        CheckConstraint("step > 0 AND step <= max_score", name="step_within_maximum"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    description_kk: Mapped[str] = mapped_column(String(500), default="")
    description_ru: Mapped[str] = mapped_column(String(500), default="")
    description_en: Mapped[str] = mapped_column(String(500), default="")
    max_score: Mapped[int] = mapped_column(default=10)
    step: Mapped[float] = mapped_column(default=1.0)
    weight: Mapped[float] = mapped_column(default=1.0)
    contest: Mapped[Contest] = relationship(back_populates="criteria")


class AwardTier(_ContestPart, Base):
    """Grand Prix, I/II/III degree, special prizes: places map to tiers in order."""

    __tablename__ = "contest_award_tier"
    __table_args__ = (
        CheckConstraint("winners_count > 0", name="winners_count_positive"),
        CheckConstraint("prize_amount IS NULL OR prize_amount >= 0", name="prize_amount_not_negative"),
        CheckConstraint(_in("document_kind", AwardDocument), name="document_kind_known"),
        CheckConstraint("min_score IS NULL OR min_score >= 0", name="min_score_not_negative"),
    )

    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    winners_count: Mapped[int] = mapped_column(default=1)
    prize_amount: Mapped[int | None]  # tenge, per winner
    document_kind: Mapped[str] = mapped_column(String(30), default=AwardDocument.WINNER_DIPLOMA.value)
    # Awarded only to totals that reach it (a Grand Prix for an outstanding result); unused
    # places move on to the next tier.
    min_score: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    contest: Mapped[Contest] = relationship(back_populates="award_tiers")

    @property
    def document_label(self) -> str:
        return AwardDocument(self.document_kind).label

    @property
    def min_score_text(self) -> str | None:
        return score_text(self.min_score)

    @property
    def prize_amount_text(self) -> str | None:
        return format_amount(self.prize_amount) if self.prize_amount is not None else None


class ContestStatusChange(Base):
    """One move in the status flow: who made it and when (the contest page shows the history)."""

    __tablename__ = "contest_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    contest: Mapped[Contest] = relationship(back_populates="status_changes")
    actor: Mapped[User | None] = relationship()

    @property
    def from_label(self) -> str:
        return ContestStatus(self.from_status).label

    @property
    def to_label(self) -> str:
        return ContestStatus(self.to_status).label
