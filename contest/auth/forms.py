from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs cover 3.2
from wtforms.validators import DataRequired, Email, EqualTo, Length

from contest.auth.models import Role
from contest.auth.passwords import MAX_LENGTH, MIN_LENGTH
from contest.forms import LANGUAGE_CHOICES, REQUIRED_MESSAGE, trimmed

EMAIL_MESSAGE = _l("Enter a valid email address, for example name@example.kz.")
PASSWORD_LENGTH_MESSAGE = _l("The password must be between %(min)d and %(max)d characters long.",
                             min=MIN_LENGTH, max=MAX_LENGTH)
MATCH_MESSAGE = _l("The two passwords do not match.")


def _email_field() -> EmailField:
    return EmailField(_l("Email"), filters=[trimmed], validators=[
        DataRequired(REQUIRED_MESSAGE), Length(max=254), Email(EMAIL_MESSAGE)])


def _new_password_fields(label: str) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(label, validators=[
        DataRequired(REQUIRED_MESSAGE), Length(min=MIN_LENGTH, max=MAX_LENGTH, message=PASSWORD_LENGTH_MESSAGE)])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(REQUIRED_MESSAGE), EqualTo("password", message=MATCH_MESSAGE)])
    return password, confirm


class SignUpForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[trimmed],
                       validators=[DataRequired(REQUIRED_MESSAGE), Length(max=200)])
    email = _email_field()
    password, confirm = _new_password_fields(_l("Password"))


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED_MESSAGE), Length(max=MAX_LENGTH)])


class ResetRequestForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields(_l("New password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED_MESSAGE)])
    password, confirm = _new_password_fields(_l("New password"))


class SignOutEverywhereForm(FlaskForm):
    """The confirmation button: only the CSRF token."""


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[trimmed],
                       validators=[DataRequired(REQUIRED_MESSAGE), Length(max=200)])
    language = SelectField(_l("Language of the site and of emails"),
                           choices=[SelectChoice("", _l("As chosen in the browser")), *LANGUAGE_CHOICES])


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label) for role in Role]


class UserFilterForm(FlaskForm):
    """The search box above the accounts table (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), filters=[trimmed], validators=[Length(max=254)])
    role = SelectField(_l("Role"), validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice("", _l("All roles")), *_role_choices()]

    def role_value(self) -> str | None:
        return self.role.data if self.role.data in {role.value for role in Role} else None


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
