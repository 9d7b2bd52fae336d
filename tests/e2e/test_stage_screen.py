"""The audience screen in Chromium: it follows the stage by itself (a performer called on stage
appears without a reload), shows a notice while the state cannot be fetched (a network drop, a
server restarting) and carries on once answers come back."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from contest.extensions import db
from contest.judging import services as sheets
from contest.stage import control
from tests.e2e.test_offline_sheet import PHONE, sign_in
from tests.judging.conftest import judging  # noqa: F401  (fixtures the live round is made with)
from tests.stage.conftest import live, with_redis  # noqa: F401

SLOW = 30_000


def test_the_screen_follows_the_stage_and_recovers_after_a_drop(page, live):  # noqa: F811
    j = live(entries=2)
    first = j.entries[0]
    db.session.commit()
    page.goto(f"/stage/{j.round.id}/screen?lang=kk")
    performer = page.locator('[data-slot="now-name"]')
    expect(performer).to_have_text("Келесі қатысушы сахнаға жақында шығады.", timeout=SLOW)

    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    expect(performer).to_have_text(first.participant.full_name, timeout=SLOW)
    expect(page.locator('[data-slot="next-name"]')).to_have_text(j.entries[1].participant.full_name)

    # The network drops: the screen says so and keeps what it showed.
    page.route("**/state.json*", lambda route: route.abort())
    expect(page.locator('[data-slot="status"]')).to_have_text("Байланыс үзілді, қайта қосылып жатыр…",
                                                              timeout=SLOW)
    control.close_performance(j.round, actor=j.organiser)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    expect(performer).to_have_text(first.participant.full_name)

    # Back: the notice goes and the stage as it is now appears.
    page.unroute("**/state.json*")
    expect(performer).to_have_text(j.entries[1].participant.full_name, timeout=SLOW)
    expect(page.locator('[data-slot="status"]')).to_have_text("")
    expect(page.locator('[data-slot="progress"]')).to_have_text("1 / 2")


def test_with_the_live_feed_the_pages_are_told_of_each_change(browser, live_server, db, live, with_redis):  # noqa: F811
    """With Redis the screen, a juror's phone and the chair's control page hold the live feed:
    the screen never asks the state endpoint, the phone asks it when the performer or the number
    of reminders changes (and every 30 s), the chair's page when something changed."""
    j = live(jurors=2, entries=2)
    j.organiser.email, j.jurors[1].user.email = "feed.chair@example.kz", "feed.juror@example.kz"
    first, round_id = j.entries[0], j.round.id
    follow = f"/jury/{j.contest.id}/rounds/{round_id}/stage"
    db.session.commit()
    asked: dict[str, list[str]] = {"screen": [], "phone": [], "chair": []}

    def opened(name: str, viewport: dict):
        context = browser.new_context(base_url=live_server, locale="kk-KZ", viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(SLOW)
        page.on("request", lambda request: asked[name].append(request.url) if "state.json" in request.url else None)
        return page

    screen = opened("screen", {"width": 1280, "height": 720})
    screen.goto(f"/stage/{round_id}/screen?lang=kk")
    chair = opened("chair", {"width": 1280, "height": 900})
    sign_in(chair, "feed.chair@example.kz")
    phone = opened("phone", PHONE)
    sign_in(phone, "feed.juror@example.kz")
    phone.goto(follow)
    expect(phone.get_by_role("heading", name="Келесі қатысушы күтілуде")).to_be_visible()

    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    expect(screen.locator('[data-slot="now-name"]')).to_have_text(first.participant.full_name)
    expect(phone.get_by_role("heading", name=f"Сахнада: {first.code}")).to_be_visible()
    chair.goto(f"/stage/{round_id}/control")
    expect(chair.get_by_role("heading", name="Бағалау парақтары: 0 / 2")).to_be_visible()
    started = time.monotonic()

    sheets.save_sheet(j.jurors[0], first, j.round, j.points(7, 6), version=0, submit=True, actor=j.jurors[0].user)
    db.session.commit()
    expect(chair.get_by_role("heading", name="Бағалау парақтары: 1 / 2")).to_be_visible()
    expect(screen.locator('[data-slot="scores"]')).to_have_text("Тапсырылған бағалау парақтары: 1 / 2")
    # The chair reminds the juror: the feed says one more reminder, and the phone asks for its part.
    control.remind_juror(j.round, j.jurors[1].id, actor=j.organiser)
    db.session.commit()
    expect(phone.get_by_role("alert")).to_have_text(
        f"Қазылар алқасының төрағасы бағалау парағыңызды күтіп отыр. Сахнадағы қатысушы: {first.code}.",
        timeout=20_000)  # well within the 30 s the phone would otherwise wait
    time.sleep(3)
    assert asked["screen"] == []
    # Loaded, the performer on stage, the reminder: asking each second would be far more.
    assert len(asked["phone"]) <= 3 + (time.monotonic() - started) / 30, asked["phone"]
    assert 1 <= len(asked["chair"]) <= 4, asked["chair"]
    for page in (screen, chair, phone):
        page.context.close()
