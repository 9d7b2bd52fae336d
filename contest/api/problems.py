"""Errors as RFC 9457 problem details (`application/problem+json`), titled in the reader's
language. Each kind of problem has a `type` address: its entry on the API's documentation page."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"

# status: (type's anchor, title, what happened in general)
KINDS: dict[int, tuple[str, Any, Any]] = {
    400: ("bad-request", _l("Bad request"), _l("The request's arguments are not valid.")),
    404: ("not-found", _l("Not found"), _l("There is nothing public at this address.")),
    405: ("method-not-allowed", _l("Method not allowed"), _l("This API only reads: use GET.")),
    406: ("not-acceptable", _l("Not acceptable"), _l("This API answers in JSON only.")),
    429: ("too-many-requests", _l("Too many requests"),
          _l("Too many requests from your address. Wait as long as Retry-After says, then try again.")),
    500: ("server-error", _l("Server error"), _l("An unexpected error happened on our side. Please try again later.")),
}


class Problem(HTTPException):
    """An HTTP error with a sentence of our own for `detail`."""

    def __init__(self, code: int, detail: Any, errors: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.code = code
        self.detail = detail
        self.errors = errors


def type_url(code: int) -> str:
    anchor = KINDS.get(code, KINDS[500])[0]
    return url_for("api.docs", _external=True, _anchor=f"problem-{anchor}")


def response(error: HTTPException, language: str) -> Response:
    code = error.code if error.code in KINDS else (500 if (error.code or 500) >= 500 else 400)
    _anchor, title, general = KINDS[code]
    with force_locale(language):
        body: dict[str, Any] = {"type": type_url(code), "title": str(title), "status": code,
                                "detail": str(getattr(error, "detail", None) or general), "instance": request.path}
    errors = getattr(error, "errors", None) or _webargs_errors(error)
    if errors:
        body["errors"] = errors
    headers = [(name, value) for name, value in error.get_headers() if name in ("Allow", "Retry-After")]
    return Response(json.dumps(body), status=code, headers=headers, mimetype=MEDIA_TYPE)


def _webargs_errors(error: HTTPException) -> dict[str, Any] | None:
    """The messages webargs attaches when the query arguments do not fit their schema."""
    messages = getattr(error, "data", {}).get("messages") if isinstance(getattr(error, "data", None), dict) else None
    return messages.get("query") if isinstance(messages, dict) else None
