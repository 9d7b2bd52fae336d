"""The public read-only JSON API (/api/v1/) and its OpenAPI description."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.api import docs, spec, views

    api = spec.init_app(app)
    docs.register(views.bp)
    api.register_blueprint(views.bp)
