"""Status moves ask first, in a dialog a keyboard can use: focus moves in and stays there,
Escape and Cancel leave everything as it was and return focus to the button, Confirm sends the
form. Without JavaScript the same buttons submit at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from contest.extensions import db as _db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def closed_contest(db, make_contest, make_category, make_criterion, make_round, make_user):
    contest = make_contest(status="registration_closed", title_en="Abai readings")
    make_category(contest)
    make_criterion(contest)
    make_round(contest)
    make_user(email="organiser@example.kz", role="organiser")
    url = f"/manage/contests/{contest.id}"
    _db.session.commit()  # end the test's read: SQLite lets the server write only then
    return url


def signed_in_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server, locale="en", **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("Email").fill("organiser@example.kz")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in.")).to_be_visible()
    return page


def test_status_moves_ask_in_a_dialog_that_keeps_and_returns_focus(browser, live_server, closed_contest):
    page = signed_in_page(browser, live_server)
    page.goto(closed_contest)
    status = page.locator("section", has=page.get_by_role("heading", name="Status", exact=True))
    buttons = status.get_by_role("button")
    expect(buttons).to_have_text(["Start judging", "Reopen registration"])  # forward first
    expect(buttons.nth(0)).to_have_class(re.compile(r"\bbtn-primary\b"))
    expect(buttons.nth(1)).to_have_class(re.compile(r"\bbtn-outline-secondary\b"))

    dialog = page.get_by_role("dialog")
    start = status.get_by_role("button", name="Start judging")
    start.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Start judging? Rounds, categories, criteria and award tiers will be frozen.")
    cancel, confirm = dialog.get_by_role("button", name="Cancel"), dialog.get_by_role("button", name="Start judging")
    expect(cancel).to_be_focused()
    page.keyboard.press("Tab")
    expect(confirm).to_be_focused()
    page.keyboard.press("Tab")
    expect(cancel).to_be_focused()  # trapped: Tab wraps round inside the dialog
    page.keyboard.press("Shift+Tab")
    expect(confirm).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(start).to_be_focused()
    expect(page.locator(".status-badge")).to_have_text("Registration closed")

    status.get_by_role("button", name="Reopen registration").click()
    expect(dialog).to_contain_text("Reopen registration? Participants will be able to register again.")
    cancel.click()
    expect(dialog).to_be_hidden()
    expect(status.get_by_role("button", name="Reopen registration")).to_be_focused()

    start.click()
    confirm.click()
    expect(page.locator(".status-badge")).to_have_text("Judging")
    expect(page.get_by_role("button", name="Reopen registration")).to_have_count(0)
    page.context.close()


def test_without_javascript_the_button_submits_at_once(browser, live_server, closed_contest):
    page = signed_in_page(browser, live_server, java_script_enabled=False)
    page.goto(closed_contest)
    page.get_by_role("button", name="Start judging").click()
    expect(page.locator(".status-badge")).to_have_text("Judging")
    page.context.close()
