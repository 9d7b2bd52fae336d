"""Pictures that organisers upload: contest covers and the lead photos of news posts.

An upload is checked by its content (Pillow must decode it as JPEG, PNG or WebP; the size and
the pixel count are capped before decoding), turned upright and re-encoded, so no camera data
(EXIF, GPS) survives, and saved in responsive sizes: up to three widths, each as WebP and as a
JPEG fallback, for `<picture>`/`srcset`. Every size shares one random stem, which is what the
database keeps with the largest size's width and height; the files go through `contest.files`,
so they follow the database transaction (a form sent back with errors leaves no file behind).
"""

from __future__ import annotations

import re
import secrets
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from contest import files
from contest.errors import ServiceError

MAX_BYTES = 5 * 1024 * 1024
# Refused before decoding: a small file that would expand to a huge bitmap (decompression bomb).
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
# The widths a page may choose from; an upload narrower than the largest keeps its own width.
WIDTHS = (480, 960, 1440)
# Extension -> (Pillow format, encoder options). WebP first: browsers take the first they read.
FORMATS: dict[str, tuple[str, dict[str, Any]]] = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
}
STEM_LENGTH = 22  # secrets.token_urlsafe(16)
NAME_PATTERN = re.compile(rf"([A-Za-z0-9_-]{{{STEM_LENGTH}}})-([0-9]{{1,4}})\.(webp|jpg)")

TOO_LARGE = _l("The image is larger than 5 MB. Please choose a smaller file.")
NOT_AN_IMAGE = _l("This file is not a JPEG, PNG or WebP image. Please choose a picture in one of these formats.")
TOO_MANY_PIXELS = _l("The image is too large (more than 40 megapixels). Please reduce it and try again.")
ALT_LABEL = _l("Description of the image for readers who cannot see it")


@dataclass(frozen=True)
class Picture:
    """A stored picture: its stem and the size of its largest file."""

    stem: str
    width: int
    height: int

    @property
    def widths(self) -> tuple[int, ...]:
        return rendition_widths(self.width)

    def name(self, width: int, extension: str) -> str:
        return f"{self.stem}-{width}.{extension}"

    def names(self) -> list[str]:
        return [self.name(width, extension) for width in self.widths for extension in FORMATS]

    @property
    def fallback_width(self) -> int:
        """The `src` of the `<img>`: the middle size, enough for a card or a phone."""
        return next((width for width in self.widths if width >= WIDTHS[1]), self.width)


def rendition_widths(width: int) -> tuple[int, ...]:
    return (*(size for size in WIDTHS if size < width), width)


@dataclass(frozen=True)
class PictureChange:
    """What an editor's form asks for: a new upload, or removing the current picture."""

    upload: BinaryIO | None = None
    remove: bool = False


class HasCover:
    """The columns of a model that carries a picture, with its alt text in each language."""

    cover_image: Mapped[str | None] = mapped_column(String(64), unique=True)
    cover_width: Mapped[int | None] = mapped_column(Integer)
    cover_height: Mapped[int | None] = mapped_column(Integer)
    cover_alt_kk: Mapped[str] = mapped_column(String(300), default="")
    cover_alt_ru: Mapped[str] = mapped_column(String(300), default="")
    cover_alt_en: Mapped[str] = mapped_column(String(300), default="")

    @property
    def cover(self) -> Picture | None:
        if not (self.cover_image and self.cover_width and self.cover_height):
            return None
        return Picture(self.cover_image, self.cover_width, self.cover_height)

    def set_cover(self, picture: Picture | None) -> None:
        self.cover_image = picture.stem if picture else None
        self.cover_width = picture.width if picture else None
        self.cover_height = picture.height if picture else None

    def cover_alt(self, language: str, fallback: str) -> str:
        """The organiser's description in `language`, else `fallback` (the title)."""
        return getattr(self, f"cover_alt_{language}", "") or fallback


def checked(stream: BinaryIO, field: str) -> Image.Image:
    """The upload decoded, or a ServiceError for `field`; nothing is written either way."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ServiceError(TOO_LARGE, field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise ServiceError(NOT_AN_IMAGE, field=field)
            if image.width * image.height > MAX_PIXELS:
                raise ServiceError(TOO_MANY_PIXELS, field=field)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ServiceError(TOO_MANY_PIXELS, field=field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ServiceError(NOT_AN_IMAGE, field=field) from None
    return image


def store(image: Image.Image, area: str, session: Session | scoped_session[Any]) -> Picture:
    """Save a checked image in every size and format under one new stem."""
    image = _upright_rgb(image)
    width = min(image.width, WIDTHS[-1])
    height = max(1, round(image.height * width / image.width))
    stem = secrets.token_urlsafe(16)
    picture = Picture(stem, width, height)
    for size in picture.widths:
        resized = image.resize((size, max(1, round(image.height * size / image.width))), Image.Resampling.LANCZOS)
        for extension, (kind, options) in FORMATS.items():
            files.write_as(session, area, picture.name(size, extension), _saver(resized, kind, options))
    return picture


def _saver(image: Image.Image, kind: str, options: dict[str, Any]) -> Callable[[BinaryIO], None]:
    def save(stream: BinaryIO) -> None:
        image.save(stream, kind, **options)
    return save


def retire(picture: Picture | None, area: str, session: Session | scoped_session[Any]) -> None:
    """Remove a picture's files once (and only if) the current transaction commits."""
    if picture is not None:
        for name in picture.names():
            files.retire(session, area, name)


def apply_change(owner: HasCover, change: PictureChange | None, image: Image.Image | None, area: str,
                 session: Session | scoped_session[Any]) -> bool:
    """Replace or remove `owner`'s picture as `change` asks (`image` is the checked upload);
    True when the picture changed."""
    if change is None or (image is None and not change.remove):
        return False
    retire(owner.cover, area, session)
    owner.set_cover(store(image, area, session) if image is not None else None)
    return True


def checked_change(change: PictureChange | None, field: str) -> Image.Image | None:
    return checked(change.upload, field) if change is not None and change.upload is not None else None


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Upright and RGB on white; a fresh image carries no EXIF or GPS."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")
