"""Helpers shared by every domain's forms."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2

from contest.errors import ServiceError, ServiceErrors
from contest.i18n import LANGUAGE_NAMES

LANGUAGE_CHOICES = [SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES.items()]
FORM_ERROR_STATUS = 422


def attach_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal (or each of several) beside the field it concerns, or above the form."""
    for one in error.errors if isinstance(error, ServiceErrors) else [error]:
        field = getattr(form, one.field, None) if one.field else None
        if field is not None:
            field.errors = [*field.errors, one.message]
        else:
            form.form_errors.append(one.message)


def wants_json() -> bool:
    """A page's script sent the form and reads the answer as JSON (Accept: application/json);
    a browser submitting the form itself asks for HTML."""
    return request.accept_mimetypes.best == "application/json"


def form_status(form: FlaskForm) -> int:
    """200 for a form shown fresh, 422 for one sent back with errors (so nothing is committed)."""
    return FORM_ERROR_STATUS if form.is_submitted() else 200


def optional_id(value: str | int | None) -> int | None:
    """Coerce a select's value to a row id; the empty choice means none."""
    if value in (None, "", "None"):
        return None
    return int(value)


def trimmed(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


REQUIRED_MESSAGE = _l("This field is required.")
