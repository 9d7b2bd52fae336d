"""Results: standings loaded from the submitted score sheets (loading.py) and ranked by the pure
engine (ranking.py, awards.py, statistics.py, svg.py: no database, no request); publishing
freezes them into a snapshot that the public pages and documents read (services.py,
published.py); exports and the jury protocol."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect results to the contests' signals: the organisers' results box, the published
    results on the contest's page, and the status moves only publishing and withdrawing make.
    Public pages show the snapshots, and names as participants' consent stands now: a change to
    either replaces cached pages."""
    from contest import pagecache
    from contest.contests import signals
    from contest.registration.models import Participant
    from contest.results import services, views
    from contest.results.models import ResultSnapshot

    pagecache.watch(app, ResultSnapshot, Participant)

    signals.manage_boxes.connect(views.results_box, app)
    signals.public_sections.connect(views.published_results, app)
    signals.status_changing.connect(services.publish_through_snapshot, app)
    signals.status_changing.connect(services.unpublish_with_reason, app)
