"""Cover images: checked by content, re-encoded without metadata, stored under a random name.

Files live outside the database, so they follow the unit of work by hand: a file written
during a request that is rolled back is removed again, and a file a request retires (a
replaced cover, a deleted post) is removed only once the change is committed."""

from __future__ import annotations

import secrets
import warnings
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from contest.errors import ServiceError

MAX_COVER_BYTES = 5 * 1024 * 1024
MAX_COVER_WIDTH = 1600
# Refused before decoding: a small file that would expand to a huge bitmap (decompression bomb).
MAX_COVER_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
COVER_SUFFIX = ".jpg"
COVER_NAME_PATTERN = r"[A-Za-z0-9_-]{22}\.jpg"

TOO_LARGE = _l("The image is larger than 5 MB. Please choose a smaller file.")
NOT_AN_IMAGE = _l("This file is not a JPEG, PNG or WebP image. Please choose a picture in one of these formats.")
TOO_MANY_PIXELS = _l("The image is too large (more than 40 megapixels). Please reduce it and try again.")

_WRITTEN = "news_files_written"
_RETIRED = "news_files_retired"


def cover_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "news"


def store_cover(stream: BinaryIO, session: Session) -> str:
    """Check, re-encode and save an uploaded cover; return its new file name."""
    image = _open_checked(stream.read(MAX_COVER_BYTES + 1))
    name = secrets.token_urlsafe(16) + COVER_SUFFIX
    directory = cover_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _encode(image).save(directory / name, "JPEG", quality=85, optimize=True, progressive=True)
    session.info.setdefault(_WRITTEN, set()).add(name)
    return name


def retire_cover(name: str | None, session: Session) -> None:
    """Remove a cover's file once (and only if) the current transaction commits."""
    if name:
        session.info.setdefault(_RETIRED, set()).add(name)


def _open_checked(data: bytes) -> Image.Image:
    if len(data) > MAX_COVER_BYTES:
        raise ServiceError(TOO_LARGE, field="cover")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise ServiceError(NOT_AN_IMAGE, field="cover")
            if image.width * image.height > MAX_COVER_PIXELS:
                raise ServiceError(TOO_MANY_PIXELS, field="cover")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ServiceError(TOO_MANY_PIXELS, field="cover") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ServiceError(NOT_AN_IMAGE, field="cover") from None
    return image


def _encode(image: Image.Image) -> Image.Image:
    """Upright, RGB on white, at most MAX_COVER_WIDTH wide; a fresh image carries no EXIF or GPS."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        image = background
    else:
        image = image.convert("RGB")
    if image.width > MAX_COVER_WIDTH:
        height = max(1, round(image.height * MAX_COVER_WIDTH / image.width))
        image = image.resize((MAX_COVER_WIDTH, height), Image.Resampling.LANCZOS)
    return image


def _remove(names: set[str]) -> None:
    if not names:
        return
    directory = cover_dir()
    for name in names:
        (directory / name).unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT was released; the real commit is yet to come
        return
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_RETIRED, set()))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:  # only a SAVEPOINT was rolled back
        return
    session.info.pop(_RETIRED, None)
    _remove(session.info.pop(_WRITTEN, set()))
