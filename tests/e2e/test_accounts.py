"""A newcomer signs up, signs out, signs in, and reads the site in each language."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import choose_language


def test_sign_up_switch_language_sign_out_and_in(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.get_by_role("link", name="Тіркелу").click()

    page.get_by_label("Толық аты-жөні").fill("Ğalym Jūmabaiūly")
    page.get_by_label("Электрондық пошта").fill("galym@example.kz")
    page.get_by_label("Құпиясөз", exact=True).fill("steppe-river-lantern-42")
    page.get_by_label("Құпиясөзді қайталаңыз").fill("steppe-river-lantern-42")
    page.get_by_role("button", name="Аккаунт ашу").click()
    expect(page.get_by_text("Қош келдіңіз! Аккаунтыңыз ашылды.")).to_be_visible()
    account_menu = page.get_by_role("button", name=re.compile("Ğalym Jūmabaiūly"))
    expect(account_menu).to_be_visible()

    choose_language(page, "Русский")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    account_menu.click()  # one item in the bar: the account page and signing out live in its menu
    expect(page.get_by_role("link", name="Мой аккаунт")).to_be_visible()
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    choose_language(page, "English")
    expect(page.get_by_role("heading", level=1)).to_have_text("Literary contests of the Almaty libraries")

    account_menu.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill("galym@example.kz")
    page.get_by_label("Password").fill("wrong-password-here")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email address or password is incorrect.")).to_be_visible()
    page.get_by_label("Password").fill("steppe-river-lantern-42")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in.")).to_be_visible()


def test_sign_up_errors_are_shown_beside_the_fields(page):
    page.goto("/signup")
    choose_language(page, "English")
    page.get_by_label("Full name").fill("Test")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill("password123")
    page.get_by_label("Repeat the password").fill("password124")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the following")
    expect(page.locator("#email-error")).to_contain_text("Enter a valid email address")
    expect(page.locator("#confirm-error")).to_contain_text("do not match")


def test_existing_user_signs_in_from_a_protected_page(page, make_user):
    make_user(email="organiser@example.kz", name="Айгерім Сәрсенбаева", role="organiser")
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Электрондық пошта").fill("organiser@example.kz")
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Менің аккаунтым")
