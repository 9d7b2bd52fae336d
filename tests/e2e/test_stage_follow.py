"""A live round in Kazakh in Chromium: the chair at the control page, three jurors' phones on the
stage page and the hall's audience screen, each in its own browser context. The phones follow
the stage without a reload; one phone loses its connection mid-performance, its juror submits,
the page waits, and once the connection is back the sheet is saved once (a repeated send is
not applied twice); the chair sees 3 / 3, closes and calls the next performer; the phones and
the screen follow."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from contest.audit.models import AuditEvent
from contest.judging.models import ScoreSheet, SheetSend
from tests.e2e.test_offline_sheet import PHONE, accessibility_problems, count, shot, sign_in
from tests.judging.conftest import judging  # noqa: F401  (fixtures the live round is made with)
from tests.stage.conftest import live  # noqa: F401

SLOW = 15_000
WAITING_FOR_NEXT = "Келесі қатысушы күтілуде"
WAITING_TO_SEND = "Жіберуді күтуде: байланыс жоқ."
SENT = "Жіберілді: ұпайлар серверде сақталды."
SUBMIT = "Жіберу (парақ бекітіледі)"
CLOSE = "Өнер көрсетуді аяқтау"
OFFLINE = "Байланыс үзілді, қайта қосылып жатыр…"


class PhoneWire:
    """The venue's Wi-Fi, phone by phone: a request carrying the session cookie of a phone whose
    wire is cut never reaches the app (its connection is reset). `context.set_offline` alone
    does not always hold for a service worker's own requests (microsoft/playwright#2311)."""

    def __init__(self, app) -> None:
        self.app, self.cut = app, set()

    def __call__(self, environ, start_response):
        cookies = environ.get("HTTP_COOKIE", "")
        if any(session in cookies for session in self.cut):
            environ["werkzeug.socket"].shutdown(2)  # SHUT_RDWR
            start_response("204 No Content", [])
            return []
        return self.app(environ, start_response)


@pytest.fixture
def hall(app) -> Iterator[tuple[str, PhoneWire]]:
    wire = PhoneWire(app)
    server = make_server("127.0.0.1", 0, wire, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", wire
    server.shutdown()
    server.server_close()


def session_of(context) -> str:
    return next(f"session={cookie['value']}" for cookie in context.cookies() if cookie["name"] == "session")


def test_phones_follow_the_stage_through_a_dropped_connection(browser, hall, db, live):  # noqa: F811
    server, wire = hall
    j = live(jurors=3, entries=3, title_kk="Абай оқулары", title_en="Abai readings")
    j.round.time_limit_seconds = 180
    for number, member in enumerate(j.jurors, start=1):
        member.user.email = f"phone{number}@example.kz"
    j.organiser.email = "stage.chair@example.kz"
    first = j.entries[0]
    names = [entry.participant.full_name for entry in j.entries]
    codes = [entry.code for entry in j.entries]
    criteria = [criterion.id for criterion in j.criteria]
    content, form = (f"#points_{criterion}" for criterion in criteria)
    round_id, first_id, member_id, user_id = j.round.id, first.id, j.jurors[2].id, j.jurors[2].user_id
    follow = f"/jury/{j.contest.id}/rounds/{round_id}/stage"
    first_sheet = f"/jury/{j.contest.id}/rounds/{round_id}/entries/{first_id}"
    # End the test's read, and read nothing more without ending it: SQLite lets the server write only then.
    db.session.commit()

    chair_context = browser.new_context(base_url=server, locale="kk-KZ", viewport={"width": 1280, "height": 900})
    chair = chair_context.new_page()
    chair.set_default_timeout(SLOW)
    sign_in(chair, "stage.chair@example.kz")
    chair.goto(f"/stage/{round_id}/control")

    screen_context = browser.new_context(base_url=server, locale="kk-KZ", viewport={"width": 1280, "height": 720})
    screen = screen_context.new_page()
    screen.set_default_timeout(SLOW)
    screen.goto(f"/stage/{round_id}/screen?lang=kk")

    contexts, phones = [], []
    for number in (1, 2, 3):
        context = browser.new_context(base_url=server, locale="kk-KZ", viewport=PHONE, is_mobile=True,
                                      has_touch=True)
        phone = context.new_page()
        phone.set_default_timeout(SLOW)
        sign_in(phone, f"phone{number}@example.kz")
        phone.goto(follow)
        expect(phone.get_by_role("heading", name=WAITING_FOR_NEXT)).to_be_visible()
        # A mark that a reload would wipe (a function: the CSP forbids evaluating an expression).
        phone.evaluate("() => { window.notReloaded = true; }")
        contexts.append(context)
        phones.append(phone)
    shot(phones[0], "stage-follow-1-between")

    # The chair calls performer 1: every phone shows their sheet without a reload.
    chair.get_by_role("button", name=f"Келесі қатысушыны шақыру: {codes[0]}").click()
    for phone in phones:
        expect(phone.get_by_role("heading", name=f"Сахнада: {codes[0]}")).to_be_visible()
        expect(phone.locator(content)).to_be_visible()
        expect(phone.locator("[data-stage-clock]")).to_contain_text("/ 3:00")
        assert phone.evaluate("() => window.notReloaded === true")
    expect(phones[0].locator("[data-stage-announce]")).to_have_text(f"Сахнада: {codes[0]}")
    expect(screen.locator('[data-slot="now-name"]')).to_have_text(names[0])
    phones[0].locator(content).fill("8")
    phones[0].locator(form).fill("7.5")
    shot(phones[0], "stage-follow-2-on-stage")
    assert accessibility_problems(phones[0], "the stage page, a performer on stage") == []

    # Jurors 1 and 2 score and submit; "sent" shows once the server has the sheet.
    for phone, values in zip(phones[:2], (("8", "7.5"), ("9", "8")), strict=True):
        phone.locator(content).fill(values[0])
        phone.locator(form).fill(values[1])
        phone.get_by_role("button", name=SUBMIT).click()
        expect(phone.locator("[data-offline-status]")).to_contain_text(SENT)
        assert phone.evaluate("() => window.notReloaded === true")  # the stage page stays

    # Juror 3's phone loses the Wi-Fi mid-performance: they score and submit, the page waits.
    third, third_context = phones[2], contexts[2]
    keys: list[str] = []
    third.on("request", lambda request: keys.append(request.headers.get("idempotency-key", ""))
             if request.method == "POST" else None)
    # The service worker's copy of the stage page shows the performer on stage now.
    third.wait_for_function("""async (code) => {
      const copy = await caches.match(location.href, {ignoreVary: true});
      return Boolean(copy) && (await copy.text()).includes(code);
    }""", arg=codes[0])
    wire.cut.add(session_of(third_context))
    third_context.set_offline(True)
    expect(third.locator("[data-stage-connection]")).to_have_text(OFFLINE)
    third.locator(content).fill("6")
    third.locator(form).fill("5.5")
    third.get_by_role("button", name=SUBMIT).click()
    expect(third.locator("[data-offline-status]")).to_contain_text(WAITING_TO_SEND)
    shot(third, "stage-follow-3-waiting-to-send")
    assert accessibility_problems(third, "the stage page, waiting to send") == []
    assert count(db, ScoreSheet, ScoreSheet.member_id == member_id) == 0, "saved while offline"
    # A reload without a connection: the page comes from the worker's copy, the scores from the phone.
    third.reload()
    expect(third.get_by_role("heading", name=f"Сахнада: {codes[0]}")).to_be_visible()
    expect(third.locator(content)).to_have_value("6")
    expect(third.locator(form)).to_have_value("5.5")
    expect(third.locator("[data-offline-status]")).to_contain_text(WAITING_TO_SEND)
    third.evaluate("() => { window.notReloaded = true; }")

    # The connection is back: the sheet goes once, and only then does the page say "sent".
    wire.cut.clear()
    third_context.set_offline(False)
    expect(third.locator("[data-offline-status]")).to_contain_text(SENT)
    expect(third.locator("[data-stage-connection]")).to_have_text("")
    db.session.expire_all()
    sheets = list(db.session.scalars(select(ScoreSheet).where(ScoreSheet.member_id == member_id)))
    saved = [(sheet.id, sheet.registration_id, sheet.status, sheet.points_by_criterion()) for sheet in sheets]
    db.session.commit()
    assert [row[1:] for row in saved] == [(first_id, "submitted", dict(zip(criteria, (Decimal("6"), Decimal("5.5")),
                                                                           strict=True)))]
    assert count(db, SheetSend, SheetSend.sheet_id == saved[0][0]) == 1

    # The same send again (an answer lost on the way back): refused as a duplicate, applied once.
    assert keys and len(set(keys)) == 1
    again = third_context.request.post(
        first_sheet,
        headers={"Accept": "application/json", "Idempotency-Key": keys[0],
                 "X-CSRFToken": third.locator("input[name=csrf_token]").first.input_value()},
        form={"version": "0", "action": "submit", f"points_{criteria[0]}": "6", f"points_{criteria[1]}": "5.5"})
    assert again.json()["reason"] == "duplicate"
    assert count(db, AuditEvent, AuditEvent.action == "sheet.submit", AuditEvent.actor_id == user_id) == 1
    assert count(db, ScoreSheet, ScoreSheet.status == "submitted") == 3

    # The chair sees every sheet in, closes the performance and calls the next performer.
    chair.reload()
    expect(chair.get_by_role("heading", name="Бағалау парақтары: 3 / 3")).to_be_visible()
    chair.get_by_role("button", name=CLOSE).click()
    chair.get_by_role("dialog").get_by_role("button", name=CLOSE).click()
    expect(phones[0].get_by_role("heading", name=WAITING_FOR_NEXT)).to_be_visible()
    expect(phones[0].locator("[data-stage-announce]")).to_have_text(WAITING_FOR_NEXT)
    expect(phones[0].locator("[data-stage-timer]")).to_be_hidden()
    shot(phones[0], "stage-follow-3b-between")
    chair.get_by_role("button", name=f"Келесі қатысушыны шақыру: {codes[1]}").click()
    for phone in phones:
        expect(phone.get_by_role("heading", name=f"Сахнада: {codes[1]}")).to_be_visible()
        expect(phone.locator(content)).to_have_value("")
        assert phone.evaluate("() => window.notReloaded === true")
        assert phone.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('contest-sheet:')).length") == 0

    # The chair pauses: the phones say so.
    chair.get_by_role("button", name="Үзіліс").click()
    expect(phones[1].locator("[data-stage-clock]")).to_contain_text("Үзіліс")

    # The hall's screen, in Kazakh: performer 2 on stage, performer 3 next, one of three performed.
    expect(screen.locator('[data-slot="now-name"]')).to_have_text(names[1])
    expect(screen.locator('[data-slot="next-name"]')).to_have_text(names[2])
    expect(screen.locator('[data-slot="progress"]')).to_have_text("1 / 3")
    expect(screen.get_by_role("heading", name="Қазір сахнада")).to_be_visible()
    expect(screen.get_by_role("heading", name="Келесі")).to_be_visible()

    # Juror 1 types scores for performer 2 and loses the Wi-Fi before sending; meanwhile the
    # chair closes and calls performer 3. Back online, the phone follows, and the scores typed
    # for performer 2 are still on the phone, with a line saying so and the way to their sheet.
    phone, context = phones[0], contexts[0]
    phone.locator(content).fill("4")
    phone.locator(form).fill("3.5")
    wire.cut.add(session_of(context))
    context.set_offline(True)
    expect(phone.locator("[data-stage-connection]")).to_have_text(OFFLINE)
    chair.get_by_role("button", name="Жалғастыру").click()
    expect(chair.get_by_role("button", name="Үзіліс")).to_be_visible()  # the page after resuming, not before
    chair.get_by_role("button", name=CLOSE).click()
    chair.get_by_role("dialog").get_by_role("button", name=CLOSE).click()
    chair.get_by_role("button", name=f"Келесі қатысушыны шақыру: {codes[2]}").click()
    expect(phones[1].get_by_role("heading", name=f"Сахнада: {codes[2]}")).to_be_visible()
    expect(phone.get_by_role("heading", name=f"Сахнада: {codes[1]}")).to_be_visible()  # it cannot know yet
    wire.cut.clear()
    context.set_offline(False)
    expect(phone.get_by_role("heading", name=f"Сахнада: {codes[2]}")).to_be_visible()
    note = phone.locator("[data-offline-jury]")
    expect(note).to_contain_text(f"Осы телефонда енгізілген ұпайлар жіберілмеді. Қатысушы: {codes[1]}.")
    shot(phone, "stage-follow-4-left-behind")
    assert accessibility_problems(phone, "the stage page, scores left behind") == []
    note.get_by_role("link", name="Бағалау парағын ашу").click()
    expect(phone.locator(content)).to_have_value("4")  # the sheet page restores them from the phone
    expect(phone.locator(form)).to_have_value("3.5")
    for context in (*contexts, chair_context, screen_context):
        context.close()
