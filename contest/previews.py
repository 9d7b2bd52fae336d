"""What a preview page hands to its confirmation: the checked data travels in the form, signed
with SECRET_KEY, for a limited time, and only for the organiser and the objects it was made for."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from contest.errors import ServiceError


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(salt: str, payload: dict[str, Any]) -> str:
    return _serializer(salt).dumps(payload)


def unsign(salt: str, token: str, *, max_age: int, expected: dict[str, Any], refusal: object) -> dict[str, Any]:
    """The signed payload, when the signature holds, it is younger than `max_age` seconds and
    its keys match `expected` (the contest, the organiser...); otherwise ServiceError(refusal)."""
    try:
        payload = _serializer(salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        raise ServiceError(refusal) from None
    if not isinstance(payload, dict) or any(payload.get(key) != value for key, value in expected.items()):
        raise ServiceError(refusal)
    return payload
