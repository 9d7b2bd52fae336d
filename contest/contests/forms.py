"""Forms for contests and their setup rows. They check the shape of input; the rules live in
services. Dates are typed in Almaty time and handed to services in UTC."""

from __future__ import annotations

import enum
import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from contest import pictures
from contest.contests.models import (
    CATEGORY_AGES,
    LABELS,
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
    Criterion,
    RankMethod,
    Round,
    RoundsCombination,
    RoundStage,
    Scoring,
    WorkRequirement,
)
from contest.contests.services import CONTEST_FIELDS, LANGUAGES, LOCAL_ZONE, PART_COLUMNS, PUBLIC_STATUSES
from contest.forms import REQUIRED_MESSAGE, trimmed
from contest.i18n import LANGUAGE_NAMES

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_MESSAGE = _l("Enter a date and time.")
NUMBER_MESSAGE = _l("Enter a number, for example 0.5.")
LARGEST = 2_000_000_000  # fits a 32-bit integer column


def _in_language(label: str, code: str) -> str:
    return _l("%(field)s (%(language)s)", field=label, language=LANGUAGE_NAMES[code])


def _choices(enum_class: type[enum.Enum]) -> list[SelectChoice]:
    # Lazy labels: choices are built once at import, shown later in each reader's language.
    return [SelectChoice(member.value, LABELS[member]) for member in enum_class]


def _whole(label: str, low: int, high: int = LARGEST, *, required: bool = False,
           message: str | None = None, **kwargs: Any) -> IntegerField:
    first = InputRequired(REQUIRED_MESSAGE) if required else Optional()
    message = message or _l("Enter a whole number from %(min)d to %(max)d.", min=low, max=high)
    return IntegerField(label, validators=[first, NumberRange(low, high, message=message)], **kwargs)


def _finite(form: FlaskForm, field: FloatField) -> None:
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(NUMBER_MESSAGE)


def _finite_decimal(form: FlaskForm, field: DecimalField) -> None:
    # "NaN" and "Infinity" parse as Decimals; comparing them would raise, so stop here.
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(NUMBER_MESSAGE)


SCORE_MESSAGE = _l("Enter a score of 0 or more with at most three decimals, for example 37.5.")


class StoredScoreField(DecimalField):
    """A number input holding a stored score: shown as it was entered (70, 2.5), not with the
    three decimals the column stores (70.000). The input's own format, so always a point."""

    def _value(self) -> str:
        if self.raw_data:  # what was typed, shown again with its error
            return str(self.raw_data[0])
        if isinstance(self.data, Decimal) and self.data.is_finite():
            return f"{self.data.normalize():f}"
        return "" if self.data is None else str(self.data)


def _score(label: str, description: str, *, message: str = SCORE_MESSAGE) -> StoredScoreField:
    """An optional score bound; the service checks it has at most three decimals."""
    return StoredScoreField(label, places=None, description=description, validators=[
        Optional(), _finite_decimal, NumberRange(0, 999_999_999, message=message)])


def _points_unless_chosen(value: str | None) -> str:
    """A form sent without the field (an older page) keeps the usual scoring by points."""
    return value or Scoring.POINTS.value


def _rank_sum_unless_chosen(value: str | None) -> str:
    """A round scored by points stores no rank method: its form shows the first choice."""
    return value or RankMethod.RANK_SUM.value


def _contests_method(value: str | None) -> str:
    """A round without its own method (None) is the empty choice, "as the contest says"."""
    return value or ""


POSITIVE_MESSAGE = _l("Enter a number above 0 with at most three decimals, for example 2.5, or leave the field empty.")


def _local_datetime(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=DATETIME_FORMAT, validators=[DataRequired(DATETIME_MESSAGE)])


def to_utc(local: datetime) -> datetime:
    return local.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_ZONE).replace(tzinfo=None)


class _TextsForm(FlaskForm):
    """Adds one field per language for each of `TEXTS` ((name, label, is_long, max_length))."""

    TEXTS: tuple[tuple[str, str, bool, int], ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, label, is_long, max_length in cls.TEXTS:
            for code in LANGUAGES:
                field_class = TextAreaField if is_long else StringField
                setattr(cls, f"{name}_{code}", field_class(
                    _in_language(label, code), filters=[trimmed], render_kw={"lang": code},
                    validators=[Optional(), Length(max=max_length)]))

    def texts_in(self, code: str) -> list:
        return [self[f"{name}_{code}"] for name, *_ in self.TEXTS]


class ContestForm(_TextsForm):
    TEXTS = (("title", lazy_pgettext("a contest's title", "Title"), False, 300),
             ("dedication", _l("Dedication"), False, 300),
             ("venue", _l("Venue"), False, 300), ("description", _l("Description"), True, 20_000),
             ("rules", _l("Rules"), True, 20_000), ("cover_alt", pictures.ALT_LABEL, False, 300))

    cover = FileField(_l("Cover image"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_cover = BooleanField(_l("Remove the current cover image"))
    slug = StringField(_l("Address on the site"), filters=[trimmed], validators=[Optional(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=_choices(ContestKind))
    level = SelectField(_l("Level"), choices=_choices(ContestLevel))
    event_at = _local_datetime(_l("Event date and time"))
    registration_opens_at = _local_datetime(_l("Registration opens"))
    registration_closes_at = _local_datetime(_l("Registration closes"))
    capacity = _whole(_l("Capacity (participants)"), 1)
    min_age = _whole(_l("Youngest age on the event date"), 0, 120)
    max_age = _whole(_l("Oldest age on the event date"), 0, 120)
    min_grade = _whole(_l("Lowest school grade"), 0, 12)
    max_grade = _whole(_l("Highest school grade"), 0, 12)
    school_quota = _whole(_l("Participants per school at most"), 1)
    line_limit = _whole(_l("Lines per work at most"), 1)
    works_required = _whole(_l("Works in one entry"), 1, MAX_WORKS, default=1, description=_l(
        "For example 3 when the rules ask for three poems. At most %(most)d.", most=MAX_WORKS))
    work_requires = SelectField(_l("Each work must have"), choices=_choices(WorkRequirement),
                                default=WorkRequirement.TEXT_OR_FILE.value)
    video_required = BooleanField(_l("A link to a video of the performance is required"))
    prize_fund = _whole(_l("Prize fund (tenge)"), 0)
    is_blind = BooleanField(_l("Blind judging: jurors do not see names and schools"))
    aggregation = SelectField(_l("How the jurors' totals are combined"), choices=_choices(Aggregation))
    tie_break_rules = TextAreaField(_l("Tie-break rules, one per line, in order"), filters=[trimmed],
                                    validators=[Optional(), Length(max=2000)])
    score_decimals = _whole(_l("Decimals in the published totals"), 0, MAX_DECIMALS, default=2,
                            message=_l("Round to 0, 1, 2 or 3 decimals."))
    trim_count = _whole(_l("Totals a trimmed method drops at each end"), 1, MAX_TRIM, default=1)
    trim_min_jurors = _whole(_l("Fewest jurors for the trimmed method"), 3, MAX_JURORS)
    normalise_scores = BooleanField(_l("Normalise each juror's totals (corrects strict and lenient jurors)"))
    rounds_combination = SelectField(_l("Final standings"), choices=_choices(RoundsCombination),
                                     default=RoundsCombination.RESULTS_ROUND.value)

    def load(self, contest: Contest) -> None:
        """Fill the form from a contest (dates shown in Almaty time)."""
        for name in CONTEST_FIELDS:
            value = getattr(contest, name)
            if isinstance(value, datetime):
                value = to_local(value)
            elif name == "tie_break_rules":
                value = "\n".join(value or [])
            self[name].data = value
        self.slug.data = contest.slug

    def cover_change(self) -> pictures.PictureChange | None:
        upload = self.cover.data
        chosen = upload if upload and getattr(upload, "filename", "") else None
        if chosen is None and not self.remove_cover.data:
            return None
        return pictures.PictureChange(upload=chosen.stream if chosen else None, remove=bool(self.remove_cover.data))

    def to_data(self) -> dict[str, Any]:
        data = {name: self[name].data for name in CONTEST_FIELDS}
        for name in ("event_at", "registration_opens_at", "registration_closes_at"):
            data[name] = to_utc(data[name])
        data["tie_break_rules"] = (self.tie_break_rules.data or "").splitlines()
        data["slug"] = self.slug.data
        return data


class NewContestForm(ContestForm):
    with_default_criteria = BooleanField(_l("Start with the usual criteria for this kind of contest"),
                                         default=True)


class CopyContestForm(FlaskForm):
    event_at = _local_datetime(_l("Event date and time"))
    registration_opens_at = _local_datetime(_l("Registration opens"))
    registration_closes_at = _local_datetime(_l("Registration closes"))
    slug = StringField(_l("Address on the site"), filters=[trimmed], validators=[Optional(), Length(max=120)])

    DATES = ("event_at", "registration_opens_at", "registration_closes_at")

    def suggest(self, dates: dict[str, datetime]) -> None:
        """Fill the date fields with suggested dates (shown in Almaty time)."""
        for name in self.DATES:
            self[name].data = to_local(dates[name])

    def to_data(self) -> dict[str, Any]:
        return {name: to_utc(self[name].data) for name in self.DATES} | {"slug": self.slug.data}


class _PartForm(_TextsForm):
    MODEL: type
    TEXTS: tuple[tuple[str, str, bool, int], ...] = (("name", _l("Name"), False, 200),)
    position = _whole(_l("Order"), 0, 1000)

    def to_data(self) -> dict[str, Any]:
        return {name: self[name].data for name in PART_COLUMNS[self.MODEL]}


class RoundForm(_PartForm):
    MODEL = Round
    stage = SelectField(_l("Stage"), choices=_choices(RoundStage))
    scoring = SelectField(_l("What each juror gives"), choices=_choices(Scoring), default=Scoring.POINTS.value,
                          filters=[_points_unless_chosen],
                          description=_l("Places: each juror ranks the entries of each category, 1 = best; tied "
                                         "entries share a place and count as averaged ranks (two tied for 2nd "
                                         "both count 2.5)."))
    rank_method = SelectField(_l("How the places are combined"), choices=_choices(RankMethod),
                              default=RankMethod.RANK_SUM.value, filters=[_rank_sum_unless_chosen],
                              description=_l("Used only when the jurors give places. The method, the clamping and "
                                             "the criteria apply only to rounds scored by points."))
    advance_count = _whole(_l("How many advance to the next round"), 1, 100_000,
                           description=_l("Qualifying rounds: the best N of each category advance (a tie at the "
                                          "boundary takes every tied entry)."))
    advance_threshold = _score(_l("Or: the score needed to advance"),
                               _l("Qualifying rounds: every entry whose total reaches this score advances. "
                                  "Fill this or the number above, not both."))
    aggregation = SelectField(_l("How this round's totals are combined"),
                              choices=[SelectChoice("", _l("As the contest says")), *_choices(Aggregation)],
                              default="", filters=[_contests_method],
                              description=_l("A round may use its own method, for example the median in the final "
                                             "and the mean in the qualifying round."))
    weight = _score(_l("Weight in the final standings"),
                    _l("Used when the contest combines its rounds by weights: for example 30 for the qualifying "
                       "round and 70 for the final, or 10, 20, 35 and 35 for four stages."), message=POSITIVE_MESSAGE)
    clamp_points = _score(_l("Outlier clamping: k points"),
                          _l("Each total further than k points from the entry's mean (rounded to the contest's "
                             "decimals) is brought to the mean plus or minus k before the method applies. Empty: "
                             "no clamping."), message=POSITIVE_MESSAGE)
    is_live = BooleanField(_l("Live round: performances on stage"),
                           description=_l("The chair calls the performers in a running order and the audience screen "
                                          "follows the stage. Rounds of recitation contests are always live."))
    time_limit_seconds = _whole(_l("Time limit per performance, in seconds"), 10, 3600,
                                description=_l("For example 180 for three minutes. Empty: no limit."))
    overrun_penalty = _score(_l("Penalty for going over the time limit, in points"),
                             _l("Subtracted from the entry's score in this round, with the overrun as its reason. "
                                "Empty: an overrun is only recorded."), message=POSITIVE_MESSAGE)


class CategoryForm(_PartForm):
    MODEL = Category
    min_age = _whole(_l("Youngest age on the event day"), *CATEGORY_AGES,
                     description=_l("Full years on the day of the contest. Leave empty for no limit."))
    max_age = _whole(_l("Oldest age on the event day"), *CATEGORY_AGES,
                     description=_l("Full years on the day of the contest. Leave empty for no limit."))
    min_grade = _whole(_l("Lowest school grade"), *SCHOOL_GRADES, description=_l("Leave empty for no limit."))
    max_grade = _whole(_l("Highest school grade"), *SCHOOL_GRADES, description=_l("Leave empty for no limit."))

    def validate(self, extra_validators=None) -> bool:
        """Each lower limit not above its upper one (the service checks it again)."""
        valid = super().validate(extra_validators)
        for low, high in ((self.min_age, self.max_age), (self.min_grade, self.max_grade)):
            if not low.errors and not high.errors and low.data is not None and high.data is not None \
                    and low.data > high.data:
                high.errors.append(  # type: ignore[attr-defined]  # a list once validated; the stub says Sequence
                    _l("The upper limit must not be below the lower one."))
                valid = False
        return valid


class CriterionForm(_PartForm):
    MODEL = Criterion
    TEXTS = (("name", _l("Name"), False, 200), ("description", _l("What the jurors look at"), False, 500))
    max_score = _whole(_l("Maximum points"), 1, 1000, required=True,
                       message=_l("The maximum must be a whole number from 1 to 1000 points."))
    step = FloatField(_l("Step"), default=1.0, validators=[
        InputRequired(REQUIRED_MESSAGE), _finite,
        NumberRange(0.01, 1000, message=_l("The step must be above 0 and not above the maximum."))])
    weight = FloatField(_l("Weight"), default=1.0, validators=[
        InputRequired(REQUIRED_MESSAGE), _finite,
        NumberRange(0.01, 100, message=_l("The weight must be above 0 and at most 100."))])


class AwardTierForm(_PartForm):
    MODEL = AwardTier
    winners_count = _whole(_l("Number of winners"), 1, 1000, required=True)
    prize_amount = _whole(_l("Prize per winner (tenge)"), 0)
    document_kind = SelectField(_l("Document"), choices=_choices(AwardDocument))
    min_score = _score(_l("Minimum total for this award"),
                       _l("Optional, for example for a Grand Prix given only for an outstanding result. "
                          "Places below it move on to the next tier."))


PART_FORMS = {"rounds": RoundForm, "categories": CategoryForm, "criteria": CriterionForm, "tiers": AwardTierForm}


class ContestFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), default="", choices=[
        SelectChoice("", _l("Any status")),
        *(SelectChoice(status.value, LABELS[status]) for status in PUBLIC_STATUSES)])
    year = _whole(_l("Year"), 2000, 2100)
