"""Cover images: checked by content, re-encoded without metadata, stored under a random name
(through `contest.files`, so the files follow the database transaction)."""

from __future__ import annotations

import warnings
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session, scoped_session

from contest import files
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

COVER_AREA = "news"


def cover_dir() -> Path:
    return files.area_dir(COVER_AREA)


def store_cover(stream: BinaryIO, session: Session | scoped_session[Any]) -> str:
    """Check, re-encode and save an uploaded cover; return its new file name."""
    image = _encode(_open_checked(stream.read(MAX_COVER_BYTES + 1)))
    return files.write(session, COVER_AREA, COVER_SUFFIX,
                       lambda path: image.save(path, "JPEG", quality=85, optimize=True, progressive=True))


def retire_cover(name: str | None, session: Session | scoped_session[Any]) -> None:
    """Remove a cover's file once (and only if) the current transaction commits."""
    files.retire(session, COVER_AREA, name)


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
