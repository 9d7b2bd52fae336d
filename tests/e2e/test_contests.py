"""An organiser sets up a contest and opens registration; a visitor finds it on the home page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import choose_language


def local(days: int) -> str:
    return (datetime.now(ZoneInfo("Asia/Almaty")) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def add_part(page, link: str, **fields: str) -> None:
    page.get_by_role("link", name=link).click()
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Added.")).to_be_visible()


def test_organiser_opens_a_contest_and_visitors_see_it_in_kazakh_and_russian(page, browser, live_server,
                                                                               make_user):
    make_user(email="organiser@example.kz", name="Айгерім Сәрсенбаева", role="organiser")
    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill("organiser@example.kz")
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()
    choose_language(page, "English")

    page.get_by_role("button", name="Manage", exact=True).click()
    page.get_by_role("link", name="Manage contests").click()
    page.get_by_role("link", name="New contest").click()
    page.get_by_label("Title (Қазақша)").fill("Абай оқулары")
    page.get_by_label("Title (Русский)").fill("Абаевские чтения")
    page.get_by_label("Title (English)").fill("Abai readings")
    page.get_by_label("Kind", exact=True).select_option("recitation")
    page.get_by_label("Registration opens", exact=True).fill(local(-1))
    page.get_by_label("Registration closes", exact=True).fill(local(20))
    page.get_by_label("Event date and time").fill(local(30))
    page.get_by_label("Start with the usual criteria for this kind of contest").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The contest has been created as a draft.")).to_be_visible()

    add_part(page, "Add a category", **{"Name (Қазақша)": "5–7-сыныптар", "Name (English)": "Grades 5–7"})
    add_part(page, "Add a criterion", **{"Name (English)": "Diction", "Maximum points": "10"})
    add_part(page, "Add a criterion", **{"Name (English)": "Expressiveness", "Maximum points": "10"})
    expect(page.locator("#criteria tbody tr")).to_have_count(2)

    for move in ("Publish the announcement", "Open registration"):  # each status move asks first
        page.get_by_role("button", name=move).click()
        page.get_by_role("dialog").get_by_role("button", name=move).click()
    expect(page.get_by_text("The contest is now: Registration open.")).to_be_visible()
    expect(page.locator("#history-heading + div tbody tr")).to_have_count(2)

    visitor = browser.new_context(base_url=live_server, locale="kk-KZ")
    try:
        home = visitor.new_page()
        home.goto("/")
        open_section = home.locator("section[aria-labelledby=open-heading]")
        expect(open_section.get_by_role("heading", name="Тіркеу ашық")).to_be_visible()
        expect(open_section.get_by_role("link", name="Абай оқулары")).to_be_visible()
        choose_language(home, "Русский")
        open_section = home.locator("section[aria-labelledby=open-heading]")
        expect(open_section.get_by_role("heading", name="Открыта регистрация")).to_be_visible()
        open_section.get_by_role("link", name="Абаевские чтения").click()
        expect(home.get_by_role("heading", level=1)).to_have_text("Абаевские чтения")
        expect(home.get_by_text("Регистрация открыта до")).to_be_visible()
        expect(home.get_by_role("cell", name="Diction")).to_be_visible()
    finally:
        visitor.close()
