"""Rules for contests: creating, editing, copying, the status flow and its guards, setup rows."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest import pictures
from contest.audit.services import record
from contest.auth.models import User
from contest.contests import signals
from contest.contests.models import (
    CATEGORY_AGES,
    MAX_DECIMALS,
    MAX_JURORS,
    MAX_TRIM,
    MAX_WORKS,
    SCHOOL_GRADES,
    Aggregation,
    AwardDocument,
    AwardTier,
    Category,
    Contest,
    ContestKind,
    ContestLevel,
    ContestStatus,
    ContestStatusChange,
    Criterion,
    RankMethod,
    Round,
    RoundsCombination,
    RoundStage,
    Scoring,
    WorkRequirement,
)
from contest.db import Base
from contest.errors import ServiceError
from contest.extensions import db
from contest.i18n import LANGUAGE_NAMES, LOCAL_ZONE, format_amount
from contest.pictures import PictureChange

LANGUAGES = tuple(LANGUAGE_NAMES)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 120
TEXT_FIELDS = ("title", "description", "rules", "dedication", "venue", "cover_alt")
CONTEST_FIELDS = (
    *(f"{name}_{code}" for name in TEXT_FIELDS for code in LANGUAGES),
    "kind", "level", "event_at", "registration_opens_at", "registration_closes_at", "capacity",
    "min_age", "max_age", "min_grade", "max_grade", "school_quota", "line_limit", "prize_fund",
    "is_blind", "aggregation", "tie_break_rules",
    "score_decimals", "trim_count", "trim_min_jurors", "normalise_scores", "rounds_combination",
    "works_required", "work_requires", "video_required",
)
# What an empty ranking setting means: the engine's long-standing defaults.
RANKING_DEFAULTS = {"score_decimals": 2, "trim_count": 1}
# Scores and thresholds are stored as Numeric(12, 3).
SCORE_DECIMALS_STORED = 3
SCORE_LIMIT = Decimal(10) ** 9
FIXED_TIE_BREAK_RULES = ("chair_total", "first_places", "shared")
PUBLIC_STATUSES = tuple(status for status in ContestStatus if status != ContestStatus.DRAFT)
# From judging onwards scores exist (or will): the setup they are measured against must hold still.
SETUP_LOCKED_STATUSES = frozenset({ContestStatus.JUDGING, ContestStatus.RESULTS_PUBLISHED, ContestStatus.ARCHIVED})


# Contest -----------------------------------------------------------------------------------

COVER_AREA = "contests"


def create_contest(data: dict[str, Any], *, actor: User | None, with_default_criteria: bool = True,
                   cover: PictureChange | None = None) -> Contest:
    """A new draft contest with one final round and, if asked, the usual criteria for its kind."""
    values = _clean_contest_data(data)
    final = Round(position=1, stage=RoundStage.FINAL.value, **_texts("name", FINAL_ROUND_NAME))
    _check_contest(values, contest=None, rounds=[final])
    slug = _slug_for(data.get("slug"), values, contest=None)
    image = pictures.checked_change(cover, "cover")
    contest = Contest(slug=slug, status=ContestStatus.DRAFT.value, **values)
    pictures.apply_change(contest, cover, image, COVER_AREA, db.session)
    contest.rounds.append(final)
    if with_default_criteria:
        for position, (names, max_score) in enumerate(DEFAULT_CRITERIA[ContestKind(contest.kind)], start=1):
            contest.criteria.append(Criterion(position=position, max_score=max_score, **_texts("name", names)))
    db.session.add(contest)
    db.session.flush()
    record("contest.create", contest, actor=actor, slug=contest.slug)
    return contest


def update_contest(contest: Contest, data: dict[str, Any], *, actor: User | None,
                   cover: PictureChange | None = None) -> Contest:
    """Save the setup form; `cover` replaces or removes the cover picture (checked before
    anything changes, so a refused picture leaves the contest as it was)."""
    ensure_not_archived(contest)
    values = _clean_contest_data(data)
    _check_contest(values, contest=contest, rounds=contest.rounds)
    slug = _slug_for(data.get("slug"), values, contest=contest)
    image = pictures.checked_change(cover, "cover")
    changed = {name: _jsonable(value) for name, value in values.items() if getattr(contest, name) != value}
    if slug != contest.slug:
        changed["slug"] = slug
    for name, value in values.items():
        setattr(contest, name, value)
    contest.slug = slug
    old_cover = contest.cover_image
    if pictures.apply_change(contest, cover, image, COVER_AREA, db.session):
        changed["cover_image"] = [old_cover, contest.cover_image]
    db.session.flush()
    record("contest.update", contest, actor=actor, changed=changed)
    return contest


def copy_contest(source: Contest, *, event_at: datetime, registration_opens_at: datetime,
                 registration_closes_at: datetime, actor: User | None, slug: str | None = None) -> Contest:
    """Next year's edition: same texts, settings and setup rows (categories with their limits),
    new dates, a new draft. A year written in a title (\"Aqynfest 2022\") moves on to the new
    event's year, and each title is marked as a copy until the organiser edits it."""
    old_year, new_year = str(local_year(source.event_at)), str(local_year(event_at))
    values = {name: getattr(source, name) for name in CONTEST_FIELDS}
    for code in LANGUAGES:
        values[f"title_{code}"] = values[f"title_{code}"].replace(old_year, new_year)
    # The copy starts without the cover picture, so without its description either.
    values.update(event_at=event_at, registration_opens_at=registration_opens_at,
                  registration_closes_at=registration_closes_at, tie_break_rules=[],
                  **{f"cover_alt_{code}": "" for code in LANGUAGES})
    _check_contest(values, contest=None, rounds=source.rounds)
    slug = _slug_for(slug, values, contest=None)  # from the title without the copy's marker
    for code in LANGUAGES:
        values[f"title_{code}"] = copy_title(values[f"title_{code}"], code)
    copy = Contest(slug=slug, status=ContestStatus.DRAFT.value, **values)
    criterion_ids: dict[int, Criterion] = {}
    for relation, model in PART_RELATIONS.items():
        for part in getattr(source, relation):
            duplicate = model(**{column: getattr(part, column) for column in PART_COLUMNS[model]})
            getattr(copy, relation).append(duplicate)
            if isinstance(duplicate, Criterion):
                criterion_ids[part.id] = duplicate
    db.session.add(copy)
    db.session.flush()
    copy.tie_break_rules = [_renumbered_rule(rule, criterion_ids) for rule in source.tie_break_rules or []]
    record("contest.copy", copy, actor=actor, source_id=source.id)
    return copy


# Appended to each filled title of a copy, so the two contests are told apart in every list.
# Stored text in each language (not translated at display time). Only appended: a title may
# carry its own «» or end in "байқауы", and the marker needs no grammar from it.
COPY_MARKERS = {"kk": "(көшірме)", "ru": "(копия)", "en": "(copy)"}
TITLE_MAX_LENGTH = 300


def copy_title(title: str, code: str) -> str:
    if not title:
        return title
    marker = f" {COPY_MARKERS[code]}"
    return title[:TITLE_MAX_LENGTH - len(marker)].rstrip() + marker


def suggested_copy_dates(source: Contest, *, now: datetime | None = None) -> dict[str, datetime]:
    """The source's dates moved on by the fewest whole years (at least one) that put the opening
    of registration after `now`, so every suggested date is in the future. Clock times stay;
    weekdays are not kept. 29 February becomes 28 February in a common year."""
    now = now or datetime.now(UTC)
    names = ("registration_opens_at", "registration_closes_at", "event_at")
    years = 1
    while _years_later(source.registration_opens_at, years) <= now:
        years += 1
    return {name: _years_later(getattr(source, name), years) for name in names}


def _years_later(moment: datetime, years: int) -> datetime:
    local = moment.astimezone(LOCAL_ZONE)
    try:
        shifted = local.replace(year=local.year + years)
    except ValueError:
        shifted = local.replace(year=local.year + years, day=28)
    return shifted.astimezone(UTC)


def local_year(moment: datetime) -> int:
    return moment.astimezone(LOCAL_ZONE).year


def _renumbered_rule(rule: str, criterion_ids: dict[int, Criterion]) -> str:
    if rule.startswith("criterion:"):
        return f"criterion:{criterion_ids[int(rule.split(':', 1)[1])].id}"
    return rule


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _clean_contest_data(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in CONTEST_FIELDS}
    for name in CONTEST_FIELDS:
        if name.rsplit("_", 1)[-1] in LANGUAGES:
            values[name] = (values[name] or "").strip()
    values["is_blind"] = bool(values["is_blind"])
    values["normalise_scores"] = bool(values["normalise_scores"])
    values["video_required"] = bool(values["video_required"])
    values["works_required"] = 1 if values["works_required"] is None else values["works_required"]
    values["work_requires"] = values["work_requires"] or WorkRequirement.TEXT_OR_FILE.value
    for name, default in RANKING_DEFAULTS.items():
        if values[name] is None:
            values[name] = default
    values["aggregation"] = values["aggregation"] or Aggregation.MEAN.value
    values["rounds_combination"] = values["rounds_combination"] or RoundsCombination.RESULTS_ROUND.value
    values["tie_break_rules"] = [rule.strip() for rule in values["tie_break_rules"] or [] if rule.strip()]
    return values


def _check_contest(values: dict[str, Any], *, contest: Contest | None, rounds: list[Round]) -> None:
    if not any(values[f"title_{code}"] for code in LANGUAGES):
        raise ServiceError(_l("Give the contest a title in at least one language."), field="title_kk")
    _check_choice(values["kind"], ContestKind, "kind")
    _check_choice(values["level"], ContestLevel, "level")
    _check_choice(values["aggregation"], Aggregation, "aggregation")
    _check_dates(values)
    _check_positive(values, ("capacity", "school_quota", "line_limit"))
    if values["prize_fund"] is not None and values["prize_fund"] < 0:
        raise ServiceError(_l("The prize fund cannot be negative."), field="prize_fund")
    for low, high in (("min_age", "max_age"), ("min_grade", "max_grade")):
        _check_range(values, low, high)
    _check_tie_break_rules(values["tie_break_rules"], contest)
    _check_ranking_settings(values)
    _check_rounds_combination(values["rounds_combination"], rounds)
    _check_entry_rules(values)


def _check_rounds_combination(combination: Any, rounds: list[Round]) -> None:
    _check_choice(combination, RoundsCombination, "rounds_combination")
    if combination == RoundsCombination.WEIGHTED and any(round_.weight is None for round_ in rounds):
        raise ServiceError(_l("A weighted combination needs a weight for every round: give each round its weight "
                              "first (for example 30 and 70), then choose it."), field="rounds_combination")


def _check_entry_rules(values: dict[str, Any]) -> None:
    if not _whole_between(values["works_required"], 1, MAX_WORKS):
        raise ServiceError(_l("An entry holds from 1 to %(most)s works.", most=MAX_WORKS), field="works_required")
    _check_choice(values["work_requires"], WorkRequirement, "work_requires")


def _check_ranking_settings(values: dict[str, Any]) -> None:
    """The bounds the ranking engine and the CHECK constraints rely on."""
    if not _whole_between(values["score_decimals"], 0, MAX_DECIMALS):
        raise ServiceError(_l("Round to 0, 1, 2 or 3 decimals."), field="score_decimals")
    trim = values["trim_count"]
    if not _whole_between(trim, 1, MAX_TRIM):
        raise ServiceError(_l("A trimmed method drops from 1 to %(most)s totals at each end.", most=MAX_TRIM),
                           field="trim_count")
    least = values["trim_min_jurors"]
    if least is not None and not _whole_between(least, 2 * trim + 1, MAX_JURORS):
        raise ServiceError(_l("Dropping %(trim)s totals at each end leaves a score to count only with at least "
                              "%(least)s jurors: enter a number from %(least)s to %(most)s, or leave the field "
                              "empty.", trim=trim, least=2 * trim + 1, most=MAX_JURORS), field="trim_min_jurors")


def _whole_between(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_score(value: Any, field: str) -> None:
    """A score bound (threshold, minimum) fits Numeric(12, 3): not negative, at most three decimals."""
    if value is None:
        return
    try:
        number = Decimal(value)
        fits = number.is_finite() and 0 <= number < SCORE_LIMIT and number == round(number, SCORE_DECIMALS_STORED)
    except (InvalidOperation, TypeError, ValueError):
        fits = False
    if not fits:
        raise ServiceError(_l("Enter a score of 0 or more with at most three decimals, for example 37.5."),
                           field=field)


def _check_choice(value: Any, choices: type[enum.Enum], field: str) -> None:
    if value not in {member.value for member in choices}:
        raise ServiceError(_l("Choose one of the offered options."), field=field)


def _check_dates(values: dict[str, Any]) -> None:
    opens, closes, event = values["registration_opens_at"], values["registration_closes_at"], values["event_at"]
    for name, moment in (("registration_opens_at", opens), ("registration_closes_at", closes), ("event_at", event)):
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise ServiceError(_l("Enter a date and time."), field=name)
    if closes <= opens:
        raise ServiceError(_l("Registration must close after it opens."), field="registration_closes_at")
    if event < closes:
        raise ServiceError(_l("The event cannot take place before registration closes."), field="event_at")


def _check_positive(values: dict[str, Any], names: Iterable[str]) -> None:
    for name in names:
        if values[name] is not None and values[name] < 1:
            raise ServiceError(_l("Enter a whole number of at least 1, or leave the field empty."), field=name)


def _check_range(values: dict[str, Any], low: str, high: str) -> None:
    for name in (low, high):
        if values[name] is not None and values[name] < 0:
            raise ServiceError(_l("The number cannot be negative."), field=name)
    if values[low] is not None and values[high] is not None and values[low] > values[high]:
        raise ServiceError(_l("The upper limit must not be below the lower one."), field=high)


def _check_tie_break_rules(rules: list[str], contest: Contest | None) -> None:
    criterion_ids = {str(criterion.id) for criterion in contest.criteria} if contest else set()
    for index, rule in enumerate(rules):
        kind, _, number = rule.partition(":")
        known = rule in FIXED_TIE_BREAK_RULES or (kind == "criterion" and number in criterion_ids)
        if not known:
            raise ServiceError(_l("Unknown tie-break rule “%(rule)s”.", rule=rule), field="tie_break_rules")
        if rule == "shared" and index != len(rules) - 1:
            raise ServiceError(_l("“shared” leaves the tie as it is, so it can only be the last rule."),
                               field="tie_break_rules")
    if len(set(rules)) != len(rules):
        raise ServiceError(_l("Each tie-break rule may appear only once."), field="tie_break_rules")


def _slug_for(requested: str | None, values: dict[str, Any], *, contest: Contest | None) -> str:
    """The organiser's slug if given (it must be free), else one made from the title and year."""
    requested = (requested or "").strip().lower()
    if requested:
        if not SLUG_PATTERN.match(requested) or len(requested) > SLUG_MAX_LENGTH:
            raise ServiceError(_l("Use only Latin letters, digits and single hyphens in the address."),
                               field="slug")
        if _slug_taken(requested, contest):
            raise ServiceError(_l("Another contest already uses this address."), field="slug")
        return requested
    if contest is not None:
        return contest.slug
    title = values["title_en"] or values["title_ru"] or values["title_kk"]
    year = str(local_year(values["event_at"]))
    base = slugify(title, max_length=SLUG_MAX_LENGTH - 10) or "contest"
    if year not in base.split("-"):  # "Aqynfest 2022" already says its year
        base = f"{base}-{year}"
    candidate, number = base, 2
    while _slug_taken(candidate, None):
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _slug_taken(slug: str, contest: Contest | None) -> bool:
    query = select(Contest.id).where(Contest.slug == slug)
    if contest is not None and contest.id is not None:
        query = query.where(Contest.id != contest.id)
    return db.session.scalar(query) is not None


# Status flow -------------------------------------------------------------------------------

def _needs_category_and_criterion(contest: Contest) -> None:
    if not contest.categories:
        raise ServiceError(_l("Add at least one category before opening registration."))
    if not contest.criteria:
        raise ServiceError(_l("Add at least one criterion before opening registration."))


def _needs_round(contest: Contest) -> None:
    if not contest.rounds:
        raise ServiceError(_l("Add at least one round before judging starts."))


def _needs_award_tier(contest: Contest) -> None:
    if not contest.award_tiers:
        raise ServiceError(_l("Add at least one award tier before publishing results."))


def _no_guard(contest: Contest) -> None:
    return None


S = ContestStatus
# Allowed moves and the guard each must pass. Later domains add their own conditions in
# the guard functions (e.g. "every score sheet submitted" before results are published).
MOVES: dict[ContestStatus, dict[ContestStatus, Callable[[Contest], None]]] = {
    S.DRAFT: {S.PUBLISHED: _no_guard, S.ARCHIVED: _no_guard},
    S.PUBLISHED: {S.REGISTRATION_OPEN: _needs_category_and_criterion, S.DRAFT: _no_guard, S.ARCHIVED: _no_guard},
    S.REGISTRATION_OPEN: {S.REGISTRATION_CLOSED: _no_guard},
    S.REGISTRATION_CLOSED: {S.REGISTRATION_OPEN: _needs_category_and_criterion, S.JUDGING: _needs_round},
    S.JUDGING: {S.RESULTS_PUBLISHED: _needs_award_tier},
    S.RESULTS_PUBLISHED: {S.ARCHIVED: _no_guard, S.JUDGING: _no_guard},
    S.ARCHIVED: {},
}


def allowed_moves(contest: Contest) -> list[ContestStatus]:
    return list(MOVES[contest.status_enum])


@dataclass(frozen=True)
class StatusMove:
    """A status button on the organiser's page: the next step of the contest's life is
    primary; a step back or aside is secondary. Each asks its question before it is sent."""

    target: ContestStatus
    is_forward: bool
    label: str
    question: str


# A step back reads differently from the same status reached going forward.
BACKWARD_LABELS = {
    S.REGISTRATION_OPEN: _l("Reopen registration"),
    S.JUDGING: _l("Reopen judging"),
}
MOVE_QUESTIONS = {
    (S.DRAFT, False): _l("Return the contest to draft?"),
    (S.PUBLISHED, True): _l("Publish the announcement? The contest page becomes visible to everyone."),
    (S.REGISTRATION_OPEN, True): _l("Open registration? Participants will be able to register."),
    (S.REGISTRATION_OPEN, False): _l("Reopen registration? Participants will be able to register again."),
    (S.REGISTRATION_CLOSED, True): _l("Close registration? Participants will no longer be able to register."),
    (S.JUDGING, True): _l("Start judging? Rounds, categories, criteria and award tiers will be frozen."),
    (S.JUDGING, False): _l("Reopen judging? The published results will be withdrawn."),
    (S.RESULTS_PUBLISHED, True): _l("Publish the results? They become visible to everyone."),
    (S.ARCHIVED, True): _l("Archive the contest? Its status will no longer change."),
    (S.ARCHIVED, False): _l("Archive the contest? Its status will no longer change."),
}


def status_moves(contest: Contest) -> list[StatusMove]:
    """The allowed moves, the forward one first."""
    order = list(ContestStatus)
    current = order.index(contest.status_enum)
    moves = []
    for target in allowed_moves(contest):
        forward = order.index(target) == current + 1
        label = target.action_label if forward else str(BACKWARD_LABELS.get(target, target.action_label))
        moves.append(StatusMove(target, forward, label, str(MOVE_QUESTIONS[target, forward])))
    return sorted(moves, key=lambda move: not move.is_forward)


def change_status(contest: Contest, new_status: str, *, actor: User | None) -> ContestStatusChange:
    try:
        target = ContestStatus(new_status)
    except ValueError:
        raise ServiceError(_l("Unknown contest status.")) from None
    guard = MOVES[contest.status_enum].get(target)
    if guard is None:
        raise ServiceError(_l("A contest cannot move from “%(old)s” to “%(new)s”.",
                              old=contest.status_label, new=target.label))
    guard(contest)
    # Later domains add their conditions (results: "published through a frozen snapshot").
    signals.run_checks(signals.status_changing, contest=contest, target=target)
    change = ContestStatusChange(from_status=contest.status, to_status=target.value,
                                 actor_id=getattr(actor, "id", None))
    contest.status_changes.append(change)
    contest.status = target.value
    db.session.flush()
    record("contest.status", contest, actor=actor, old=change.from_status, new=change.to_status)
    return change


# Archived contests and row locks ----------------------------------------------------------

ARCHIVED_MESSAGE = _l("This contest is archived: nothing in it can change any more.")


def ensure_not_archived(contest: Contest) -> None:
    """The one guard that closes an archived contest: every service that changes a contest, its
    setup, registrations, jury, scores, results or certificates calls it first."""
    if contest.status == ContestStatus.ARCHIVED.value:
        raise ServiceError(ARCHIVED_MESSAGE)


def lock_contest(contest: Contest) -> Contest:
    """Lock the contest's row until the transaction ends and re-read it, so that two staff acting
    at the same moment (publishing, marking advancement) take turns and the second one sees what
    the first did. PostgreSQL: SELECT ... FOR NO KEY UPDATE (rows that merely refer to the contest,
    such as new registrations, are not held up); SQLite lets one writer in at a time anyway."""
    return db.session.scalars(select(Contest).where(Contest.id == contest.id).with_for_update(key_share=True)
                              .execution_options(populate_existing=True)).one()


def ensure_setup_editable(contest: Contest) -> None:
    """The one place that decides whether rounds, categories, criteria and award tiers may still
    change. Later domains extend it through the `setup_changing` signal rather than adding checks
    elsewhere."""
    ensure_not_archived(contest)
    if contest.status_enum in SETUP_LOCKED_STATUSES:
        raise ServiceError(_l("Rounds, categories, criteria and award tiers can no longer change: "
                              "judging has started."))
    signals.run_checks(signals.setup_changing, contest=contest)


# Setup rows --------------------------------------------------------------------------------

PART_RELATIONS = {"rounds": Round, "categories": Category, "criteria": Criterion, "award_tiers": AwardTier}
PART_RELATIONS_BY_MODEL = {model: relation for relation, model in PART_RELATIONS.items()}
_NAMES = tuple(f"name_{code}" for code in LANGUAGES)
PART_COLUMNS: dict[type, tuple[str, ...]] = {
    Round: ("position", *_NAMES, "stage", "advance_count", "advance_threshold", "aggregation", "weight",
            "clamp_points", "scoring", "rank_method", "is_live",
            "time_limit_seconds", "overrun_penalty"),
    Category: ("position", *_NAMES, "min_age", "max_age", "min_grade", "max_grade"),
    Criterion: ("position", *_NAMES, *(f"description_{code}" for code in LANGUAGES), "max_score", "step", "weight"),
    AwardTier: ("position", *_NAMES, "winners_count", "prize_amount", "document_kind", "min_score"),
}
ContestPart = Round | Category | Criterion | AwardTier


def add_part(contest: Contest, model: type, data: dict[str, Any], *, actor: User | None) -> ContestPart:
    ensure_setup_editable(contest)
    siblings = _siblings(contest, model)
    values = _column_defaults(model) | _clean_part_data(model, data, siblings=siblings)
    _check_part(model(**values), contest, others=siblings)
    part = model(**values)
    siblings.append(part)
    db.session.flush()
    _keep_in_order(siblings)
    record("contest.part.add", part, actor=actor, contest_id=contest.id)
    return part


def update_part(part: ContestPart, data: dict[str, Any], *, actor: User | None) -> ContestPart:
    contest = part.contest
    ensure_setup_editable(contest)
    siblings = _siblings(contest, type(part))
    values = _clean_part_data(type(part), data, siblings=siblings)
    # Check a detached candidate, so that a refusal leaves the stored row untouched.
    candidate = type(part)(**({column: getattr(part, column) for column in PART_COLUMNS[type(part)]} | values))
    _check_part(candidate, contest, others=[sibling for sibling in siblings if sibling is not part])
    for name, value in values.items():
        setattr(part, name, value)
    db.session.flush()
    _keep_in_order(siblings)
    record("contest.part.update", part, actor=actor, contest_id=contest.id)
    return part


def delete_part(part: ContestPart, *, actor: User | None) -> None:
    contest = part.contest
    ensure_setup_editable(contest)
    if isinstance(part, Criterion) and f"criterion:{part.id}" in (contest.tie_break_rules or []):
        raise ServiceError(_l("This criterion is used as a tie-break rule; remove it from the rules first."))
    # What still refers to the row, as later domains know it (registration: "registrations in
    # this category"); the database would refuse it anyway (RESTRICT) or silently take rows with
    # it (CASCADE).
    signals.run_checks(signals.part_deleting, part=part)
    record("contest.part.delete", part, actor=actor, contest_id=contest.id)
    _siblings(contest, type(part)).remove(part)
    db.session.flush()


def _siblings(contest: Contest, model: type[Base]) -> list[Any]:
    return getattr(contest, PART_RELATIONS_BY_MODEL[model])


def _keep_in_order(siblings: list) -> None:
    # The loaded list keeps the order rows were added in; pages and the results round read it
    # in the set order, as the next request would load it (see the relationships' order_by).
    siblings.sort(key=lambda sibling: (sibling.position, sibling.id))


def _column_defaults(model: type[Base]) -> dict[str, Any]:
    # Column defaults apply only at INSERT; the rules are checked before that.
    return {column.name: column.default.arg for column in model.__table__.columns
            if column.name in PART_COLUMNS[model] and column.default is not None and column.default.is_scalar}


def _clean_part_data(model: type, data: dict[str, Any], *, siblings: list) -> dict[str, Any]:
    values = {name: data[name] for name in PART_COLUMNS[model] if name in data}
    for name in values:
        if name.rsplit("_", 1)[-1] in LANGUAGES:
            values[name] = (values[name] or "").strip()
    if values.get("position") is None:
        values["position"] = max((sibling.position for sibling in siblings), default=0) + 1
    if model is Round and "aggregation" in values:
        values["aggregation"] = values["aggregation"] or None  # the empty choice: the contest's method
    if model is Round and "scoring" in values:
        # A rank method only where places are given; there, the rank sum unless another is chosen.
        ranked = values["scoring"] == Scoring.RANKS.value
        values["rank_method"] = (values.get("rank_method") or RankMethod.RANK_SUM.value) if ranked else None
    return values


def _check_part(part: ContestPart, contest: Contest, *, others: list) -> None:
    if not any(getattr(part, name) for name in _NAMES):
        raise ServiceError(_l("Give a name in at least one language."), field="name_kk")
    if isinstance(part, Criterion):
        _check_criterion(part)
    elif isinstance(part, Category):
        _check_category(part)
    elif isinstance(part, Round):
        _check_round(part, contest)
    elif isinstance(part, AwardTier):
        _check_award_tier(part, contest, others)


def _check_round(round_: Round, contest: Contest) -> None:
    _check_choice(round_.stage, RoundStage, "stage")
    _check_choice(round_.scoring, Scoring, "scoring")
    if round_.rank_method is not None:
        _check_choice(round_.rank_method, RankMethod, "rank_method")
    if round_.aggregation is not None:
        _check_choice(round_.aggregation, Aggregation, "aggregation")
    for name in ("weight", "clamp_points", "overrun_penalty"):
        _check_score(getattr(round_, name), name)
        if getattr(round_, name) == 0:
            raise ServiceError(_l("Enter a number above 0, or leave the field empty."), field=name)
    if round_.overrun_penalty is not None and round_.overrun_penalty != round(
            Decimal(round_.overrun_penalty), contest.score_decimals):
        raise ServiceError(_l("At most %(count)d decimals, as the contest's scores are rounded.",
                              count=contest.score_decimals), field="overrun_penalty")
    if round_.time_limit_seconds is not None and not _whole_between(round_.time_limit_seconds, 10, 3600):
        raise ServiceError(_l("Enter a whole number from %(min)d to %(max)d.", min=10, max=3600),
                           field="time_limit_seconds")
    if round_.weight is None and contest.rounds_combination == RoundsCombination.WEIGHTED:
        raise ServiceError(_l("The contest combines its rounds by weights: give this round a weight, for example 70."),
                           field="weight")
    if round_.advance_count is not None and round_.advance_count < 1:
        raise ServiceError(_l("Enter a whole number of at least 1, or leave the field empty."),
                           field="advance_count")
    _check_score(round_.advance_threshold, "advance_threshold")
    if round_.advance_count is not None and round_.advance_threshold is not None:
        raise ServiceError(_l("Either the best N advance or everyone at or above a score: fill only one of the "
                              "two fields."), field="advance_threshold")
    if round_.rank_method == RankMethod.RANK_SUM and round_.advance_threshold is not None:
        raise ServiceError(_l("A sum of places is best when lowest, so no score to reach can be set: let the best N "
                              "advance, or combine the places by the Borda count."), field="advance_threshold")


def _check_category(category: Category) -> None:
    """Limits within sensible bounds (ages 0–100, grades 1–12), each lower one not above its upper one."""
    for (low, high), (least, most) in ((("min_age", "max_age"), CATEGORY_AGES),
                                       (("min_grade", "max_grade"), SCHOOL_GRADES)):
        for name in (low, high):
            value = getattr(category, name)
            if value is not None and not _whole_between(value, least, most):
                raise ServiceError(_l("Enter a whole number from %(least)s to %(most)s, or leave the field empty.",
                                      least=least, most=most), field=name)
        if getattr(category, low) is not None and getattr(category, high) is not None \
                and getattr(category, low) > getattr(category, high):
            raise ServiceError(_l("The upper limit must not be below the lower one."), field=high)


def _check_criterion(criterion: Criterion) -> None:
    if criterion.max_score is None or criterion.max_score < 1:
        raise ServiceError(_l("The maximum must be at least 1 point."), field="max_score")
    if criterion.step is None or not 0 < criterion.step <= criterion.max_score:
        raise ServiceError(_l("The step must be above 0 and not above the maximum."), field="step")
    if criterion.weight is None or criterion.weight <= 0:
        raise ServiceError(_l("The weight must be above 0."), field="weight")


def _check_award_tier(tier: AwardTier, contest: Contest, others: list[AwardTier]) -> None:
    _check_choice(tier.document_kind, AwardDocument, "document_kind")
    if tier.winners_count is None or tier.winners_count < 1:
        raise ServiceError(_l("Enter a whole number of at least 1, or leave the field empty."),
                           field="winners_count")
    if tier.prize_amount is not None and tier.prize_amount < 0:
        raise ServiceError(_l("The prize cannot be negative."), field="prize_amount")
    _check_score(tier.min_score, "min_score")
    if contest.prize_fund is not None and prize_total([*others, tier], contest) > contest.prize_fund:
        raise ServiceError(_l("Awarded in every category, the prizes would exceed the prize fund of "
                              "%(fund)s tenge.", fund=format_amount(contest.prize_fund)),
                           field="prize_amount")


def prize_total(tiers: Iterable[AwardTier], contest: Contest) -> int:
    """What the tiers cost when fully awarded: each category is ranked and awarded separately."""
    per_category = sum((tier.prize_amount or 0) * tier.winners_count for tier in tiers)
    return per_category * max(1, len(contest.categories))


def _texts(field: str, names: tuple[Any, Any, Any]) -> dict[str, str]:
    return {f"{field}_{code}": name for code, name in zip(LANGUAGES, names, strict=True)}


# Defaults: real names in each language (stored, not translated at display time).
FINAL_ROUND_NAME = ("Финал", "Финал", "Final")
DEFAULT_CRITERIA: dict[ContestKind, list[tuple[tuple[str, str, str], int]]] = {
    ContestKind.WRITING: [
        (("Мазмұны", "Содержание", "Content"), 10),
        (("Өзіндік ерекшелігі", "Оригинальность", "Originality"), 10),
        (("Өлең құрылымы", "Форма и композиция", "Form"), 10),
        (("Тіл шеберлігі", "Язык и стиль", "Language"), 10),
    ],
    ContestKind.RECITATION: [
        (("Мәтінді білуі", "Знание текста", "Memorisation"), 10),
        (("Мәнерлілігі", "Выразительность", "Expressiveness"), 10),
        (("Дикциясы", "Дикция", "Diction"), 10),
        (("Сахналық мәдениеті", "Сценическая культура", "Stage presence"), 10),
    ],
}


# Queries -----------------------------------------------------------------------------------

SETUP_LOADERS = (selectinload(Contest.rounds), selectinload(Contest.categories),
                 selectinload(Contest.criteria), selectinload(Contest.award_tiers))


# The organisers' contest pages: the setup and the status history with who moved it.
SETUP_WITH_HISTORY = (*SETUP_LOADERS, selectinload(Contest.status_changes).selectinload(ContestStatusChange.actor))


def contest_with_setup(contest_id: int) -> Contest | None:
    return db.session.scalar(select(Contest).where(Contest.id == contest_id).options(*SETUP_WITH_HISTORY))


def contest_with_cover(stem: str) -> Contest | None:
    return db.session.scalar(select(Contest).where(Contest.cover_image == stem))


def contest_by_slug(slug: str) -> Contest | None:
    return db.session.scalar(select(Contest).where(Contest.slug == slug).options(*SETUP_LOADERS))


def public_contest(slug: str) -> Contest | None:
    """A contest visitors may see, without the setup its page loads (feeds, calendars)."""
    contest = db.session.scalar(select(Contest).where(Contest.slug == slug))
    return contest if contest is not None and contest.is_public else None


def public_contests(*, status: str | None = None, year: int | None = None):
    """A select of the contests visitors may see, newest event first."""
    query = select(Contest).where(Contest.status.in_([s.value for s in PUBLIC_STATUSES]))
    if status:
        query = query.where(Contest.status == status)
    if year:
        start = datetime(year, 1, 1, tzinfo=LOCAL_ZONE).astimezone(UTC)
        end = datetime(year + 1, 1, 1, tzinfo=LOCAL_ZONE).astimezone(UTC)
        query = query.where(Contest.event_at >= start, Contest.event_at < end)
    return query.order_by(Contest.event_at.desc(), Contest.id.desc())


def all_contests():
    return select(Contest).order_by(Contest.event_at.desc(), Contest.id.desc())


def open_for_registration(limit: int = 6) -> list[Contest]:
    return list(db.session.scalars(
        select(Contest).where(Contest.status == ContestStatus.REGISTRATION_OPEN.value)
        .order_by(Contest.registration_closes_at, Contest.id).limit(limit)))


def upcoming_events(limit: int = 6, *, now: datetime | None = None) -> list[Contest]:
    announced = [S.PUBLISHED.value, S.REGISTRATION_OPEN.value, S.REGISTRATION_CLOSED.value, S.JUDGING.value]
    return list(db.session.scalars(
        select(Contest).where(Contest.status.in_(announced), Contest.event_at >= (now or datetime.now(UTC)))
        .order_by(Contest.event_at, Contest.id).limit(limit)))


def recent_results(limit: int = 6) -> list[Contest]:
    return list(db.session.scalars(
        select(Contest).where(Contest.status == ContestStatus.RESULTS_PUBLISHED.value)
        .order_by(Contest.event_at.desc(), Contest.id.desc()).limit(limit)))
