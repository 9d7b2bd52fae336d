"""Running the site on several machines: request ids and JSON logs, Prometheus metrics, the
health endpoints, and backups (DESIGN.md §8; the backup commands are registered with the other
commands in contest/cli.py). Imported by the application factory and by the domains that report
metrics; imports no domain."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Before the other request hooks: the id and the clock start before any check may refuse."""
    from contest.extensions import csrf
    from contest.ops import logs, metrics
    from contest.ops.views import bp

    logs.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(bp)
    csrf.exempt(bp)
