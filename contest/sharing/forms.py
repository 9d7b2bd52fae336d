from __future__ import annotations

from flask_wtf import FlaskForm


class AnnounceForm(FlaskForm):
    """The button that drafts the winners' news post: only the CSRF token."""
