"""Language and time-zone selection, and locale-aware formatting in Asia/Almaty."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale, to_user_timezone
from flask_login import current_user

LANGUAGE_COOKIE = "lang"
DEFAULT_LANGUAGE = "kk"
LANGUAGE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
TIMEZONE = "Asia/Almaty"
LOCAL_ZONE = ZoneInfo(TIMEZONE)

# Each language is named in itself, so a reader finds theirs whatever the page is in.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def is_supported(code: str | None) -> bool:
    return code in LANGUAGE_NAMES


def select_locale() -> str:
    return preferred_language()


def preferred_language() -> str:
    """The user's saved setting, then the visitor's choice (`visitor_language`). A plain code,
    for pages that need it without building Babel's locale (cached pages)."""
    if not has_request_context():  # CLI commands and background work
        return DEFAULT_LANGUAGE
    user_language = getattr(current_user, "preferred_language", None) if current_user else None
    if is_supported(user_language):
        return user_language
    return visitor_language()


def visitor_language() -> str:
    """The cookie from the switcher, then the browser, then kk: the choice of a visitor who is
    not signed in (asks nothing of Flask-Login, whose user loading costs on every call)."""
    cookie_language = request.cookies.get(LANGUAGE_COOKIE)
    if is_supported(cookie_language):
        return cookie_language
    return request.accept_languages.best_match(list(LANGUAGE_NAMES)) or DEFAULT_LANGUAGE


def select_timezone() -> str:
    return TIMEZONE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


def format_local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def format_local_date(value: date | datetime | None, fmt: str = "long") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return format_date(value, fmt)


def localized(obj: object, field: str, language: str | None = None) -> str:
    """`obj.<field>_<lang>` in the page's language, else the first filled of kk, ru, en.

    Contests and news keep each text in three columns (`title_kk`, `title_ru`, `title_en`);
    organisers may fill only some of them."""
    first = language or current_language()
    for code in (first, *LANGUAGE_NAMES):
        value = getattr(obj, f"{field}_{code}", None)
        if value:
            return value
    return ""


def format_amount(value: int | None) -> str:
    """A whole amount (tenge) with the locale's digit grouping: 1 850 000."""
    return format_decimal(value) if value is not None else ""
