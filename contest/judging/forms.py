"""Forms of the jury pages. They check the shape of input only; every rule (points within the
criterion's range and step, stale versions, who may score) lives in the services."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from contest.contests.models import Category, Criterion
from contest.forms import LANGUAGE_CHOICES, REQUIRED_MESSAGE, trimmed
from contest.i18n import localized
from contest.judging.jury import NAME_LIMIT
from contest.judging.models import ScoreSheet
from contest.judging.ranking_sheets import place_field
from contest.judging.services import COMMENT_LIMIT, REASON_LIMIT, format_points, points_field
from contest.registration.models import Registration


class CheckboxList(SelectMultipleField):
    """Several choices as a list of check boxes (no script needed on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def category_choices(categories: list[Category]) -> list[tuple[str, str]]:
    return [(str(category.id), localized(category, "name")) for category in categories]


# Organisers: the jury -----------------------------------------------------------------------

class AddJurorForm(FlaskForm):
    email = EmailField(_l("Email of the juror's account"), filters=[trimmed],
                       validators=[DataRequired(REQUIRED_MESSAGE), Email(_l("Enter an email address.")),
                                   Length(max=254)],
                       description=_l("An existing account with the juror role."))
    is_chair = BooleanField(_l("Chair of the jury"))
    is_honorary = BooleanField(_l("Honorary member (scores do not count)"))


class InviteJurorForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[trimmed],
                       validators=[DataRequired(REQUIRED_MESSAGE), Length(max=NAME_LIMIT)])
    email = EmailField(_l("Email"), filters=[trimmed],
                       validators=[DataRequired(REQUIRED_MESSAGE), Email(_l("Enter an email address.")),
                                   Length(max=254)],
                       description=_l("A juror account is created and a link to choose a password is emailed."))
    language = SelectField(_l("Language of the emails"), choices=LANGUAGE_CHOICES)
    is_chair = BooleanField(_l("Chair of the jury"))
    is_honorary = BooleanField(_l("Honorary member (scores do not count)"))


class MemberCategoriesForm(FlaskForm):
    categories = CheckboxList(_l("Categories this juror scores"), coerce=int,
                              description=_l("None ticked: every category."))


class AssignForm(FlaskForm):
    per_entry = IntegerField(_l("Jurors per entry"),
                             validators=[InputRequired(REQUIRED_MESSAGE),
                                         NumberRange(min=1, max=100, message=_l("From 1 to 100."))])


class ReasonForm(FlaskForm):
    """Reopen a sheet or declare a conflict: a reason is required."""

    reason = TextAreaField(_l("Reason"), filters=[trimmed],
                           validators=[DataRequired(_l("Give the reason.")), Length(max=REASON_LIMIT)])


class RecuseForm(ReasonForm):
    member = SelectField(_l("Juror"), coerce=int, validate_choice=True)


class BallotUploadForm(FlaskForm):
    file = FileField(_l("Ballots (XLSX or CSV)"), validators=[FileRequired(REQUIRED_MESSAGE)])


class BallotConfirmForm(FlaskForm):
    # The file the organiser previewed, signed by the server (see views.py).
    payload = HiddenField(validators=[DataRequired()])


# Jurors: the score sheet --------------------------------------------------------------------

class SheetForm(FlaskForm):
    """One text field per criterion (`points_<id>`, see services.points_field), the comment and
    the version of the sheet the page was built from."""

    # No length checks here: the service checks the comment and every score together, so that
    # the juror sees all problems in one answer (a form error would stop before the service).
    comment = TextAreaField(_l("Comment (optional)"), filters=[trimmed], render_kw={"maxlength": COMMENT_LIMIT})
    version = HiddenField(default="0")

    criteria: list[Criterion] = []

    def points_fields(self):
        return [self[points_field(criterion)] for criterion in self.criteria]

    def points(self) -> dict[int, str]:
        """Criterion id -> what was typed (the service checks it)."""
        return {criterion.id: self[points_field(criterion)].data or "" for criterion in self.criteria}

    def version_number(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None


def sheet_form_class(criteria: list[Criterion]) -> type[SheetForm]:
    """A SheetForm with a points field per criterion; the browser gets min, max and step as
    hints (the server checks them again), and a decimal keypad on a phone."""

    class Form(SheetForm):
        pass

    Form.criteria = list(criteria)
    for criterion in criteria:
        step = format_points(_decimal_step(criterion))
        hint = _l("From 0 to %(max)s, in steps of %(step)s", max=criterion.max_score, step=step)
        setattr(Form, points_field(criterion), StringField(
            localized(criterion, "name"), filters=[trimmed],
            description=hint,
            render_kw={"type": "number", "inputmode": "decimal", "min": 0, "max": criterion.max_score,
                       "step": step, "autocomplete": "off"}))
    return Form


def sheet_initial(sheet: ScoreSheet | None) -> dict[str, str]:
    """What a sheet form shows first: the saved scores, comment and version (0 for a new sheet)."""
    if sheet is None:
        return {"version": "0"}
    values = {f"points_{criterion_id}": format_points(points)
              for criterion_id, points in sheet.points_by_criterion().items()}
    return {**values, "comment": sheet.comment, "version": str(sheet.version)}


def _decimal_step(criterion: Criterion) -> Decimal:
    return Decimal(str(criterion.step))


class RankingForm(FlaskForm):
    """One place field per entry of the juror's ranking (`place_<registration id>`) and the
    version of the ranking the page was built from."""

    version = HiddenField(default="")

    registrations: list[Registration] = []

    def place_fields(self):
        return [self[place_field(registration)] for registration in self.registrations]

    def places(self) -> dict[int, str]:
        """Registration id -> what was typed (the service checks it)."""
        return {registration.id: self[place_field(registration)].data or "" for registration in self.registrations}


def ranking_form_class(registrations: list[Registration]) -> type[RankingForm]:
    """A RankingForm with a place field per entry, labelled by the entry's code (blind judging
    shows nothing more); the browser gets 1..n as hints and a numeric keypad on a phone."""

    class Form(RankingForm):
        pass

    Form.registrations = list(registrations)
    count = len(registrations)
    for registration in registrations:
        setattr(Form, place_field(registration), StringField(
            registration.code, filters=[trimmed],
            render_kw={"type": "number", "inputmode": "numeric", "min": 1, "max": count, "step": 1,
                       "autocomplete": "off"}))
    return Form
