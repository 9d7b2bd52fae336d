"""The juror's live stage page and the performer's part its script swaps in: who may open them
(a juror of the contest's jury; 404 for anyone else's juror), the sheet of whoever is on stage,
blind judging, a juror's own sheet only, a conflict, the way back without JavaScript, and a
query count that does not grow with the field."""

from __future__ import annotations

import pytest

from contest.auth.models import Role
from contest.judging import services as judging
from contest.stage import control
from tests.registration.helpers import one_work_entry, page


@pytest.fixture
def stage(live, client):
    client.set_cookie("lang", "en")  # the pages' words in English, as the assertions read them
    return live(entries=3)


def urls(j) -> tuple[str, str]:
    base = f"/jury/{j.contest.id}/rounds/{j.round.id}/stage"
    return base, f"{base}/performer"


def test_the_page_follows_the_performer_on_stage(client, login_as, db, stage):
    follow, part = urls(stage)
    login_as(user=stage.jurors[1].user)
    text = page(client.get(follow))
    assert "Waiting for the next performer" in text and 'data-registration-id=""' in text
    assert "stage-follow.js" in text and "<script>" not in text

    control.call_on_stage(stage.round, None, actor=stage.organiser)
    db.session.commit()
    first = stage.entries[0]
    response = client.get(part)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    fragment = page(response)
    assert fragment.lstrip().startswith("{#") is False and "<html" not in fragment
    assert f'data-registration-id="{first.id}"' in fragment and f"On stage: {first.code}<" in fragment
    assert f'action="/jury/{stage.contest.id}/rounds/{stage.round.id}/entries/{first.id}"' in fragment
    assert f'name="back" value="{follow}"' in fragment and "data-offline-stay" in fragment
    assert "Save and next" not in fragment  # the stage decides who is next
    assert first.participant.full_name in fragment  # not blind
    assert f'data-registration-id="{first.id}"' in page(client.get(follow))


def test_the_queue_of_a_live_round_links_to_the_stage_page(client, login_as, stage, judging):  # noqa: F811
    login_as(user=stage.jurors[1].user)
    follow, _part = urls(stage)
    assert f'href="{follow}"' in page(client.get(f"/jury/{stage.contest.id}/rounds/{stage.round.id}"))
    written = judging(entries=1)
    login_as(user=written.jurors[0].user)
    assert "/stage" not in page(client.get(f"/jury/{written.contest.id}/rounds/{written.round.id}"))


@pytest.mark.parametrize("who, expected", [("other_contest_juror", 404), ("organiser", 403), ("participant", 403)])
def test_others_are_kept_out(client, login_as, live, stage, who, expected):
    if who == "other_contest_juror":
        login_as(user=live(entries=1).jurors[1].user)
    else:
        login_as(Role(who))
    for url in urls(stage):
        assert client.get(url).status_code == expected


def test_a_round_that_is_not_live_has_no_stage_page(client, login_as, judging):
    j = judging(entries=1)
    login_as(user=j.jurors[0].user)
    for url in urls(j):
        assert client.get(url).status_code == 404
    assert client.get(f"/jury/{j.contest.id}/rounds/999999/stage").status_code == 404


def test_blind_judging_shows_no_names(client, login_as, db, stage):
    stage.contest.is_blind = True
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    db.session.commit()
    login_as(user=stage.jurors[1].user)
    participant = stage.entries[0].participant
    for url in urls(stage):
        text = page(client.get(url))
        assert stage.entries[0].code in text
        for secret in (participant.full_name, participant.surname):
            assert secret not in text


def test_only_the_jurors_own_sheet_shows(client, login_as, db, stage):
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    first = stage.entries[0]
    other, me = stage.jurors[0], stage.jurors[1]
    judging.save_sheet(other, first, stage.round, stage.points(9, 9.5), comment="Chair's secret note",
                       version=0, submit=True, actor=other.user)
    judging.save_sheet(me, first, stage.round, stage.points(4, 3.5), comment="", version=0, actor=me.user)
    db.session.commit()
    login_as(user=me.user)
    text = page(client.get(urls(stage)[1]))
    assert 'value="4"' in text and 'value="3.5"' in text and 'name="version" type="hidden" value="1"' in text
    assert "Chair's secret note" not in text and 'value="9.5"' not in text


def test_a_juror_in_conflict_sees_why_and_no_sheet(client, login_as, db, stage):
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    me = stage.jurors[1]
    judging.declare_conflict(me, stage.entries[0], reason="My pupil", actor=me.user)
    db.session.commit()
    login_as(user=me.user)
    text = page(client.get(urls(stage)[1]))
    assert "conflict of interest" in text and "data-offline-sheet" not in text


def test_without_javascript_the_sheet_comes_back_to_the_stage(client, login_as, db, stage):
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    db.session.commit()
    me, first = stage.jurors[1], stage.entries[0]
    login_as(user=me.user)
    follow, _part = urls(stage)
    sheet = f"/jury/{stage.contest.id}/rounds/{stage.round.id}/entries/{first.id}"
    fields = {f"points_{criterion.id}": "7" for criterion in stage.criteria} | {"version": "0", "action": "submit"}
    response = client.post_form(sheet, fields | {"back": follow})
    assert response.status_code == 302 and response.headers["Location"] == follow
    assert judging.sheet_for(me, first, stage.round).is_submitted
    # Only a jury page: another site, or a path outside /jury/, is not followed.
    second = stage.entries[1]
    fields["version"] = "0"
    for back in ("https://evil.example/jury/", "//evil.example/jury/", "/admin/"):
        response = client.post_form(f"/jury/{stage.contest.id}/rounds/{stage.round.id}/entries/{second.id}",
                                    fields | {"action": "draft", "back": back})
        assert response.status_code == 302 and "evil" not in response.headers["Location"]
        assert response.headers["Location"].startswith("/jury/")
        db.session.expire_all()
        fields["version"] = str(judging.sheet_for(me, second, stage.round).version)


def test_a_sheet_sent_from_the_stage_page_leaves_no_message_for_a_later_page(client, login_as, db, stage):
    """The stage page stays where it is and its script says what was sent; a message kept for the
    next page as well would greet the juror there, once for every sheet sent meanwhile."""
    follow, _part = urls(stage)
    me = stage.jurors[1]
    login_as(user=me.user)
    for number, entry in enumerate(stage.entries[:2]):
        control.call_on_stage(stage.round, None, actor=stage.organiser)
        db.session.commit()
        fields = {f"points_{criterion.id}": "7" for criterion in stage.criteria}
        response = client.post(f"/jury/{stage.contest.id}/rounds/{stage.round.id}/entries/{entry.id}",
                               data=fields | {"version": "0", "action": "submit", "back": follow},
                               headers={"Accept": "application/json", "X-CSRFToken": client.csrf_token(),
                                        "Idempotency-Key": f"stage-send-{number}"})
        assert response.get_json()["status"] == "saved" and response.get_json()["next_url"] == follow
        assert judging.sheet_for(me, entry, stage.round).is_submitted
        control.close_performance(stage.round, actor=stage.organiser)
        db.session.commit()
    assert "submitted." not in page(client.get(follow))


@pytest.mark.parametrize("which", [0, 1])
def test_queries_do_not_grow_with_the_field(client, login_as, db, live, make_registration, count_queries, which):
    j = live(entries=2)
    control.call_on_stage(j.round, None, actor=j.organiser)
    db.session.commit()
    login_as(user=j.jurors[1].user)
    address = urls(j)[which]
    client.get(address)
    with count_queries() as few:
        assert client.get(address).status_code == 200
    for _ in range(6):
        more = make_registration(j.contest, status="approved")
        db.session.add(one_work_entry(more, title="Poem", text="A line"))
    db.session.commit()
    with count_queries() as many:
        assert client.get(address).status_code == 200
    assert many.count == few.count <= 17  # the sheet page's own checks (load_scope) are most of them
    # The performer's entry and works are read once: the check that the juror scores them
    # reuses what the page loaded.
    assert sum("FROM entry_work" in statement for statement in many.statements) == 1


def test_a_sheet_sent_from_the_stage_page_reads_each_thing_once(client, login_as, db, stage, count_queries):
    """A jury submits together, so each sheet's work is what the stage waits on: the entry is read
    once, the sheet is not read before the save for an answer that does not show it."""
    follow, _part = urls(stage)
    control.call_on_stage(stage.round, None, actor=stage.organiser)
    db.session.commit()
    entry, me = stage.entries[0], stage.jurors[1]
    address = f"/jury/{stage.contest.id}/rounds/{stage.round.id}/entries/{entry.id}"
    fields = {f"points_{criterion.id}": "7" for criterion in stage.criteria}
    login_as(user=me.user)
    token = client.csrf_token()
    with count_queries() as log:
        response = client.post(address, data=fields | {"version": "0", "action": "submit", "back": follow},
                               headers={"Accept": "application/json", "X-CSRFToken": token,
                                        "Idempotency-Key": "0b7c2a52-5d1e-4c57-9f0e-6a1d2c3b4e5f"})
    assert response.get_json()["status"] == "saved"
    assert judging.sheet_for(me, entry, stage.round).is_submitted
    assert sum("FROM entry_work" in statement for statement in log.statements) == 1
    # The sheet: once under the save's lock, once for its scores; not before.
    assert sum(statement.startswith("SELECT score_sheet.") for statement in log.statements) == 2
    assert len(log.statements) <= 30
