"""An organiser writes a post, previews it, publishes it; a visitor reads it in Kazakh and Russian."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import choose_language


def test_organiser_previews_and_publishes_a_post_that_visitors_read(page, browser, live_server, make_user):
    make_user(email="organiser@example.kz", name="Айгерім Сәрсенбаева", role="organiser")
    page.goto("/manage/news/new")
    page.get_by_label("Электрондық пошта").fill("organiser@example.kz")
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Жазба жазу")

    page.get_by_label("Тақырыбы (Қазақша)").fill("Кітапханадағы түн")
    page.get_by_label("Мәтін (Қазақша)").fill("**Түнгі кітаптар** – оқырмандарға арналған мереке.")
    page.get_by_label("Тақырыбы (Русский)").fill("Ночь в библиотеке")
    page.get_by_label("Мәтін (Русский)").fill("**Книжные сумерки** — праздник для читателей.")
    page.get_by_label("Жариялану уақыты (Алматы)").fill("2022-10-14T21:00")
    page.get_by_label("Веб-мекенжай").fill("Night in the Library")
    page.get_by_role("button", name="Алдын ала қарау").click()

    preview = page.locator(".news-preview")
    expect(preview.get_by_text("Әзірге ештеңе сақталған жоқ.")).to_be_visible()
    expect(preview.locator("strong", has_text="Түнгі кітаптар")).to_be_visible()
    expect(preview.locator("strong", has_text="Книжные сумерки")).to_be_visible()
    expect(page.get_by_label("Тақырыбы (Русский)")).to_have_value("Ночь в библиотеке")

    page.get_by_role("button", name="Сақтау").click()
    confirm = page.get_by_role("dialog")  # a publication time is filled in: saving publishes, so it asks
    expect(confirm).to_contain_text("Жазбаны жариялау керек пе?")
    confirm.get_by_role("button", name="Сақтау").click()
    expect(page.get_by_text("Жазба сақталды.")).to_be_visible()
    expect(page.locator(".badge", has_text="Жарияланған")).to_be_visible()

    visitor = browser.new_context(base_url=live_server, locale="kk-KZ")
    try:
        reader = visitor.new_page()
        reader.goto("/news")
        reader.get_by_role("link", name="Кітапханадағы түн").click()
        expect(reader).to_have_url(re.compile(r"/news/night-in-the-library$"))
        expect(reader.get_by_role("heading", level=1)).to_have_text("Кітапханадағы түн")
        expect(reader.locator(".news-body strong")).to_have_text("Түнгі кітаптар")

        choose_language(reader, "Русский")
        expect(reader.locator("html")).to_have_attribute("lang", "ru")
        expect(reader.get_by_role("heading", level=1)).to_have_text("Ночь в библиотеке")
        expect(reader.locator(".news-body strong")).to_have_text("Книжные сумерки")
        expect(reader).to_have_title(re.compile("^Ночь в библиотеке"))
    finally:
        visitor.close()
