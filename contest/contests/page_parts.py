"""Pieces that later domains add to the public contest page (its news, the registration
button, its results) and to the organisers' pages (warnings about a category's registrations),
through the signals of contest/contests/signals.py, so that the contests domain never imports
the domains built on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contest.contests import signals
from contest.contests.models import Category, Contest


@dataclass(frozen=True)
class PagePart:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


# The slots of the pages (templates/contests/_macros.html renders one by name) and their signals.
SLOTS = {
    "registration": signals.registration_box,
    "after": signals.public_sections,
    "manage": signals.manage_boxes,
    "categories": signals.category_table,
}


def page_parts(contest: Contest, *slots: str) -> dict[str, list[PagePart]]:
    """The parts of the given slots: a page asks only for its own, so the public page never
    runs the organisers' parts and the other way round."""
    return {slot: signals.answers(SLOTS[slot], contest=contest) for slot in slots}


def category_notes(category: Category) -> list[str]:
    return signals.answers(signals.category_saved, category=category)
