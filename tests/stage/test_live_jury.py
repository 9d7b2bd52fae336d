"""The jury at work, live: a sheet of the performer on stage moves the stage's version (so every
screen sees it), the chair's part of the state (each juror's sheet) goes only to the chair and
organisers, the hall gets a count without names, each kind of viewer has its own ETag, and the
unchanged answer stays cheap."""

from __future__ import annotations

from datetime import date

import pytest

from contest.auth.models import Role
from contest.judging import services as judging
from contest.registration.models import Registration
from contest.stage import control, screen, state
from contest.stage.models import StageState
from tests.registration.helpers import one_work_entry


def _version(db, round_id: int) -> int:
    db.session.expire_all()
    return db.session.get(StageState, round_id).version


def test_a_sheet_for_the_performer_on_stage_moves_the_version(db, live):
    j = live(entries=2)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    on_stage, waiting = j.entries
    juror = j.jurors[1]
    before = _version(db, j.round.id)
    judging.save_sheet(juror, on_stage, j.round, j.points(7, 6), version=0, actor=juror.user)  # a new draft
    db.session.commit()
    assert _version(db, j.round.id) == before + 1
    sheet = judging.save_sheet(juror, on_stage, j.round, j.points(8, 6), version=1, actor=juror.user)
    db.session.commit()
    assert _version(db, j.round.id) == before + 1  # a draft saved again: the chair's table is the same
    judging.save_sheet(juror, on_stage, j.round, j.points(8, 6), version=sheet.version, submit=True,
                       actor=juror.user)
    db.session.commit()
    assert _version(db, j.round.id) == before + 2
    judging.reopen_sheet(sheet, reason="A slip of the pen", actor=j.organiser)
    db.session.commit()
    assert _version(db, j.round.id) == before + 3
    judging.save_sheet(juror, waiting, j.round, j.points(5, 5), version=0, submit=True, actor=juror.user)
    db.session.commit()
    assert _version(db, j.round.id) == before + 3  # not the performer on stage


def test_a_sheet_moves_nothing_once_the_performer_left_the_stage(db, live):
    j = live(entries=1)
    control.call_on_stage(j.round, None, actor=j.organiser)
    control.close_performance(j.round, actor=j.organiser)
    db.session.commit()
    before = _version(db, j.round.id)
    control.reopen_late_sheet(j.round, j.jurors[1].id, j.entries[0].id, reason="Phone died", actor=j.organiser)
    db.session.commit()
    assert _version(db, j.round.id) == before


def test_a_rolled_back_submit_announces_nothing(db, live, request):
    redis_client = request.getfixturevalue("with_redis")
    j = live(entries=1)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    key = f"stage:{j.round.id}:version"
    published = int(redis_client.get(key))
    judging.save_sheet(j.jurors[1], j.entries[0], j.round, j.points(7, 6), version=0, submit=True,
                       actor=j.jurors[1].user)
    db.session.rollback()
    assert int(redis_client.get(key)) == published
    judging.save_sheet(j.jurors[1], j.entries[0], j.round, j.points(7, 6), version=0, submit=True,
                       actor=j.jurors[1].user)
    db.session.commit()
    assert int(redis_client.get(key)) == published + 1 == state.current_version(j.round.id)


@pytest.fixture
def on_stage(live, client, db, make_participant, make_registration):
    """A live round whose performer on stage is a minor whose consent was withdrawn, with a phone on file;
    the second juror has submitted, the first (the chair) has not."""
    client.set_cookie("lang", "en")
    j = live(entries=1, jurors=3)
    minor = make_participant(birth_date=date(2015, 5, 1), consent_at=None, consent_version=None,
                             phone="+7 777 123 45 67")
    minor.consent_at = minor.consent_withdrawn_at = minor.created_at  # the guardian withdrew consent
    shy = make_registration(j.contest, participant=minor, status="approved")
    db.session.add(one_work_entry(shy, title="Poem", text="A line"))
    db.session.commit()
    control.call_on_stage(j.round, shy.id, actor=j.organiser)
    judging.save_sheet(j.jurors[1], shy, j.round, j.points(7, 6), version=0, submit=True, actor=j.jurors[1].user)
    db.session.commit()
    j.minor = minor
    return j


def _get(client, url, etag=None):
    return client.get(url, headers={"If-None-Match": etag} if etag else {})


@pytest.mark.parametrize("redis_on", [False, True])  # with Redis: from the state rendered once per version
def test_the_chair_and_organisers_get_each_jurors_sheet(request, client, login_as, on_stage, redis_on):
    if redis_on:
        request.getfixturevalue("with_redis")
    url = f"/stage/{on_stage.round.id}/state.json"
    chair, submitted, waiting = on_stage.jurors
    for user in (chair.user, on_stage.organiser):
        login_as(user=user)
        response = client.get(url)
        assert response.headers["Cache-Control"] == "private, no-cache"
        part = response.json["chair"]
        assert part["submitted"] == 1 and part["total"] == 3
        assert {(item["member_id"], item["state"], item["reminded"]) for item in part["jurors"]} == {
            (chair.id, "missing", False), (submitted.id, "submitted", False), (waiting.id, "missing", False)}
    login_as(user=chair.user)
    body = client.get(url).get_data(as_text=True)
    for secret in ("+7", on_stage.minor.full_name, "2015", "Guardian", "School"):
        assert secret not in body  # the minor on stage: code only, never contact data


@pytest.mark.parametrize("redis_on", [False, True])
@pytest.mark.parametrize("who", ["juror", "participant"])
def test_no_one_else_gets_the_chairs_part(request, client, login_as, on_stage, who, redis_on):
    if redis_on:
        request.getfixturevalue("with_redis")
    juror = on_stage.jurors[2]
    login_as(user=juror.user) if who == "juror" else login_as(Role.PARTICIPANT)
    data = client.get(f"/stage/{on_stage.round.id}/state.json").json
    assert "chair" not in data
    assert ("juror" in data) == (who == "juror")


@pytest.mark.parametrize("redis_on", [False, True])
def test_the_hall_gets_a_count_without_names(request, app, on_stage, redis_on):
    if redis_on:
        request.getfixturevalue("with_redis")
    response = app.test_client().get(f"/stage/{on_stage.round.id}/state.json")
    assert response.json["scores"] == {"submitted": 1, "total": 3}
    assert "chair" not in response.json and "juror" not in response.json
    body = response.get_data(as_text=True)
    for member in on_stage.jurors:
        assert member.name not in body
    for secret in ("+7", on_stage.minor.full_name, "2015"):
        assert secret not in body


def test_each_kind_of_viewer_has_its_own_etag(app, client, login_as, on_stage):
    url = f"/stage/{on_stage.round.id}/state.json"
    anonymous = app.test_client().get(url).headers["ETag"]
    login_as(user=on_stage.jurors[2].user)
    juror = client.get(url).headers["ETag"]
    login_as(user=on_stage.jurors[0].user)  # the chair, also a juror
    chair = client.get(url).headers["ETag"]
    login_as(user=on_stage.organiser)
    organiser = client.get(url).headers["ETag"]
    assert len({anonymous, juror, chair, organiser}) == 4
    # An answer kept for another kind of viewer is never confirmed: the chair gets the full state.
    for other in (anonymous, juror):
        assert _get(client, url, other).status_code == 200
    assert _get(client, url, organiser).status_code == 304


@pytest.mark.parametrize("redis_on", [False, True])
def test_a_submit_reaches_every_viewer(request, app, client, db, login_as, on_stage, redis_on):
    if redis_on:
        request.getfixturevalue("with_redis")
    url = f"/stage/{on_stage.round.id}/state.json"
    hall = app.test_client()
    hall_etag = hall.get(url).headers["ETag"]
    login_as(user=on_stage.organiser)
    chair_etag = client.get(url).headers["ETag"]
    waiting = on_stage.jurors[2]
    registration_id = db.session.get(StageState, on_stage.round.id).current_registration_id
    judging.save_sheet(waiting, db.session.get(type(on_stage.entries[0]), registration_id), on_stage.round,
                       on_stage.points(9, 9), version=0, submit=True, actor=waiting.user)
    db.session.commit()
    assert _get(hall, url, hall_etag).json["scores"] == {"submitted": 2, "total": 3}
    assert _get(client, url, chair_etag).json["chair"]["submitted"] == 2


def _selects(log) -> int:
    return sum(1 for statement in log.statements if statement.startswith("SELECT"))


@pytest.mark.parametrize("redis_on", [False, True])
def test_the_unchanged_answer_stays_cheap(request, app, client, login_as, on_stage, count_queries, redis_on):
    if redis_on:
        request.getfixturevalue("with_redis")
    url = f"/stage/{on_stage.round.id}/state.json"
    hall = app.test_client()
    etag = hall.get(url).headers["ETag"]
    with count_queries() as log:
        assert _get(hall, url, etag).status_code == 304
    assert _selects(log) == (0 if redis_on else 1)  # the version: from Redis, else one small query
    login_as(user=on_stage.jurors[0].user)
    etag = client.get(url).headers["ETag"]
    with count_queries() as log:
        assert _get(client, url, etag).status_code == 304
    # The chair: their account (one), their own sheet (two), whether they chair (one), and the
    # version without Redis: the jury's table is built only when something changed.
    assert _selects(log) == (4 if redis_on else 5)


def test_the_chair_reads_the_state_the_hall_rendered(app, client, login_as, on_stage, count_queries, with_redis):
    """With Redis, each version is rendered once with the chair's table: the chair's page asking
    after a change reads only who asks, never the running order or the jury again."""
    url = f"/stage/{on_stage.round.id}/state.json"
    assert app.test_client().get(url).status_code == 200  # the hall's screens: this version rendered
    login_as(user=on_stage.jurors[0].user)
    with count_queries() as log:
        part = client.get(url).json["chair"]
    assert part["submitted"] == 1 and part["total"] == 3
    assert not [statement for statement in log.statements if "FROM registration" in statement]
    # Their account, their own sheet (two), whether they chair, and the round the address names.
    assert _selects(log) <= 6


def test_a_juror_is_told_their_own_sheet_and_nobody_elses(client, login_as, db, on_stage):
    """A juror's part of state.json: their own sheet for the performer on stage (its state and
    version), whether the chair reminded them, and a new ETag when either changes."""
    url = f"/stage/{on_stage.round.id}/state.json"
    submitted, waiting = on_stage.jurors[1], on_stage.jurors[2]
    control.remind_juror(on_stage.round, waiting.id, actor=on_stage.organiser)
    db.session.commit()
    on_now = db.session.get(StageState, on_stage.round.id).current_registration_id
    sheet = judging.sheet_for(submitted, db.session.get(Registration, on_now), on_stage.round)
    login_as(user=submitted.user)
    assert client.get(url).json["juror"] == {"registration_id": on_now, "sheet": "submitted",
                                             "sheet_version": sheet.version, "reminded": False}
    # A draft of theirs for another performer of the round is not the sheet for the one on stage.
    judging.save_sheet(waiting, on_stage.entries[0], on_stage.round, on_stage.points(6, 6), version=0,
                       actor=waiting.user)
    db.session.commit()
    login_as(user=waiting.user)
    before = client.get(url)
    assert before.json["juror"] == {"registration_id": on_now, "sheet": "missing", "sheet_version": 0,
                                    "reminded": True}
    judging.save_sheet(waiting, db.session.get(Registration, on_now), on_stage.round, on_stage.points(5, 5),
                       version=0, actor=waiting.user)  # a draft: the hall's state does not move
    db.session.commit()
    after = _get(client, url, before.headers["ETag"])
    assert after.status_code == 200 and after.json["juror"]["sheet"] == "draft"
    assert after.json["juror"]["sheet_version"] == judging.sheet_for(
        waiting, db.session.get(Registration, on_now), on_stage.round).version


def test_a_juror_asking_before_the_start_or_about_another_contest(client, login_as, db, live):
    """Before anyone is on stage a juror's part names no one; a juror of another contest's jury
    gets no juror's part at all, even while their own contest's stage runs."""
    ours, theirs = live(entries=2), live(entries=2)
    control.call_on_stage(theirs.round, None, actor=theirs.organiser)  # the other stage's row first
    db.session.commit()
    login_as(user=ours.jurors[1].user)
    url = f"/stage/{ours.round.id}/state.json"
    assert client.get(url).json["juror"] == {"registration_id": None, "sheet": None, "sheet_version": 0,
                                             "reminded": False}
    control.call_on_stage(ours.round, None, actor=ours.organiser)
    db.session.commit()
    assert client.get(url).json["juror"]["registration_id"] == ours.entries[0].id
    assert "juror" not in client.get(f"/stage/{theirs.round.id}/state.json").json


def test_the_chair_sees_whom_they_reminded(app, db, on_stage):
    control.remind_juror(on_stage.round, on_stage.jurors[2].id, actor=on_stage.organiser)
    db.session.commit()
    with app.test_request_context():
        part = screen.public_state(on_stage.round, language="en", for_chair=True)["chair"]
    assert part["registration_id"] == db.session.get(StageState, on_stage.round.id).current_registration_id
    assert {item["member_id"]: item["reminded"] for item in part["jurors"]} == {
        member.id: member == on_stage.jurors[2] for member in on_stage.jurors}
