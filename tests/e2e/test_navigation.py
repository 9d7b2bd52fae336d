"""The bar's menus (Manage, language, account) open and are used by keyboard alone, in Kazakh,
on a desktop and, behind the menu button, on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from contest.extensions import db as _db
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def organiser(db, make_user):
    make_user(email="organiser@example.kz", name="Гүлжаһан Шаймерденқызы", role="organiser")
    _db.session.commit()


def signed_in(browser, live_server, width: int):
    context = browser.new_context(base_url=live_server, locale="kk-KZ", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill("organiser@example.kz")
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_label("Құпиясөз").press("Enter")
    expect(page.get_by_text("Сіз сайтқа кірдіңіз.")).to_be_visible()
    # The message shows as soon as the HTML is parsed; the menus work once the scripts at the end
    # of <body> have run, which the load event marks.
    page.wait_for_load_state("load")
    return page


def test_the_menus_work_by_keyboard_on_a_desktop(browser, live_server, organiser):
    page = signed_in(browser, live_server, 1280)
    manage = page.get_by_role("button", name="Басқару", exact=True)
    manage.focus()
    page.keyboard.press("Enter")
    expect(manage).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Байқауларды басқару")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Жаңалықтарды басқару")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Жаңалықтарды басқару")).to_be_hidden()
    expect(manage).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Байқауларды басқару")

    language = page.get_by_role("button", name="Тіл: Қазақша")
    language.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="Қазақша", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Управление конкурсами")
    page.wait_for_load_state()  # the menus' script has run: a key pressed earlier would be lost

    account = page.get_by_role("button", name="Меню аккаунта: Гүлжаһан Шаймерденқызы")
    account.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowUp")  # from the toggle, the last item: signing out
    expect(page.get_by_role("button", name="Выйти")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Вы вышли из системы.")).to_be_visible()
    page.context.close()


def test_on_a_phone_the_menu_button_opens_the_grouped_menu(browser, live_server, organiser):
    page = signed_in(browser, live_server, 320)
    expect(page.get_by_role("link", name="Байқаулар", exact=True)).to_be_hidden()
    toggle = page.get_by_role("button", name="Мәзірді көрсету")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Байқаулар", exact=True)).to_be_visible()
    page.get_by_role("button", name="Басқару", exact=True).press("Enter")
    page.get_by_role("link", name="Жаңалықтарды басқару").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Жаңалықтарды басқару")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.context.close()
