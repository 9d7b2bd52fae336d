"""The shared stage state: versions, Redis publishing after commit, results revealed from the
published snapshot only, as consent stands."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.db import utcnow
from contest.judging import services as judging
from contest.results.services import current_snapshot, publish_results
from contest.stage import control, screen, state
from contest.stage.models import StageState


def test_every_change_moves_the_version_on(db, live):
    j = live(entries=2)
    assert state.current_version(j.round.id) == 0
    control.call_on_stage(j.round, None, actor=j.organiser)
    control.pause_timer(j.round, actor=j.organiser)
    db.session.commit()
    assert state.current_version(j.round.id) == 3  # created at 1, then two changes


def test_the_version_reaches_redis_only_when_committed(db, live, with_redis):
    j = live(entries=2)
    key = f"stage:{j.round.id}:version"
    with_redis.delete(key)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.rollback()
    assert with_redis.get(key) is None
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    assert int(with_redis.get(key)) == db.session.get(StageState, j.round.id).version
    # Redis answers the readers; a lost key is written again from the database.
    with_redis.set(key, 99)
    assert state.current_version(j.round.id) == 99
    with_redis.delete(key)
    assert state.current_version(j.round.id) == 2 and int(with_redis.get(key)) == 2


def test_results_are_revealed_from_the_snapshot_as_consent_stands(app, db, live, make_award_tier):
    j = live(entries=2)
    make_award_tier(j.contest, name_kk="Бас жүлде", name_ru="Гран-при", name_en="Grand Prix")
    category = j.contest.categories[0]
    category.name_kk, category.name_ru, category.name_en = "5–7 сыныптар", "5–7 классы", "Grades 5–7"
    for member in j.jurors:
        for number, entry in enumerate(j.entries):
            judging.save_sheet(member, entry, j.round, j.points(9 - number, 8), version=0, submit=True,
                               actor=member.user)
    publish_results(j.contest, actor=j.organiser)
    control.reveal_results(j.round, category.id, actor=j.jurors[0].user)
    control.reveal_results(j.round, category.id, actor=j.jurors[0].user)  # once is enough
    revealed_events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stage.reveal")).all()
    snapshot = current_snapshot(j.contest.id, with_data=False)
    assert [(event.actor_id, event.object_type, event.object_id, event.data) for event in revealed_events] == [
        (j.jurors[0].user.id, "Category", category.id,
         {"contest_id": j.contest.id, "round_id": j.round.id, "snapshot_id": snapshot.id})]
    second = j.entries[1].participant
    second.consent_at = second.consent_withdrawn_at = second.created_at  # withdrawn after publishing
    j.contest.score_decimals = 1  # changed since: the published snapshot keeps its two decimals
    db.session.commit()
    with app.test_request_context(), force_locale("en"):
        in_russian = screen.public_state(j.round, language="ru")["revealed"]
        data = screen.public_state(j.round, language="en")
    # The screen's language, not the site's: names of the category and the award, the decimal comma.
    assert in_russian == [{"category": "5–7 классы", "rows": [
        {"place": 1, "name": j.entries[0].participant.full_name, "award": "Гран-при", "score": "17,00"},
        {"place": 2, "name": f"Participant {j.entries[1].code}", "award": "", "score": "16,00"}]}]
    revealed = data["revealed"]
    assert "chair" not in data  # the jury's table only when asked for
    assert len(revealed) == 1 and data["results_url"] == f"http://localhost/contests/{j.contest.slug}/results"
    assert [(row["place"], row["name"]) for row in revealed[0]["rows"]] == [
        (1, j.entries[0].participant.full_name), (2, f"Participant {j.entries[1].code}")]
    control.hide_results(j.round, actor=j.organiser)
    with app.test_request_context():
        assert screen.public_state(j.round, language="en")["revealed"] == []
    hidden = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stage.hide_results")).all()
    assert [(event.actor_id, event.object_type, event.object_id, event.data) for event in hidden] == [
        (j.organiser.id, "Round", j.round.id, {"contest_id": j.contest.id})]
    control.hide_results(j.round, actor=j.organiser)  # nothing shown: nothing to hide, nothing recorded
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "stage.hide_results")) == 1
    control.reveal_results(j.round, category.id, actor=j.organiser)  # and it can be shown again
    assert db.session.get(StageState, j.round.id).revealed_category_ids == [category.id]


@pytest.mark.parametrize("redis_on", [False, True])
def test_an_unchanged_stage_answers_304_cheaply(request, client, db, live, count_queries, redis_on):
    if redis_on:
        request.getfixturevalue("with_redis")
    j = live(entries=1)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    url = f"/stage/{j.round.id}/state.json"
    etag = client.get(url).headers["ETag"]
    with count_queries() as log:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    selects = [statement for statement in log.statements if statement.startswith("SELECT")]
    assert len(selects) == (0 if redis_on else 1)  # the version: from Redis, else one small query


def test_the_hall_is_told_the_whole_stage_in_its_own_language(app, db, live):
    """Everything the audience screen draws, in the screen's language whatever the site's: the
    contest, who is on stage and who is next (never the same), the timer with its limit, the
    count of sheets, the reminders and the progress."""
    j = live(entries=3)
    j.contest.title_kk, j.contest.title_ru, j.contest.title_en = "Шәкәрім оқулары", "Чтения Шакарима", "Shakarim"
    category = j.entries[0].category
    category.name_kk, category.name_ru, category.name_en = "5–7 сыныптар", "5–7 классы", "Grades 5–7"
    j.round.time_limit_seconds = 180
    first, second = j.entries[0], j.entries[1]
    with app.test_request_context():
        before = screen.public_part(screen.stage_now(j.round), "en")  # not started: no state yet
    assert (before["version"], before["now"], before["next"]["code"]) == (0, None, first.code)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    with app.test_request_context(), force_locale("kk"):
        data = screen.public_part(screen.stage_now(j.round), "ru")
        label = j.round.label
    assert data["version"] == db.session.get(StageState, j.round.id).version > 0
    assert (data["contest"], data["round"]) == ("Чтения Шакарима", label)
    assert data["now"] == {"position": 1, "code": first.code, "name": first.participant.full_name,
                           "category": "5–7 классы"}
    assert data["next"] == {"position": 2, "code": second.code, "name": second.participant.full_name,
                            "category": second.category.name_ru}
    assert data["timer"]["running"] is True and data["timer"]["limit"] == 180
    assert data["scores"] == {"submitted": 0, "total": 2} and data["reminders"] == 0
    assert data["progress"] == {"done": 0, "total": 3}
    assert data["revealed"] == [] and data["results_url"] is None

    control.remind_juror(j.round, j.jurors[1].id, actor=j.organiser)
    control.pause_timer(j.round, actor=j.organiser)
    db.session.commit()
    with app.test_request_context():
        data = screen.public_part(screen.stage_now(j.round), "en")
    stopped = db.session.get(StageState, j.round.id).elapsed_at(utcnow())
    assert data["timer"] == {"elapsed": stopped, "running": False, "limit": 180}
    assert data["reminders"] == 1 and data["now"]["category"] == "Grades 5–7"

    control.close_performance(j.round, actor=j.organiser)  # nobody on stage: no timer, no reminders
    db.session.commit()
    with app.test_request_context():
        data = screen.public_part(screen.stage_now(j.round), "en")
    assert data["now"] is None and data["timer"] is None and data["scores"] is None
    assert data["reminders"] == 0 and data["progress"] == {"done": 1, "total": 3}
    assert data["next"]["code"] == second.code
