"""Public reach: share cards for social networks (cards.py draws them), the widget other sites
embed, and announcing the winners when results are published (announcing.py)."""

from __future__ import annotations
