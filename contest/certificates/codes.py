"""Verification codes: 80 random bits, printed as four groups of base32 letters and digits."""

from __future__ import annotations

import base64
import re
import secrets

CODE_BYTES = 10  # 80 bits: far beyond what anyone could enumerate against a rate-limited lookup
CODE_BITS = CODE_BYTES * 8
_GROUP = 4
_CODE_PATTERN = re.compile(r"[A-Z2-7]{16}")


def _grouped(letters: str) -> str:
    return "-".join(letters[i:i + _GROUP] for i in range(0, len(letters), _GROUP))


def new_code() -> str:
    """A fresh unguessable code such as `K7QH-2MZD-XW4A-PN3E`."""
    return _grouped(base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii"))


def normalize_code(text: str) -> str | None:
    """The canonical form of a code a person typed (any case, spaces or dashes), or None."""
    letters = re.sub(r"[\s\-]", "", text or "").upper()
    return _grouped(letters) if _CODE_PATTERN.fullmatch(letters) else None
