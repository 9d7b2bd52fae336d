"""Log records that name the request (or the background job) they belong to.

Every request gets an id: the one nginx sends in `X-Request-ID` when it looks like an id, else
a new one. The response carries it back, and every line logged while serving the request names
it, so a user's "it failed at 10:42" is found across the app servers' logs. A line logged by a
certificate job in an RQ worker names the job's id instead.

`LOG_FORMAT=json` writes one JSON object per line (for a log collector); the default `text`
leaves Flask's plain lines alone (`make run`)."""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; other proxies send UUIDs. Anything else (too long, or with
# characters that could forge a log line) is replaced rather than trusted.
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}")
LOG_FORMATS = ("text", "json")
_HANDLER_NAME = "contest-json"  # deploy/gunicorn.conf.py gives its JSON handler this name too


def request_id_from(header: str | None) -> str:
    """The incoming id when it is well formed, otherwise a fresh one."""
    if header and WELL_FORMED_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def current_job_id() -> str | None:
    """The id of the RQ job this process is running, if any (a worker's forked work horse)."""
    from rq import get_current_job

    job = get_current_job()
    return job.id if job is not None else None


class ContextFilter(logging.Filter):
    """Adds `request_id` and `job_id` to every record (None outside a request or a job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        record.job_id = current_job_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request or job id, and
    the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "job_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    log_format = app.config["LOG_FORMAT"]
    if log_format not in LOG_FORMATS:
        raise RuntimeError(f"Unknown LOG_FORMAT {log_format!r}; use one of {LOG_FORMATS}")
    if log_format != "json":
        return
    # One handler on the root logger, replaced (not added again) when another app is built in
    # the same process; Flask's own handler goes, so that its lines pass through this one.
    from flask.logging import default_handler

    root = logging.getLogger()
    root.handlers = [handler for handler in root.handlers if handler.name != _HANDLER_NAME]
    handler = logging.StreamHandler()
    handler.name = _HANDLER_NAME
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    app.logger.removeHandler(default_handler)


def init_app(app: Flask) -> None:
    configure_logging(app)

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
