"""Scoring through a lost connection, in Kazakh on a phone-sized window: the juror types the
scores, the Wi-Fi drops, they submit: the page says "waiting to send" and the server has
nothing; a reload without a connection still shows the sheet and the scores; when the
connection is back the save goes once and the page says "sent". A save from a second tab
after the sheet changed is refused with the server's message."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from contest.audit.models import AuditEvent
from contest.judging.models import ScoreSheet, SheetSend
from tests.conftest import TEST_PASSWORD
from tests.e2e.test_accessibility import AXE, _axe

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WAITING = "Жіберуді күтуде: байланыс жоқ."
SENT = "Жіберілді: ұпайлар серверде сақталды."
INVALID = "Ештеңе сақталмады: төменде көрсетілген мәндерді түзетіңіз."
STALE = "Сіз бағалау парағын ашқаннан кейін оны басқа біреу сақтады"
SUBMIT, SAVE_DRAFT = "Жіберу (парақ бекітіледі)", "Жобаны сақтау"


class Wire:
    """The venue's Wi-Fi between the phone and the server. The browser's offline switch
    (`context.set_offline`) does not always hold for a service worker's requests
    (microsoft/playwright#2311): while the wire is cut, a request that gets through anyway
    has its connection reset, as a dropped Wi-Fi would, and never reaches the app."""

    def __init__(self, app) -> None:
        self.app, self.cut = app, False

    def __call__(self, environ, start_response):
        if self.cut:
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            start_response("204 No Content", [])
            return []
        return self.app(environ, start_response)


@pytest.fixture
def wired_server(app) -> Iterator[tuple[str, Wire]]:
    """The app on its own loopback port, behind a wire the test can cut."""
    wire = Wire(app)
    server = make_server("127.0.0.1", 0, wire, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", wire
    server.shutdown()
    server.server_close()


def go_offline(context, wire: Wire, offline: bool) -> None:
    wire.cut = offline
    context.set_offline(offline)


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill(email)
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()
    page.wait_for_load_state("load")


def kept_by_the_service_worker(page) -> None:
    """Wait until the worker controls the page and holds a copy of it."""
    # Functions, not expressions: Playwright evaluates an expression with eval(), which the CSP forbids.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    for _attempt in range(50):
        if page.evaluate("async () => Boolean(await caches.match(location.href, {ignoreVary: true}))"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker did not keep the page")


def count(db, model, *where) -> int:
    db.session.expire_all()
    value = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.commit()  # end the read: SQLite lets the server write only then
    return value


def accessibility_problems(page, where: str) -> list:
    """axe on the page as it is now (evaluated through DevTools, so the site's CSP stays on)."""
    if not AXE.exists():
        return []  # node_modules missing: the page sweep reports it (tests/e2e/test_accessibility.py)
    # Colours mid-transition (a button enabled again under the pointer) are not what a person reads.
    page.evaluate("Promise.allSettled(document.getAnimations().map((animation) => animation.finished))")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return _axe(page, where)


def shot(page, name: str) -> None:
    """What a phone (and the same page on a laptop) shows, for a person to look at, when
    SCREENSHOTS names a folder: `<name>.png` and `<name>-desktop.png`."""
    if os.environ.get("SCREENSHOTS"):
        folder = Path(os.environ["SCREENSHOTS"])
        page.screenshot(path=folder / f"{name}.png")
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=folder / f"{name}-desktop.png")
        page.set_viewport_size(PHONE)
        # The pointer may now rest on a button: its hover colours, mid-transition, would be
        # what the next accessibility check measures.
        page.mouse.move(0, 0)


def test_scores_typed_without_a_connection_are_kept_and_sent_once(browser, wired_server, db, judging):
    live_server, wire = wired_server
    j = judging(jurors=1, entries=2, title_en="Abai readings")
    juror = j.jurors[0]
    juror.user.email = "offline.juror@example.kz"
    content, form = (f"#points_{criterion.id}" for criterion in j.criteria)
    first, second = (f"/jury/{j.contest.id}/rounds/{j.round.id}/entries/{entry.id}" for entry in j.entries)
    work = j.entries[0].entry.works[0]
    db.session.commit()  # end the test's read: SQLite lets the server write only then

    context = browser.new_context(base_url=live_server, locale="kk-KZ", viewport=PHONE, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, "offline.juror@example.kz")
    page.goto(first)
    kept_by_the_service_worker(page)
    status = page.locator("[data-offline-jury]")
    assert (status.get_attribute("role"), status.get_attribute("aria-live")) == ("status", "polite")
    page.locator(content).fill("8")
    page.locator(form).fill("7.5")
    shot(page, "offline-sheet-1-typed")

    # The Wi-Fi drops; the juror submits.
    go_offline(context, wire, True)
    page.get_by_role("button", name=SUBMIT).click()
    expect(status).to_contain_text(WAITING)
    expect(page.locator(content)).to_have_attribute("readonly", "")  # nothing to change while it waits
    shot(page, "offline-sheet-2-waiting")
    assert accessibility_problems(page, "waiting") == []
    assert count(db, ScoreSheet) == 0, "saved while offline"

    # A reload without a connection: the page comes from the worker's copy (the work's title was
    # changed on the server meanwhile, and the copy still shows the old one), the scores from the phone.
    work.title = "Changed on the server"
    db.session.commit()
    page.reload()
    expect(page.get_by_text("Poem 1")).to_be_visible()
    expect(page.locator(content)).to_have_value("8")
    expect(page.locator(form)).to_have_value("7.5")
    expect(status).to_contain_text(WAITING)
    shot(page, "offline-sheet-3-reloaded-offline")
    assert count(db, ScoreSheet) == 0, "saved by the reload while offline"

    # The connection is back: the save goes once, and only then does the page say "sent".
    go_offline(context, wire, False)
    expect(status).to_contain_text(SENT)
    shot(page, "offline-sheet-4-sent")
    assert accessibility_problems(page, "sent") == []
    assert count(db, ScoreSheet) == 1
    assert count(db, ScoreSheet, ScoreSheet.status == "submitted") == 1
    assert count(db, AuditEvent, AuditEvent.action == "sheet.submit") == 1
    assert count(db, SheetSend) == 1
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('contest-sheet:')).length") == 0

    # Online, a value out of range is refused beside its field and in the status; nothing is saved.
    page.goto(second)
    page.locator(content).fill("11")
    page.get_by_role("button", name=SAVE_DRAFT).click()
    expect(status).to_contain_text(INVALID)
    expect(page.locator(f"{content}-error")).to_be_visible()
    expect(page.locator(content)).to_have_attribute("aria-invalid", "true")
    shot(page, "offline-sheet-5-invalid")
    assert accessibility_problems(page, "invalid") == []
    assert count(db, ScoreSheet) == 1

    # Two tabs on the second entry: the other tab saves first, this one's save is stale.
    other = context.new_page()
    other.goto(second)
    other.locator(content).fill("5")
    other.get_by_role("button", name=SAVE_DRAFT).click()
    expect(other.locator("input[name=version]")).to_have_value("1")  # saved, and the page reloaded
    page.locator(content).fill("9")
    page.get_by_role("button", name=SAVE_DRAFT).click()
    expect(status).to_contain_text(STALE)
    expect(page.locator(content)).to_have_attribute("aria-invalid", "false")  # nothing wrong with the value
    shot(page, "offline-sheet-6-stale")
    assert accessibility_problems(page, "refused") == []
    assert count(db, ScoreSheet) == 2
    assert count(db, AuditEvent, AuditEvent.action.in_(("sheet.create", "sheet.update"))) == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
