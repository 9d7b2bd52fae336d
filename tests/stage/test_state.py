"""The shared stage state: versions, Redis publishing after commit, results revealed from the
published snapshot only, as consent stands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
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
    make_award_tier(j.contest)
    for member in j.jurors:
        for number, entry in enumerate(j.entries):
            judging.save_sheet(member, entry, j.round, j.points(9 - number, 8), version=0, submit=True,
                               actor=member.user)
    publish_results(j.contest, actor=j.organiser)
    category = j.contest.categories[0]
    control.reveal_results(j.round, category.id, actor=j.jurors[0].user)
    control.reveal_results(j.round, category.id, actor=j.jurors[0].user)  # once is enough
    revealed_events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "stage.reveal")).all()
    snapshot = current_snapshot(j.contest.id, with_data=False)
    assert [(event.actor_id, event.object_type, event.object_id, event.data) for event in revealed_events] == [
        (j.jurors[0].user.id, "Category", category.id,
         {"contest_id": j.contest.id, "round_id": j.round.id, "snapshot_id": snapshot.id})]
    second = j.entries[1].participant
    second.consent_at = second.consent_withdrawn_at = second.created_at  # withdrawn after publishing
    db.session.commit()
    with app.test_request_context():
        data = screen.public_state(j.round, language="en")
    revealed = data["revealed"]
    assert len(revealed) == 1 and data["results_url"].endswith(f"/contests/{j.contest.slug}/results")
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
