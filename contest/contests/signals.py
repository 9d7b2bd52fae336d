"""The named signals through which the domains built on contests extend it (DESIGN.md §1), so
that this domain never imports them: the parts they add to the contest's pages, and the checks
they add to its status flow, its setup lock and the deletion of its setup rows.

A higher domain connects its receivers in its own `init_app(app)`, with the app as the sender;
the application factory calls those in a fixed order. Receivers are called in the order they
were connected, and only for the app they were connected to, so what is wired never depends on
which module some other import happened to load first.

Page parts answer a `PagePart` (or None for nothing to show); notes answer a text (or None);
checks raise `ServiceError` to refuse."""

from __future__ import annotations

from typing import Any

from blinker import NamedSignal, Namespace
from flask import current_app


class _ConnectionOrder(dict):
    """An ordered set for blinker's bookkeeping (`Signal.set_class`): with Python's set the
    order of the receivers, and so of the boxes on a page, would follow memory addresses."""

    def add(self, item: Any) -> None:
        self[item] = None

    def discard(self, item: Any) -> None:
        self.pop(item, None)

    def copy(self) -> _ConnectionOrder:
        return _ConnectionOrder(self)

    def __or__(self, other: Any) -> _ConnectionOrder:
        return _ConnectionOrder({**self, **other})


class OrderedSignal(NamedSignal):
    set_class = _ConnectionOrder  # type: ignore[assignment]


class OrderedNamespace(Namespace):
    def signal(self, name: str, doc: str | None = None) -> NamedSignal:
        if name not in self:
            self[name] = OrderedSignal(name, doc)
        return self[name]


contest_signals = OrderedNamespace()

# Parts of the public contest page: inside the registration box, and below the description and rules.
registration_box = contest_signals.signal("registration-box", "receivers(sender, *, contest) -> PagePart | None")
public_sections = contest_signals.signal("public-sections", "receivers(sender, *, contest) -> PagePart | None")
# Parts of the organisers' contest page: below the status box, and under the categories' table.
manage_boxes = contest_signals.signal("manage-boxes", "receivers(sender, *, contest) -> PagePart | None")
category_table = contest_signals.signal("category-table", "receivers(sender, *, contest) -> PagePart | None")
# Warnings flashed to the organiser who has just saved a category's limits.
category_saved = contest_signals.signal("category-saved", "receivers(sender, *, category) -> str | None")
# Checks before a contest moves into `target` (results: "published through a frozen snapshot").
status_changing = contest_signals.signal("status-changing", "receivers(sender, *, contest, target) raise ServiceError")
# Checks that hold a contest's setup still (judging: "no score exists yet").
setup_changing = contest_signals.signal("setup-changing", "receivers(sender, *, contest) raise ServiceError")
# Checks before a setup row goes (registration: "registrations in this category").
part_deleting = contest_signals.signal("part-deleting", "receivers(sender, *, part) raise ServiceError")


def answers(signal: NamedSignal, **values: Any) -> list[Any]:
    """Send `signal` for the current app; the receivers' answers in order, None left out."""
    # The proxy's own method: receivers are connected for the real app object.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return [answer for _receiver, answer in signal.send(app, **values) if answer is not None]


def run_checks(signal: NamedSignal, **values: Any) -> None:
    """Send `signal` for the current app: a receiver refuses by raising ServiceError."""
    signal.send(current_app._get_current_object(), **values)  # type: ignore[attr-defined]
