"""Issuing certificates: settings, who gets which document, idempotent issue, revoke, lookup.

Services take models and plain values, flush, and never commit; the background job
(`jobs.py`) commits after each chunk so that a job which dies part-way keeps what it issued.
"""

from __future__ import annotations

import enum
import hashlib
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from contest import i18n
from contest.audit.services import record
from contest.auth.models import User
from contest.certificates.awards import award_wording, published_awards, text_in
from contest.certificates.codes import new_code, normalize_code
from contest.certificates.models import Certificate, CertificateSettings, CertificateSignatory
from contest.certificates.pdf import FRAME_STYLES, Document, DocumentKind, Signatory, clean_line, is_image
from contest.contests.models import Contest, ContestStatus
from contest.contests.services import ensure_not_archived
from contest.db import utcnow
from contest.errors import ServiceError, required_reason
from contest.extensions import db
from contest.judging.models import JuryMember
from contest.mail.outbox import send_mail_after_commit
from contest.registration.eligibility import local_day
from contest.registration.models import Participant, Registration, RegistrationStatus

ISSUABLE_STATUSES = (ContestStatus.RESULTS_PUBLISHED.value,)  # an archived contest is closed
PLACEHOLDERS = ("name", "contest", "dedication", "place", "award", "category", "date")
MAX_TEXT_LENGTH = 800
MAX_IMAGE_BYTES = 1024 * 1024
MAX_SIGNATORIES = 3
REVOKE_REASON_LIMIT = 1000
LANGUAGES = tuple(i18n.LANGUAGE_NAMES)

# The contest's title is printed once, at the top, and the holder's name above the text: the
# default texts name neither (a title inside a sentence would need its own case ending).
DEFAULT_TEXTS = {
    DocumentKind.WINNER_DIPLOMA: _l("is awarded for a high result in the contest."),
    DocumentKind.PARTICIPATION_CERTIFICATE: _l("is given for taking part in the contest."),
    DocumentKind.LETTER_OF_THANKS: _l("Thanks are expressed for the contribution to holding the contest."),
}


# Texts with placeholders ---------------------------------------------------------------------

def template_problem(text: str) -> object | None:
    """Why an organiser's text cannot be used (a translated message), or None when it can."""
    if not (text or "").strip():
        return _l("Write the text: it cannot be empty.")
    if len(text) > MAX_TEXT_LENGTH:
        return _l("The text is too long: at most %(count)d characters (now %(length)d).",
                  count=MAX_TEXT_LENGTH, length=len(text))
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return _l("A curly brace is not closed. Placeholders look like {name}; write {{ or }} for a brace itself.")
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            return _l("Unknown placeholder {%(name)s}. Use only: %(allowed)s.", name=name,
                      allowed=", ".join("{" + placeholder + "}" for placeholder in PLACEHOLDERS))
    return None


def fill_template(text: str, values: dict[str, str]) -> str:
    """Replace the placeholders (the text was checked when it was saved)."""
    try:
        return text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})
    except (ValueError, KeyError, IndexError):  # a text saved before a rule changed: print it as it is
        return text


def default_text(kind: DocumentKind, language: str) -> str:
    with force_locale(language):
        return str(DEFAULT_TEXTS[kind])


def text_for(settings: CertificateSettings, kind: DocumentKind, language: str) -> str:
    return (settings.texts or {}).get(kind.value, {}).get(language) or default_text(kind, language)


# Settings ------------------------------------------------------------------------------------

def settings_for(contest: Contest) -> CertificateSettings:
    """The contest's settings; a contest that has none gets the defaults (not yet saved)."""
    settings = db.session.get(CertificateSettings, contest.id)
    return settings or CertificateSettings(contest_id=contest.id, frame_style="classic", texts={}, logo=None)


@dataclass
class SignatoryInput:
    name: str
    title: str = ""
    image: bytes | None = None  # a new image
    remove_image: bool = False


class Keep(enum.Enum):
    """A sentinel the type checker can tell apart from bytes and None."""

    KEEP = "keep"


KEEP = Keep.KEEP  # "leave the logo as it is"


def check_image(data: bytes | None, field_name: str) -> None:
    if data is None:
        return
    if len(data) > MAX_IMAGE_BYTES:
        raise ServiceError(_l("The image is too large: at most 1 MB."), field_name)
    if not is_image(data):
        raise ServiceError(_l("This file is not an image. Upload a PNG or JPEG picture."), field_name)


def save_settings(contest: Contest, *, frame_style: str, texts: dict[str, dict[str, str]],
                  signatories: list[SignatoryInput], logo: bytes | None | Keep = KEEP,
                  actor: User | None) -> CertificateSettings:
    """Check everything first, then write: a refused field leaves the settings as they were."""
    ensure_not_archived(contest)
    if frame_style not in FRAME_STYLES:
        raise ServiceError(_l("Choose one of the frame styles."), "frame_style")
    for kind in DocumentKind:
        for language in LANGUAGES:
            problem = template_problem(texts.get(kind.value, {}).get(language, ""))
            if problem is not None:
                raise ServiceError(problem, f"text_{kind.value}_{language}")
    if logo is not KEEP:
        check_image(logo, "logo")
    named = [signatory for signatory in signatories if signatory.name.strip()]
    if len(named) > MAX_SIGNATORIES:
        raise ServiceError(_l("At most three signatories fit on a page."))
    for index, signatory in enumerate(signatories, start=1):
        check_image(signatory.image, f"signatory{index}_image")
        if len(signatory.name) > 200 or len(signatory.title) > 200:
            raise ServiceError(_l("A name or title is too long: at most 200 characters."), f"signatory{index}_name")

    settings = db.session.get(CertificateSettings, contest.id)
    if settings is None:
        settings = CertificateSettings(contest_id=contest.id)
        db.session.add(settings)
    settings.frame_style = frame_style
    settings.texts = {kind.value: {language: texts[kind.value][language].strip() for language in LANGUAGES}
                      for kind in DocumentKind}
    if logo is not KEEP:
        settings.logo = logo
    old_images = [row.signature for row in settings.signatories]
    settings.signatories = []
    db.session.flush()
    for position, (index, signatory) in enumerate(
            (index, signatory) for index, signatory in enumerate(signatories) if signatory.name.strip()):
        image = signatory.image
        if image is None and not signatory.remove_image and index < len(old_images):
            image = old_images[index]
        settings.signatories.append(CertificateSignatory(
            contest_id=contest.id, position=position, name=signatory.name.strip(),
            title=signatory.title.strip(), signature=image))
    db.session.flush()
    record("certificates.settings_saved", contest, actor=actor)
    return settings


# Who gets which document ---------------------------------------------------------------------

@dataclass(frozen=True)
class Planned:
    """One document the contest owes someone; `holder_key` identifies it across regenerations."""

    kind: DocumentKind
    holder_key: str
    holder_name: str
    language: str
    account_id: int | None = None
    registration_id: int | None = None
    juror_id: int | None = None
    name_public: bool = True
    place: int | None = None
    place_shared: bool = False
    award_name: str = ""
    category_name: str = ""


def ensure_issuable(contest: Contest) -> None:
    ensure_not_archived(contest)
    if contest.status not in ISSUABLE_STATUSES:
        raise ServiceError(_l("Certificates are issued once the contest's results are published."))


def _language_of(account: User | None) -> str:
    language = account.preferred_language if account is not None else None
    return language if i18n.is_supported(language) else i18n.DEFAULT_LANGUAGE


def teacher_key(name: str) -> str:
    """The same teacher typed with other spacing or case is one holder."""
    normalised = clean_line(name).casefold()
    return "teacher:" + hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


def _approved_registrations(contest: Contest) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.contest_id == contest.id, Registration.status == RegistrationStatus.APPROVED.value)
        .join(Participant).where(Participant.anonymised_at.is_(None))
        .options(selectinload(Registration.participant).selectinload(Participant.account),
                 selectinload(Registration.registered_by), selectinload(Registration.category))
        .order_by(Registration.number)))


def planned_documents(contest: Contest) -> list[Planned]:
    """Every document the contest owes: diplomas from the published results, a participation
    certificate per approved participant, letters of thanks to the teachers named on the
    registrations and to every juror. The order is stable, so a resumed job walks the same list."""
    plan: list[Planned] = []
    for award in published_awards(contest):
        registration, participant = award.registration, award.registration.participant
        if participant.anonymised_at is not None:
            continue
        language = _language_of(participant.account)
        plan.append(Planned(
            DocumentKind.WINNER_DIPLOMA, f"registration:{registration.id}", participant.full_name, language,
            account_id=participant.account_id, registration_id=registration.id,
            name_public=participant.may_be_named_publicly, place=award.place, place_shared=award.shared,
            award_name=text_in(award.award_name, language),
            category_name=text_in(award.category, language) or i18n.localized(registration.category, "name", language)))

    registrations = _approved_registrations(contest)
    teachers: dict[str, tuple[str, set[int | None]]] = {}
    for registration in registrations:
        participant = registration.participant
        language = _language_of(participant.account)
        plan.append(Planned(
            DocumentKind.PARTICIPATION_CERTIFICATE, f"registration:{registration.id}", participant.full_name,
            language, account_id=participant.account_id, registration_id=registration.id,
            name_public=participant.may_be_named_publicly,
            category_name=i18n.localized(registration.category, "name", language)))
        teacher = clean_line(participant.teacher)
        if teacher:
            name, accounts = teachers.setdefault(teacher_key(teacher), (teacher, set()))
            accounts.add(registration.registered_by_id)

    accounts_by_id = {registration.registered_by_id: registration.registered_by for registration in registrations}
    for key, (name, accounts) in teachers.items():
        # The account that registered the teacher's pupils is usually the teacher's own; when
        # several accounts named the same teacher, nobody downloads it but the organiser.
        account = accounts_by_id.get(next(iter(accounts))) if len(accounts) == 1 else None
        plan.append(Planned(DocumentKind.LETTER_OF_THANKS, key, name, _language_of(account),
                            account_id=account.id if account else None))

    members = db.session.scalars(select(JuryMember).where(JuryMember.contest_id == contest.id)
                                 .options(selectinload(JuryMember.user)).order_by(JuryMember.id))
    for member in members:
        plan.append(Planned(DocumentKind.LETTER_OF_THANKS, f"juror:{member.user_id}", member.user.name,
                            _language_of(member.user), account_id=member.user_id, juror_id=member.user_id))
    return plan


# Issuing -------------------------------------------------------------------------------------

def issue_documents(contest: Contest, planned: Iterable[Planned]) -> list[Certificate]:
    """Issue what is planned: a holder who already has the document keeps it and its code
    (its printed facts are brought up to date); the others get a new code. Revoked documents
    stay revoked. Safe to call again with the same plan: nothing is issued twice."""
    planned = list(planned)
    keys = {(item.kind.value, item.holder_key) for item in planned}
    existing = {(row.kind, row.holder_key): row for row in db.session.scalars(
        select(Certificate).where(Certificate.contest_id == contest.id,
                                  Certificate.holder_key.in_({key for _kind, key in keys})))}
    issued = []
    for item in planned:
        certificate = existing.get((item.kind.value, item.holder_key))
        if certificate is None:
            certificate = Certificate(contest_id=contest.id, kind=item.kind.value, holder_key=item.holder_key,
                                      code=new_code(), issued_at=utcnow())
            db.session.add(certificate)
            existing[(item.kind.value, item.holder_key)] = certificate
        certificate.holder_name = clean_line(item.holder_name)[:300]  # as printed: no control characters
        certificate.language = item.language
        certificate.account_id = item.account_id
        certificate.registration_id = item.registration_id
        certificate.juror_id = item.juror_id
        certificate.name_public = item.name_public
        certificate.place = item.place
        certificate.place_shared = item.place_shared
        certificate.award_name = (item.award_name or "")[:200]
        certificate.category_name = (item.category_name or "")[:200]
        issued.append(certificate)
    db.session.flush()
    return issued


def revoke_certificate(certificate: Certificate, *, reason: str, actor: User | None) -> None:
    ensure_not_archived(certificate.contest)
    reason = required_reason(reason, "reason", REVOKE_REASON_LIMIT, missing=_l("Write why the document is revoked."))
    if certificate.is_revoked:
        raise ServiceError(_l("This document is already revoked."))
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = getattr(actor, "id", None)
    certificate.revoke_reason = reason
    db.session.flush()
    record("certificates.revoked", certificate, actor=actor, code=certificate.code, reason=reason)


def certificate_counts(contest: Contest) -> dict[str, int]:
    rows = db.session.execute(select(Certificate.kind, func.count()).where(
        Certificate.contest_id == contest.id, Certificate.revoked_at.is_(None)).group_by(Certificate.kind))
    return {kind: count for kind, count in rows}


def account_certificates(account: User) -> list[Certificate]:
    return list(db.session.scalars(
        select(Certificate).where(Certificate.account_id == account.id)
        .options(selectinload(Certificate.contest)).order_by(Certificate.issued_at.desc(), Certificate.id)))


def find_by_code(text: str) -> Certificate | None:
    code = normalize_code(text)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code)
                             .options(selectinload(Certificate.contest)))


def public_name(certificate: Certificate) -> str | None:
    """The holder's name for the public verification page, or None when consent does not allow
    it. Checked again at every lookup: a guardian may withdraw consent after the document was issued."""
    if not certificate.name_public:
        return None
    if certificate.registration is not None and not certificate.registration.participant.may_be_named_publicly:
        return None
    return certificate.holder_name


# From rows to printable documents ------------------------------------------------------------

@dataclass
class PrintSetup:
    """What every document of a contest shares, loaded once for a whole batch."""

    contest: Contest
    settings: CertificateSettings
    signatories: tuple[Signatory, ...]
    logo: bytes | None
    base_url: str
    texts: dict[tuple[DocumentKind, str], str] = field(default_factory=dict)

    def text(self, kind: DocumentKind, language: str) -> str:
        if (kind, language) not in self.texts:
            self.texts[(kind, language)] = text_for(self.settings, kind, language)
        return self.texts[(kind, language)]


def print_setup(contest: Contest, base_url: str | None = None) -> PrintSetup:
    settings = settings_for(contest)
    signatories = tuple(Signatory(row.name, row.title, row.signature) for row in settings.signatories)
    return PrintSetup(contest, settings, signatories, settings.logo, (base_url or site_url()).rstrip("/"))


def site_url() -> str:
    if has_request_context():
        return url_for("site.home", _external=True)
    return current_app.config.get("SITE_URL") or "http://localhost"


def verification_url(base_url: str, code: str) -> str:
    """`base_url` without its trailing slash, as `print_setup` keeps it."""
    return f"{base_url}/verify/{code}"


def document_for(certificate: Certificate, setup: PrintSetup) -> Document:
    kind, language = DocumentKind(certificate.kind), certificate.language
    contest = setup.contest
    issued = certificate.issued_at.astimezone(i18n.LOCAL_ZONE).date()
    return _document(setup, kind=kind, language=language, holder_name=certificate.holder_name,
                     code=certificate.code, place=certificate.place, shared=certificate.place_shared,
                     award_name=certificate.award_name, category=certificate.category_name, on=issued,
                     contest=contest)


def _document(setup: PrintSetup, *, kind: DocumentKind, language: str, holder_name: str, code: str,
              place: int | None, shared: bool, award_name: str, category: str, on: date,
              contest: Contest) -> Document:
    title = i18n.localized(contest, "title", language)
    dedication = i18n.localized(contest, "dedication", language)
    with force_locale(language):
        award = award_wording(award_name, shared=shared)
    values = {"name": holder_name, "contest": title, "dedication": dedication,
              "place": str(place) if place else "", "award": award, "category": category,
              "date": i18n.format_prose_date(on, language)}
    return Document(
        kind=kind, language=language, holder_name=holder_name, contest_title=title,
        verification_code=code, verification_url=verification_url(setup.base_url, code),
        body=fill_template(setup.text(kind, language), values), dedication=dedication,
        award=award, category=category, date=on,
        signatories=setup.signatories, logo=setup.logo, frame_style=setup.settings.frame_style)


SAMPLE_NAMES = {"kk": "Әлихан Бөкейхан", "ru": "Әлихан Бөкейхан", "en": "Ğalym Jūmabaiūly"}


def sample_document(contest: Contest, setup: PrintSetup, kind: DocumentKind, language: str) -> Document:
    """A preview with made-up holder data: nobody's real certificate, and a code nobody holds."""
    with force_locale(language):
        award = str(_l("Grand Prix")) if kind == DocumentKind.WINNER_DIPLOMA else ""
        category = str(_l("Sample category"))
    return _document(setup, kind=kind, language=language, holder_name=SAMPLE_NAMES[language],
                     code="SAMP-LESA-MPLE-SAMP", place=1 if kind == DocumentKind.WINNER_DIPLOMA else None,
                     shared=False, award_name=award, category=category, on=local_day(utcnow()), contest=contest)


def _printable(contest: Contest) -> list:
    return [Certificate.contest_id == contest.id, Certificate.revoked_at.is_(None)]


def printable_count(contest: Contest) -> int:
    """How many documents the output holds: every valid one, also those issued by an earlier
    generation for a holder no longer in the plan."""
    return db.session.scalar(select(func.count()).select_from(Certificate).where(*_printable(contest))) or 0


def printable_batches(contest: Contest, batch_size: int) -> Iterator[list[Certificate]]:
    """The contest's valid documents in print order, read in batches (memory stays flat)."""
    last_id = 0
    while True:
        rows = list(db.session.scalars(
            select(Certificate).where(*_printable(contest), Certificate.id > last_id)
            .order_by(Certificate.id).limit(batch_size)))
        if not rows:
            return
        last_id = rows[-1].id
        yield rows


def printable_documents(contest: Contest, setup: PrintSetup, batch_size: int, *,
                        after_read: Callable[[], None], after_batch: Callable[[int], None]) -> Iterator[Document]:
    """The documents to print, each batch made plain data first. `after_read()` runs before the
    batch is printed (the background job ends its read there, so no transaction stays open while
    printing: on SQLite it would hold up every writer); `after_batch(its size)` once it is."""
    for rows in printable_batches(contest, batch_size):
        documents = [document_for(row, setup) for row in rows]
        after_read()
        yield from documents
        after_batch(len(documents))


# Telling holders -----------------------------------------------------------------------------

def notify_holders(contest: Contest, *, link: str) -> int:
    """One email per account whose documents are new since the last message; returns how many."""
    rows = list(db.session.scalars(
        select(Certificate).where(Certificate.contest_id == contest.id, Certificate.notified_at.is_(None),
                                  Certificate.revoked_at.is_(None), Certificate.account_id.is_not(None))))
    by_account: dict[int, list[Certificate]] = {}
    for row in rows:
        if row.account_id is not None:  # always (the query), but the column allows None
            by_account.setdefault(row.account_id, []).append(row)
    accounts = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(by_account)))}
    now: datetime = utcnow()
    sent = 0
    for account_id, certificates in by_account.items():
        account = accounts.get(account_id)
        for certificate in certificates:
            certificate.notified_at = now
        if account is None or not account.is_active:
            continue
        language = _language_of(account)
        with force_locale(language):
            subject = str(_l("Your certificates are ready"))
            body = render_template("certificates/email/ready.txt", account=account, link=link,
                                   contest_title=i18n.localized(contest, "title", language),
                                   names=sorted({c.holder_name for c in certificates}))
        send_mail_after_commit(account.email, subject, body)
        sent += 1
    db.session.flush()
    return sent
