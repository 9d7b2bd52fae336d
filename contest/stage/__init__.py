"""Live rounds: the running order (drawn, by category or by hand; late arrivals, absences),
the chair's stage control (now on stage, timer, closing a performance locks its sheets, the
overrun penalty), the stage state every worker shares, and the audience screen."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect the stage to the pages below it: the organisers' contest page gets the live
    rounds' links, a registration page the performer's place once the order is announced, a
    juror's queue the chair's reminder and, in a live round, the way to the page that follows the
    stage; a sheet of the performer on stage moves the stage on."""
    from contest.contests import signals
    from contest.judging.signals import queue_notices, sheet_status_changed
    from contest.registration.signals import registration_page
    from contest.stage import jury_views, state, views

    signals.manage_boxes.connect(views.stage_box, app)
    registration_page.connect(views.place_on_stage, app)
    queue_notices.connect(views.chair_reminder, app)
    queue_notices.connect(jury_views.follow_link, app)
    sheet_status_changed.connect(state.sheet_status_changed, app)
