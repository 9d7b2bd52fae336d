"""The audience screen in Chromium: it follows the stage by itself (a performer called on stage
appears without a reload), shows a notice while the state cannot be fetched (a network drop, a
server restarting) and carries on once answers come back."""

from __future__ import annotations

from playwright.sync_api import expect

from contest.extensions import db
from contest.stage import control
from tests.judging.conftest import judging  # noqa: F401  (fixtures the live round is made with)
from tests.stage.conftest import live  # noqa: F401

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
