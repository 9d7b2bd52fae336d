"""Registration: participants, registrations and their entries, uploads, moderation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect registration to the contests' signals: the registration button, the organisers'
    registrations box and the registrations a category's limits leave out, and a category with
    registrations stays."""
    from contest.contests import signals
    from contest.registration import manage_views, moderation, views

    signals.registration_box.connect(views.register_button, app)
    signals.manage_boxes.connect(manage_views.registrations_summary, app)
    signals.category_table.connect(manage_views.registrations_outside_limits, app)
    signals.category_saved.connect(manage_views.outside_limits_note, app)
    signals.part_deleting.connect(moderation.no_registrations_in, app)
