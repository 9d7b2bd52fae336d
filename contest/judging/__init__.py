"""The jury: members, assignments, conflicts, score sheets, paper ballots, progress."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect judging to the contests' signals: the organisers' jury box, the setup locked once
    scoring has started, and a category a juror is restricted to stays."""
    from contest.contests import signals
    from contest.judging import jury, manage_views, services

    signals.manage_boxes.connect(manage_views.jury_summary, app)
    signals.setup_changing.connect(services.no_score_yet, app)
    signals.part_deleting.connect(jury.no_juror_restricted_to, app)
