"""The certificate pages: organisers issue and revoke, participants download their own, anyone verifies."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from sqlalchemy import func, select

from contest.certificates import jobs, services
from contest.certificates.models import Certificate, CertificateJob, CertificateSettings
from contest.certificates.pdf import DocumentKind
from contest.extensions import db
from tests.certificates.test_pdf import page_texts


def issue_all(contest) -> dict[tuple[str, str], Certificate]:
    services.issue_documents(contest, services.planned_documents(contest))
    db.session.commit()
    return {(row.kind, row.holder_name): row for row in db.session.scalars(select(Certificate))}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def settings_data(**overrides) -> dict:
    data = {"frame_style": "classic"}
    for kind in DocumentKind:
        for language in services.LANGUAGES:
            data[f"text_{kind.value}_{language}"] = services.default_text(kind, language)
    data.update(overrides)
    return data


# Organisers ----------------------------------------------------------------------------------

def test_organiser_issues_everything_in_the_background_and_downloads_the_zip(app, client, login_as, published,
                                                                             file_store):
    login_as("organiser")
    contest_id = published.contest.id
    page = client.get(f"/manage/contests/{contest_id}/certificates")
    assert page.status_code == 200 and "Issue all documents" in page.get_data(as_text=True)

    response = client.post_form(f"/manage/contests/{contest_id}/certificates/issue", {"output_format": "zip"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    jobs.wait_for_threads(app)
    job = db.session.scalar(select(CertificateJob))
    progress = client.get(f"/manage/contests/{contest_id}/certificates/jobs/{job.id}/progress.json").get_json()
    assert progress["done"] and progress["percent"] == 100 and progress["total"] == 6

    download = client.get(f"/manage/contests/{contest_id}/certificates/jobs/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"] == f"attachment; filename=certificates-{published.contest.slug}.zip"
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert len(names) == 6
    job_page = client.get(f"/manage/contests/{contest_id}/certificates/jobs/{job.id}").get_data(as_text=True)
    assert "Download the documents" in job_page and "Ready: 6 documents." in job_page


def test_issuing_before_results_are_published_is_refused(client, login_as, published):
    published.contest.status = "judging"
    db.session.commit()
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{published.contest.id}/certificates/issue",
                                {"output_format": "zip"}, follow_redirects=True)
    assert "issued once the contest&#39;s results are published" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CertificateJob)) == 0


def test_settings_refuse_an_unknown_placeholder_with_a_clear_message(client, login_as, published):
    login_as("organiser")
    url = f"/manage/contests/{published.contest.id}/certificates/settings"
    response = client.post_form(url, settings_data(text_participation_certificate_kk="{name} {школа}"))
    assert response.status_code == 422
    assert "Unknown placeholder {школа}" in response.get_data(as_text=True)
    assert db.session.get(CertificateSettings, published.contest.id) is None


def test_settings_refuse_a_signature_that_is_not_an_image(client, login_as, published):
    login_as("organiser")
    url = f"/manage/contests/{published.contest.id}/certificates/settings"
    data = settings_data(signatory1_name="Гүлнар Сейітова", signatory1_title="Директор",
                         signatory1_image=(io.BytesIO(b"%PDF-1.4 not an image"), "signature.png"))
    response = client.post_form(url, data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "This file is not an image" in response.get_data(as_text=True)
    assert db.session.get(CertificateSettings, published.contest.id) is None


def test_settings_are_saved_and_the_preview_uses_them(client, login_as, published):
    login_as("organiser")
    url = f"/manage/contests/{published.contest.id}/certificates/settings"
    data = settings_data(text_winner_diploma_en="Congratulations, {name}: {award}!", frame_style="modern",
                         signatory1_name="Gulnar Seiitova", signatory1_title="Director",
                         signatory1_image=(io.BytesIO(png_bytes()), "signature.png"),
                         logo=(io.BytesIO(png_bytes()), "logo.png"))
    response = client.post_form(url, data, content_type="multipart/form-data")
    assert response.status_code == 302
    settings = db.session.get(CertificateSettings, published.contest.id)
    assert settings.frame_style == "modern" and settings.logo and settings.signatories[0].signature

    preview = client.get(f"/manage/contests/{published.contest.id}/certificates/preview/winner_diploma/en.pdf")
    assert preview.mimetype == "application/pdf"
    text = page_texts(preview.data)[0]
    assert "Congratulations, Ğalym Jūmabaiūly: Grand Prix!" in text and "Gulnar Seiitova" in text


def test_preview_is_for_organisers_only(client, login_as, published):
    login_as("participant")
    assert client.get(f"/manage/contests/{published.contest.id}/certificates/preview/winner_diploma/kk.pdf"
                      ).status_code == 403


def test_organiser_revokes_with_a_reason(client, login_as, published):
    certificate = issue_all(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    login_as("organiser")
    url = f"/manage/contests/{published.contest.id}/certificates/{certificate.id}/revoke"
    response = client.post_form(url, {"reason": ""})
    assert response.status_code == 422 and "Write why the document is revoked." in response.get_data(as_text=True)
    assert not certificate.is_revoked
    response = client.post_form(url, {"reason": "Wrong category"}, follow_redirects=True)
    assert f"The document {certificate.code} is revoked." in response.get_data(as_text=True)
    assert certificate.is_revoked and certificate.revoke_reason == "Wrong category"


# Participants --------------------------------------------------------------------------------

def test_participant_downloads_only_their_own_certificates(client, login_as, published):
    issued = issue_all(published.contest)
    teacher = published.winner.participant.account
    login_as(user=teacher)
    page = client.get("/my/certificates").get_data(as_text=True)
    assert "Әлихан Бөкейхан" in page and "Гүлнар Әбілқызы" in page and "Ğalym" not in page
    diploma = issued[("winner_diploma", "Әлихан Бөкейхан")]
    response = client.get(f"/my/certificates/{diploma.id}/pdf")
    assert response.mimetype == "application/pdf"
    assert "Әлихан Бөкейхан" in page_texts(response.data)[0]

    others = issued[("participation_certificate", "Ğalym Jūmabaiūly")]
    assert client.get(f"/my/certificates/{others.id}/pdf").status_code == 404
    assert client.get("/my/certificates/999999/pdf").status_code == 404


def test_dashboard_links_to_the_certificates(client, login_as):
    login_as("participant")
    assert "/my/certificates" in client.get("/my").get_data(as_text=True)


def test_my_certificates_page_runs_a_fixed_number_of_queries(client, login_as, published, count_queries):
    issue_all(published.contest)
    login_as(user=published.winner.participant.account)
    with count_queries() as few:
        client.get("/my/certificates")
    for registration in (published.second, published.minor):
        registration.participant.account_id = published.winner.participant.account_id
    db.session.commit()
    issue_all(published.contest)
    with count_queries() as more:
        client.get("/my/certificates")
    assert more.count == few.count


# Verification --------------------------------------------------------------------------------

def test_verification_shows_a_valid_document(client, published):
    diploma = issue_all(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    page = client.get(f"/verify/{diploma.code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This document is valid" in text and "Әлихан Бөкейхан" in text and "Бас жүлде" in text
    assert "Abai Readings contest" in text or "«Абай оқулары» байқауы" in text


def test_a_typed_code_in_any_case_with_spaces_is_found(client, published):
    diploma = issue_all(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    typed = diploma.code.lower().replace("-", " ")
    page = client.get("/verify", query_string={"code": typed})
    assert page.status_code == 200 and "This document is valid" in page.get_data(as_text=True)


def test_verification_shows_a_revoked_document(client, published):
    certificate = issue_all(published.contest)[("participation_certificate", "Ğalym Jūmabaiūly")]
    services.revoke_certificate(certificate, reason="Plagiarism", actor=None)
    db.session.commit()
    text = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This document has been revoked" in text and "Plagiarism" not in text


def test_holder_name_is_hidden_without_consent(client, published):
    certificate = issue_all(published.contest)[("participation_certificate", "Бала Жасырын")]
    text = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This document is valid" in text and "Бала Жасырын" not in text
    assert "Not shown publicly" in text


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC-DDDD", "not-a-code", "<script>", "x" * 500])
def test_unknown_and_malformed_codes_get_the_same_answer(client, published, code):
    issue_all(published.contest)
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "No document with this code was found." in response.get_data(as_text=True)


def test_lookups_are_rate_limited(app, client, published, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_VERIFY_LIMIT", 5)
    for _ in range(5):
        assert client.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 404
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 429
    assert client.get("/verify", query_string={"code": "AAAA"}).status_code == 429
    assert client.get("/verify").status_code == 200  # the empty form itself is no lookup


def test_verify_form_page_is_public(client):
    page = client.get("/verify")
    assert page.status_code == 200 and "Verification code" in page.get_data(as_text=True)


def test_organiser_page_and_verification_run_a_fixed_number_of_queries(client, login_as, published,
                                                                       make_registration, count_queries):
    issued = issue_all(published.contest)
    code = issued[("winner_diploma", "Әлихан Бөкейхан")].code
    login_as("organiser")
    url = f"/manage/contests/{published.contest.id}/certificates"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    with count_queries() as verify_few:
        client.get(f"/verify/{code}")
    for _ in range(5):
        make_registration(published.contest, status="approved")
    issue_all(published.contest)
    with count_queries() as more:
        client.get(url)
    with count_queries() as verify_more:
        client.get(f"/verify/{code}")
    assert more.count == few.count and verify_more.count == verify_few.count
