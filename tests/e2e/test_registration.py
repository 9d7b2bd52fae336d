"""The registration journey of the issue: a teacher registers two pupils for the Shakarim
recitation round, one with an entry file; an organiser approves one and rejects the other with
a reason; the teacher sees both decisions on the dashboard."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from contest.registration.models import Registration
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import choose_language
from tests.upload_files import plain_pdf

PDF = plain_pdf()


def pupil_birth_date(age: int) -> str:
    today = date.today()
    return today.replace(year=today.year - age, month=3, day=5).isoformat()


def add_pupil(page, surname: str, given_name: str, age: int) -> None:
    page.get_by_label("Surname").fill(surname)
    page.get_by_label("Given name").fill(given_name)
    page.get_by_label("Date of birth").fill(pupil_birth_date(age))
    page.get_by_label("School or college").fill("Школа-лицей № 165")
    page.get_by_label("Grade").fill("6")
    page.get_by_label("Teacher (mentor)").fill("Сәуле Қасымова")
    guardian = page.locator("#guardian-block")
    expect(guardian).to_be_visible()
    guardian.get_by_label("Parent or guardian: full name").fill(f"{surname} Айгүл")
    guardian.get_by_label("Parent or guardian: phone").fill("+7 701 555 66 77")
    guardian.get_by_label("I am the parent or guardian and I agree to the text above").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"{surname} {given_name} has been added.")).to_be_visible()


def test_teacher_registers_two_pupils_and_sees_the_organisers_decisions(page, browser, live_server, make_user,
                                                                        open_contest, db):
    make_user(email="teacher@example.kz", name="Сәуле Қасымова")
    make_user(email="organiser@example.kz", name="Айгерім Сәрсенбаева", role="organiser")
    contest = open_contest(kind="recitation", title_en="Shakarim readings", title_kk="Шәкәрім оқулары",
                           min_grade=5, max_grade=7)
    slug, contest_id = contest.slug, contest.id
    db.session.commit()  # end the test's read: SQLite lets the server write only then

    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill("teacher@example.kz")
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()
    choose_language(page, "English")

    page.goto(f"/contests/{slug}")
    page.get_by_role("link", name="Register a participant").click()
    page.get_by_role("link", name="Add a participant").click()
    # An adult's date hides the guardian block at once (script); a pupil's shows it again.
    page.get_by_label("Date of birth").fill("1990-01-01")
    expect(page.locator("#guardian-block")).to_be_hidden()
    add_pupil(page, "Омаров", "Нұрсұлтан", 12)
    page.get_by_role("link", name="Add another participant").click()
    add_pupil(page, "Ахметова", "Аяжан", 11)

    page.get_by_label("Participant").select_option(label="Омаров Нұрсұлтан")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Омаров Нұрсұлтан is registered.")).to_be_visible()
    page.get_by_label("Title of the poem").fill("Шәкәрім. Жастарға")
    page.get_by_label("Text of the poem").fill("Бір жол\nЕкі жол\n\nҮш жол")
    page.get_by_label("File (PDF, DOCX, ODT or TXT)").set_input_files(
        files=[{"name": "Омаров - өлең.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="Save the entry").click()
    expect(page.get_by_text("The entry has been saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Омаров - өлең.pdf")).to_be_visible()

    page.goto(f"/contests/{slug}")
    page.get_by_role("link", name="Register a participant").click()
    page.get_by_label("Participant").select_option(label="Ахметова Аяжан")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Ахметова Аяжан is registered.")).to_be_visible()

    page.get_by_role("link", name="My participants").first.click()
    codes = list(db.session.scalars(select(Registration.code).order_by(Registration.number)))
    db.session.commit()
    assert len(codes) == 2
    for code in codes:
        expect(page.get_by_role("cell", name=code, exact=True)).to_be_visible()
    expect(page.get_by_text("Омаров - өлең.pdf")).to_be_visible()
    expect(page.get_by_text("Awaiting moderation")).to_have_count(2)

    decide_as_organiser(browser, live_server, contest_id, approve=codes[0], reject=codes[1])

    page.reload()
    approved_row = page.get_by_role("row").filter(has_text=codes[0])
    rejected_row = page.get_by_role("row").filter(has_text=codes[1])
    expect(approved_row.get_by_text("Approved")).to_be_visible()
    expect(rejected_row.get_by_text("Rejected")).to_be_visible()
    expect(rejected_row.get_by_text("The poem is not by Shakarim.")).to_be_visible()


def decide_as_organiser(browser, live_server, contest_id: int, *, approve: str, reject: str) -> None:
    context = browser.new_context(base_url=live_server, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"/manage/contests/{contest_id}/registrations/")
        page.get_by_label("Email").fill("organiser@example.kz")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name=approve).click()
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_text(f"Registration {approve} has been approved.")).to_be_visible()
        page.goto(f"/manage/contests/{contest_id}/registrations/")
        page.get_by_role("link", name=reject).click()
        page.get_by_label("Reason for the rejection").fill("The poem is not by Shakarim.")
        page.get_by_role("button", name="Reject").click()
        page.get_by_role("dialog", name="Please confirm").get_by_role("button", name="Reject").click()
        expect(page.get_by_text(f"Registration {reject} has been rejected.")).to_be_visible()
    finally:
        context.close()
