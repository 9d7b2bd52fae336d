"""Opaque, stable page cursors: the sort key of the last item sent (keyset pagination).

A cursor names a position in the order (newest first, then by id), not an offset, so items
added or removed before it do not shift the next page: a client walking the list sees each item
once. It is base64url of a small JSON array tagged with the list it belongs to; clients are told
to treat it as opaque, and anything that does not decode to a position of that list is refused."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Position:
    moment: datetime
    id: int


def encode(kind: str, position: Position) -> str:
    raw = json.dumps([kind, position.moment.isoformat(), position.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(kind: str, text: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        tag, moment, number = json.loads(raw)
        when = datetime.fromisoformat(moment)
        if tag != kind or type(number) is not int or when.tzinfo is None or not 0 < number < 2**63:
            raise InvalidCursor(text)
        return Position(when.astimezone(UTC), number)  # the database compares UTC
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, OverflowError) as error:
        raise InvalidCursor(text) from error
