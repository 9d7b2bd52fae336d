"""Browser journeys: the app served on a loopback port, driven by Playwright in Debian's
Chromium (/usr/bin/chromium; no browser is ever downloaded)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.judging.conftest import judging  # noqa: F401  (the jury journey uses the same contest factory)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="kk-KZ")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def choose_language(page, name: str) -> None:
    """Open the language menu of the bar (its button reads the current code: "KK · Тіл: Қазақша")
    and pick one: a button of a form when signed in, a link otherwise (public pages are cached)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    toggle = page.get_by_role("button", name=re.compile(r"· (Тіл|Язык|Language): "))
    item = page.get_by_role("button", name=name, exact=True).or_(page.get_by_role("link", name=name, exact=True))
    # Right after a click that navigates, the toggle may be pressed on the page being left, or
    # before Bootstrap's script (end of <body>) has run: press it again until the menu shows.
    for _attempt in range(3):
        page.wait_for_load_state("load")
        toggle.click()
        try:
            item.wait_for(state="visible", timeout=2_000)
            break
        except PlaywrightTimeoutError:
            continue
    item.click()
