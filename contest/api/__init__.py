"""The public read-only JSON API (/api/v1/) and its OpenAPI description."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from contest.api import docs, spec, views
    from contest.extensions import csrf

    api = spec.init_app(app)
    views.add_converter(app.url_map.converters)
    api.register_blueprint(docs.bp)  # the operations' blueprint, with the description's routes added
    # Nothing here writes: every other method answers 405, which a CSRF check would turn into an HTML 400.
    csrf.exempt(views.bp)
