"""A certificate job writes (issues, counts its progress, records its end) while participants
send their forms and the organiser watches the progress: on PostgreSQL and on the embedded
SQLite file, nobody gets "database is locked", the job ends done, and the progress counts
documents as the organiser reads them."""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile

import pytest
from sqlalchemy import func, select

from contest import sqlite
from contest.certificates import jobs, services
from contest.certificates.models import CertificateJob
from contest.extensions import db
from contest.registration.models import Participant
from tests.certificates.test_issue import output_of
from tests.certificates.test_pdf import page_texts

PEOPLE, FORMS_EACH, MORE_ENTRIES = 6, 3, 24
COUNTED = re.compile(r"(\d+) of (\d+) documents")


def adult(number: int) -> dict:
    return {"surname": f"Сейітова {number}", "given_name": "Әсел", "patronymic": "", "birth_date": "1990-05-17",
            "school": "", "grade": "", "district": "Алмалы", "teacher": "", "phone": "+7 701 111 22 33"}


def test_participants_send_forms_while_a_job_writes_and_everyone_is_answered(
        app, published, make_registration, make_user, signed_in_browser):
    for _ in range(MORE_ENTRIES):
        make_registration(published.contest, status="approved")
    contest_id = published.contest.id
    browsers = [signed_in_browser(make_user()) for _ in range(PEOPLE)]
    organiser = signed_in_browser(make_user(role="organiser"))
    job = jobs.start_job(published.contest, "pdf", site_url="https://konkurs.kz", actor=None)
    job_url = f"/manage/contests/{contest_id}/certificates/jobs/{job.id}"
    start = threading.Barrier(PEOPLE + 1)
    answers: list[int | str] = []
    seen: list[str] = []

    def send_forms(browser) -> None:
        with app.app_context():
            start.wait()
            for number in range(FORMS_EACH):
                try:
                    response = browser.post("/my/participants/new", data=adult(number) | {"csrf_token": browser.token})
                    answers.append(response.status_code)
                except Exception as error:  # noqa: BLE001 (the server would answer 500)
                    answers.append(f"500: {error}")

    def watch_progress() -> None:
        with app.app_context():
            start.wait()
            for _ in range(600):  # at most a minute
                progress = organiser.get(f"{job_url}/progress.json", headers={"Accept-Language": "en"}).get_json()
                seen.append(progress["message"])
                if progress["done"] or progress["status"] == "failed":
                    return
                time.sleep(0.1)

    threads = [threading.Thread(target=send_forms, args=(browser,)) for browser in browsers]
    threads.append(threading.Thread(target=watch_progress))
    db.session.commit()  # the job starts now, in a thread of its own; the requests right after
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    jobs.wait_for_threads(app)

    assert answers == [302] * (PEOPLE * FORMS_EACH)
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 4 + MORE_ENTRIES + PEOPLE * FORMS_EACH
    db.session.expire_all()
    job = db.session.get(CertificateJob, job.id)
    assert (job.status, job.error) == ("done", "")
    documents = len(page_texts(output_of(job)))
    assert documents == job.total > MORE_ENTRIES
    for message in seen:  # never more done than there are documents
        counted = COUNTED.search(message)
        assert counted is None or int(counted.group(1)) <= int(counted.group(2)) == documents, message
    assert seen[-1] == f"Ready: {documents} documents."


@pytest.fixture
def short_sqlite_wait(db):
    """On SQLite, writers wait only 0.2 s for the lock here (instead of 15), so a lock held for
    a second outlasts one wait, as a long write transaction can outlast the real one."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    patient = sqlite.BUSY_TIMEOUT_MS
    sqlite.BUSY_TIMEOUT_MS = 200
    db.engine.dispose()  # connections are set up anew, with the short wait
    yield
    sqlite.BUSY_TIMEOUT_MS = patient
    db.engine.dispose()


def test_a_job_failing_while_the_database_is_busy_still_says_it_failed_and_keeps_its_file(
        app, published, monkeypatch, short_sqlite_wait, client, login_as):
    monkeypatch.setattr(jobs, "FAILURE_WRITE_PAUSE", 0.3)
    job = jobs.start_job(published.contest, "zip", site_url="https://konkurs.kz", actor=None)
    monkeypatch.setattr(jobs, "dispatch", lambda app, job_id: None)  # run below, in this thread
    db.session.commit()
    job_id = job.id
    holding = threading.Event()

    def hold_the_job_row() -> None:
        with app.app_context(), db.engine.connect() as other:
            # Another writer: on SQLite its transaction holds the write lock, on PostgreSQL the row.
            other.execute(select(CertificateJob.id).where(CertificateJob.id == job_id).with_for_update())
            holding.set()
            time.sleep(1)
            other.rollback()

    def mail_server_down(contest, *, link):
        db.session.rollback()  # what the job read here is let go, so that the other writer gets in
        threading.Thread(target=hold_the_job_row).start()
        assert holding.wait(timeout=10)
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr(services, "notify_holders", mail_server_down)
    with pytest.raises(ConnectionRefusedError):
        jobs.run_job(job_id)

    db.session.expire_all()
    job = db.session.get(CertificateJob, job_id)
    assert job.status == "failed" and "the mail server is down" in job.error
    login_as("organiser")
    url = f"/manage/contests/{published.contest.id}/certificates/jobs/{job_id}"
    page = client.get(url).get_data(as_text=True)
    assert "The generation was interrupted" in page and "Resume the generation" in page
    # The documents were printed before the mail failed: the file is kept.
    assert len(zipfile.ZipFile(io.BytesIO(output_of(job))).namelist()) == 6
