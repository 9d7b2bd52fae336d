"""Pieces that later domains add to the public contest page (its news, the registration
button, its results) and to the organisers' pages (warnings about a category's registrations),
so that the contests domain never imports the domains built on it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contest.contests.models import Category, Contest


@dataclass(frozen=True)
class PagePart:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


Provider = Callable[[Contest], PagePart | None]
# slot name -> providers, in registration order. Slots of the public contest page:
# "registration" (inside the registration box) and "after" (below the description and rules);
# of the organisers' contest page: "manage" (below the status box) and "categories" (under the
# categories' table).
_PROVIDERS: dict[str, list[Provider]] = defaultdict(list)


def contest_page_part(slot: str) -> Callable[[Provider], Provider]:
    def register(provider: Provider) -> Provider:
        _PROVIDERS[slot].append(provider)
        return provider

    return register


def page_parts(contest: Contest, *slots: str) -> dict[str, list[PagePart]]:
    """The parts of the given slots (all slots when none is named): a page asks only for its own,
    so the public page never runs the organisers' parts and the other way round."""
    return {slot: [part for provider in providers if (part := provider(contest)) is not None]
            for slot, providers in _PROVIDERS.items() if not slots or slot in slots}


CategoryNote = Callable[[Category], str | None]
# Warnings shown (flashed) to the organiser who has just saved a category's limits.
_CATEGORY_NOTES: list[CategoryNote] = []


def category_note(provider: CategoryNote) -> CategoryNote:
    _CATEGORY_NOTES.append(provider)
    return provider


def category_notes(category: Category) -> list[str]:
    return [note for provider in _CATEGORY_NOTES if (note := provider(category))]
