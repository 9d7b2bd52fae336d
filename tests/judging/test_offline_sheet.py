"""The score sheet's JSON answer, for the page's script that keeps scores through a lost
connection: saved with the new version, or refused with the reason and the message (stale,
already sent, locked, closed, invalid values each listed); a save sent twice is applied once;
CSRF (in a header), the role and the contest are checked as on the form."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.judging import services
from contest.judging.models import Score, ScoreSheet, SheetSend
from tests.judging.test_views import form, sheet_url

KEY = "0f3c2a6e-5b8d-4f1e-9a7c-2d4b6e8f0a1c"


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def scoring(judging, login_as):
    j = judging()
    login_as(user=j.jurors[0].user)
    return j


def send(client, j, entry, data: dict, *, key: str | None = KEY, token: str | None = "fresh"):
    """POST as the page's script does: the form's fields, the token in X-CSRFToken, a key."""
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["X-CSRFToken"] = client.csrf_token() if token == "fresh" else token
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(sheet_url(j, entry), data=data, headers=headers)


def counts(db) -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (ScoreSheet, Score, AuditEvent, SheetSend))


def the_sheet(j, entry):
    return services.sheet_for(j.jurors[0], entry, j.round)


def test_a_save_answers_with_the_version_the_server_holds(client, db, scoring):
    j, entry = scoring, scoring.entries[0]
    response = send(client, j, entry, form(j, "7", "7,5", action="draft"))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["status"] == "saved" and answer["version"] == 1 and answer["submitted"] is False
    assert answer["message"] == "Sent: the server has saved these scores."
    assert answer["next_url"] == sheet_url(j, entry)  # where the form would have gone
    sheet = the_sheet(j, entry)
    assert sheet.points_by_criterion() == j.points(7, 7.5)

    answer = send(client, j, entry, form(j, "8", "7.5", version=1, action="submit"), key=KEY + "-2").get_json()
    assert (answer["status"], answer["version"], answer["submitted"]) == ("saved", 2, True)
    assert answer["next_url"] == sheet_url(j, j.entries[1])
    db.session.expire_all()
    assert the_sheet(j, entry).status == "submitted"


def test_the_same_save_sent_twice_is_applied_once(client, db, scoring):
    """The answer to the first send was lost with the connection: the page sends it again."""
    j, entry = scoring, scoring.entries[0]
    assert send(client, j, entry, form(j, "5", "5", action="draft")).status_code == 200
    assert send(client, j, entry, form(j, "6", "6", version=1, action="submit"), key=KEY + "-b").status_code == 200
    before = counts(db)
    again = send(client, j, entry, form(j, "6", "6", version=1, action="submit"), key=KEY + "-b")
    assert again.status_code == 409
    answer = again.get_json()
    assert (answer["status"], answer["reason"], answer["version"]) == ("refused", "duplicate", 2)
    assert answer["message"] == ("These scores had already reached the server (version 2 of the sheet); "
                                 "they were not saved a second time.")
    assert counts(db) == before  # no second audit event, score or send
    db.session.expire_all()
    assert the_sheet(j, entry).version == 2


def test_a_first_save_sent_twice_is_applied_once(client, db, scoring):
    j, entry = scoring, scoring.entries[0]
    assert send(client, j, entry, form(j, "5", "5")).status_code == 200
    before = counts(db)
    answer = send(client, j, entry, form(j, "5", "5")).get_json()
    assert (answer["reason"], answer["version"]) == ("duplicate", 1)
    assert counts(db) == before


def test_a_stale_send_from_another_tab_is_refused_and_changes_nothing(client, db, scoring):
    j, entry = scoring, scoring.entries[0]
    assert client.post_form(sheet_url(j, entry), form(j, "5", "5")).status_code == 302  # the other tab
    before = counts(db)
    response = send(client, j, entry, form(j, "9", "9", version=0, action="submit"))
    assert response.status_code == 409
    answer = response.get_json()
    assert (answer["status"], answer["reason"]) == ("refused", "stale")
    assert answer["message"].startswith("Someone saved this score sheet after you opened it")
    assert answer["errors"] == []  # the message says it all: no list under it
    assert counts(db) == before
    assert the_sheet(j, entry).points_by_criterion() == j.points(5, 5)


def test_every_invalid_value_is_listed_with_its_field(client, db, scoring):
    j, entry = scoring, scoring.entries[0]
    response = send(client, j, entry, {**form(j, "11", "7.3", action="submit"),
                                       "comment": "x" * (services.COMMENT_LIMIT + 1)})
    assert response.status_code == 422
    answer = response.get_json()
    assert (answer["status"], answer["reason"]) == ("refused", "invalid")
    assert answer["message"] == "Nothing was saved: correct the values listed below."
    content, form_field = (services.points_field(criterion) for criterion in j.criteria)
    assert sorted((error["field"], error["message"]) for error in answer["errors"]) == sorted([
        (content, "At most 10 points for “Content”."),
        (form_field, "Points for “Form” go in steps of 0.5."),
        ("comment", "At most 5000 characters."),
    ])
    assert counts(db) == (0, 0, 0, 0)


def test_a_submitted_sheet_refuses_a_new_send(client, db, scoring, make_sheet):
    j, entry = scoring, scoring.entries[0]
    make_sheet(j.jurors[0], entry, points={j.criteria[0]: 5, j.criteria[1]: 5}, status="submitted")
    before = counts(db)
    answer = send(client, j, entry, form(j, "9", "9", version=1)).get_json()
    assert (answer["reason"], answer["message"]) == (
        "locked", "This score sheet is submitted and locked; an organiser can reopen it.")
    assert counts(db) == before


def test_a_send_after_judging_closed_is_refused(client, db, scoring):
    j = scoring
    j.contest.status = "results_published"
    db.session.commit()
    response = send(client, j, j.entries[0], form(j, "5", "5"))
    assert response.status_code == 409
    assert response.get_json()["reason"] == "closed"
    assert response.get_json()["message"] == "Scoring is possible only while the contest is being judged."
    assert counts(db) == (0, 0, 0, 0)


@pytest.mark.parametrize("key", [None, "", "short", "x" * 65, "no spaces allowed here"])
def test_a_send_without_a_valid_key_is_refused(client, db, scoring, key):
    j = scoring
    response = send(client, j, j.entries[0], form(j, "5", "5"), key=key)
    assert response.status_code == 409
    assert response.get_json()["reason"] == "refused"
    assert counts(db) == (0, 0, 0, 0)


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_send_without_the_csrf_token_is_refused(client, db, scoring, token):
    j = scoring
    response = send(client, j, j.entries[0], form(j, "5", "5"), token=token)
    assert response.status_code == 400
    answer = response.get_json()
    assert (answer["status"], answer["reason"]) == ("refused", "csrf")
    assert "The form has expired" in answer["message"]
    assert counts(db) == (0, 0, 0, 0)


def test_another_contest_or_an_unassigned_entry_or_another_role_is_refused(client, db, scoring, judging,
                                                                            login_as, make_registration):
    j = scoring
    other = judging(jurors=1)
    response = send(client, other, other.entries[0], form(other, "5", "5"))  # not on that jury
    assert response.status_code == 404 and response.get_json()["status"] == "refused"
    stranger = make_registration(other.contest, status="approved")
    response = client.post(f"/jury/{j.contest.id}/rounds/{j.round.id}/entries/{stranger.id}", data=form(j, "5", "5"),
                           headers={"Accept": "application/json", "X-CSRFToken": client.csrf_token(),
                                    "Idempotency-Key": KEY})
    assert response.status_code == 404  # an entry of another contest
    login_as("participant")
    response = send(client, j, j.entries[0], form(j, "5", "5"))
    assert response.status_code == 403
    assert response.get_json()["message"] == "You do not have permission to open this page."
    assert counts(db) == (0, 0, 0, 0)


def test_the_form_without_script_still_posts_and_redirects(client, db, scoring):
    j, entry = scoring, scoring.entries[0]
    response = client.post_form(sheet_url(j, entry), form(j, "5", "5"))
    assert response.status_code == 302
    assert counts(db)[3] == 0  # no key: nothing to remember


def test_the_service_worker_is_served_for_the_jury_pages(client):
    response = client.get("/jury/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    assert 'addEventListener("fetch"' in response.get_data(as_text=True)


def test_the_sheet_page_carries_the_offline_script_and_a_live_region(client, scoring):
    page = client.get(sheet_url(scoring, scoring.entries[0])).get_data(as_text=True)
    assert 'src="/static/js/sheet-offline.js"' in page
    assert 'role="status" aria-live="polite"' in page and 'data-service-worker="/jury/sw.js"' in page
    assert "<script>" not in page  # no inline script: the CSP allows only files


def test_the_same_first_save_sent_twice_at_once_is_applied_once(app, db, judging, signed_in_browser):
    """The phone sends again while the first send is still on its way: two requests, one key."""
    j = judging(jurors=1, entries=1)
    url, data = sheet_url(j, j.entries[0]), form(j, "7", "6.5", action="submit")
    browsers = [signed_in_browser(j.jurors[0].user) for _ in range(2)]
    db.session.rollback()  # the test's own reads end here: on SQLite an open transaction would hold up the sends
    start = threading.Barrier(len(browsers))
    answers: list[tuple[int, str]] = []

    def send_once(browser) -> None:
        headers = {"Accept": "application/json", "Accept-Language": "en", "X-CSRFToken": browser.token,
                   "Idempotency-Key": KEY}
        with app.app_context():
            start.wait()
            response = browser.post(url, data=data, headers=headers)
            answer = response.get_json()
            answers.append((response.status_code, answer.get("reason") or answer["status"]))

    threads = [threading.Thread(target=send_once, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [(200, "saved"), (409, "duplicate")]
    assert counts(db) == (1, 2, 2, 1)  # one sheet, its two scores, sheet.create and sheet.submit, one send
