"""Registrations as CSV and XLSX for organisers. These files carry contact, guardian and
consent data: they are offered on organiser pages only and never to the public. The cells keep
their types (dates as dates, numbers as numbers); contest/downloads.py writes them for Excel."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest import downloads
from contest.downloads import guard_formula
from contest.i18n import current_language, localized
from contest.registration.completeness import entry_completeness
from contest.registration.models import EntryWork, Registration


def _works(part: Callable[[EntryWork], str]) -> Callable[[Registration], object]:
    """One cell for all of an entry's works: their values in order, separated by "; "."""
    return lambda r: "; ".join(part(work) for work in r.entry.works if part(work)) if r.entry is not None else ""


def _completeness(registration: Registration) -> str:
    found = entry_completeness(registration.contest, registration.entry)
    return f"{found.complete} / {found.required}"


Column = tuple[object, Callable[[Registration], object]]
COLUMNS: list[Column] = [
    (_l("Code"), lambda r: r.code),
    (_l("Status"), lambda r: r.status_label),
    (_l("Reason for the rejection"), lambda r: r.decision_reason),
    (_l("Category"), lambda r: localized(r.category, "name")),
    (_l("Surname"), lambda r: r.participant.surname),
    (_l("Given name"), lambda r: r.participant.given_name),
    (_l("Patronymic"), lambda r: r.participant.patronymic),
    (_l("Date of birth"), lambda r: r.participant.birth_date),
    (_l("School"), lambda r: r.participant.school),
    (_l("Grade"), lambda r: r.participant.grade),
    (_l("District or city"), lambda r: r.participant.district),
    (_l("Teacher (mentor)"), lambda r: r.participant.teacher),
    (_l("Phone"), lambda r: r.participant.phone),
    (_l("Guardian"), lambda r: r.participant.guardian_name),
    (_l("Guardian's phone"), lambda r: r.participant.guardian_phone),
    (_l("Consent given"), lambda r: r.participant.consent_at),
    (_l("Consent text version"), lambda r: r.participant.consent_version or ""),
    (_l("Consent withdrawn"), lambda r: r.participant.consent_withdrawn_at),
    (_l("Account"), lambda r: r.registered_by.name if r.registered_by else ""),
    (_l("Account email"), lambda r: r.registered_by.email if r.registered_by else ""),
    (_l("Works complete"), _completeness),
    (_l("Entry title"), _works(lambda work: work.title)),
    (_l("Lines"), lambda r: r.entry.line_count if r.entry is not None else 0),
    (_l("File"), _works(lambda work: work.file_type.upper() if work.file_name else "")),
    (_l("Video link"), lambda r: r.entry.video_url if r.entry is not None else ""),
    (_l("Registered"), lambda r: r.created_at),
    (_l("Decided"), lambda r: r.decided_at),
]


def header() -> list[str]:
    return [str(label) for label, _getter in COLUMNS]


def rows(registrations: Iterable[Registration]) -> Iterable[list[object]]:
    for registration in registrations:
        yield [guard_formula(getter(registration)) for _label, getter in COLUMNS]


def to_csv(registrations: Iterable[Registration]) -> bytes:
    return downloads.to_csv(header(), rows(registrations), current_language())


def to_xlsx(registrations: Iterable[Registration]) -> bytes:
    return downloads.to_xlsx(header(), rows(registrations), _("Registrations"))
