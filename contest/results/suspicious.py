"""Warnings about score sheets worth a second look before publishing. None of them blocks anything:
each may have a good explanation, so they are shown to the chair and the organisers, never acted on.

Computed on the counting sheets' raw totals (honorary jurors and excluded sheets are already out;
normalisation plays no part), per category:

* Near-identical sheets: two jurors sharing at least four entries whose totals never differ by more
  than 1% of the maximum total on any of them (a copied sheet, or one juror's points typed in twice).
* No spread: a juror who gave the same total to every one of at least three entries (a sheet that
  does not tell the entries apart).
* All at the maximum: a juror who gave the maximum total to every one of at least two entries (then
  the no-spread warning is not repeated for them).
* Own pupil: a juror whose counted sheet is for an entry they registered themselves, for their own
  participant account, or whose teacher field names them. A juror's school is not recorded, so
  schools cannot be compared; a recorded conflict already takes the sheet out, so it is not warned of.
* Far outside the others: a total more than a quarter of the maximum total below the lowest, or
  above the highest, of the other jurors' totals for the entry, when at least two others scored it
  (with one other, which of the two is off cannot be told).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

MIN_SHARED_ENTRIES = 4
NEAR_IDENTICAL_SHARE = Decimal("0.01")  # of the maximum total
MIN_ENTRIES_NO_SPREAD = 3
MIN_ENTRIES_ALL_MAXIMUM = 2
FAR_OUTSIDE_SHARE = Decimal("0.25")  # of the maximum total
MIN_OTHER_JURORS = 2

# juror -> entry -> raw total of a counting sheet
Totals = Mapping[int, Mapping[int, Decimal]]


class Kind(enum.StrEnum):
    NEAR_IDENTICAL = "near_identical"
    ALL_MAXIMUM = "all_maximum"
    NO_SPREAD = "no_spread"
    OWN_PUPIL = "own_pupil"
    FAR_OUTSIDE = "far_outside"


class Tie(enum.StrEnum):
    """What shows that an entry is a juror's own pupil's (or their own)."""

    OWN_ACCOUNT = "own_account"  # the participant's account is the juror's
    REGISTERED = "registered"  # the juror registered the entry
    TEACHER = "teacher"  # the entry's teacher field names the juror


@dataclass(frozen=True, slots=True)
class SheetWarning:
    kind: Kind
    jurors: tuple[int, ...]
    # The entries whose sheets (by every juror above) the warning is about, in id order.
    entries: tuple[int, ...]
    # What the explanation quotes: NEAR_IDENTICAL (largest difference, tolerance); NO_SPREAD and
    # ALL_MAXIMUM (the total); FAR_OUTSIDE (the total, the others' lowest and highest, the margin).
    figures: tuple[Decimal, ...] = ()
    tie: Tie | None = None


@dataclass(frozen=True, slots=True)
class JurorPerson:
    id: int
    user: int
    name: str


@dataclass(frozen=True, slots=True)
class EntryPeople:
    id: int
    account: int | None  # the participant's own account
    registered_by: int | None
    teacher: str


def sheet_warnings(totals: Totals, max_total: Decimal,
                   ties: Mapping[tuple[int, int], Tie] | None = None) -> list[SheetWarning]:
    """Every warning for one category, grouped by kind in the order of `Kind`, then by juror and entry."""
    return [*near_identical(totals, max_total), *uniform(totals, max_total),
            *own_pupils(totals, ties or {}), *far_outside(totals, max_total)]


def near_identical(totals: Totals, max_total: Decimal) -> list[SheetWarning]:
    tolerance = max_total * NEAR_IDENTICAL_SHARE
    jurors = sorted(juror for juror, sheet in totals.items() if sheet)
    result = []
    for index, first in enumerate(jurors):
        for second in jurors[index + 1:]:
            shared = sorted(totals[first].keys() & totals[second].keys())
            if len(shared) < MIN_SHARED_ENTRIES:
                continue
            largest = max(abs(totals[first][entry] - totals[second][entry]) for entry in shared)
            if largest <= tolerance:
                result.append(SheetWarning(Kind.NEAR_IDENTICAL, (first, second), tuple(shared), (largest, tolerance)))
    return result


def uniform(totals: Totals, max_total: Decimal) -> list[SheetWarning]:
    """Jurors with no spread, and jurors who gave everything the maximum."""
    result = []
    for juror in sorted(totals):
        sheet = totals[juror]
        values = set(sheet.values())
        if len(values) != 1:
            continue
        (value,) = values
        entries = tuple(sorted(sheet))
        if value == max_total and len(entries) >= MIN_ENTRIES_ALL_MAXIMUM:
            result.append(SheetWarning(Kind.ALL_MAXIMUM, (juror,), entries, (value,)))
        elif value != max_total and len(entries) >= MIN_ENTRIES_NO_SPREAD:
            result.append(SheetWarning(Kind.NO_SPREAD, (juror,), entries, (value,)))
    return sorted(result, key=lambda warning: (warning.kind is Kind.NO_SPREAD, warning.jurors))


def own_pupils(totals: Totals, ties: Mapping[tuple[int, int], Tie]) -> list[SheetWarning]:
    return [SheetWarning(Kind.OWN_PUPIL, (juror,), (entry,), tie=tie)
            for (juror, entry), tie in sorted(ties.items()) if entry in totals.get(juror, {})]


def far_outside(totals: Totals, max_total: Decimal) -> list[SheetWarning]:
    margin = max_total * FAR_OUTSIDE_SHARE
    by_entry: dict[int, dict[int, Decimal]] = {}
    for juror, sheet in totals.items():
        for entry, total in sheet.items():
            by_entry.setdefault(entry, {})[juror] = total
    result = []
    for entry in sorted(by_entry):
        sheet = by_entry[entry]
        if len(sheet) - 1 < MIN_OTHER_JURORS:
            continue
        for juror in sorted(sheet):
            others = [total for other, total in sheet.items() if other != juror]
            low, high, total = min(others), max(others), sheet[juror]
            if total < low - margin or total > high + margin:
                result.append(SheetWarning(Kind.FAR_OUTSIDE, (juror,), (entry,), (total, low, high, margin)))
    return sorted(result, key=lambda warning: (warning.jurors, warning.entries))


def pupil_ties(jurors: Iterable[JurorPerson], entries: Iterable[EntryPeople]) -> dict[tuple[int, int], Tie]:
    """(juror, entry) -> what ties them, the strongest evidence when there are several.

    A teacher field ("Иванова А.К.", "Aigul Ivanova", several names split by commas) names a juror
    when, for one of its names, every full word is a word of the juror's name, every initial stands
    for another of their words, and there is at least one full word. Names are split into words
    once, not once per sheet: a large field has tens of thousands of sheets."""
    people = [(juror, _words(juror.name)) for juror in jurors]
    result = {}
    for entry in entries:
        teachers = [_words(part) for part in _SEPARATORS.split(entry.teacher)]
        for juror, words in people:
            if entry.account == juror.user:
                result[juror.id, entry.id] = Tie.OWN_ACCOUNT
            elif entry.registered_by == juror.user:
                result[juror.id, entry.id] = Tie.REGISTERED
            elif any(_matches(given, words) for given in teachers):
                result[juror.id, entry.id] = Tie.TEACHER
    return result


_WORD = re.compile(r"\w+")
_SEPARATORS = re.compile(r"[,;/\n]")


def _words(name: str) -> list[str]:
    return _WORD.findall(name.casefold())


def _matches(given: list[str], words: list[str]) -> bool:
    full = [word for word in given if len(word) > 1]
    initials = [word for word in given if len(word) == 1]
    left = list(words)
    for word in full:
        if word not in left:
            return False
        left.remove(word)
    for initial in initials:
        match = next((word for word in left if word.startswith(initial)), None)
        if match is None:
            return False
        left.remove(match)
    return bool(full)
