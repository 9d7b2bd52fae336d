"""Forms of the results workflow: publishing (with a reason when sheets are missing), withdrawing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from contest.forms import REQUIRED_MESSAGE, trimmed
from contest.results.services import REASON_LIMIT


class PublishForm(FlaskForm):
    reason = TextAreaField(_l("Why publish although sheets are missing"), filters=[trimmed],
                           validators=[Optional(), Length(max=REASON_LIMIT)])


class UnpublishForm(FlaskForm):
    reason = TextAreaField(_l("Why the results are withdrawn"), filters=[trimmed],
                           validators=[DataRequired(message=REQUIRED_MESSAGE), Length(max=REASON_LIMIT)])


class AdvanceForm(FlaskForm):
    """Only the CSRF token: the round comes in the address."""
