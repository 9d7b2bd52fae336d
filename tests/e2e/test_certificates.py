"""The certificates journey of the issue: after the results are published, the organiser issues
every document and watches the progress bar; a participant's account downloads the diploma; a
visitor types its code and sees that it is valid."""

from __future__ import annotations

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.certificates.conftest import (
    awards_source,  # noqa: F401
    published,  # noqa: F401  (the published contest fixture)
)
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import choose_language


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill(email)
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()


def pdf_text(path) -> str:
    with open(path, "rb") as file:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages)


def test_organiser_issues_participant_downloads_visitor_verifies(page, browser, live_server, make_user,
                                                                 published, db):  # noqa: F811
    make_user(email="organiser@example.kz", name="Айгерім Сәрсенбаева", role="organiser", preferred_language="en")
    contest_id = published.contest.id
    db.session.commit()  # end the test's read: SQLite lets the server write only then

    sign_in(page, "organiser@example.kz")
    page.goto(f"/manage/contests/{contest_id}")
    page.get_by_role("link", name="Open the certificates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates")
    page.get_by_label("ZIP archive, one PDF per person").check()
    page.get_by_role("button", name="Issue all documents").click()
    expect(page.get_by_text("Generation has started.")).to_be_visible()
    expect(page.get_by_label("Generation progress")).to_be_visible()
    expect(page.get_by_text("Ready: 6 documents.")).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Generation progress")).to_have_attribute("value", "100")
    # The heading follows the job live, and a reload of a finished job says so too.
    expect(page.get_by_role("heading", level=1)).to_have_text("The certificates are ready")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("The certificates are ready")
    expect(page.get_by_text("Ready: 6 documents.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the documents").click()
    assert download.value.suggested_filename.endswith(".zip")

    participant = browser.new_context(base_url=live_server, locale="kk-KZ").new_page()
    sign_in(participant, "teacher@example.kz")
    choose_language(participant, "English")
    participant.goto("/my")
    participant.get_by_role("link", name="My certificates").click()
    row = participant.get_by_role("row").filter(has_text="Winner diploma")
    expect(row).to_contain_text("Әлихан Бөкейхан")
    with participant.expect_download() as download:
        row.get_by_role("link", name=re.compile("Download PDF")).click()
    text = pdf_text(download.value.path())
    assert "Әлихан Бөкейхан" in text and "ДИПЛОМ" in text
    code = re.search(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", row.inner_text()).group(0)
    assert code in text

    visitor = browser.new_context(base_url=live_server, locale="en-US").new_page()
    visitor.goto("/verify")
    visitor.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    visitor.get_by_role("button", name="Check").click()
    expect(visitor.get_by_role("heading", name="This document is valid")).to_be_visible()
    expect(visitor.get_by_text("Әлихан Бөкейхан")).to_be_visible()
    expect(visitor.get_by_text("Бас жүлде")).to_be_visible()
