"""Announcing the winners once results are published: a news post draft in kk, ru and en for
the organiser to edit and publish, and one e-mail per registration with its own result.

E-mails: written in the publishing transaction (contest/mail: sent after the commit, never on a
rollback), one per registration whose entry was ranked, to the account that registered it (a
teacher, a parent) or else the participant's own. A `ResultNotice` row per registration keeps
what it was told: publishing again after a withdrawal e-mails only those whose place or award
changed. A diploma or certificate issued later reaches the same accounts through the
certificates' own "ready" e-mail (contest/certificates/services.py: `notify_holders`), once per
document; one issued already (results withdrawn and published again) is linked at once."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from contest import i18n
from contest.auth.models import User
from contest.certificates.models import Certificate
from contest.contests.models import Contest
from contest.errors import ServiceError
from contest.extensions import db
from contest.mail.outbox import send_mail_after_commit
from contest.news import services as news
from contest.news.models import NewsPost
from contest.registration.models import Participant, Registration
from contest.results import services as results
from contest.results.models import ResultSnapshot
from contest.sharing.models import ResultNotice

TITLE_LIMIT = 200  # NewsPost.title_*


def _external(endpoint: str, **values: Any) -> str:
    """An absolute address: the request's own host, else SITE_URL (a command), else none."""
    if has_request_context():
        return url_for(endpoint, **values, _external=True)
    site = current_app.config.get("SITE_URL")
    if not site:
        return ""
    with current_app.test_request_context(base_url=site):
        return url_for(endpoint, **values, _external=True)


def achievement(row: dict[str, Any], language: str) -> str:
    """The award as the contest names its tier, else the place (in the current locale)."""
    return results.text_in(row.get("award_name"), language) or _("Place: %(place)s", place=row["place"])


# The news post draft ---------------------------------------------------------------------------

def winners_text(contest: Contest, snapshot: ResultSnapshot, language: str) -> dict[str, str]:
    """Title, summary and Markdown body of the post in one language: the winners per category
    and award, named as consent stands now, each linked to their share card."""
    title = i18n.localized(contest, "title", language)
    with force_locale(language):
        share, everything = _("share card"), _("All results")
        lines = [_("The results are published. Congratulations to the winners!"), ""]
        for category in results.winners_by_category(snapshot):
            if not category["rows"]:
                continue
            lines += [f"## {results.text_in(category['name'], language)}", ""]
            for row in category["rows"]:
                card = _external("sharing.result_card", slug=contest.slug, code=row["code"], language=language)
                name = _escape(results.public_name(row))
                lines.append(f"- **{_escape(achievement(row, language))}**: {name}"
                             + (f" ([{share}]({card}))" if card else ""))
            lines.append("")
        link = _external("results.public_results", slug=contest.slug, lang=language)
        if link:
            lines.append(f"[{everything}]({link})")
        return {"title": _("Winners: %(contest)s", contest=title)[:TITLE_LIMIT],
                "summary": _("The winners of the contest, by category and award."),
                "body": "\n".join(lines).strip()}


def _escape(text: str) -> str:
    """A name or an award as plain text inside Markdown (no emphasis, links or HTML)."""
    return "".join(f"\\{char}" if char in "\\`*_[]<>#|" else char for char in text)


def draft_winners_post(contest: Contest, *, actor: User | None) -> NewsPost:
    """A draft post about the contest's published winners, in every language, for the editor."""
    snapshot = results.current_snapshot(contest.id)
    if snapshot is None:
        raise ServiceError(_l("The results of this contest are not published."))
    texts = {code: winners_text(contest, snapshot, code) for code in i18n.LANGUAGE_NAMES}
    return news.create_post(news.PostData(texts=texts, contest_id=contest.id), actor=actor)


# E-mails to the participants -------------------------------------------------------------------

def _fingerprint(row: dict[str, Any]) -> str:
    return f"{row['place']}|{row.get('award') or ''}"


def email_results(sender: object, *, contest: Contest, snapshot: ResultSnapshot) -> None:
    """Receiver of `results_published`: one e-mail per ranked registration not yet told this
    result. Four queries whatever the field."""
    rows = {row["registration_id"]: (category, row) for category in snapshot.data["categories"]
            for row in category["rows"] if row.get("place") is not None}
    registrations = db.session.scalars(
        select(Registration).where(Registration.id.in_(rows)).options(
            joinedload(Registration.registered_by),
            joinedload(Registration.participant).joinedload(Participant.account))).unique()
    told = {notice.registration_id: notice for notice in db.session.scalars(
        select(ResultNotice).where(ResultNotice.registration_id.in_(rows)))}
    issued = set(db.session.scalars(select(Certificate.registration_id).where(
        Certificate.registration_id.in_(rows), Certificate.revoked_at.is_(None))))
    for registration in registrations:
        category, row = rows[registration.id]
        result = _fingerprint(row)
        notice = told.get(registration.id)
        if notice is not None and notice.result == result:
            continue
        if notice is None:
            db.session.add(ResultNotice(registration_id=registration.id, result=result))
        else:
            notice.result = result
        _email_result(contest, registration, category, row, has_certificate=registration.id in issued,
                      corrected=notice is not None)
    db.session.flush()


def _recipient(registration: Registration) -> User | None:
    account = registration.registered_by or registration.participant.account
    return account if account is not None and account.is_active else None


def _email_result(contest: Contest, registration: Registration, category: dict[str, Any], row: dict[str, Any], *,
                  has_certificate: bool, corrected: bool) -> None:
    account = _recipient(registration)
    if account is None:
        return
    language = account.preferred_language if i18n.is_supported(account.preferred_language) else i18n.DEFAULT_LANGUAGE
    with force_locale(language):
        subject = _("Results: %(code)s", code=registration.code)
        body = render_template(
            "sharing/email/result.txt", account=account, registration=registration, corrected=corrected,
            participant_name=registration.participant.full_name, achievement=achievement(row, language),
            contest_title=i18n.localized(contest, "title", language),
            category_name=results.text_in(category["name"], language),
            results_link=_external("results.public_results", slug=contest.slug, lang=language),
            card_link=_external("sharing.result_card", slug=contest.slug, code=registration.code, language=language),
            certificates_link=_external("certificates.mine") if has_certificate else "")
    send_mail_after_commit(account.email, subject, body)
