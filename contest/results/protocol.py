"""The jury protocol as a PDF in kk/ru/en, from the published snapshot: for each category the
standings (place, code, name, each juror's total, the aggregate, the award), then each juror's
scores per criterion, and signature lines for every juror and the chair. A total changed by
outlier clamping reads "counted (given)"; rounds combined add each round's score and the
combination."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from contest.contests.models import Contest
from contest.fonts import SANS, SANS_BOLD, register_fonts
from contest.i18n import format_prose_date, format_score, localized
from contest.results.models import ResultSnapshot
from contest.results.services import text_in

TABLE_STYLE = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), SANS),
    ("FONTNAME", (0, 0), (-1, 0), SANS_BOLD),
    ("FONTSIZE", (0, 0), (-1, -1), 8),
    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("REPEATROWS", (0, 0), (-1, 0)),
])


def _text(value: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: reportlab reads < and & as markup, so names are escaped."""
    return Paragraph(escape(str(value)), style)


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=SANS_BOLD, fontSize=14, leading=18, spaceAfter=4),
        "heading": ParagraphStyle("heading", fontName=SANS_BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
        "text": ParagraphStyle("text", fontName=SANS, fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", fontName=SANS, fontSize=8, leading=10),
    }


def protocol_pdf(contest: Contest, snapshot: ResultSnapshot, language: str) -> bytes:
    register_fonts()
    with force_locale(language):
        return _build(contest, snapshot, language)


def _build(contest: Contest, snapshot: ResultSnapshot, language: str) -> bytes:
    data: dict[str, Any] = snapshot.data
    styles = _styles()
    jurors = list(data["jurors"])
    criteria = data["criteria"]
    prefix = _("J")  # "J1", "J2": the jurors' columns
    labels = {juror["id"]: f"{prefix}{index}" for index, juror in enumerate(jurors, start=1)}
    published = _("Results published on %(date)s", date=format_prose_date(snapshot.published_at, language))
    decimals = data.get("decimals", 2)
    story: list[Any] = [
        _text(_("Jury protocol"), styles["title"]),
        _text(localized(contest, "title", language), styles["heading"]),
        _text(f"{text_in(data['round']['name'], language)} · {published}", styles["text"]),
        Spacer(1, 3 * mm),
        _text(_("Jury"), styles["heading"]),
    ]
    for juror in jurors:
        role = _("chair") if juror["is_chair"] else _("honorary member, not counted") if juror["is_honorary"] else ""
        story.append(_text(f"{labels[juror['id']]}: {juror['name']}{' — ' + role if role else ''}",
                               styles["text"]))
    described = [_("%(name)s (max. %(max)s, weight %(weight)s)", name=text_in(c["name"], language),
                   max=format_score(c["max_score"], 0, language), weight=format_score(c["weight"], 0, language))
                 for c in criteria]
    story.append(_text(_("Criteria: %(names)s", names="; ".join(described)), styles["text"]))
    story += [_text(line, styles["text"]) for line in _rule_lines(data, language, decimals)]
    for category in data["categories"]:
        story.append(_text(text_in(category["name"], language), styles["heading"]))
        if not category["rows"]:
            # An empty table prints as a stray row of headings: say it in words instead.
            story.append(_text(_("No approved entries in this category."), styles["text"]))
            continue
        story.append(_standings_table(category["rows"], jurors, labels, styles, language, decimals,
                                      data.get("rounds") or []))
        for juror in jurors:
            rows = [row for row in category["rows"] if str(juror["id"]) in row.get("juror_scores", {})]
            if not rows:
                continue
            story.append(_text(_("%(label)s: %(name)s — scores per criterion", label=labels[juror["id"]],
                                 name=juror["name"]), styles["heading"]))
            story.append(_juror_table(rows, juror, criteria, styles, language, decimals))
    story += [PageBreak(), _text(_("Signatures"), styles["heading"]), Spacer(1, 4 * mm)]
    chair = next((juror for juror in jurors if juror["is_chair"]), None)
    lines = [[_("Chair of the jury"), chair["name"] if chair else "", "_" * 30]] if chair else []
    # A document names the role in full (KAZAKH.md: "Қазылар алқасының мүшесі"), not as a table's column does.
    lines += [[_("Jury member"), juror["name"], "_" * 30] for juror in jurors if not juror["is_chair"]]
    if lines:
        signature = Table(lines, colWidths=[50 * mm, 90 * mm, 70 * mm], rowHeights=12 * mm)
        signature.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS), ("FONTSIZE", (0, 0), (-1, -1), 10),
                                       ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
        story.append(signature)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=12 * mm, bottomMargin=12 * mm, title=_("Jury protocol"),
                                 author=_("Almaty Centralized Library System"))
    document.build(story)
    return buffer.getvalue()


def _score(value: str | None, decimals: int, language: str) -> str:
    return format_score(value, decimals, language) if value is not None else "—"


def _rule_lines(data: dict[str, Any], language: str, decimals: int) -> list[str]:
    """The clamping and the combination of rounds in words, when the results use them."""
    lines = []
    if data.get("clamp") is not None:
        lines.append(_("Outlier clamping: each juror's total further than %(k)s points from the entry's mean "
                       "(rounded to %(decimals)s decimals) is brought to the mean plus or minus %(k)s; a clamped "
                       "total shows the total the juror gave in brackets.", k=format_score(data["clamp"], 0, language),
                       decimals=decimals))
    rounds = data.get("rounds") or []
    if rounds:
        names = [text_in(item["name"], language) for item in rounds]
        if data.get("combination") == "weighted":
            names = [_("%(round)s: weight %(weight)s", round=name, weight=format_score(item["weight"], 0, language))
                     for name, item in zip(names, rounds, strict=True)]
            lines.append(_("Total: the weighted mean of the rounds' scores (%(rounds)s).", rounds="; ".join(names)))
        else:
            lines.append(_("Total: the sum of the rounds' scores (%(rounds)s).", rounds="; ".join(names)))
        lines.append(_("The jurors' totals below are those of the last round."))
    return lines


def _juror_cell(row: dict, juror: str, decimals: int, language: str) -> str:
    counted = _score(row.get("juror_totals", {}).get(juror), decimals, language)
    given = row.get("juror_totals_unclamped", {}).get(juror)
    return counted if given is None else f"{counted} ({_score(given, decimals, language)})"


def _standings_table(rows: list[dict], jurors: list[dict], labels: dict, styles, language: str,
                     decimals: int, rounds: list[dict]) -> Table:
    header = [_("Place"), _("Code"), _("Name"), *(labels[j["id"]] for j in jurors),
              *(_text(text_in(item["name"], language), styles["cell"]) for item in rounds), _("Total"), _("Award")]
    body = [[row["place"], row["code"], _text(row["name"], styles["cell"]),
             *(_juror_cell(row, str(j["id"]), decimals, language) for j in jurors),
             *(_score(value, decimals, language) for value in row.get("round_scores") or []),
             _score(row["total"], decimals, language),
             _text(text_in(row.get("award_name"), language), styles["cell"])] for row in rows]
    table = Table([header, *body], repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _juror_table(rows: list[dict], juror: dict, criteria: list[dict], styles, language: str,
                decimals: int) -> Table:
    header = [_("Place"), _("Code"), *(_text(text_in(c["name"], language), styles["cell"]) for c in criteria),
              _("Juror's total")]
    key = str(juror["id"])
    body = [[row["place"], row["code"],
             *(_score(row["juror_scores"][key].get(str(c["id"])), decimals, language) for c in criteria),
             _juror_cell(row, key, decimals, language)] for row in rows]
    table = Table([header, *body], repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table
