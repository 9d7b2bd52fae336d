"""What the results workflow tells the domains built on it (DESIGN.md §1): they connect in their
own `init_app(app)`, with the app as the sender."""

from __future__ import annotations

from contest.contests.signals import OrderedNamespace

results_signals = OrderedNamespace()

# A snapshot has just been published (inside the publishing transaction: what receivers write
# is committed with it, or rolled back with it).
results_published = results_signals.signal("results-published", "receivers(sender, *, contest, snapshot) -> None")
