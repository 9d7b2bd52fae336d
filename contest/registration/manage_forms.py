"""Forms of the organisers' registration pages. They check the shape of input only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import DataRequired, Email, Length

from contest.contests.models import Contest
from contest.forms import REQUIRED_MESSAGE, optional_id, trimmed
from contest.i18n import localized
from contest.registration.models import STATUS_LABELS
from contest.registration.moderation import OVERRIDE_REASON_MAX_LENGTH, REASON_MAX_LENGTH, RegistrationFilters


class RegistrationFilterForm(FlaskForm):
    """The search box and filters above the table (a GET form: its values live in the address)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[trimmed], validators=[Length(max=100)],
                    description=_l("A part of the name, the code or the school"))
    status = SelectField(_l("Status"), default="", choices=[
        SelectChoice("", _l("Any status")),
        *(SelectChoice(status.value, label) for status, label in STATUS_LABELS.items())])
    category = SelectField(_l("Category"), default="")
    school = SelectField(_l("School"), default="")
    district = SelectField(_l("District or city"), default="")

    def fill_choices(self, contest: Contest, schools: list[str], districts: list[str]) -> None:
        self.category.choices = [("", _l("Any category")),
                                 *((str(category.id), localized(category, "name")) for category in contest.categories)]
        self.school.choices = [("", _l("Any school")), *((school, school) for school in schools)]
        self.district.choices = [("", _l("Any district")), *((district, district) for district in districts)]

    def filters(self) -> RegistrationFilters:
        """What to show; call after validate() succeeded (an unknown choice means "any")."""
        return RegistrationFilters(query=self.q.data or "", status=self.status.data or None,
                                   category_id=optional_id(self.category.data),
                                   school=self.school.data or None, district=self.district.data or None)


class DecisionForm(FlaskForm):
    """Approve (with the reason for an exception when the entry is incomplete after the
    deadline) or reject (with the reason)."""

    reason = TextAreaField(_l("Reason for the rejection"), filters=[trimmed],
                           validators=[Length(max=REASON_MAX_LENGTH)],
                           description=_l("Sent to the participant's account by email."))
    override_reason = TextAreaField(
        _l("Reason for the exception"), filters=[trimmed],
        validators=[Length(max=OVERRIDE_REASON_MAX_LENGTH, message=_l(
            "The reason is too long (at most %(count)d characters).", count=OVERRIDE_REASON_MAX_LENGTH))],
        description=_l("Only for an entry that does not meet the contest's rules after registration has closed: "
                       "why it may be approved and judged anyway. Kept in the audit log."))


class ImportForm(FlaskForm):
    teacher_email = EmailField(
        _l("Teacher's account (email)"), filters=[trimmed],
        validators=[DataRequired(REQUIRED_MESSAGE), Email(_l("Enter an email address.")), Length(max=254)],
        description=_l("The participant account the pupils will belong to; the teacher must have signed up."))
    file = FileField(_l("List of pupils (XLSX or CSV)"), validators=[FileRequired(REQUIRED_MESSAGE)])


class ImportConfirmForm(FlaskForm):
    # The rows the organiser saw in the preview, signed by the server (see imports.py).
    payload = HiddenField(validators=[DataRequired()])
