"""Password rules and hashing (Argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
# zxcvbn scores 0..4; 0 and 1 are passwords found in leaked-password lists or guessed in
# well under a million tries.
MIN_STRENGTH = 2


def password_problem(password: str, *, related: list[str] | tuple[str, ...] = ()) -> object | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("The password must be at least %(num)d characters long.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("The password must be at most %(num)d characters long.", num=MAX_LENGTH)
    if zxcvbn(password, user_inputs=[value for value in related if value])["score"] < MIN_STRENGTH:
        return _l("This password is too common or too easy to guess. Add more words or characters.")
    return None


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["ARGON2_TIME_COST"],
        memory_cost=current_app.config["ARGON2_MEMORY_COST"],
        parallelism=1,
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
