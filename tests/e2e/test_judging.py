"""The jury journey of the issue, on a phone-sized window: a juror scores three entries (one
in a blind contest), declares a conflict of interest on a fourth and submits; the organiser
then sees the progress matrix updated."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import choose_language
from tests.registration.helpers import one_work_entry

PHONE = {"width": 390, "height": 844}


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill(email)
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()
    choose_language(page, "English")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def score(page, content: str, form: str, button: str) -> None:
    page.get_by_label("Content").fill(content)
    page.get_by_label("Form").fill(form)
    page.get_by_role("button", name=button).click()


def test_a_juror_scores_on_a_phone_and_the_organiser_sees_the_matrix(browser, live_server, db, judging, make_juror,
                                                                   make_participant, make_registration):
    open_contest = judging(jurors=1, entries=3, title_en="Abai readings")
    blind = judging(jurors=0, entries=0, title_en="Blind verses", is_blind=True)
    juror = open_contest.jurors[0]
    juror.user.email = "juror@example.kz"
    make_juror(blind.contest, user=juror.user)
    hidden = make_registration(blind.contest, make_participant(surname="Сейфуллина", given_name="Әсем"),
                               status="approved")
    db.session.add(one_work_entry(hidden, title="Көктем", text="Көктем келді\nДала гүлдеді"))
    first, second, conflicted = (entry.code for entry in open_contest.entries)
    hidden_code, form_field = hidden.code, f"#points_{open_contest.criteria[1].id}-error"
    organiser_email = open_contest.organiser.email
    matrix_url = f"/manage/contests/{open_contest.contest.id}/jury/rounds/{open_contest.round.id}/progress"
    db.session.commit()  # end the test's read: SQLite lets the server write only then

    context = browser.new_context(base_url=live_server, locale="kk-KZ", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, "juror@example.kz")
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("link", name="Jury", exact=True).click()
    expect(page.get_by_role("heading", name="My juries")).to_be_visible()

    # The open contest: save a draft and move on, submit the second, declare a conflict on the third.
    page.locator("li.card", has_text="Abai readings").get_by_role("link").first.click()
    page.get_by_role("link", name=f"Score the next entry: {first}").click()
    expect(page.get_by_role("heading", name=f"Entry {first}")).to_be_visible()
    assert fits_the_screen(page)
    score(page, "8", "7.5", "Save and next")
    expect(page.get_by_text(f"Draft saved for {first}.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Entry {second}")).to_be_visible()
    score(page, "6", "11", "Submit (locks the sheet)")  # over the maximum: refused beside the field
    expect(page.locator(form_field)).to_have_text(
        "At most 10 points for “Form”.")
    score(page, "6", "9.5", "Submit (locks the sheet)")
    expect(page.get_by_text(f"Score sheet for {second} submitted.")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Entry {conflicted}")).to_be_visible()
    page.get_by_text("I have a conflict of interest with this entry").click()
    page.get_by_label("Reason").fill("The author is my pupil")
    page.get_by_role("button", name="Declare a conflict of interest").click()
    expect(page.get_by_text(f"Conflict of interest recorded: you will not score {conflicted}.")).to_be_visible()
    page.get_by_role("link", name=f"Score the next entry: {first}").click()
    expect(page.get_by_label("Content")).to_have_value("8")
    page.get_by_role("button", name="Submit (locks the sheet)").click()
    expect(page.get_by_text("You have submitted every entry of this round. Thank you!")).to_be_visible()
    expect(page.get_by_text("Submitted: 2 of 2")).to_be_visible()

    # The blind contest: only the code and the poem, never the author.
    page.goto("/jury/")
    page.locator("li.card", has_text="Blind verses").get_by_role("link").first.click()
    page.get_by_role("link", name=f"Score the next entry: {hidden_code}").click()
    expect(page.get_by_text("Blind judging: the author is not shown.")).to_be_visible()
    expect(page.get_by_text("Көктем келді")).to_be_visible()
    expect(page.get_by_text("Сейфуллина")).to_have_count(0)
    assert fits_the_screen(page)
    score(page, "10", "10", "Submit (locks the sheet)")
    expect(page.get_by_text(f"Score sheet for {hidden_code} submitted.")).to_be_visible()
    context.close()

    # The organiser sees the matrix.
    context = browser.new_context(base_url=live_server, locale="kk-KZ")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, organiser_email)
    page.goto(matrix_url)
    totals = page.locator(".matrix-totals")
    expect(totals).to_contain_text("Submitted: 2")
    expect(totals).to_contain_text("Conflict of interest: 1")
    expect(totals).to_contain_text("Missing: 0")
    row = page.get_by_role("row").filter(has_text=conflicted)
    expect(row.get_by_role("cell")).to_contain_text(["Conflict of interest"])
    context.close()
