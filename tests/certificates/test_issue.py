"""Issuing: who gets which document, idempotent regeneration, a job resumed after a crash, revoke."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from contest import queues
from contest.audit.models import AuditEvent
from contest.certificates import jobs, services
from contest.certificates.models import Certificate, CertificateJob
from contest.certificates.pdf import DocumentKind, render
from contest.errors import ServiceError
from contest.extensions import db
from tests.certificates.test_pdf import decoded_qr_codes, page_texts
from tests.conftest import is_stored, mail_body, redis_url, stored_bytes


def issue_all(contest):
    certificates = services.issue_documents(contest, services.planned_documents(contest))
    db.session.commit()
    return certificates


def by_holder(contest) -> dict[tuple[str, str], Certificate]:
    rows = db.session.scalars(select(Certificate).where(Certificate.contest_id == contest.id))
    return {(row.kind, row.holder_name): row for row in rows}


def test_plan_covers_winners_participants_teachers_and_jurors(published):
    plan = services.planned_documents(published.contest)
    summary = sorted((item.kind.value, item.holder_name, item.language) for item in plan)
    assert summary == sorted([
        ("winner_diploma", "Әлихан Бөкейхан", "kk"),
        ("participation_certificate", "Әлихан Бөкейхан", "kk"),
        ("participation_certificate", "Ğalym Jūmabaiūly", "en"),
        ("participation_certificate", "Бала Жасырын", "kk"),
        # the same teacher typed twice with other case and spacing is one letter
        ("letter_of_thanks", "Гүлнар Әбілқызы", "kk"),
        ("letter_of_thanks", "Мұхтар Әуезов", "ru"),
    ])  # the rejected registration gets nothing


def test_regeneration_keeps_codes_and_issues_nothing_twice(published):
    first = {key: row.code for key, row in by_holder(published.contest).items()} or None
    assert first is None
    issue_all(published.contest)
    codes = {key: row.code for key, row in by_holder(published.contest).items()}
    assert len(codes) == 6 and len(set(codes.values())) == 6
    issue_all(published.contest)
    assert {key: row.code for key, row in by_holder(published.contest).items()} == codes
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 6


def test_nothing_is_issued_before_results_are_published(published):
    published.contest.status = "judging"
    with pytest.raises(ServiceError, match="results are published"):
        jobs.start_job(published.contest, "zip", site_url="http://x", actor=None)
    assert db.session.scalar(select(func.count()).select_from(CertificateJob)) == 0


def output_of(job: CertificateJob) -> bytes:
    return stored_bytes(jobs.OUTPUT_AREA, job.file_name)


def run_new_job(contest, output_format="zip") -> CertificateJob:
    job = CertificateJob(contest_id=contest.id, output_format=output_format, site_url="https://konkurs.kz")
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_that_dies_while_issuing_resumes_without_duplicates(published, monkeypatch):
    monkeypatch.setattr(jobs, "ISSUE_CHUNK", 2)
    real_issue = services.issue_documents
    calls = []

    def crash_on_the_second_chunk(contest, planned):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real_issue(contest, planned)

    monkeypatch.setattr(services, "issue_documents", crash_on_the_second_chunk)
    job = run_new_job(published.contest)
    with pytest.raises(RuntimeError):
        jobs.run_job(job.id)
    db.session.expire_all()
    assert job.status == "failed" and jobs.can_resume(job)
    before = {key: row.code for key, row in by_holder(published.contest).items()}
    assert len(before) == 2  # the first chunk was committed

    jobs.run_job(job.id)  # the organiser pressed "Resume"
    db.session.expire_all()
    after = {key: row.code for key, row in by_holder(published.contest).items()}
    assert job.status == "done" and job.attempts == 2
    assert len(after) == 6 and all(after[key] == code for key, code in before.items())
    archive = zipfile.ZipFile(io.BytesIO(output_of(job)))
    assert len(archive.namelist()) == 6


def test_a_job_that_dies_while_rendering_resumes_and_keeps_codes(published, monkeypatch):
    real_document_for = services.document_for
    rendered = []

    def crash_midway(row, setup):
        rendered.append(row.id)
        if len(rendered) == 3:
            raise MemoryError("out of memory")
        return real_document_for(row, setup)

    monkeypatch.setattr(services, "document_for", crash_midway)
    job = run_new_job(published.contest, "pdf")
    with pytest.raises(MemoryError):
        jobs.run_job(job.id)
    codes = {key: row.code for key, row in by_holder(published.contest).items()}
    assert len(codes) == 6

    jobs.run_job(job.id)
    db.session.expire_all()
    assert job.status == "done" and job.percent == 100
    assert {key: row.code for key, row in by_holder(published.contest).items()} == codes
    pages = page_texts(output_of(job))
    assert len(pages) == 6


def test_a_job_run_again_replaces_its_file_and_the_old_one_leaves_the_store(published, file_store):
    job = run_new_job(published.contest, "pdf")
    jobs.run_job(job.id)
    first = job.file_name
    job.status = "failed"
    db.session.commit()
    jobs.run_job(job.id)
    db.session.expire_all()
    assert job.status == "done" and job.file_name != first and first.endswith(".pdf")
    assert not is_stored(jobs.OUTPUT_AREA, first) and len(page_texts(output_of(job))) == 6


def test_a_worker_that_vanished_is_shown_as_stale_and_can_be_resumed(published):
    job = run_new_job(published.contest)
    job.status = "running"
    job.heartbeat_at = job.created_at - timedelta(minutes=10)
    db.session.commit()
    assert jobs.is_stale(job) and jobs.active_job(published.contest) is None
    jobs.resume_job(job, actor=None)
    assert job.status == "queued"


def test_issued_documents_print_the_names_and_a_qr_code_to_verify(published):
    job = run_new_job(published.contest)
    jobs.run_job(job.id)
    archive = zipfile.ZipFile(io.BytesIO(output_of(job)))
    texts = {name: page_texts(archive.read(name))[0] for name in archive.namelist()}
    joined = "\n".join(texts.values())
    assert "Әлихан Бөкейхан" in joined and "Ğalym Jūmabaiūly" in joined
    diploma = by_holder(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    name = next(name for name in texts if diploma.code in name)
    assert "ДИПЛОМ" in texts[name] and "Бас жүлде" in texts[name] and "орын" not in texts[name]
    assert "«Абай оқулары» байқауы" in texts[name]
    assert decoded_qr_codes(archive.read(name)) == [f"https://konkurs.kz/verify/{diploma.code}"]


def test_finished_job_emails_each_account_once(published, mailbox):
    job = run_new_job(published.contest)
    jobs.run_job(job.id)
    recipients = sorted(message["To"] for message in mailbox)
    # the teacher's account: two documents of its pupil and its own letter; one email
    assert recipients == sorted(["galym@example.kz", "juror@example.kz", "teacher@example.kz",
                                 published.minor.participant.account.email])
    english = next(message for message in mailbox if message["To"] == "galym@example.kz")
    assert "Ğalym Jūmabaiūly" in mail_body(english) and "https://konkurs.kz/my/certificates" in mail_body(english)
    mailbox.clear()
    second = run_new_job(published.contest)
    jobs.run_job(second.id)
    assert mailbox == []  # nothing new: nobody is told twice


def test_revoke_needs_a_reason_and_is_audited(published, make_user):
    issue_all(published.contest)
    certificate = by_holder(published.contest)[("participation_certificate", "Ğalym Jūmabaiūly")]
    organiser = make_user(role="organiser")
    with pytest.raises(ServiceError, match="why"):
        services.revoke_certificate(certificate, reason="  ", actor=organiser)
    services.revoke_certificate(certificate, reason="Entry was plagiarised", actor=organiser)
    db.session.commit()
    assert certificate.is_revoked
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificates.revoked"))
    assert event.data["reason"] == "Entry was plagiarised" and event.actor_id == organiser.id
    with pytest.raises(ServiceError, match="already revoked"):
        services.revoke_certificate(certificate, reason="again", actor=organiser)
    issue_all(published.contest)  # regeneration neither un-revokes nor replaces it
    assert by_holder(published.contest)[("participation_certificate", "Ğalym Jūmabaiūly")].is_revoked


def test_markup_and_control_characters_in_a_name_print_literally(published, client):
    participant = published.second.participant
    participant.given_name = "<b>Ann</b>\x1b\u202e"
    participant.surname = "&amp; Lee"
    db.session.commit()
    issue_all(published.contest)
    certificate = by_holder(published.contest)[("participation_certificate", "<b>Ann</b> &amp; Lee")]
    setup = services.print_setup(published.contest, "https://konkurs.kz")
    text = page_texts(render(services.document_for(certificate, setup)))[0]
    assert "<b>Ann</b> &amp; Lee" in text and "\x1b" not in text
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp;amp; Lee" in page  # shown as text on the page too


# Settings ------------------------------------------------------------------------------------

def default_texts() -> dict:
    return {kind.value: {language: services.default_text(kind, language) for language in services.LANGUAGES}
            for kind in DocumentKind}


@pytest.mark.parametrize(("text", "message"), [
    ("", "cannot be empty"),
    ("x" * 801, "too long"),
    ("Dear {nmae}", "Unknown placeholder {nmae}"),
    ("Dear {name.__class__}", "Unknown placeholder"),
    ("Dear {name:>99999}", "Unknown placeholder"),
    ("Dear {name", "curly brace"),
])
def test_bad_template_texts_are_refused_and_nothing_saved(published, text, message):
    texts = default_texts()
    texts["winner_diploma"]["ru"] = text
    with pytest.raises(ServiceError, match=message) as refused:
        services.save_settings(published.contest, frame_style="classic", texts=texts, signatories=[], actor=None)
    assert refused.value.field == "text_winner_diploma_ru"
    db.session.rollback()
    assert services.settings_for(published.contest).texts == {}


def test_an_image_that_is_not_an_image_is_refused(published):
    with pytest.raises(ServiceError, match="not an image") as refused:
        services.save_settings(published.contest, frame_style="classic", texts=default_texts(),
                               signatories=[services.SignatoryInput("A", "B", b"<svg/>")], actor=None)
    assert refused.value.field == "signatory1_image"


def test_placeholders_are_filled_in_the_holders_language(published):
    texts = default_texts()
    texts["winner_diploma"]["kk"] = "{name} — {award}, {place}-орын, {category}. {date}"
    services.save_settings(published.contest, frame_style="modern", texts=texts,
                           signatories=[services.SignatoryInput("Гүлнар Сейітова", "Директор")], actor=None)
    issue_all(published.contest)
    diploma = by_holder(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    document = services.document_for(diploma, services.print_setup(published.contest, "https://k.kz"))
    assert document.body.startswith("Әлихан Бөкейхан — Бас жүлде, 1-орын, ")
    assert document.frame_style == "modern" and document.signatories[0].name == "Гүлнар Сейітова"
    text = page_texts(render(document))[0]
    assert "Гүлнар Сейітова" in text


def test_pdf_of_one_document_embeds_its_font(published):
    issue_all(published.contest)
    certificate = by_holder(published.contest)[("letter_of_thanks", "Мұхтар Әуезов")]
    data = render(services.document_for(certificate, services.print_setup(published.contest, "https://k.kz")))
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    assert any("DejaVu" in str(font.get_object()["/BaseFont"]) for font in fonts.values())
    assert "БЛАГОДАРСТВЕННОЕ ПИСЬМО" in page_texts(data)[0]


def test_with_redis_the_job_goes_to_an_rq_worker(app, published, monkeypatch):
    redis = pytest.importorskip("redis")
    from rq import Queue, SimpleWorker

    url = redis_url()
    try:
        connection = redis.Redis.from_url(url)
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    name = f"certificates-test-{uuid.uuid4().hex}"  # parallel test runs must not take each other's jobs
    queue = Queue(name, connection=connection)
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "CERTIFICATE_QUEUE", name)
    monkeypatch.setattr(queues, "_worker_app", app)  # the worker process would build its own app

    job = jobs.start_job(published.contest, "pdf", site_url="https://konkurs.kz", actor=None)
    assert queue.count == 0
    db.session.commit()  # handed to the queue only now (and no read left open: SQLite would block the worker)
    assert queue.count == 1
    SimpleWorker([queue], connection=connection).work(burst=True)
    db.session.expire_all()
    assert job.status == "done" and len(page_texts(output_of(job))) == 6
    queue.delete(delete_jobs=True)
