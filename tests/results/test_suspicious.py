"""Warnings about suspicious sheets: constructed panels at each threshold's edge, the tie evidence,
the order of the warnings and hypothesis properties (juror and entry ids do not matter; a scale
multiplied leaves the warnings as they are)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from contest.results.suspicious import (
    EntryPeople,
    JurorPerson,
    Kind,
    SheetWarning,
    Tie,
    far_outside,
    near_identical,
    pupil_ties,
    sheet_warnings,
    uniform,
)

D = Decimal
MAX = D(20)  # 1% of it is 0.2, a quarter 5


def sheets(*rows: list[str | None]) -> dict[int, dict[int, Decimal]]:
    """Juror n's totals for entries 1, 2, ... (None: not scored)."""
    return {juror: {entry: D(value) for entry, value in enumerate(row, start=1) if value is not None}
            for juror, row in enumerate(rows, start=1)}


# Near-identical sheets --------------------------------------------------------------------------

def test_two_jurors_within_one_percent_of_the_scale_on_four_shared_entries_are_near_identical():
    totals = sheets(["18", "15", "12.2", "9"], ["18.2", "15", "12", "8.8"], ["17", "14", "12", "9"])
    assert near_identical(totals, MAX) == [
        SheetWarning(Kind.NEAR_IDENTICAL, (1, 2), (1, 2, 3, 4), (D("0.2"), D("0.20")))]


def test_a_difference_just_over_one_percent_is_not_near_identical():
    totals = sheets(["18", "15", "12", "9"], ["18", "15", "12", "9.21"])
    assert near_identical(totals, MAX) == []


def test_three_shared_entries_are_too_few_to_call_sheets_near_identical():
    totals = sheets(["18", "15", "12", None], ["18", "15", "12", "9"], [None, None, "12", "9"])
    assert near_identical(totals, MAX) == []
    # Only shared entries are compared: juror 2's fourth entry does not count against juror 1.
    totals = sheets(["18", "15", "12", "9", None], ["18", "15", "12", "9", "3"])
    assert near_identical(totals, MAX)[0].entries == (1, 2, 3, 4)
    # A pair sharing too few entries does not stop the search: (1, 3) still is near-identical.
    totals = sheets(["18", "15", "12", "9"], [None, "15", "12", "9"], ["18", "15", "12", "9"])
    assert [warning.jurors for warning in near_identical(totals, MAX)] == [(1, 3)]


# No spread, all at the maximum -----------------------------------------------------------------

def test_a_juror_giving_three_entries_the_same_total_has_no_spread():
    totals = sheets(["12", "12", "11"], ["12", "12", "12"], ["12", "12", None])
    assert uniform(totals, MAX) == [SheetWarning(Kind.NO_SPREAD, (2,), (1, 2, 3), (D(12),))]


def test_all_at_the_maximum_needs_two_entries_and_replaces_the_no_spread_warning():
    totals = sheets(["20", "20", "20"], ["20", "20", None], ["20", None, None], ["7", "7", "7"])
    assert uniform(totals, MAX) == [
        SheetWarning(Kind.ALL_MAXIMUM, (1,), (1, 2, 3), (D(20),)),
        SheetWarning(Kind.ALL_MAXIMUM, (2,), (1, 2), (D(20),)),
        SheetWarning(Kind.NO_SPREAD, (4,), (1, 2, 3), (D(7),)),
    ]
    assert uniform(sheets(["20", "19.5"]), MAX) == []


# Far outside the others --------------------------------------------------------------------------

def test_a_total_more_than_a_quarter_of_the_scale_outside_the_others_range_is_warned_of():
    # Others 15 and 16: a quarter of the scale is 5, so 10 and 21 are at the edge, 9.99 and 21.01 over it.
    assert far_outside(sheets(["15"], ["16"], ["10"]), MAX) == []
    assert far_outside(sheets(["15"], ["16"], ["9.99"]), MAX) == [
        SheetWarning(Kind.FAR_OUTSIDE, (3,), (1,), (D("9.99"), D(15), D(16), D("5.00")))]
    assert far_outside(sheets(["15"], ["16"], ["21"]), D(40)) == []
    assert far_outside(sheets(["5"], ["6"], ["11"]), MAX) == []
    assert far_outside(sheets(["5"], ["6"], ["11.01"]), MAX) == [
        SheetWarning(Kind.FAR_OUTSIDE, (3,), (1,), (D("11.01"), D(5), D(6), D("5.00")))]


def test_with_one_other_juror_nobody_is_far_outside():
    assert far_outside(sheets(["15", "15"], ["1", "16"], [None, "16"]), MAX) == []


# Own pupils ------------------------------------------------------------------------------------

JURORS = [JurorPerson(1, user=101, name="Aigul Ivanova"), JurorPerson(2, user=102, name="Иванова Айгүл Қайратқызы")]


def test_ties_prefer_the_strongest_evidence():
    entries = [EntryPeople(11, account=101, registered_by=101, teacher="Aigul Ivanova"),
               EntryPeople(12, account=None, registered_by=101, teacher="Aigul Ivanova"),
               EntryPeople(13, account=7, registered_by=8, teacher="Иванова А.Қ., Петров Б."),
               EntryPeople(14, account=7, registered_by=None, teacher="")]
    assert pupil_ties(JURORS, entries) == {(1, 11): Tie.OWN_ACCOUNT, (1, 12): Tie.REGISTERED,
                                           (2, 13): Tie.TEACHER}


def test_a_tie_is_warned_of_only_where_the_juror_has_a_counted_sheet():
    ties = {(1, 1): Tie.REGISTERED, (2, 2): Tie.TEACHER}
    warnings = sheet_warnings(sheets(["10", None], ["10", None]), MAX, {**ties, (5, 1): Tie.TEACHER})
    assert warnings == [SheetWarning(Kind.OWN_PUPIL, (1,), (1,), tie=Tie.REGISTERED)]  # juror 5 scored nothing


def names_person(teacher: str, name: str) -> bool:
    return bool(pupil_ties([JurorPerson(1, user=1, name=name)], [EntryPeople(2, None, None, teacher)]))


def test_a_teacher_field_names_a_juror_by_full_words_and_initials():
    name = "Иванова Айгүл Қайратқызы"
    assert names_person("Иванова А.Қ.", name)
    assert names_person("иванова айгүл", name)
    assert names_person("Петров Б.Б.; Иванова А.", name)  # the second of two teachers
    assert names_person("  Қайратқызы  ", name)
    assert not names_person("Иванова Б.", name)  # the initial stands for nobody
    assert not names_person("Иванова А.А.", name)  # one Айгүл cannot stand for two initials
    assert not names_person("Иванов А.Қ.", name)
    assert not names_person("А.Қ.", name)  # initials alone name nobody
    assert not names_person("Иванова Иванова", name)  # a word counts once
    assert not names_person("", name)
    assert not names_person("Ан Иванова", name)  # a two-letter word is a word, not an initial


# All together ----------------------------------------------------------------------------------

def test_warnings_come_by_kind_then_juror():
    totals = sheets(["20", "20", "20", "20"], ["20", "20", "20", "20"], ["5", "5", "5", "5"])
    kinds = [(warning.kind, warning.jurors) for warning in sheet_warnings(totals, MAX, {(3, 4): Tie.TEACHER})]
    assert kinds == [(Kind.NEAR_IDENTICAL, (1, 2)), (Kind.ALL_MAXIMUM, (1,)), (Kind.ALL_MAXIMUM, (2,)),
                     (Kind.NO_SPREAD, (3,)), (Kind.OWN_PUPIL, (3,)), (Kind.FAR_OUTSIDE, (3,)),
                     (Kind.FAR_OUTSIDE, (3,)), (Kind.FAR_OUTSIDE, (3,)), (Kind.FAR_OUTSIDE, (3,))]


def test_an_ordinary_panel_raises_no_warning():
    totals = sheets(["18", "15", "12", "9"], ["17", "16", "11", "10"], ["19", "13", "14", "8"])
    assert sheet_warnings(totals, MAX) == []


panels = st.lists(st.lists(st.one_of(st.none(), st.integers(0, 20)), min_size=5, max_size=5),
                  min_size=2, max_size=5)


def _as_sheets(rows: list[list[int | None]]) -> dict[int, dict[int, Decimal]]:
    return sheets(*[[None if value is None else str(value) for value in row] for row in rows])


@given(panels, st.permutations(range(5)), st.integers(1, 4))
def test_renumbering_jurors_and_entries_only_renames_the_warnings(rows, order, shift):
    totals = _as_sheets(rows)
    juror_ids = {juror: juror * shift + 100 for juror in totals}
    entry_ids = {entry: order[entry - 1] + 50 for entry in range(1, 6)}
    renamed = {juror_ids[juror]: {entry_ids[entry]: total for entry, total in sheet.items()}
               for juror, sheet in reversed(list(totals.items()))}
    expected = {(w.kind, tuple(juror_ids[j] for j in w.jurors), tuple(sorted(entry_ids[e] for e in w.entries)),
                 w.figures) for w in sheet_warnings(totals, MAX)}
    assert {(w.kind, w.jurors, w.entries, w.figures) for w in sheet_warnings(renamed, MAX)} == expected


@given(panels, st.integers(2, 7))
def test_a_scale_multiplied_with_every_total_finds_the_same_warnings(rows, factor):
    totals = _as_sheets(rows)
    scaled = {juror: {entry: total * factor for entry, total in sheet.items()} for juror, sheet in totals.items()}
    found = [(w.kind, w.jurors, w.entries) for w in sheet_warnings(totals, MAX)]
    assert [(w.kind, w.jurors, w.entries) for w in sheet_warnings(scaled, MAX * factor)] == found
