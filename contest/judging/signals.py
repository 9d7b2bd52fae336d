"""Signals through which domains built on judging add to the jurors' pages (DESIGN.md §1), so
that judging never imports them. Receivers answer a PagePart or None."""

from __future__ import annotations

from contest.contests.signals import OrderedNamespace

judging_signals = OrderedNamespace()

# Notices above a juror's queue in a round (stage: the chair's reminder about the performer on stage).
queue_notices = judging_signals.signal("queue-notices", "receivers(sender, *, member, round) -> PagePart | None")
# A sheet's status changed (created as a draft, submitted, reopened), before the commit: the stage
# moves its version on when the sheet is the performer's on stage, so the chair's and the hall's
# screens see the jury at work.
sheet_status_changed = judging_signals.signal("sheet-status-changed", "receivers(sender, *, sheet) -> None")
