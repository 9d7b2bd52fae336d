"""A document states the award once: the tier's name, "(ортақ)" for a shared place, never a place
number beside it; the diploma, the verification page and both certificate lists agree. File names
keep every letter; the job page says it is done when it is."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

import pytest
from sqlalchemy import select

from contest.certificates import jobs, services
from contest.certificates.models import Certificate, CertificateJob
from contest.extensions import db
from tests.certificates.test_pdf import page_texts

KK = {"Accept-Language": "kk"}


def issue_all(contest) -> Certificate:
    services.issue_documents(contest, services.planned_documents(contest))
    db.session.commit()
    return db.session.scalar(select(Certificate).where(Certificate.kind == "winner_diploma"))


@pytest.fixture
def shared_second(published, awards_source):
    """Әлихан shares the second place with another entry: II орын, ex aequo."""
    awards_source[published.contest.id] = [(published.winner.id, 2, "II орын", "", True)]
    return issue_all(published.contest)


def test_diploma_prints_the_award_once_and_a_shared_place_in_words(shared_second):
    setup = services.print_setup(shared_second.contest)
    from contest.certificates.pdf import render

    text = page_texts(render(services.document_for(shared_second, setup)))[0]
    lines = [line.strip() for line in text.splitlines()]
    assert "II орын (ортақ)" in lines
    assert "2-орын" not in text and "·" not in text


@pytest.mark.parametrize(("language", "award"), [("ru", "Диплом II степени (совместно)"),
                                                  ("en", "Second place (shared)")])
def test_the_wording_follows_the_holders_language(shared_second, language, award):
    from contest.certificates.pdf import render

    shared_second.language = language
    shared_second.award_name = award.rsplit(" (", 1)[0]
    text = page_texts(render(services.document_for(shared_second, services.print_setup(shared_second.contest))))[0]
    assert award in [line.strip() for line in text.splitlines()]


def test_verification_page_and_both_lists_state_the_award_the_same_way(shared_second, published, client,
                                                                        login_as):
    verify = client.get(f"/verify/{shared_second.code}", headers=KK).get_data(as_text=True)
    assert "II орын (ортақ)" in verify and "2-орын" not in verify
    login_as(user=published.winner.participant.account)
    mine = client.get("/my/certificates", headers=KK).get_data(as_text=True)
    assert "II орын (ортақ)" in mine
    login_as("organiser")
    listed = client.get(f"/manage/contests/{shared_second.contest_id}/certificates", headers=KK).get_data(as_text=True)
    assert "II орын (ортақ)" in listed


def test_an_award_held_alone_has_no_shared_mark(published, client):
    diploma = issue_all(published.contest)  # the fixture's Grand Prix, place 1, not shared
    verify = client.get(f"/verify/{diploma.code}", headers=KK).get_data(as_text=True)
    assert "Бас жүлде" in verify and "ортақ" not in verify and "1-орын" not in verify


def test_a_certificate_download_keeps_the_holders_letters_in_its_name(published, client, login_as):
    diploma = issue_all(published.contest)
    login_as("organiser")
    response = client.get(f"/manage/contests/{published.contest.id}/certificates/{diploma.id}/pdf")
    disposition = response.headers["Content-Disposition"]
    assert f"filename*=UTF-8''{quote(f'Әлихан Бөкейхан {diploma.code}.pdf')}" in disposition
    assert f'filename="{diploma.code}.pdf"' in disposition  # for clients that ignore filename*
    assert disposition.encode("latin-1")  # the header itself stays ASCII


def test_job_page_says_done_when_done_also_on_reload(app, client, login_as, published):
    login_as("organiser")
    contest_id = published.contest.id
    client.post_form(f"/manage/contests/{contest_id}/certificates/issue", {"output_format": "zip"})
    jobs.wait_for_threads(app)
    job = db.session.scalar(select(CertificateJob))
    url = f"/manage/contests/{contest_id}/certificates/jobs/{job.id}"
    for _reload in range(2):
        page = client.get(url, headers=KK).get_data(as_text=True)
        assert "<h1 data-progress-heading>Сертификаттар дайын</h1>" in page
        assert "Сертификаттар жасалуда" not in page
        assert 'value="100"' in page and "Дайын: 6 құжат." in page
    progress = client.get(f"{url}/progress.json", headers=KK).get_json()
    assert progress["heading"] == "Сертификаттар дайын"
    names = zipfile.ZipFile(io.BytesIO(client.get(f"{url}/download").data)).namelist()
    assert any(name.startswith("Әлихан Бөкейхан ") for name in names)
