"""The jury protocol as a PDF in kk/ru/en, from the published snapshot: for each category the
standings (place, code, name, each juror's total, each combined round's score, the jury's score and
the points outside the jury when there are any, the total, the award), the jury's agreement
(Kendall's W, or the mean pairwise Spearman correlation when some juror did not score some entry,
the method named), the penalties and bonuses with their reasons and the jury's ex aequo decisions,
then each juror's scores per criterion, and signature lines for every juror and the chair. A total
changed by outlier clamping reads "counted (given)"; rounds combined state the combination; a
round scored by places says so, and its jurors' columns hold their ranks."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from contest.contests.models import Contest, RankMethod, Scoring
from contest.fonts import SANS, SANS_BOLD, register_fonts
from contest.i18n import format_fixed, format_prose_date, format_score, localized
from contest.results import statistics
from contest.results.models import AdjustmentKind, ResultSnapshot
from contest.results.services import combination_text, text_in, total_label

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
        # keepWithNext: a category's name never stays alone at the foot of a page, apart from its table.
        "heading": ParagraphStyle("heading", fontName=SANS_BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4,
                                  keepWithNext=1),
        "text": ParagraphStyle("text", fontName=SANS, fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", fontName=SANS, fontSize=8, leading=10),
        # A heading that wraps is a paragraph, which the table's bold first row does not reach.
        "head": ParagraphStyle("head", fontName=SANS_BOLD, fontSize=8, leading=10),
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
    if data.get("scoring") != Scoring.RANKS.value:  # places are given without criteria
        story.append(_text(_("Criteria: %(names)s", names="; ".join(described)), styles["text"]))
    story += [_text(line, styles["text"]) for line in _rule_lines(data, language, decimals)]
    rounds = data.get("rounds") or []
    # Rounds combined: a table per round from each row's "round_details". Snapshots published before
    # those were kept (their rounds have no "clamp") show the results round's jurors beside the rounds' scores.
    detailed = bool(rounds) and "clamp" in rounds[0]
    for category in data["categories"]:
        story.append(_text(text_in(category["name"], language), styles["heading"]))
        if not category["rows"]:
            # An empty table prints as a stray row of headings: say it in words instead.
            story.append(_text(_("No approved entries in this category."), styles["text"]))
            continue
        story.append(_standings_table(category["rows"], [] if detailed else jurors, labels, styles, language,
                                      decimals, rounds, total_label(data)))
        for index, item in enumerate(rounds if detailed else []):
            story.append(_text(_("%(round)s: the jurors' totals and the round's score",
                                 round=text_in(item["name"], language)), styles["heading"]))
            story.append(_round_table(category["rows"], index, jurors, labels, styles, language, decimals))
        agreement = _agreement(category["rows"], language)
        if agreement:
            story += [Spacer(1, 2 * mm), _text(f"{_('Jury agreement')}: {agreement}", styles["text"])]
        story += _outside_the_jury(category, styles, language, decimals, rounds)
        # The scores per criterion are the results round's: the last of the combined rounds.
        round_name = f"{text_in(data['round']['name'], language)} · " if detailed else ""
        for juror in jurors:
            rows = [row for row in category["rows"] if str(juror["id"]) in row.get("juror_scores", {})]
            if not rows:
                continue
            story.append(_text(round_name + _("%(label)s: %(name)s — scores per criterion", label=labels[juror["id"]],
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


def _agreement(rows: list[dict], language: str) -> str:
    """The agreement figure on the counted totals the snapshot keeps (normalised ones, where the
    contest normalises, keep each juror's order, which is all the figure reads)."""
    ratings: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for entry, row in enumerate(rows):
        for juror, total in row.get("juror_totals", {}).items():
            ratings[int(juror)][entry] = Decimal(total)
    found = statistics.concordance(ratings)
    if isinstance(found, statistics.PairwiseAgreement):
        return _("Not every juror scored every entry (%(incomplete)d of %(entries)d entries), so Kendall's W, which "
                 "needs complete rankings, is not computed. Method for incomplete rankings: the mean pairwise "
                 "Spearman correlation, %(rho)s, over %(pairs)d pairs of jurors (of %(jurors)d), each pair on the "
                 "entries both scored.", incomplete=found.incomplete, entries=found.entries,
                 rho=format_fixed(found.rho, 3, language), pairs=found.pairs, jurors=found.jurors)
    if found is not None:
        return _("Kendall's W = %(w)s over %(entries)d entries and %(jurors)d jurors; chi-square %(chi)s, p = %(p)s.",
                 w=format_fixed(found.w, 3, language), entries=found.entries, jurors=found.jurors,
                 chi=format_fixed(found.chi_square, 2, language), p=format_fixed(found.p_value, 4, language))
    return ""


def _score(value: str | None, decimals: int, language: str) -> str:
    return format_score(value, decimals, language) if value is not None else "—"


def _signed(value: str | None, decimals: int, language: str) -> str:
    return "" if value is None else ("+" if Decimal(value) > 0 else "") + format_score(value, decimals, language)


def _award(row: dict) -> str:
    name = text_in(row.get("award_name"), row["_language"])
    return _("%(award)s (shared)", award=name) if name and row.get("ex_aequo") else name


def _rule_lines(data: dict[str, Any], language: str, decimals: int) -> list[str]:
    """Places instead of points, the clamping and the combination of rounds in words, when the
    results use them."""
    lines = []
    if data.get("scoring") == Scoring.RANKS.value:
        lines.append(_("The jurors gave places, 1 = best (%(method)s); tied places count as averaged ranks, and "
                       "each juror's column shows the rank counted. An entry a juror did not rank gets the mean of "
                       "the other jurors' ranks in their stead.", method=RankMethod(data["method"]).label))
    rounds = data.get("rounds") or []
    clamping = [item for item in rounds if item.get("clamp") is not None]
    if clamping:
        # Each combined round clamps with its own k (or not at all). Snapshots published before
        # the rounds' k were kept state the results round's k (below).
        lines.append(_("Outlier clamping: each juror's total further than k points from the entry's mean (rounded "
                       "to %(decimals)s decimals) is brought to the mean plus or minus k; a clamped total shows the "
                       "total the juror gave in brackets.", decimals=decimals))
        lines += [_("%(round)s: outlier clamping, k = %(k)s.", round=text_in(item["name"], language),
                    k=format_score(item["clamp"], 0, language)) for item in clamping]
    elif data.get("clamp") is not None:
        lines.append(_("Outlier clamping: each juror's total further than %(k)s points from the entry's mean "
                       "(rounded to %(decimals)s decimals) is brought to the mean plus or minus %(k)s; a clamped "
                       "total shows the total the juror gave in brackets.", k=format_score(data["clamp"], 0, language),
                       decimals=decimals))
    if rounds:
        lines.append(combination_text(data, language))
        if "clamp" not in rounds[0]:  # an older snapshot: only the results round's jurors are kept
            lines.append(_("The jurors' totals below are those of the last round."))
    return lines


def _juror_cell(row: dict, juror: str, decimals: int, language: str) -> str:
    """The juror's total as counted, followed by the total they gave in brackets when clamping changed it.
    `row`: a standings row, or one round's details of it (the same keys)."""
    counted = _score(row.get("juror_totals", {}).get(juror), decimals, language)
    given = row.get("juror_totals_unclamped", {}).get(juror)
    return counted if given is None else f"{counted} ({_score(given, decimals, language)})"


def _round_table(rows: list[dict], index: int, jurors: list[dict], labels: dict, styles, language: str,
                 decimals: int) -> Table:
    """One combined round of a category: each juror's total (clamped ones with the given total),
    the jury's score and the points outside the jury where there are any, and the round's score."""
    found = [(row, row["round_details"][index]) for row in rows]
    adjusted = any(detail["adjustment"] for _row, detail in found)
    extra = [_text(_("Jury's score"), styles["head"]), _text(_("Penalties and bonuses"), styles["head"])] \
        if adjusted else []
    header = [_("Code"), _("Name"), *(labels[j["id"]] for j in jurors), *extra,
              _text(_("Round score"), styles["head"])]
    body = []
    for row, detail in found:
        score, adjustment = row["round_scores"][index], detail["adjustment"]
        jury = None if score is None else f"{Decimal(score) - Decimal(adjustment or 0):f}"
        body.append([row["code"], _text(row["name"], styles["cell"]),
                     *(_juror_cell(detail, str(j["id"]), decimals, language) for j in jurors),
                     *([_score(jury, decimals, language), _signed(adjustment, decimals, language)] if adjusted else []),
                     _score(score, decimals, language)])
    table = Table([header, *body], repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _standings_table(rows: list[dict], jurors: list[dict], labels: dict, styles, language: str,
                     decimals: int, rounds: list[dict], total_heading: str) -> Table:
    # The jury's score and the points outside it get columns only where some entry has such points.
    adjusted = any(row.get("adjustment") for row in rows)
    # Paragraphs, so the long headings wrap instead of widening their columns.
    extra = [_text(_("Jury's score"), styles["head"]), _text(_("Penalties and bonuses"), styles["head"])] \
        if adjusted else []
    header = [_("Place"), _("Code"), _("Name"), *(labels[j["id"]] for j in jurors),
              *(_text(text_in(item["name"], language), styles["head"]) for item in rounds), *extra,
              total_heading, _("Award")]
    body = [[row["place"], row["code"], _text(row["name"], styles["cell"]),
             *(_juror_cell(row, str(j["id"]), decimals, language) for j in jurors),
             *(_score(value, decimals, language) for value in row.get("round_scores") or []),
             *([_score(row.get("jury_total"), decimals, language), _signed(row.get("adjustment"), decimals, language)]
               if adjusted else []),
             _score(row["total"], decimals, language),
             _text(_award({**row, "_language": language}), styles["cell"])] for row in rows]
    table = Table([header, *body], repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table


def _outside_the_jury(category: dict, styles, language: str, decimals: int, rounds: list[dict]) -> list[Any]:
    """Each penalty or bonus with its reason (and its round, when rounds are combined), and the
    jury's ex aequo decisions, under the standings."""
    story: list[Any] = []
    items = [(row["code"], item) for row in category["rows"] for item in row.get("adjustments", [])]
    round_names = {item["id"]: f"{text_in(item['name'], language)} · " for item in rounds}
    if items:
        story.append(_text(_("Penalties and bonuses outside the jury (added to the jury's rounded score)"),
                           styles["heading"]))
        for code, item in items:
            story.append(_text(f"{round_names.get(item.get('round'), '')}{code}: "
                               f"{_signed(item['points'], decimals, language)} — "
                               f"{AdjustmentKind(item['kind']).label}. {item['reason']}", styles["text"]))
    for decision in category.get("ex_aequo", []):
        skipped = decision.get("skipped_name")
        story.append(_text(_("Ex aequo by the jury's decision: “%(tier)s” — %(codes)s.",
                             tier=text_in(decision["tier_name"], language), codes=", ".join(decision["codes"])),
                           styles["heading"]))
        if skipped:
            story.append(_text(_("“%(tier)s” is not awarded.", tier=text_in(skipped, language)), styles["text"]))
        elif not decision.get("skip_next"):
            story.append(_text(_("The next tier is still awarded."), styles["text"]))
        story.append(_text(_("Reason: %(reason)s", reason=decision["reason"]), styles["text"]))
    return story


def _juror_table(rows: list[dict], juror: dict, criteria: list[dict], styles, language: str,
                decimals: int) -> Table:
    header = [_("Place"), _("Code"), *(_text(text_in(c["name"], language), styles["head"]) for c in criteria),
              _("Juror's total")]
    key = str(juror["id"])
    body = [[row["place"], row["code"],
             *(_score(row["juror_scores"][key].get(str(c["id"])), decimals, language) for c in criteria),
             _juror_cell(row, key, decimals, language)] for row in rows]
    table = Table([header, *body], repeatRows=1)
    table.setStyle(TABLE_STYLE)
    return table
