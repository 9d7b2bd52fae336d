"""Signals through which domains built on registration add to its pages (DESIGN.md §1), so that
registration never imports them. Receivers answer a PagePart or None."""

from __future__ import annotations

from contest.contests.signals import OrderedNamespace

registration_signals = OrderedNamespace()

# Parts of a participant's registration page (stage: the place in an announced performance order).
registration_page = registration_signals.signal("registration-page",
                                                "receivers(sender, *, registration) -> PagePart | None")
