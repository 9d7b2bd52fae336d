"""Password rules and hashing (Argon2id)."""

from __future__ import annotations

import functools
import secrets

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


@functools.cache
def _hasher_for(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1, type=Type.ID)


def _hasher() -> PasswordHasher:
    return _hasher_for(current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"])


@functools.cache
def _dummy_hash_for(time_cost: int, memory_cost: int) -> str:
    return _hasher_for(time_cost, memory_cost).hash(secrets.token_urlsafe(24))


def dummy_hash() -> str:
    """The hash of a random password nobody knows, made once with the current cost. Sign-in checks
    a password against it when there is no account to check against: every refusal then costs
    one Argon2 verification, and the time of the answer does not tell who has an account."""
    return _dummy_hash_for(current_app.config["ARGON2_TIME_COST"], current_app.config["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
