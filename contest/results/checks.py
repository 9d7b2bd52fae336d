"""The standings page's warnings about suspicious sheets, in words, with the sheets they are about.

Built from what the live standings already loaded (the panels, the approved registrations with their
participants, the jury with its accounts): no query of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from contest.contests.models import Category, Contest
from contest.i18n import format_score
from contest.judging.models import JuryMember
from contest.registration.models import Registration
from contest.results import statistics, suspicious
from contest.results.services import RoundStandings
from contest.results.suspicious import Kind, SheetWarning, Tie

# A warning about one juror's whole sheet set lists this many sheets, then says how many more;
# a category lists this many warnings (a field of thousands with a careless juror could have
# hundreds), then says how many more.
SHEETS_LISTED = 12
WARNINGS_LISTED = 50


@dataclass
class ShownWarning:
    text: str
    sheets: list[tuple[Registration, JuryMember]]  # the first SHEETS_LISTED
    more: int = 0  # sheets not listed


@dataclass
class CategoryWarnings:
    category: Category
    warnings: list[ShownWarning] = field(default_factory=list)
    more: int = 0  # warnings not listed


def sheet_warnings(contest: Contest, standings: RoundStandings) -> list[CategoryWarnings]:
    """The warnings of every category that has some, in the contest's category order."""
    members = {member.id: member for member in standings.panels.jurors}
    jurors = [suspicious.JurorPerson(member.id, member.user_id, member.user.name) for member in members.values()]
    result = []
    for category in standings.categories:
        registrations = {row.registration.id: row.registration for row in category.rows}
        ties = suspicious.pupil_ties(jurors, [
            suspicious.EntryPeople(registration.id, registration.participant.account_id,
                                   registration.registered_by_id, registration.participant.teacher)
            for registration in registrations.values()])
        panel = standings.panels.panels[category.category.id]
        ratings = statistics.ratings_of(panel)
        # Places leave no totals to compare: two jurors who agree rank alike, and every ranking
        # spreads its entries; only the juror's own pupil is worth a word.
        found = suspicious.own_pupils(ratings, ties) if panel.places else \
            suspicious.sheet_warnings(ratings, panel.max_total, ties)
        if found:
            result.append(CategoryWarnings(category.category, [
                _shown(contest, warning, members, registrations) for warning in found[:WARNINGS_LISTED]],
                max(0, len(found) - WARNINGS_LISTED)))
    return result


def _shown(contest: Contest, warning: SheetWarning, members: dict[int, JuryMember],
           registrations: dict[int, Registration]) -> ShownWarning:
    sheets = [(registrations[entry], members[juror]) for entry in warning.entries for juror in warning.jurors]
    return ShownWarning(explanation(contest, warning, members, registrations), sheets[:SHEETS_LISTED],
                        max(0, len(sheets) - SHEETS_LISTED))


def explanation(contest: Contest, warning: SheetWarning, members: dict[int, JuryMember],
                registrations: dict[int, Registration]) -> str:
    """What was found and why it may matter, in the reader's language."""
    names = [members[juror].user.name for juror in warning.jurors]
    figures = [_number(contest, value) for value in warning.figures]
    count = len(warning.entries)
    if warning.kind is Kind.NEAR_IDENTICAL:
        return str(_l("%(first)s and %(second)s gave nearly the same totals to all %(count)s entries they both "
                      "scored: never more than %(difference)s apart (1%% of the maximum total is %(tolerance)s). "
                      "Is one sheet copied from the other, or typed in twice?",
                      first=names[0], second=names[1], count=count, difference=figures[0], tolerance=figures[1]))
    if warning.kind is Kind.ALL_MAXIMUM:
        return str(_l("%(juror)s gave the maximum total, %(total)s, to every entry they scored (%(count)s).",
                      juror=names[0], total=figures[0], count=count))
    if warning.kind is Kind.NO_SPREAD:
        return str(_l("%(juror)s gave the same total, %(total)s, to every entry they scored (%(count)s): "
                      "their sheets do not tell the entries apart.", juror=names[0], total=figures[0], count=count))
    code = registrations[warning.entries[0]].code
    if warning.kind is Kind.OWN_PUPIL:
        return _tie_text(warning.tie, names[0], code, registrations[warning.entries[0]].participant.teacher)
    total, low, high, margin = figures
    return str(_l("%(juror)s gave %(code)s %(total)s, while the other jurors gave it from %(low)s to %(high)s: "
                  "more than %(margin)s (a quarter of the maximum total) outside their range.",
                  juror=names[0], code=code, total=total, low=low, high=high, margin=margin))


def _tie_text(tie: Tie | None, juror: str, code: str, teacher: str) -> str:
    if tie is Tie.OWN_ACCOUNT:
        return str(_l("%(juror)s scored %(code)s, which is entered under their own account.", juror=juror, code=code))
    if tie is Tie.REGISTERED:
        return str(_l("%(juror)s scored %(code)s, which they registered themselves: is it their pupil's? "
                      "If so, recuse them from the entry.", juror=juror, code=code))
    return str(_l("%(juror)s scored %(code)s, whose teacher is given as “%(teacher)s”: is it their pupil's? "
                  "If so, recuse them from the entry.", juror=juror, code=code, teacher=teacher))


def _number(contest: Contest, value: Decimal) -> str:
    return format_score(value, contest.score_decimals)
