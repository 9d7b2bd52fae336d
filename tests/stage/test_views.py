"""Stage pages over HTTP: who may open and act (the chair, organisers; not other jurors), CSRF,
the state endpoint's ETag, 304 and privacy, the audience screen, the place on a registration page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contest.auth.models import Role
from contest.judging import services as judging
from contest.registration.models import Registration
from contest.stage import control, order
from contest.stage.models import StageState
from tests.registration.helpers import one_work_entry, page


@pytest.fixture
def stage(live, client):
    client.set_cookie("lang", "en")  # the pages' words in English, as the assertions read them
    return live(entries=3)


def test_the_chair_and_organisers_open_the_stage_pages(client, login_as, stage):
    for user in (stage.jurors[0].user, None):
        login_as(Role.ORGANISER, user=user) if user else login_as(Role.ORGANISER)
        for name in ("order", "control"):
            response = client.get(f"/stage/{stage.round.id}/{name}")
            assert response.status_code == 200
            assert stage.entries[0].code in page(response)
    # The control page gives the audience screen's full address in each language, for the hall's computer.
    for code in ("kk", "ru", "en"):
        assert f'href="http://localhost/stage/{stage.round.id}/screen?lang={code}"' in page(response)


@pytest.mark.parametrize("who", ["juror", "other_contest_juror", "participant"])
def test_others_are_kept_out(client, login_as, stage, live, who):
    if who == "juror":
        login_as(user=stage.jurors[1].user)
        expected = 403
    elif who == "other_contest_juror":
        other = live(entries=1)
        login_as(user=other.jurors[0].user)  # the chair of another contest
        expected = 404
    else:
        login_as(Role.PARTICIPANT)
        expected = 403
    for name in ("order", "control"):
        assert client.get(f"/stage/{stage.round.id}/{name}").status_code == expected
    assert client.post_form(f"/stage/{stage.round.id}/call").status_code == expected
    assert control.next_up(order.running_order(stage.round), None).registration == stage.entries[0]


def test_a_round_that_is_not_live_has_no_stage(client, login_as, judging):
    j = judging(entries=1)
    login_as(Role.ORGANISER)
    assert client.get(f"/stage/{j.round.id}/control").status_code == 404
    assert client.get(f"/stage/{j.round.id}/state.json").status_code == 404


def test_actions_need_the_csrf_token(client, login_as, stage):
    login_as(user=stage.jurors[0].user)
    assert client.post(f"/stage/{stage.round.id}/call").status_code == 400
    response = client.post_form(f"/stage/{stage.round.id}/call", follow_redirects=True)
    assert response.status_code == 200 and "On stage" in page(response)


def test_the_chair_runs_a_performance_from_the_page(client, login_as, stage):
    login_as(user=stage.jurors[0].user)
    client.post_form(f"/stage/{stage.round.id}/order/draw", {"seed": "hall-1"})
    first = order.running_order(stage.round)[0].registration
    client.post_form(f"/stage/{stage.round.id}/call")
    response = client.get(f"/stage/{stage.round.id}/control")
    assert "0 / 2" in page(response) or "Score sheets" in page(response)
    response = client.post_form(f"/stage/{stage.round.id}/close", follow_redirects=True)
    assert "Performance closed" in page(response)
    assert order.running_order(stage.round)[0].registration == first
    assert order.running_order(stage.round)[0].is_closed
    # Closing again is refused with a message, not an error page.
    response = client.post_form(f"/stage/{stage.round.id}/close")
    assert response.status_code == 422 and "Nobody is on stage" in page(response)


def test_the_state_answers_304_while_nothing_changes(client, stage):
    stage.contest.status = "judging"
    url = f"/stage/{stage.round.id}/state.json"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.json["now"]["code"] == stage.entries[0].code


def test_the_state_names_only_who_may_be_named(client, db, stage, make_participant, make_registration):
    minor = make_participant(birth_date=date(2015, 5, 1), consent_at=None, consent_version=None,
                             phone="+7 777 123 45 67")
    minor.consent_withdrawn_at = None
    shy = make_registration(stage.contest, participant=minor, status="approved")
    db.session.add(one_work_entry(shy, title="Poem", text="A line"))
    adult = stage.entries[0].participant
    adult.phone = "+7 701 555 00 11"
    minor.consent_at, minor.consent_withdrawn_at = minor.created_at, minor.created_at  # consent withdrawn
    db.session.commit()
    control.call_on_stage(stage.round, shy.id, actor=stage.organiser)
    data = client.get(f"/stage/{stage.round.id}/state.json").json
    assert data["now"] == {"position": 4, "code": shy.code, "name": None, "category": data["now"]["category"]}
    assert data["next"]["name"] == adult.full_name
    body = client.get(f"/stage/{stage.round.id}/state.json").get_data(as_text=True)
    for secret in ("+7", "Guardian", minor.surname, "School"):
        assert secret not in body
    stage.contest.is_blind = True
    db.session.commit()
    control.pause_timer(stage.round, actor=stage.organiser)  # a new version
    db.session.commit()
    assert client.get(f"/stage/{stage.round.id}/state.json").json["next"]["name"] is None


def test_a_juror_sees_their_own_sheet_and_the_reminder(client, login_as, db, stage):
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    juror = stage.jurors[1]
    control.remind_juror(stage.round, juror.id, actor=stage.organiser)
    db.session.commit()
    login_as(user=juror.user)
    data = client.get(f"/stage/{stage.round.id}/state.json").json
    assert data["juror"] == {"registration_id": stage.entries[0].id, "sheet": "missing", "sheet_version": 0,
                             "reminded": True}


def test_the_audience_screen_is_public_in_the_organisers_language(client, stage):
    response = client.get(f"/stage/{stage.round.id}/screen?lang=ru")
    assert response.status_code == 200
    assert '<html lang="ru">' in page(response) and "stage-screen.js" in page(response)
    assert "<script>" not in page(response)
    stage.contest.status = "draft"
    for address in ("screen", "state.json", "events"):  # a draft shows nothing of its stage
        assert client.get(f"/stage/{stage.round.id}/{address}").status_code == 404
    assert client.get("/stage/999999/state.json").status_code == 404


def test_the_place_shows_on_the_registration_page_once_announced(client, login_as, db, stage):
    registration = stage.entries[2]
    login_as(user=registration.participant.account)
    assert "place in the performance order" not in page(client.get(f"/my/registrations/{registration.id}"))
    order.publish_order(stage.round, actor=stage.organiser)
    db.session.commit()
    assert "place in the performance order: 3" in page(client.get(f"/my/registrations/{registration.id}"))


def test_the_control_page_names_the_sheets_closed_performances_lack(client, login_as, db, live, count_queries):
    j = live(entries=4, jurors=3)
    client.set_cookie("lang", "en")
    login_as(user=j.jurors[0].user)
    url = f"/stage/{j.round.id}/control"

    def close_next() -> Registration:
        registration = control.call_on_stage(j.round, None, actor=j.organiser)
        control.close_performance(j.round, actor=j.organiser)
        db.session.commit()
        return registration

    first = close_next()
    with count_queries() as few:
        text = page(client.get(url))
    assert "Score sheets still missing from closed performances:" in text
    for member in j.jurors:
        assert f"<li>{first.code} — {member.name}</li>" in text
    # The reopening form starts at the first one missing: one click away for the chair.
    assert f'<option value="{j.jurors[0].id}" selected>' in text and f'<option value="{first.id}" selected>' in text
    later = [close_next(), close_next()]
    with count_queries() as many:
        text = page(client.get(url))
    assert many.count == few.count
    assert all(f"<li>{registration.code} — {j.jurors[2].name}</li>" in text for registration in later)

    for registration in [first, *later]:
        for member in j.jurors:
            sheet = judging.reopen_late_sheet(member, registration, j.round, reason="Sent by hand", actor=j.organiser)
            judging.save_sheet(member, registration, j.round, j.points(5, 5), version=sheet.version, submit=True,
                               actor=member.user)
    db.session.commit()
    text = page(client.get(url))
    assert "Every closed performance has all its score sheets." in text and "still missing" not in text


@pytest.mark.parametrize("url", ["/stage/{id}/state.json", "/stage/{id}/control", "/stage/{id}/order"])
def test_queries_do_not_grow_with_the_field(client, login_as, db, live, make_registration, count_queries, url):
    j = live(entries=2)
    login_as(user=j.jurors[0].user)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    address = url.format(id=j.round.id)
    client.get(address)
    with count_queries() as few:
        assert client.get(address).status_code == 200
    for _ in range(6):
        more = make_registration(j.contest, status="approved")
        db.session.add(one_work_entry(more, title="Poem", text="A line"))
    db.session.commit()
    with count_queries() as many:
        assert client.get(address).status_code == 200
    assert many.count == few.count



def test_a_reminded_juror_sees_the_notice_above_their_queue(client, login_as, db, stage):
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    juror = stage.jurors[1]
    queue = f"/jury/{stage.contest.id}/rounds/{stage.round.id}"
    login_as(user=juror.user)
    assert "waiting for your score sheet" not in page(client.get(queue))
    control.remind_juror(stage.round, juror.id, actor=stage.organiser)
    db.session.commit()
    text = page(client.get(queue))
    assert "waiting for your score sheet" in text and f"/entries/{stage.entries[0].id}" in text
    control.close_performance(stage.round, actor=stage.organiser)  # the next performer: the notice goes
    db.session.commit()
    assert "waiting for your score sheet" not in page(client.get(queue))


def test_the_order_page_shows_each_performance_and_its_overrun(client, login_as, db, stage):
    stage.round.time_limit_seconds = 60
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    state = db.session.get(StageState, stage.round.id)
    state.started_at -= timedelta(seconds=75)
    control.close_performance(stage.round, actor=stage.organiser)
    db.session.commit()
    login_as(Role.ORGANISER)
    text = page(client.get(f"/stage/{stage.round.id}/order"))
    assert "Performed: 1:1" in text and "over the time limit by 0:1" in text
