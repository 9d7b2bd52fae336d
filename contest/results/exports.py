"""Results as CSV and XLSX, from the published snapshot: the public version (what the results page
shows, never contacts) and the organisers' version (with the participants' contacts, joined in
from the registrations at download time)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import Response
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from contest import downloads
from contest.contests.models import Contest
from contest.downloads import guard_formula
from contest.extensions import db
from contest.i18n import current_language
from contest.registration.models import Registration
from contest.results.models import ResultSnapshot
from contest.results.services import categories_as_consent_stands, public_name, text_in, total_label

KINDS = ("csv", "xlsx")
Row = dict[str, Any]
TOTAL_LABEL = _l("Total")
PUBLIC_COLUMNS: list[tuple[Any, Callable[[Row, str], Any]]] = [
    (_l("Category"), lambda row, language: row["_category"]),
    (_l("Place"), lambda row, language: row["place"]),
    (_l("Award"), lambda row, language: text_in(row.get("award_name"), language)),
    (_l("Name"), lambda row, language: public_name(row)),
    (_l("Grade"), lambda row, language: row.get("grade")),
    (_l("School"), lambda row, language: row.get("school")),
    (_l("District or city"), lambda row, language: row.get("district")),
    (_l("Teacher (mentor)"), lambda row, language: row.get("teacher")),
    (TOTAL_LABEL, lambda row, language: row["_total"]),
]
ORGANISER_COLUMNS: list[tuple[Any, Callable[[Row, str], Any]]] = [
    (_l("Code"), lambda row, language: row["code"]),
    *PUBLIC_COLUMNS[:3],
    (_l("Full name"), lambda row, language: row["name"]),
    (_l("May be named publicly"), lambda row, language: _("yes") if row.get("named") else _("no")),
    *PUBLIC_COLUMNS[4:],
    (_l("Jurors counted"), lambda row, language: row.get("jurors_counted")),
    (_l("Jury's score"), lambda row, language: row["_jury_total"]),
    (_l("Penalties and bonuses"), lambda row, language: row["_adjustment"]),
    (_l("Phone"), lambda row, language: row["_contacts"].participant.phone if row.get("_contacts") else ""),
    (_l("Guardian"), lambda row, language: row["_contacts"].participant.guardian_name if row.get("_contacts") else ""),
    (_l("Guardian's phone"),
     lambda row, language: row["_contacts"].participant.guardian_phone if row.get("_contacts") else ""),
    (_l("Account email"),
     lambda row, language: row["_contacts"].registered_by.email
     if row.get("_contacts") and row["_contacts"].registered_by else ""),
]


def table(contest: Contest, snapshot: ResultSnapshot, *, with_contacts: bool,
          language: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows, category by category, in place order."""
    language = language or current_language()
    data = snapshot.data
    columns = ORGANISER_COLUMNS if with_contacts else PUBLIC_COLUMNS
    contacts: dict[int, Registration] = {}
    if with_contacts:
        ids = [row["registration_id"] for category in data["categories"] for row in category["rows"]]
        contacts = {registration.id: registration for registration in db.session.scalars(
            select(Registration).options(joinedload(Registration.participant), joinedload(Registration.registered_by))
            .where(Registration.id.in_(ids)))}
    criteria = [] if data.get("scoring") == "ranks" else data["criteria"]  # places come without criteria
    rounds = data.get("rounds") or []
    step = Decimal(1).scaleb(-data.get("decimals", 2))  # a Decimal carries its decimals into the file
    # Rounds combined: each round's score just before the total it makes up.
    at_total = next(index for index, (label, _getter) in enumerate(columns) if label is TOTAL_LABEL)
    header = [str(label) for label, _getter in columns] + [text_in(c["name"], language) for c in criteria]
    header[at_total] = total_label(data)
    header[at_total:at_total] = [text_in(item["name"], language) for item in rounds]
    rows = []
    for category in categories_as_consent_stands(snapshot):
        name = text_in(category["name"], language)
        for row in category["rows"]:
            row = {**row, "_category": name, "_contacts": contacts.get(row["registration_id"]),
                   "_total": _score(row.get("total"), step),
                   # Snapshots published before adjustments existed have no jury total: it was the total.
                   "_jury_total": _score(row.get("jury_total") or row.get("total"), step),
                   "_adjustment": _score(row.get("adjustment"), step)}
            values = [getter(row, language) for _label, getter in columns]
            values += [_score(row.get("criteria", {}).get(str(c["id"])), step) for c in criteria]
            values[at_total:at_total] = [_score(value, step) for value in row.get("round_scores") or []]
            rows.append([guard_formula(value) for value in values])
    return header, rows


def _score(value: str | None, step: Decimal) -> Decimal | None:
    return Decimal(value).quantize(step) if value else None


def download(contest: Contest, snapshot: ResultSnapshot, kind: str, *, with_contacts: bool,
             language: str | None = None) -> Response:
    language = language or current_language()
    with force_locale(language):
        header, rows = table(contest, snapshot, with_contacts=with_contacts, language=language)
        title = _("Results")
    suffix = "-with-contacts" if with_contacts else ""
    filename = f"{contest.slug}-results{suffix}.{kind}"
    if kind == "csv":
        body, media_type = downloads.to_csv(header, rows, language), downloads.CSV_MEDIA_TYPE
    else:
        body, media_type = downloads.to_xlsx(header, rows, title), downloads.XLSX_MEDIA_TYPE
    return downloads.file_response(body, media_type, filename)
