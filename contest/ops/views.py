"""The operator's endpoints: liveness, readiness and metrics. Machine-readable, never cached,
open to any caller (a load balancer signs in nowhere), except the metrics (see metrics.py)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify

from contest.auth.permissions import public
from contest.ops import health
from contest.ops.metrics import render_metrics, scrape_allowed

bp = Blueprint("ops", __name__)


def _uncached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@public
def healthz():
    """The process answers: nothing else is asked (a database outage must not get every app
    server restarted)."""
    return _uncached(jsonify(status="ok"))


@bp.get("/readyz")
@public
def readyz():
    outcome = health.readiness()
    failed = sorted(name for name, state in outcome.items() if state != "ok")
    response = jsonify(status="failed" if failed else "ok", checks=outcome, failed=failed)
    response.status_code = 503 if failed else 200
    return _uncached(response)


@bp.get("/metrics")
@public
def metrics():
    if not scrape_allowed():
        abort(404)  # not advertised to whoever may not read it
    return _uncached(render_metrics(current_app))
