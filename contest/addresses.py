"""What an address may carry, checked once for every route rather than in each view.

Row ids and page numbers end up in SQL. A number beyond the database's INTEGER makes SQLite raise
OverflowError and PostgreSQL NumericValueOutOfRange, and PostgreSQL refuses any text holding
a NUL character (psycopg's DataError): each would answer 500. So:
- `<int:…>` in a route matches only 0 … 2**31 - 1, and `<name>` / `<string:…>` only a segment
  without control characters: anything else matches no route and answers 404;
- `request.args.get(name, type=int)` (and `request.form`'s) brings a number outside that range to
  the nearest bound: still a number, as the visitor wrote, but one that any query can hold (a page
  or an id that does not exist, which each view already answers);
- a query string or form carrying a NUL character answers 400.
"""

from __future__ import annotations

from flask import Flask, Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter

# PostgreSQL's INTEGER, the type of every id column; SQLite's integers are wider.
DATABASE_INT_MIN = -(2**31)
DATABASE_INT_MAX = 2**31 - 1
# Printable text only in a path segment: no "/", no C0 control characters (NUL among them), no DEL.
SEGMENT_CHARACTERS = r"[^/\x00-\x1f\x7f]"


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` that no row id can be beyond."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (werkzeug's names)
                 max: int | None = DATABASE_INT_MAX, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextSegmentConverter(UnicodeConverter):
    """`<name>` and `<string:…>`: werkzeug's, without control characters."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length: int | None = None) -> None:
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = SEGMENT_CHARACTERS + self.regex.removeprefix("[^/]")


def database_int(value: str) -> int:
    return min(max(int(value), DATABASE_INT_MIN), DATABASE_INT_MAX)


class Parameters(ImmutableMultiDict):
    """Query and form parameters: `get(…, type=int)` stays within the database's integer range."""

    # One body for werkzeug's typed overloads of get().
    def get(self, key, default=None, type=None):  # type: ignore[override]  # noqa: A002 (werkzeug's name)
        return super().get(key, default, database_int if type is int else type)


class ContestRequest(Request):
    parameter_storage_class = Parameters


def _carries_nul(parameters: MultiDict[str, str]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in parameters.items(multi=True))


def refuse_nul_characters() -> None:
    if _carries_nul(request.args) or (request.method == "POST" and _carries_nul(request.form)):
        abort(400)


def init_app(app: Flask) -> None:
    """Before any blueprint: rules take their converters when they are added to the map."""
    app.request_class = ContestRequest
    app.url_map.converters.update(default=TextSegmentConverter, string=TextSegmentConverter,
                                  int=DatabaseIdConverter)
    app.before_request(refuse_nul_characters)
