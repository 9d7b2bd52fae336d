"""Certificates: winner diplomas, participation certificates and letters of thanks.

Issuing from the published results and settings (services.py, awards.py), documents made in
the background (jobs.py), the pure PDF renderer with its QR drawing and verification codes
(pdf.py, qr.py, codes.py: plain data in, bytes out), and the public verification page."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect certificates to the contests' signals: the organisers' certificates box."""
    from contest.certificates import views
    from contest.contests import signals

    signals.manage_boxes.connect(views.certificates_box, app)
