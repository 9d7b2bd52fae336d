"""The audience screen's live feed (server-sent events): only with Redis, the public part only,
the version as the event's id, and a committed change announced on the Redis channel."""

from __future__ import annotations

import json
import threading
import time

import pytest

from contest.db import utcnow
from contest.judging import services as judging
from contest.stage import control, state, stream


@pytest.fixture
def short_streams(app, with_redis):
    app.config["STAGE_STREAM_SECONDS"] = 0  # one answer, then the stream ends
    yield with_redis
    app.config["STAGE_STREAM_SECONDS"] = 600


def _events(body: str) -> list[tuple[int, dict]]:
    found = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "data" in lines:
            found.append((int(lines["id"]), json.loads(lines["data"])))
    return found


def test_without_redis_the_screen_asks_the_state_instead(client, live):
    j = live(entries=1)
    assert client.get(f"/stage/{j.round.id}/events").status_code == 404
    assert "data-events-url" not in client.get(f"/stage/{j.round.id}/screen").get_data(as_text=True)


def test_the_feed_sends_the_public_state_with_its_version(client, db, login_as, live, short_streams):
    j = live(entries=2)
    control.call_on_stage(j.round, None, actor=j.organiser)
    judging.save_sheet(j.jurors[1], j.entries[0], j.round, j.points(7, 6), version=0, submit=True,
                       actor=j.jurors[1].user)
    db.session.commit()
    assert f"/stage/{j.round.id}/events?lang=kk" in client.get(f"/stage/{j.round.id}/screen?lang=kk").get_data(
        as_text=True)
    login_as(user=j.jurors[0].user)  # the chair: the feed is the public part all the same
    response = client.get(f"/stage/{j.round.id}/events?lang=en")
    assert response.mimetype == "text/event-stream" and response.headers["X-Accel-Buffering"] == "no"
    [(version, data)] = _events(response.get_data(as_text=True))
    assert version == state.current_version(j.round.id)
    assert data["now"]["code"] == j.entries[0].code and data["scores"] == {"submitted": 1, "total": 2}
    assert "chair" not in data and "juror" not in data
    body = response.get_data(as_text=True)
    assert all(member.name not in body for member in j.jurors)
    # A screen that has this version (Last-Event-ID) is not sent it again.
    again = client.get(f"/stage/{j.round.id}/events?lang=en", headers={"Last-Event-ID": str(version)})
    assert _events(again.get_data(as_text=True)) == []
    # A reminder: the feed counts it (jurors' phones then ask for their own part) and names no one.
    assert data["reminders"] == 0
    control.remind_juror(j.round, j.jurors[0].id, actor=j.organiser)
    db.session.commit()
    [(_version, reminded)] = _events(client.get(f"/stage/{j.round.id}/events?lang=en").get_data(as_text=True))
    assert reminded["reminders"] == 1 and j.jurors[0].name not in json.dumps(reminded)


def test_a_screen_opened_before_the_round_starts_gets_the_state(client, live, short_streams):
    j = live(entries=2)
    [(version, data)] = _events(client.get(f"/stage/{j.round.id}/events?lang=kk").get_data(as_text=True))
    assert version == 0 and data["now"] is None
    assert data["next"]["code"] == j.entries[0].code and data["progress"] == {"done": 0, "total": 2}


def test_a_committed_change_wakes_the_streams(app, db, live, short_streams):
    j = live(entries=1)
    listening = stream.hub(app)
    known = state.current_version(j.round.id)
    woken: list = []
    waiter = threading.Thread(target=lambda: woken.append(listening.wait(j.round.id, known, 10)))
    waiter.start()
    control.call_on_stage(j.round, None, actor=j.organiser)
    assert waiter.is_alive()  # nothing is announced before the commit
    db.session.commit()
    waiter.join(10)
    assert woken == [state.current_version(j.round.id)]
    assert listening.wait(j.round.id, state.current_version(j.round.id), 0.1) is None  # nothing newer


def test_each_version_is_rendered_once_for_every_worker(db, live, short_streams, monkeypatch):
    """A change wakes every worker at once: one renders the state, in every language and with the
    chair's table, and the others read it from Redis."""
    j = live(entries=2)
    j.contest.title_kk, j.contest.title_ru = "Мәнерлеп оқу байқауы", "Конкурс чтецов"
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    version = state.current_version(j.round.id)
    renders: list[int] = []
    render = stream._render
    monkeypatch.setattr(stream, "_render", lambda round_id: renders.append(round_id) or render(round_id))
    first = stream.shared_render(j.round.id, version)
    again = stream.shared_render(j.round.id, version)  # as another worker would ask
    assert renders == [j.round.id]
    assert again.languages["kk"].data == first.languages["kk"].data
    assert first.languages["kk"].data["now"]["code"] == j.entries[0].code
    assert (again.languages["kk"].data["contest"], again.languages["ru"].data["contest"]) == (
        "Мәнерлеп оқу байқауы", "Конкурс чтецов")
    assert again.chair == first.chair and again.chair["registration_id"] == j.entries[0].id
    assert {juror["name"] for juror in again.chair["jurors"]} == {member.name for member in j.jurors}
    assert all("chair" not in rendered.data for rendered in again.languages.values())
    control.close_performance(j.round, actor=j.organiser)  # the next performer: a new version
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    newer = stream.shared_render(j.round.id, state.current_version(j.round.id))
    assert renders == [j.round.id] * 2 and newer.languages["kk"].data["now"]["code"] == j.entries[1].code


def test_a_worker_whose_renderer_never_answers_renders_itself(db, live, short_streams, monkeypatch):
    j = live(entries=1)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    version = state.current_version(j.round.id)
    # Another worker took the lock and died before keeping its rendering.
    state.redis_client().set(f"stage:{j.round.id}:state:{version}:lock", 1, ex=5)
    monkeypatch.setattr(stream, "RENDER_WAIT_SECONDS", 0.1)
    assert stream.shared_render(j.round.id, version).languages["kk"].data["now"]["code"] == j.entries[0].code


def test_changes_close_together_reach_a_screen_as_one_event(app, with_redis, monkeypatch):
    """Jurors submitting at once: after a send the feed waits STAGE_FEED_INTERVAL, then sends the
    latest version only; a change after a quiet while goes out as soon as it is heard."""
    round_id, version = 7, 40
    with_redis.set(state._key(round_id), version)
    # The screen's thread sees no test database: what is rendered does not matter here.
    monkeypatch.setattr(stream, "_render", lambda _round_id: stream.Staged(
        {code: stream.Rendered({"timer": None}, utcnow()) for code in ("kk", "ru", "en")}, {}))
    app.config.update(STAGE_STREAM_SECONDS=4, STAGE_FEED_INTERVAL=1.0)
    stream.hub(app)  # listening before the first change
    sent: list[tuple[float, str]] = []

    def screen() -> None:  # as gunicorn runs it: the next part is asked as soon as one is written
        with app.app_context():
            for part in stream.events(round_id, "kk", -1):
                sent.append((time.monotonic(), part))

    def at(moment: float) -> None:
        time.sleep(max(0.0, moment - time.monotonic()))

    try:
        watching = threading.Thread(target=screen)
        watching.start()
        deadline = time.monotonic() + 10
        while len(sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        start, first = sent[1]
        assert first.startswith(f"id: {version}\n")
        at(start + 0.1)
        state._write_version(round_id, version + 1)  # as a commit announces it
        at(start + 0.2)
        state._write_version(round_id, version + 2)
        at(start + 2.5)  # the feed's interval after sending version + 2 is over by now
        state._write_version(round_id, version + 3)
        changed = time.monotonic()
        watching.join(10)
        events = [(moment, part.split("\n", 1)[0]) for moment, part in sent if part.startswith("id: ")]
        assert [name for _moment, name in events] == [f"id: {number}" for number in (
            version, version + 2, version + 3)]  # version + 1 went out with version + 2
        assert events[1][0] - start >= 0.9 and events[2][0] - changed < 0.5
    finally:
        app.config.update(STAGE_STREAM_SECONDS=600, STAGE_FEED_INTERVAL=0.5)
