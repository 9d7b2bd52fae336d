"""Who gets which document with which printed facts, issuing it once, revoking it, finding it by
its code, printing it (dated by Almaty's calendar) and telling its holder: the rules one by one."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.certificates import services
from contest.certificates.models import Certificate, CertificateSignatory
from contest.certificates.pdf import DocumentKind, Signatory
from contest.contests.models import Contest
from contest.db import utcnow
from contest.errors import ServiceError
from contest.extensions import db
from tests.conftest import mail_body

WINNER, PARTICIPANT, THANKS = (DocumentKind.WINNER_DIPLOMA, DocumentKind.PARTICIPATION_CERTIFICATE,
                               DocumentKind.LETTER_OF_THANKS)
# 20:00 UTC on New Year's Eve is already the first of January in Almaty.
NEW_YEAR_IN_ALMATY = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)


def teacher_digest(name: str) -> str:
    return "teacher:" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]


def issue_all(contest) -> dict[tuple[str, str], Certificate]:
    services.issue_documents(contest, services.planned_documents(contest))
    db.session.commit()
    return {(row.kind, row.holder_name): row for row in db.session.scalars(
        select(Certificate).where(Certificate.contest_id == contest.id))}


def count(model=Certificate) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def planned(key: str = "registration:1", **values) -> services.Planned:
    values.setdefault("kind", PARTICIPANT)
    values.setdefault("holder_name", "Ann Lee")
    values.setdefault("language", "en")
    return services.Planned(holder_key=key, **values)


# The plan ------------------------------------------------------------------------------------

def test_the_plan_lists_each_document_with_its_holders_account_and_printed_facts(published):
    p = published
    teacher, english, minor = (p.winner.participant.account, p.second.participant.account,
                               p.minor.participant.account)
    category = p.winner.category.name_en
    juror = p.juror.user
    assert services.planned_documents(p.contest) == [
        services.Planned(WINNER, f"registration:{p.winner.id}", "Әлихан Бөкейхан", "kk", account_id=teacher.id,
                         registration_id=p.winner.id, place=1, award_name="Бас жүлде", category_name=category),
        services.Planned(PARTICIPANT, f"registration:{p.winner.id}", "Әлихан Бөкейхан", "kk",
                         account_id=teacher.id, registration_id=p.winner.id, category_name=category),
        services.Planned(PARTICIPANT, f"registration:{p.second.id}", "Ğalym Jūmabaiūly", "en",
                         account_id=english.id, registration_id=p.second.id, category_name=category),
        services.Planned(PARTICIPANT, f"registration:{p.minor.id}", "Бала Жасырын", "kk", account_id=minor.id,
                         registration_id=p.minor.id, name_public=False, category_name=category),
        # named by two accounts (the teacher's and Ğalym's): the organiser hands it out, in Kazakh
        services.Planned(THANKS, teacher_digest("гүлнар әбілқызы"), "Гүлнар Әбілқызы", "kk"),
        services.Planned(THANKS, f"juror:{juror.id}", "Мұхтар Әуезов", "ru", account_id=juror.id,
                         juror_id=juror.id),
    ]


def test_a_shared_place_and_an_award_category_reach_the_diploma_in_the_holders_language(published, awards_source):
    awards_source[published.contest.id] = [
        (published.second.id, 2, {"kk": "II дәреже", "en": "Second degree"}, {"kk": "Жастар", "en": "Juniors"}, True)]
    diploma = next(item for item in services.planned_documents(published.contest) if item.kind == WINNER)
    assert (diploma.holder_name, diploma.language, diploma.place, diploma.place_shared, diploma.award_name,
            diploma.category_name) == ("Ğalym Jūmabaiūly", "en", 2, True, "Second degree", "Juniors")


def test_an_award_of_a_removed_participant_is_skipped_and_the_next_keeps_its_privacy(published, awards_source):
    published.winner.participant.anonymised_at = utcnow()
    db.session.commit()
    awards_source[published.contest.id] = [(published.winner.id, 1, "Gold", ""), (published.minor.id, 2, "Silver", "")]
    diplomas = [item for item in services.planned_documents(published.contest) if item.kind == WINNER]
    assert [(item.holder_name, item.name_public, item.award_name) for item in diplomas] == [
        ("Бала Жасырын", False, "Silver")]


def test_the_category_is_named_in_each_holders_language(published):
    category = published.winner.category
    category.name_kk, category.name_en = "Жастар", "Juniors"
    db.session.commit()
    named = {(item.kind, item.holder_name): item.category_name for item in services.planned_documents(published.contest)
             if item.kind != THANKS}
    assert named == {(WINNER, "Әлихан Бөкейхан"): "Жастар", (PARTICIPANT, "Әлихан Бөкейхан"): "Жастар",
                     (PARTICIPANT, "Ğalym Jūmabaiūly"): "Juniors", (PARTICIPANT, "Бала Жасырын"): "Жастар"}


def test_a_participant_removed_at_their_request_gets_no_document_and_names_no_teacher(published):
    published.winner.participant.anonymised_at = utcnow()
    db.session.commit()
    plan = services.planned_documents(published.contest)
    assert all(item.registration_id != published.winner.id for item in plan)
    letter = next(item for item in plan if item.holder_key.startswith("teacher:"))
    # only Ğalym's registration names the teacher now: the letter goes to that account, in English
    assert (letter.account_id, letter.language) == (published.second.participant.account_id, "en")


def test_a_blank_teacher_gets_no_letter_and_an_unknown_language_falls_back_to_kazakh(published):
    published.winner.participant.teacher = " \t "
    published.second.participant.teacher = ""
    published.second.participant.account.preferred_language = "de"
    published.juror.user.preferred_language = None
    db.session.commit()
    plan = services.planned_documents(published.contest)
    assert [item.kind for item in plan].count(THANKS) == 1  # the juror's
    assert {item.holder_name: item.language for item in plan if item.kind != WINNER} == {
        "Әлихан Бөкейхан": "kk", "Ğalym Jūmabaiūly": "kk", "Бала Жасырын": "kk", "Мұхтар Әуезов": "kk"}


def test_jurors_follow_in_the_order_they_joined_and_other_contests_are_left_out(published, make_juror, open_contest,
                                                                                make_registration):
    later = make_juror(published.contest)
    make_juror(open_contest())
    other = open_contest(status="results_published")
    make_registration(other, status="approved")
    keys = [item.holder_key for item in services.planned_documents(published.contest) if item.juror_id]
    assert keys == [f"juror:{published.juror.user_id}", f"juror:{later.user_id}"]
    assert len(services.planned_documents(published.contest)) == 7


def test_participants_follow_their_registration_numbers(published):
    # numbered against the order the rows were inserted in
    published.winner.number, published.second.number, published.minor.number = 30, 20, 10
    db.session.commit()
    names = [item.holder_name for item in services.planned_documents(published.contest) if item.kind == PARTICIPANT]
    assert names == ["Бала Жасырын", "Ğalym Jūmabaiūly", "Әлихан Бөкейхан"]


def test_the_plan_takes_the_same_few_queries_whatever_the_field(published, make_registration, make_participant,
                                                                make_category, make_user, count_queries):
    contest_id = published.contest.id

    def queries() -> int:
        db.session.expunge_all()  # nothing loaded before: each relationship is read as the plan reads it
        contest = db.session.get(Contest, contest_id)
        with count_queries() as log:
            services.planned_documents(contest)
        return log.count

    few = queries()
    for _ in range(4):  # each in its own category, sent by a teacher's account that is not the participant's
        contest = db.session.get(Contest, contest_id)
        registration = make_registration(contest, status="approved", category=make_category(contest),
                                         participant=make_participant(teacher="Teacher"))
        registration.registered_by_id = make_user().id
        db.session.commit()
    assert queries() == few


def test_a_teacher_is_one_holder_whatever_the_spacing_or_case():
    assert services.teacher_key("  Гүлнар   ӘБІЛҚЫЗЫ ") == teacher_digest("гүлнар әбілқызы")
    assert services.teacher_key("Гүлнар Әбілқызы") != services.teacher_key("Гүлнар Әбілқызына")


def test_nothing_is_issued_for_a_contest_whose_results_are_not_published(published):
    for status, message in (("judging", "Certificates are issued once the contest's results are published."),
                            ("archived", "This contest is archived: nothing in it can change any more.")):
        published.contest.status = status
        with pytest.raises(ServiceError) as refused:
            services.ensure_issuable(published.contest)
        assert str(refused.value.message) == message
    published.contest.status = "results_published"
    services.ensure_issuable(published.contest)


# Issuing -------------------------------------------------------------------------------------

def test_an_issued_document_keeps_every_planned_fact(published):
    p = published
    before = utcnow()
    item = services.Planned(WINNER, "registration:9", "Ann\x1b Lee", "ru", account_id=p.juror.user_id,
                            registration_id=p.winner.id, juror_id=p.juror.user_id, name_public=False, place=3,
                            place_shared=True, award_name="Third", category_name="Seniors")
    [certificate] = services.issue_documents(p.contest, [item])
    db.session.commit()
    db.session.expire_all()
    assert (certificate.contest_id, certificate.kind, certificate.holder_key, certificate.holder_name,
            certificate.language, certificate.account_id, certificate.registration_id, certificate.juror_id,
            certificate.name_public, certificate.place, certificate.place_shared, certificate.award_name,
            certificate.category_name) == (p.contest.id, "winner_diploma", "registration:9", "Ann Lee", "ru",
                                           p.juror.user_id, p.winner.id, p.juror.user_id, False, 3, True, "Third",
                                           "Seniors")
    assert before <= certificate.issued_at <= utcnow()
    assert services.normalize_code(certificate.code) == certificate.code
    assert not certificate.is_revoked and certificate.notified_at is None


def test_names_and_texts_are_cut_to_what_the_columns_hold(published):
    item = planned(holder_name="N" * 301, award_name="A" * 201, category_name="C" * 201)
    [certificate] = services.issue_documents(published.contest, [item])
    db.session.commit()
    assert (certificate.holder_name, certificate.award_name, certificate.category_name) == (
        "N" * 300, "A" * 200, "C" * 200)


def test_a_document_without_award_or_category_prints_neither(published):
    letters = services.issue_documents(published.contest, [planned("teacher:a", kind=THANKS),
                                                           planned("teacher:b", kind=THANKS, award_name=None,
                                                                   category_name=None)])
    db.session.commit()
    assert [(row.award_name, row.category_name) for row in letters] == [("", ""), ("", "")]


def test_the_same_holder_planned_twice_gets_one_document_with_the_later_facts(published):
    issued = services.issue_documents(published.contest, [planned(holder_name="Ann"), planned(holder_name="Anna")])
    db.session.commit()
    assert issued[0] is issued[1] and issued[0].holder_name == "Anna" and count() == 1


def test_one_holder_gets_a_diploma_and_a_certificate_each_with_its_own_code(published):
    first, second = services.issue_documents(published.contest, [planned(kind=WINNER), planned(kind=PARTICIPANT)])
    db.session.commit()
    assert first.kind != second.kind and first.code != second.code and count() == 2


def test_a_reissue_updates_the_printed_facts_and_keeps_the_code(published):
    [first] = services.issue_documents(published.contest, [planned(holder_name="Ann", place=None)])
    db.session.commit()
    code, issued_at = first.code, first.issued_at
    [again] = services.issue_documents(published.contest, [planned(holder_name="Ann Lee", language="kk")])
    db.session.commit()
    assert (again.id, again.code, again.issued_at, again.holder_name, again.language) == (
        first.id, code, issued_at, "Ann Lee", "kk")


def test_another_contests_document_for_the_same_key_is_not_taken_over(published, open_contest):
    other = open_contest(status="results_published")
    [theirs] = services.issue_documents(other, [planned()])
    [ours] = services.issue_documents(published.contest, [planned()])
    db.session.commit()
    assert ours.id != theirs.id and ours.code != theirs.code and ours.contest_id == published.contest.id


# Revoking ------------------------------------------------------------------------------------

def test_revoking_records_when_who_and_why_and_audits_the_code(published, make_user):
    certificate = issue_all(published.contest)[("letter_of_thanks", "Мұхтар Әуезов")]
    organiser = make_user(role="organiser")
    before = utcnow()
    services.revoke_certificate(certificate, reason="  Issued by mistake \n", actor=organiser)
    db.session.commit()
    assert (certificate.revoked_by_id, certificate.revoke_reason) == (organiser.id, "Issued by mistake")
    assert before <= certificate.revoked_at <= utcnow()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificates.revoked"))
    assert (event.actor_id, event.object_type, event.object_id, event.data) == (
        organiser.id, "Certificate", certificate.id, {"code": certificate.code, "reason": "Issued by mistake"})


def test_a_reason_of_exactly_the_limit_is_taken_and_one_more_character_is_refused(published):
    certificates = issue_all(published.contest)
    diploma = certificates[("winner_diploma", "Әлихан Бөкейхан")]
    with pytest.raises(ServiceError) as refused:
        services.revoke_certificate(diploma, reason="r" * 1001, actor=None)
    assert (str(refused.value.message), refused.value.field) == (
        "The reason is too long (at most 1000 characters).", "reason")
    assert diploma.revoked_at is None and count(AuditEvent) == 0
    services.revoke_certificate(diploma, reason="r" * 1000, actor=None)
    assert diploma.revoke_reason == "r" * 1000 and diploma.revoked_by_id is None


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_revoking_without_a_reason_is_refused_and_nothing_written(published, reason):
    diploma = issue_all(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    with pytest.raises(ServiceError) as refused:
        services.revoke_certificate(diploma, reason=reason, actor=None)
    assert (str(refused.value.message), refused.value.field) == ("Write why the document is revoked.", "reason")
    assert diploma.revoked_at is None and count(AuditEvent) == 0


def test_a_revoked_document_cannot_be_revoked_again_and_keeps_its_first_reason(published):
    diploma = issue_all(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    services.revoke_certificate(diploma, reason="First", actor=None)
    db.session.commit()
    revoked_at = diploma.revoked_at
    with pytest.raises(ServiceError) as refused:
        services.revoke_certificate(diploma, reason="Second", actor=None)
    assert str(refused.value.message) == "This document is already revoked."
    assert (diploma.revoke_reason, diploma.revoked_at, count(AuditEvent)) == ("First", revoked_at, 1)


def test_an_archived_contests_documents_cannot_be_revoked(published):
    diploma = issue_all(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    published.contest.status = "archived"
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        services.revoke_certificate(diploma, reason="Too late", actor=None)
    assert str(refused.value.message) == "This contest is archived: nothing in it can change any more."
    assert diploma.revoked_at is None and count(AuditEvent) == 0


# Counting, listing, finding ------------------------------------------------------------------

def test_counts_are_per_kind_of_the_contests_valid_documents(published, open_contest):
    certificates = issue_all(published.contest)
    services.issue_documents(open_contest(status="results_published"), [planned(kind=WINNER)])
    services.revoke_certificate(certificates[("participation_certificate", "Бала Жасырын")], reason="x", actor=None)
    db.session.commit()
    assert services.certificate_counts(published.contest) == {
        "winner_diploma": 1, "participation_certificate": 2, "letter_of_thanks": 2}
    assert services.printable_count(published.contest) == 5
    assert services.printable_count(open_contest()) == 0
    assert services.certificate_counts(open_contest()) == {}


def test_an_account_lists_its_own_documents_newest_first(published):
    certificates = issue_all(published.contest)
    diploma = certificates[("winner_diploma", "Әлихан Бөкейхан")]
    participation = certificates[("participation_certificate", "Әлихан Бөкейхан")]
    participation.issued_at = diploma.issued_at + timedelta(days=1)
    db.session.commit()
    teacher = published.winner.participant.account
    assert services.account_certificates(teacher) == [participation, diploma]
    participation.issued_at = diploma.issued_at
    db.session.commit()
    assert services.account_certificates(teacher) == sorted([participation, diploma], key=lambda row: row.id)
    assert services.account_certificates(published.juror.user) == [certificates[("letter_of_thanks", "Мұхтар Әуезов")]]


def test_a_code_is_found_however_it_is_typed_and_a_malformed_one_finds_nothing(published):
    diploma = issue_all(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    typed = " " + diploma.code.lower().replace("-", " ") + " "
    assert services.find_by_code(typed) == diploma
    assert services.find_by_code("AAAA-AAAA-AAAA-AAAA") is None
    assert services.find_by_code("not a code") is None and services.find_by_code("") is None


def test_the_public_name_needs_the_documents_consent_and_the_participants_standing_one(published):
    certificates = issue_all(published.contest)
    second = certificates[("participation_certificate", "Ğalym Jūmabaiūly")]
    minor = certificates[("participation_certificate", "Бала Жасырын")]
    juror = certificates[("letter_of_thanks", "Мұхтар Әуезов")]
    assert services.public_name(second) == "Ğalym Jūmabaiūly" and services.public_name(juror) == "Мұхтар Әуезов"
    assert services.public_name(minor) is None  # issued while consent was withdrawn
    minor.name_public = True  # issued with consent, withdrawn since
    assert services.public_name(minor) is None
    juror.name_public = False
    assert services.public_name(juror) is None


# Printing ------------------------------------------------------------------------------------

def test_the_verification_link_uses_the_given_site_or_the_configured_one(app, published, monkeypatch):
    assert services.print_setup(published.contest, "https://konkurs.kz/").base_url == "https://konkurs.kz"
    monkeypatch.setitem(app.config, "SITE_URL", "https://site.kz/")
    assert services.print_setup(published.contest).base_url == "https://site.kz"
    monkeypatch.setitem(app.config, "SITE_URL", "")
    assert services.print_setup(published.contest).base_url == "http://localhost"
    assert services.print_setup(published.contest, "https://site.kz/APEX/").base_url == "https://site.kz/APEX"
    with app.test_request_context(base_url="https://library.kz/app/"):
        assert services.print_setup(published.contest).base_url == "https://library.kz/app"
    assert services.verification_url("https://k.kz", "AB") == "https://k.kz/verify/AB"


def test_a_document_prints_its_row_and_the_contests_settings_in_the_holders_language(published):
    contest = published.contest
    contest.title_ru, contest.dedication_ru = "Чтения", "Посвящается Абаю"
    texts = {kind.value: {language: services.default_text(kind, language) for language in services.LANGUAGES}
             for kind in DocumentKind}
    texts["winner_diploma"]["ru"] = "{name}|{contest}|{dedication}|{place}|{award}|{category}|{date}"
    logo = b"\x89PNG"
    settings = services.settings_for(contest)
    settings.texts, settings.frame_style, settings.logo = texts, "modern", logo
    db.session.add(settings)
    diploma = issue_all(contest)[("winner_diploma", "Әлихан Бөкейхан")]
    diploma.language, diploma.place, diploma.place_shared, diploma.award_name = "ru", 2, True, "Второе место"
    diploma.category_name, diploma.issued_at = "Старшие", NEW_YEAR_IN_ALMATY
    db.session.commit()
    document = services.document_for(diploma, services.print_setup(contest, "https://k.kz"))
    assert document.body == ("Әлихан Бөкейхан|Чтения|Посвящается Абаю|2|Второе место (совместно)|Старшие|"
                             "1 января 2027 г.")
    assert (document.kind, document.language, document.holder_name, document.contest_title, document.dedication,
            document.award, document.category, document.date, document.verification_code,
            document.verification_url, document.logo, document.frame_style) == (
        WINNER, "ru", "Әлихан Бөкейхан", "Чтения", "Посвящается Абаю", "Второе место (совместно)", "Старшие",
        date(2027, 1, 1), diploma.code, f"https://k.kz/verify/{diploma.code}", logo, "modern")


def test_the_print_setup_carries_each_signatorys_name_title_and_signature(published):
    settings = services.settings_for(published.contest)
    settings.signatories = [CertificateSignatory(position=0, name="Gulnar", title="Director", signature=b"sig")]
    db.session.add(settings)
    db.session.commit()
    setup = services.print_setup(published.contest, "https://k.kz")
    assert setup.signatories == (Signatory("Gulnar", "Director", b"sig"),)


def test_a_document_without_a_place_prints_none(published):
    letter = issue_all(published.contest)[("letter_of_thanks", "Мұхтар Әуезов")]
    letter.language = "en"
    setup = services.print_setup(published.contest, "https://k.kz")
    setup.texts[(THANKS, "en")] = "[{place}][{award}]"
    assert services.document_for(letter, setup).body == "[][]"


def test_a_batch_reads_each_text_once(published):
    setup = services.print_setup(published.contest, "https://k.kz")
    first = setup.text(WINNER, "en")
    setup.settings.texts = {"winner_diploma": {"en": "Changed {name}"}}
    assert setup.text(WINNER, "en") == first == "is awarded for a high result in the contest."
    assert setup.text(THANKS, "en") == "Thanks are expressed for the contribution to holding the contest."


@pytest.mark.parametrize(("kind", "place", "award"), [(WINNER, "1", "Grand Prix"), (PARTICIPANT, "", ""),
                                                      (THANKS, "", "")])
def test_the_preview_prints_made_up_data_dated_by_almatys_calendar(published, monkeypatch, kind, place, award):
    monkeypatch.setattr(services, "utcnow", lambda: NEW_YEAR_IN_ALMATY)
    setup = services.print_setup(published.contest, "https://k.kz")
    setup.texts[(kind, "en")] = "{name}|{place}|{award}|{category}|{date}"
    document = services.sample_document(published.contest, setup, kind, "en")
    assert document.body == f"Ğalym Jūmabaiūly|{place}|{award}|Sample category|1 January 2027"
    assert document.contest_title == "Abai Readings contest"
    assert (document.verification_code, document.date, document.kind) == ("SAMP-LESA-MPLE-SAMP", date(2027, 1, 1),
                                                                          kind)
    assert count() == 0  # nobody's real document


def test_the_kazakh_preview_names_a_kazakh_sample_holder(published):
    setup = services.print_setup(published.contest, "https://k.kz")
    document = services.sample_document(published.contest, setup, WINNER, "kk")
    assert document.holder_name == "Әлихан Бөкейхан" and document.award != "Grand Prix"
    assert document.category not in {"", "Sample category"}


def test_documents_are_printed_in_batches_in_issue_order_reading_before_printing(published, open_contest):
    issued = sorted(issue_all(published.contest).values(), key=lambda row: row.id)
    services.issue_documents(open_contest(status="results_published"), [planned()])
    services.revoke_certificate(issued[1], reason="x", actor=None)
    db.session.commit()
    events: list = []
    setup = services.print_setup(published.contest, "https://k.kz")
    for document in services.printable_documents(published.contest, setup, 2,
                                                 after_read=lambda: events.append("read"),
                                                 after_batch=lambda size: events.append(size)):
        events.append(document.verification_code)
    codes = [row.code for row in issued]
    assert events == ["read", codes[0], codes[2], 2, "read", codes[3], codes[4], 2, "read", codes[5], 1]


# Telling holders -----------------------------------------------------------------------------

def test_each_active_account_is_told_once_in_its_language(published, mailbox, open_contest):
    certificates = issue_all(published.contest)
    other = services.issue_documents(open_contest(status="results_published"),
                                     [planned(account_id=published.second.participant.account_id)])
    services.revoke_certificate(certificates[("participation_certificate", "Бала Жасырын")], reason="x", actor=None)
    published.winner.participant.account.is_active = False  # the teacher's account: its documents come first
    db.session.commit()
    assert services.notify_holders(published.contest, link="https://k.kz/my/certificates") == 2
    db.session.commit()
    assert sorted(message["To"] for message in mailbox) == ["galym@example.kz", "juror@example.kz"]
    english = next(message for message in mailbox if message["To"] == "galym@example.kz")
    body = mail_body(english)
    assert english["Subject"] == "Your certificates are ready"
    assert body.startswith("Hello, Galym!\r\n")
    assert "Contest: Abai Readings contest" in body and "- Ğalym Jūmabaiūly\r\n" in body
    assert "https://k.kz/my/certificates" in body and "Ann Lee" not in body  # the other contest's document
    russian = next(message for message in mailbox if message["To"] == "juror@example.kz")
    assert russian["Subject"] != "Your certificates are ready" and "Конкурс «Абай оқулары»" in mail_body(russian)
    notified = {row.holder_name: row.notified_at is not None
                for row in certificates.values() if row.kind != "winner_diploma"}
    # the inactive teacher's documents count as told; the revoked one and the unowned letter do not
    assert notified == {"Әлихан Бөкейхан": True, "Ğalym Jūmabaiūly": True, "Бала Жасырын": False,
                        "Гүлнар Әбілқызы": False, "Мұхтар Әуезов": True}
    assert other[0].notified_at is None
    mailbox.clear()
    assert services.notify_holders(published.contest, link="https://k.kz") == 0
    db.session.commit()
    assert mailbox == []


def test_an_account_with_several_documents_gets_one_message_listing_each_name_once(published, mailbox, make_participant,
                                                                                     make_registration):
    teacher = published.winner.participant.account
    make_registration(published.contest, status="approved",
                      participant=make_participant(account=teacher, surname="Аймауытов", given_name="Жүсіпбек"))
    issue_all(published.contest)
    services.notify_holders(published.contest, link="https://k.kz")
    db.session.commit()
    [message] = [message for message in mailbox if message["To"] == "teacher@example.kz"]
    body = mail_body(message)
    assert body.index("- Жүсіпбек Аймауытов") < body.index("- Әлихан Бөкейхан")
    assert body.count("- Әлихан Бөкейхан") == 1
