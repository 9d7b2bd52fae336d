"""Accounts: sign-up, sign-in with throttling, password reset and change, roles."""

from __future__ import annotations

import hashlib

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, func, select

from contest import i18n
from contest.audit.services import record
from contest.auth.models import Role, User
from contest.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.mail import send_mail
from contest.ratelimit import Limit

RESET_SALT = "password-reset"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _check_password(password: str, *, email: str, name: str) -> None:
    problem = password_problem(password, related=(email, name, email.split("@")[0]))
    if problem:
        raise ServiceError(problem, field="password")


def create_user(
    *, email: str, name: str, password: str, role: Role = Role.PARTICIPANT,
    language: str | None = None, actor: User | None = None,
) -> User:
    email = normalise_email(email)
    name = name.strip()
    if find_user_by_email(email):
        raise ServiceError(_l("An account with this email address already exists."), field="email")
    _check_password(password, email=email, name=name)
    if language is not None and not i18n.is_supported(language):
        raise ServiceError(_l("Unknown language."), field="language")
    user = User(email=email, name=name, password_hash=hash_password(password), role=Role(role).value,
                preferred_language=language)
    db.session.add(user)
    db.session.flush()
    record("user.created", user, actor=actor or user, role=user.role)
    return user


def _login_limits() -> tuple[Limit, Limit]:
    config = current_app.config
    per_account = Limit("login-email", config["LOGIN_MAX_FAILURES"], config["LOGIN_FAILURE_WINDOW"])
    # One address may be shared by a whole school computer class, so it gets more room.
    per_address = Limit("login-ip", config["LOGIN_MAX_FAILURES"] * 4, config["LOGIN_FAILURE_WINDOW"])
    return per_account, per_address


class TooManyAttempts(ServiceError):
    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(_l("Too many failed sign-in attempts. Please try again in %(minutes)d min.",
                            minutes=minutes))
        self.seconds = seconds


def authenticate(email: str, password: str, *, remote_addr: str) -> User:
    """Return the user for these credentials or raise; repeated failures lock the account
    and the address out for a while, whether or not the account exists."""
    email = normalise_email(email)
    per_account, per_address = _login_limits()
    wait = max(per_account.blocked_for(email), per_address.blocked_for(remote_addr))
    if wait:
        raise TooManyAttempts(wait)

    user = find_user_by_email(email)
    if user is None or not verify_password(user.password_hash, password):
        per_account.hit(email)
        per_address.hit(remote_addr)
        raise ServiceError(_l("The email address or password is incorrect."))
    if not user.is_active:
        raise ServiceError(_l("This account has been disabled. Please contact the library."))

    per_account.clear(email)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ServiceError(_l("The current password is incorrect."), field="current_password")
    _set_password(user, new_password)
    record("user.password_changed", user, actor=user)


def _set_password(user: User, password: str) -> None:
    _check_password(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    # Every other session of this account ends; the caller logs the current one in again.
    user.session_version += 1
    db.session.flush()


def update_profile(user: User, *, name: str, language: str | None) -> None:
    if language and not i18n.is_supported(language):
        raise ServiceError(_l("Unknown language."), field="language")
    user.name = name.strip()
    user.preferred_language = language or None
    db.session.flush()


def set_preferred_language(user: User, language: str) -> None:
    user.preferred_language = language
    db.session.flush()


def _refuse_self_lockout(user: User, actor: User | None) -> None:
    if actor is not None and actor.id == user.id:
        raise ServiceError(_l("You cannot change your own role or disable your own account."))


def set_role(user: User, role: Role, *, actor: User | None = None) -> None:
    _refuse_self_lockout(user, actor)
    old = user.role
    user.role = Role(role).value
    db.session.flush()
    record("user.role_changed", user, actor=actor, old=old, new=user.role)


def disable_user(user: User, *, actor: User | None = None) -> None:
    _refuse_self_lockout(user, actor)
    user.is_active = False
    user.session_version += 1
    db.session.flush()
    record("user.disabled", user, actor=actor)


def enable_user(user: User, *, actor: User | None = None) -> None:
    user.is_active = True
    db.session.flush()
    record("user.enabled", user, actor=actor)


def search_users(query: str = "", role: str | None = None) -> Select[tuple[User]]:
    """Accounts matching a part of the name or email, optionally of one role, newest first."""
    statement = select(User).order_by(User.created_at.desc(), User.id.desc())
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(func.lower(User.email).like(pattern) | func.lower(User.name).like(pattern))
    if role:
        statement = statement.where(User.role == role)
    return statement


# Password reset -------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # The token carries a digest of the current hash: once the password changes, every
    # earlier link (including the one just used) stops matching. That makes links single use.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def send_password_reset(email: str) -> None:
    """Email a reset link if an active account exists; say nothing either way, so the form
    cannot be used to find out who has an account."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token = make_reset_token(user)
    link = url_for("auth.reset_password", token=token, _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with force_locale(user.preferred_language or i18n.current_language()):
        subject = _("Password reset")
        body = render_template("auth/email/reset.txt", user=user, link=link, minutes=minutes)
    send_mail(user.email, subject, body)
    record("user.password_reset_requested", user)


def user_for_reset_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise ServiceError(_l("This password reset link has expired. Please ask for a new one.")) from None
    except BadSignature:
        raise ServiceError(_l("This password reset link is not valid. Please ask for a new one.")) from None
    user = db.session.get(User, data.get("uid")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("fp") != _password_fingerprint(user):
        raise ServiceError(_l("This password reset link has already been used. Please ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    record("user.password_reset", user, actor=user)
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the cookie names the user and the session version it was
    issued under; a bumped version or a disabled account means signed out."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user
