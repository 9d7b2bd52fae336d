"""Forms of the results workflow: publishing (with a reason when sheets are missing), withdrawing,
penalties and bonuses outside the jury, ex aequo decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import DataRequired, Length, Optional

from contest.forms import REQUIRED_MESSAGE, optional_id, trimmed
from contest.results.services import REASON_LIMIT


class PublishForm(FlaskForm):
    reason = TextAreaField(_l("Why publish although sheets are missing"), filters=[trimmed],
                           validators=[Optional(), Length(max=REASON_LIMIT)])


class UnpublishForm(FlaskForm):
    reason = TextAreaField(_l("Why the results are withdrawn"), filters=[trimmed],
                           validators=[DataRequired(message=REQUIRED_MESSAGE), Length(max=REASON_LIMIT)])


class AdvanceForm(FlaskForm):
    """Only the CSRF token: the round comes in the address."""


class AdjustmentForm(FlaskForm):
    """Points outside the jury: entries and kinds are filled in by the view; the service checks them."""

    registration = SelectField(_l("Entry"), coerce=optional_id, validate_choice=False,
                               validators=[DataRequired(message=_l("Choose the entry."))])
    kind = SelectField(_l("What the points are for"), validate_choice=False)
    points = StringField(_l("Points (below zero for a penalty)"), filters=[trimmed],
                         validators=[DataRequired(message=REQUIRED_MESSAGE), Length(max=20)])
    reason = TextAreaField(_l("Reason"), filters=[trimmed],
                           validators=[DataRequired(message=REQUIRED_MESSAGE), Length(max=REASON_LIMIT)])


class ExAequoForm(FlaskForm):
    category = SelectField(_l("Category"), coerce=optional_id, validate_choice=False,
                           validators=[DataRequired(message=_l("Choose the category."))])
    tier = SelectField(_l("Award tier"), coerce=optional_id, validate_choice=False,
                       validators=[DataRequired(message=_l("Choose the award tier."))])
    codes = StringField(_l("Codes of the entries, separated by commas"), filters=[trimmed],
                        validators=[DataRequired(message=REQUIRED_MESSAGE), Length(max=500)])
    next_tier = RadioField(_l("The next award tier"), default="skip", validate_choice=False,
                           choices=[SelectChoice("skip", _l("is not awarded")),
                                    SelectChoice("award", _l("is still awarded"))])
    reason = TextAreaField(_l("The jury's reason"), filters=[trimmed],
                           validators=[DataRequired(message=REQUIRED_MESSAGE), Length(max=REASON_LIMIT)])


class RemoveForm(FlaskForm):
    """Only the CSRF token: what to remove comes in the address."""
