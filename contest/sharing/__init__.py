"""Public reach: share cards for social networks (cards.py draws them), the widget other sites
embed, and announcing the winners when results are published (announcing.py)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Hear the results being published (e-mail each participant their result) and add the
    "announce the winners" box to the organiser's contest page."""
    from contest.contests import signals
    from contest.results.signals import results_published
    from contest.sharing import announcing, views

    results_published.connect(announcing.email_results, app)
    signals.manage_boxes.connect(views.announce_box, app)
