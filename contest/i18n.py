"""Language and time-zone selection, and locale-aware formatting in Asia/Almaty."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import TypeGuard, cast
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import has_request_context, request
from flask_babel import get_locale, pgettext
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGE_COOKIE = "lang"
LANGUAGE_ARGUMENT = "lang"
DEFAULT_LANGUAGE = "kk"
LANGUAGE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365
TIMEZONE = "Asia/Almaty"


def shipped_zone(key: str) -> ZoneInfo:
    """A zone from the `tzdata` package in requirements.txt, never the system's database, which
    `ZoneInfo(key)` would read first: a server whose zone data predates 2024 would still put
    Almaty at UTC+6 after 1 March 2024 and every time an hour off."""
    with resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).open("rb") as file:
        return ZoneInfo.from_file(file, key=key)


LOCAL_ZONE = shipped_zone(TIMEZONE)

# Each language is named in itself, so a reader finds theirs whatever the page is in.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def is_supported(code: str | None) -> TypeGuard[str]:
    return code in LANGUAGE_NAMES


def select_locale() -> str:
    return preferred_language()


def preferred_language() -> str:
    """The page's address (`?lang=`), then the user's saved setting, then the visitor's choice
    (`visitor_language`). A plain code, for pages that need it without building Babel's locale
    (cached pages)."""
    if not has_request_context():  # CLI commands and background work
        return DEFAULT_LANGUAGE
    address = address_language()
    if address is not None:
        return address
    user_language = getattr(current_user, "preferred_language", None) if current_user else None
    if is_supported(user_language):
        return user_language
    return visitor_language()


def address_language() -> str | None:
    """`?lang=kk|ru|en` in the address: every public page can be linked to in one language (the
    sitemap's hreflang alternates, feeds, shared links), whoever opens it."""
    language = request.args.get(LANGUAGE_ARGUMENT)
    return language if is_supported(language) else None


def visitor_language() -> str:
    """The address (`?lang=`), then the cookie from the switcher, then the browser, then kk: the
    choice of a visitor who is not signed in (asks nothing of Flask-Login, whose user loading
    costs on every call)."""
    address = address_language()
    if address is not None:
        return address
    return _language_for(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language", ""))


@lru_cache(maxsize=1024)
def _language_for(cookie_language: str | None, accept_language: str) -> str:
    # Remembered per pair of header values: browsers send a handful of different ones, and
    # parsing them was a good part of serving a cached page.
    if is_supported(cookie_language):
        return cookie_language
    return parse_accept_header(accept_language, LanguageAccept).best_match(list(LANGUAGE_NAMES)) or DEFAULT_LANGUAGE


def select_timezone() -> str:
    return TIMEZONE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else DEFAULT_LANGUAGE


# One style per context, as KAZAKH.md settles it: prose "2027 жылғы 20 қыркүйек, 15:00",
# tables "20.09.2027 15:00"; never seconds, never a two-digit year, always Almaty time.
# Templates use them as the filters `prose_datetime`, `prose_date`, `table_datetime` and
# `table_date`; e-mails, PDFs and exports call them with the reader's language.
PROSE_DATE_PATTERNS = {"kk": "y 'жылғы' d MMMM", "ru": "d MMMM y 'г'.", "en": "d MMMM y"}
TABLE_DATE_PATTERN = "dd.MM.y"
TIME_PATTERN = "HH:mm"


def _language(language: str | None) -> str:
    return language if is_supported(language) else current_language()


def _local(value: datetime) -> datetime:
    """Almaty wall-clock time (a naive value is taken as UTC, as the database stores it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_ZONE)


def format_prose_datetime(value: datetime | None, language: str | None = None) -> str:
    if value is None:
        return ""
    language = _language(language)
    pattern = f"{PROSE_DATE_PATTERNS[language]}, {TIME_PATTERN}"
    return babel_dates.format_datetime(_local(value), pattern, locale=language)


def format_prose_date(value: date | datetime | None, language: str | None = None) -> str:
    if value is None:
        return ""
    language = _language(language)
    return babel_dates.format_date(_calendar_day(value), PROSE_DATE_PATTERNS[language], locale=language)


def format_table_datetime(value: datetime | None, language: str | None = None) -> str:
    if value is None:
        return ""
    pattern = f"{TABLE_DATE_PATTERN} {TIME_PATTERN}"
    return babel_dates.format_datetime(_local(value), pattern, locale=_language(language))


def format_table_date(value: date | datetime | None, language: str | None = None) -> str:
    if value is None:
        return ""
    return babel_dates.format_date(_calendar_day(value), TABLE_DATE_PATTERN, locale=_language(language))


def _calendar_day(value: date | datetime) -> date:
    return _local(value).date() if isinstance(value, datetime) else value


# Numbers -----------------------------------------------------------------------------------------

MAX_SCORE_DECIMALS = 3  # the scale scores are stored with


def score_pattern(decimals: int) -> str:
    return "0." + "0" * decimals if decimals > 0 else "0"


def format_score(value: Decimal | float | str | None, decimals: int, language: str | None = None) -> str:
    """A score as every page, protocol and export prints it: the contest's decimals and the
    locale's decimal sign (28,00 in kk and ru, 28.00 in en), rounded half up; no digit grouping,
    so a spreadsheet reads it back as a number. A juror's own points with a finer step than the
    contest's decimals (7,25 where totals have one decimal) keep their digits, up to the three
    stored, so no printed sheet hides a point a juror gave."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    needed = max(0, -cast(int, number.normalize().as_tuple().exponent))  # finite: a stored score
    return format_fixed(number, max(decimals, min(needed, MAX_SCORE_DECIMALS)), language)


def format_fixed(value: Decimal | float | str | None, decimals: int, language: str | None = None) -> str:
    """A number with exactly `decimals` decimals (half up) and the locale's decimal sign: figures
    such as a correlation or a p-value."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return babel_numbers.format_decimal(number, score_pattern(decimals), locale=_language(language),
                                        decimal_quantization=False)


def format_weight(weight: Decimal | float | str | None, weights: Iterable[Decimal | float | str | None],
                  language: str | None = None) -> str:
    """A round's weight in a combination as the contest states it: weights that add up to 100 are
    percentages (70% in kk and en, 70 % in ru: the locale's percent sign), other weights plain
    numbers (0,7 in kk and ru, 2). `weights`: every combined round's, this one's among them."""
    if weight is None or weight == "":
        return ""
    number = Decimal(str(weight)).normalize()
    if sum((Decimal(str(item)) for item in weights if item is not None and item != ""), Decimal(0)) == 100:
        return babel_numbers.format_percent(number / 100, locale=_language(language), decimal_quantization=False)
    return format_score(number, 0, language)


def format_amount(value: Decimal | int | None, language: str | None = None) -> str:
    """An amount of tenge with the locale's grouping (1 850 000 with no-break spaces in kk and ru);
    tiyn only when there are any."""
    if value is None:
        return ""
    number = Decimal(value)
    pattern = "#,##0" if number == number.to_integral_value() else "#,##0.00"
    return babel_numbers.format_decimal(number, pattern, locale=_language(language))


def format_file_size(size: int | None) -> str:
    """Bytes as people read them, in the page's language: 10,9 КБ, 2,4 МБ, 10.9 KB."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        amount, unit = Decimal(size) / 1024, pgettext("file size", "%(size)s KB")
    else:
        amount, unit = Decimal(size) / (1024 * 1024), pgettext("file size", "%(size)s MB")
    number = babel_numbers.format_decimal(amount.quantize(Decimal("0.1"), ROUND_HALF_UP), "#,##0.#",
                                          locale=current_language())
    return unit % {"size": number}


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
