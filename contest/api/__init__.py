"""The public read-only JSON API (/api/v1/) and its OpenAPI description."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.api import docs, spec, views
    from contest.extensions import csrf

    api = spec.init_app(app)
    docs.register(views.bp)
    api.register_blueprint(views.bp)
    # Nothing here writes: every other method answers 405, which a CSRF check would hide behind a 400.
    csrf.exempt(views.bp)
