"""Accounts: sign-up, sign-in with throttling, password reset and change, roles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, delete, func, select

from contest import i18n
from contest.audit.services import record
from contest.auth.models import Role, User, UserSession
from contest.auth.passwords import dummy_hash, hash_password, needs_rehash, password_problem, verify_password
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from contest.mail.outbox import send_mail_after_commit
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


def _reserve_attempt(email: str, remote_addr: str) -> None:
    """Count this attempt against the account and the address before the password is checked;
    raise when either is over its limit. Counting first is what makes the limit hold when many
    attempts arrive at once (see contest/ratelimit.py)."""
    per_account, per_address = _login_limits()
    wait = per_address.reserve(remote_addr)
    if not wait:
        wait = per_account.reserve(email)
        if wait:
            per_address.release(remote_addr)  # the address did not get to try this time
    if wait:
        raise TooManyAttempts(wait)


def authenticate(email: str, password: str, *, remote_addr: str) -> User:
    """Return the user for these credentials or raise; repeated failures lock the account
    and the address out for a while, whether or not the account exists."""
    email = normalise_email(email)
    _reserve_attempt(email, remote_addr)
    user = find_user_by_email(email)
    account = user if user is not None and user.is_active else None
    # Unknown and disabled accounts are checked against a dummy hash and refused with the same
    # words: the answer takes as long and reads the same, whoever has an account.
    matches = verify_password(account.password_hash if account else dummy_hash(), password)
    if account is None or not matches:
        raise ServiceError(_l("The email address or password is incorrect."))

    per_account, per_address = _login_limits()
    per_account.clear(email)
    per_address.release(remote_addr)  # a success is not a failure of this address
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = utcnow()
    return account


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ServiceError(_l("The current password is incorrect."), field="current_password")
    _set_password(user, new_password)
    record("user.password_changed", user, actor=user)


def _set_password(user: User, password: str) -> None:
    _check_password(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    # Every session of this account ends; the caller signs the current browser in again.
    end_all_sessions(user)


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
    end_all_sessions(user)
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
    send_mail_after_commit(user.email, subject, body)
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


# Signed-in sessions ------------------------------------------------------------------------

def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_live_session() -> datetime:
    # An absolute lifetime, counted from sign-in, however active the session has been since.
    return utcnow() - current_app.permanent_session_lifetime


def open_session(user: User) -> str:
    """Start a signed-in session for `user` and return its token, which the session cookie
    carries (as Flask-Login's user id). The account's expired sessions are dropped on the way."""
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id, UserSession.created_at <= _oldest_live_session()))
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_digest=_token_digest(token)))
    db.session.flush()
    user.session_token = token
    return token


def end_session(token: str) -> None:
    """Sign out the browser holding `token`: from now on its cookie, and any copy of it, is refused."""
    db.session.execute(delete(UserSession).where(UserSession.token_digest == _token_digest(token)))


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.flush()


def sign_out_everywhere(user: User) -> None:
    end_all_sessions(user)
    record("user.signed_out_everywhere", user, actor=user)


def load_session_user(token: str) -> User | None:
    """Flask-Login's loader: the account whose live session has this token, if it is active.
    One query, like loading the account by id; pages for anonymous visitors skip it."""
    user = db.session.scalar(
        select(User).join(UserSession, UserSession.user_id == User.id).where(
            UserSession.token_digest == _token_digest(token),
            UserSession.created_at > _oldest_live_session(),
            User.is_active.is_(True)))
    if user is not None:
        user.session_token = token
    return user
