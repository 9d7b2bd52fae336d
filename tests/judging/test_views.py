"""The jurors' pages over HTTP: the queue, the score sheet (draft, save and next, submit,
locked, stale, bad points), blind judging, conflicts, the entry file, and who may open what."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from contest import files
from contest.audit.models import AuditEvent
from contest.judging import assignment, services
from contest.judging.models import Conflict, Score, ScoreSheet
from contest.registration.uploads import ENTRY_AREA

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def sheet_url(j, entry) -> str:
    return f"/jury/{j.contest.id}/rounds/{j.round.id}/entries/{entry.id}"


def queue_url(j) -> str:
    return f"/jury/{j.contest.id}/rounds/{j.round.id}"


def counts(db) -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (ScoreSheet, Score, AuditEvent))


def form(j, content="", form_points="", version=0, action="draft", comment=""):
    content_field, form_field = (services.points_field(criterion) for criterion in j.criteria)
    return {content_field: content, form_field: form_points, "version": str(version), "action": action,
            "comment": comment}


def error_beside(page: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
    assert match, f"no error beside {field}"
    return match.group(1)


@pytest.fixture
def scoring(judging, login_as):
    """A contest being judged (two jurors, three entries), signed in as the first juror."""
    j = judging()
    login_as(user=j.jurors[0].user)
    return j


# Scoring ----------------------------------------------------------------------------------------

def test_the_sheet_page_offers_phone_friendly_inputs(client, scoring):
    page = client.get(sheet_url(scoring, scoring.entries[0])).get_data(as_text=True)
    content, form_criterion = scoring.criteria
    assert f'name="points_{form_criterion.id}"' in page
    field = re.search(rf'<input[^>]*id="points_{form_criterion.id}"[^>]*>', page).group(0)
    for attribute in ('type="number"', 'inputmode="decimal"', 'min="0"', 'max="10"', 'step="0.5"'):
        assert attribute in field
    assert f'<label class="form-label" for="points_{content.id}">Content</label>' in page
    assert 'name="version" type="hidden" value="0"' in page
    for button in ("Save draft", "Save and next", "Submit (locks the sheet)"):
        assert button in page


def test_a_juror_saves_a_draft_then_submits_and_the_sheet_locks(client, db, scoring):
    j, entry = scoring, scoring.entries[0]
    response = client.post_form(sheet_url(j, entry), form(j, "7", "7,5", comment="Vivid"))
    assert response.status_code == 302 and response.headers["Location"].endswith(sheet_url(j, entry))
    sheet = services.sheet_for(j.jurors[0], entry, j.round)
    assert (sheet.status, sheet.version, sheet.comment) == ("draft", 1, "Vivid")
    page = client.get(sheet_url(j, entry)).get_data(as_text=True)
    assert 'value="7.5"' in page and 'name="version" type="hidden" value="1"' in page

    response = client.post_form(sheet_url(j, entry), form(j, "8", "7.5", version=1, action="submit"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(sheet_url(j, j.entries[1]))  # on to the next entry
    db.session.expire_all()
    sheet = services.sheet_for(j.jurors[0], entry, j.round)
    assert sheet.status == "submitted" and sheet.points_by_criterion()[j.criteria[0].id] == 8

    page = client.get(sheet_url(j, entry)).get_data(as_text=True)
    assert "This score sheet is submitted and locked" in page
    assert 'name="action"' not in page  # read-only: no buttons
    before = counts(db)
    response = client.post_form(sheet_url(j, entry), form(j, "1", "1", version=2, action="draft"))
    assert response.status_code == 422
    assert counts(db) == before


def test_save_and_next_skips_submitted_entries_and_ends_on_the_queue(client, db, scoring, make_sheet):
    j = scoring
    make_sheet(j.jurors[0], j.entries[1], points={j.criteria[0]: 5, j.criteria[1]: 5}, status="submitted")
    response = client.post_form(sheet_url(j, j.entries[0]), form(j, "5", action="next"))
    assert response.headers["Location"].endswith(sheet_url(j, j.entries[2]))
    response = client.post_form(sheet_url(j, j.entries[2]), form(j, "5", "5", action="submit"))
    assert response.headers["Location"].endswith(sheet_url(j, j.entries[0]))  # the draft is still open
    response = client.post_form(sheet_url(j, j.entries[0]), form(j, "5", "5", version=1, action="submit"))
    assert response.headers["Location"].endswith(queue_url(j))
    page = client.get(queue_url(j)).get_data(as_text=True)
    assert "Submitted: 3 of 3" in page and "You have submitted every entry of this round" in page


def test_after_judging_closes_the_queue_does_not_thank_a_juror_who_sent_nothing(client, db, scoring):
    scoring.contest.status = "results_published"
    db.session.commit()
    page = client.get(queue_url(scoring)).get_data(as_text=True)
    assert "Scoring is possible only while the contest is being judged." in page
    assert "Submitted: 0 of 3" in page
    assert "You have submitted every entry" not in page


@pytest.mark.parametrize(("content", "form_points", "field", "message"), [
    ("-1", "5", 0, "Points cannot be below 0 (Content)."),
    ("11", "5", 0, "At most 10 points for “Content”."),
    ("5", "7.3", 1, "Points for “Form” go in steps of 0.5."),
    ("NaN", "5", 0, "“NaN” is not a number of points (Content)."),
    ("5", "Infinity", 1, "“Infinity” is not a number of points (Form)."),
    ("seven", "5", 0, "“seven” is not a number of points (Content)."),
])
def test_bad_points_are_shown_beside_the_field_and_nothing_is_written(client, db, scoring, content, form_points,
                                                                      field, message):
    j = scoring
    before = counts(db)
    response = client.post_form(sheet_url(j, j.entries[0]), form(j, content, form_points, action="submit"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    name = services.points_field(j.criteria[field])
    assert message in error_beside(page, name).replace("&#34;", '"')
    assert 'id="form-errors"' in page and f'href="#{name}"' in page  # the summary at the top links to it
    assert counts(db) == before


def test_every_bad_score_is_reported_at_once_beside_its_field_and_the_values_are_kept(client, db, judging,
                                                                                     login_as):
    j = judging(criteria=(("Content", 10, 1.0), ("Form", 10, 1.0), ("Language", 10, 1.0), ("Voice", 10, 1.0)))
    login_as(user=j.jurors[0].user)
    typed = {j.criteria[0]: "11", j.criteria[1]: "-1", j.criteria[2]: "5.5", j.criteria[3]: ""}
    data = {services.points_field(criterion): value for criterion, value in typed.items()}
    response = client.post_form(sheet_url(j, j.entries[0]), {**data, "version": "0", "action": "submit",
                                                              "comment": "x" * (services.COMMENT_LIMIT + 1)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    beside = {criterion.name_en: error_beside(page, services.points_field(criterion)) for criterion in j.criteria}
    assert beside == {"Content": "At most 10 points for “Content”.", "Form": "Points cannot be below 0 (Form).",
                      "Language": "Points for “Language” go in steps of 1.",
                      "Voice": "Score every criterion before submitting: Voice is missing."}
    assert "At most 5000 characters." in error_beside(page, "comment")
    for criterion, value in typed.items():  # what the juror typed is still in the fields
        assert re.search(rf'name="{services.points_field(criterion)}"[^>]*value="{re.escape(value)}"', page) or (
            value == "" and f'name="{services.points_field(criterion)}"' in page)
    assert counts(db) == (0, 0, 0)


def test_a_service_message_quoting_typed_html_is_escaped(client, db, scoring):
    j = scoring
    response = client.post_form(sheet_url(j, j.entries[0]), form(j, "<b>7</b>", "5"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "&lt;b&gt;7&lt;/b&gt;" in error_beside(page, services.points_field(j.criteria[0]))
    assert "<b>7</b>" not in page


def test_submitting_an_incomplete_sheet_is_refused(client, db, scoring):
    j = scoring
    response = client.post_form(sheet_url(j, j.entries[0]), form(j, "5", "", action="submit"))
    assert response.status_code == 422
    assert "Score every criterion before submitting: Form is missing." in response.get_data(as_text=True)
    assert counts(db) == (0, 0, 0)


def test_a_replayed_form_with_a_stale_version_is_refused(client, db, scoring):
    j, entry = scoring, scoring.entries[0]
    assert client.post_form(sheet_url(j, entry), form(j, "5", "5")).status_code == 302
    assert client.post_form(sheet_url(j, entry), form(j, "6", "6", version=1)).status_code == 302
    before = counts(db)
    replay = client.post_form(sheet_url(j, entry), form(j, "9", "9", version=1, action="submit"))
    assert replay.status_code == 422
    assert "Someone saved this score sheet after you opened it" in replay.get_data(as_text=True)
    assert counts(db) == before
    db.session.expire_all()
    sheet = services.sheet_for(j.jurors[0], entry, j.round)
    assert (sheet.status, sheet.version, sheet.points_by_criterion()[j.criteria[0].id]) == ("draft", 2, 6)
    # A tampered version is no better.
    assert client.post_form(sheet_url(j, entry), form(j, "9", "9", version="x")).status_code == 422


def test_jurors_never_see_each_others_scores(client, db, scoring, login_as, make_sheet):
    j = scoring
    make_sheet(j.jurors[1], j.entries[0], points={j.criteria[0]: Decimal("3"), j.criteria[1]: Decimal("9.5")},
               comment="Secret remark of the second juror")
    page = client.get(sheet_url(j, j.entries[0])).get_data(as_text=True)
    assert "Secret remark" not in page and "9.5" not in page
    assert 'name="version" type="hidden" value="0"' in page


# Who may open what --------------------------------------------------------------------------------

def test_a_juror_of_another_contest_gets_not_found(client, db, judging, login_as):
    a, b = judging(), judging()
    login_as(user=a.jurors[0].user)
    assert client.get(sheet_url(b, b.entries[0])).status_code == 404  # not on B's jury
    mixed = f"/jury/{a.contest.id}/rounds/{a.round.id}/entries/{b.entries[0].id}"
    assert client.get(mixed).status_code == 404  # B's entry through A's address
    assert client.get(f"/jury/{a.contest.id}/rounds/{b.round.id}").status_code == 404
    assert client.post_form(mixed, form(a, "5", "5")).status_code == 404
    assert counts(db) == (0, 0, 0)


def test_unassigned_and_conflicted_entries_are_refused_with_the_reason(client, db, judging, login_as):
    j = judging(jurors=2, entries=2)
    assignment.assign_automatically(j.round, 1, actor=j.organiser)
    services.declare_conflict(j.jurors[0], j.entries[0], reason="My pupil", actor=j.jurors[0].user)
    db.session.commit()
    login_as(user=j.jurors[0].user)
    mine = {registration.id for registration in assignment.entries_for_juror(j.jurors[0], j.round)}
    unassigned = next(entry for entry in j.entries if entry.id not in mine and entry.id != j.entries[0].id)
    response = client.get(sheet_url(j, unassigned))
    assert response.status_code == 403 and "This entry is not assigned to you." in response.get_data(as_text=True)
    response = client.post_form(sheet_url(j, j.entries[0]), form(j, "5", "5"))
    assert response.status_code == 403
    assert "You have a conflict of interest with this entry" in response.get_data(as_text=True)
    assert client.get(sheet_url(j, j.entries[0]) + "/works/1/file").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ScoreSheet)) == 0


@pytest.mark.parametrize("role", ["participant", "organiser"])
def test_other_roles_cannot_post_a_score(client, db, judging, login_as, role):
    j = judging()
    login_as(role)
    assert client.post_form(sheet_url(j, j.entries[0]), form(j, "5", "5")).status_code == 403
    assert client.get(queue_url(j)).status_code == 403
    assert counts(db) == (0, 0, 0)


def test_visitors_are_sent_to_sign_in(client, db, judging):
    j = judging()
    response = client.post_form(sheet_url(j, j.entries[0]), form(j, "5", "5"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert counts(db) == (0, 0, 0)


# Blind judging -----------------------------------------------------------------------------------

AUTHOR = {"surname": "Жұмабаева", "given_name": "Айгерім", "school": "Gymnasium No. 56",
          "teacher": "Сәуле Қасымова", "district": "Medeu district"}


def write_entry(db, registration, file_name="Zhumabayeva-poem.pdf"):
    for key, value in AUTHOR.items():
        setattr(registration.participant, key, value)
    work = registration.entry.works[0]
    work.title, work.text = "Dala", "Line one\nLine two"
    work.file_name = files.write_bytes(db.session, ENTRY_AREA, ".pdf", PDF)
    work.file_original_name, work.file_type, work.file_size = file_name, "pdf", len(PDF)
    db.session.commit()


@pytest.mark.parametrize("blind", [True, False])
def test_blind_judging_shows_only_the_code_the_text_and_the_file(client, db, judging, login_as, blind):
    j = judging(is_blind=blind)
    write_entry(db, j.entries[0])
    login_as(user=j.jurors[0].user)
    pages = [client.get(url).get_data(as_text=True) for url in (sheet_url(j, j.entries[0]), queue_url(j))]
    assert all(j.entries[0].code in page for page in pages)
    assert "Line one\nLine two" in pages[0] and "Download the file of work 1" in pages[0]
    for value in AUTHOR.values():
        assert all((value in page) is not blind for page in pages[:1]), value
        if blind:
            assert value not in pages[1], value
    download = client.get(sheet_url(j, j.entries[0]) + "/works/1/file")
    assert download.status_code == 200 and download.data == PDF
    disposition = download.headers["Content-Disposition"]
    assert ("Zhumabayeva" in disposition) is not blind
    if blind:
        assert f"{j.entries[0].code}-1.pdf" in disposition


# Conflicts ------------------------------------------------------------------------------------------

def test_a_juror_declares_a_conflict_and_the_entry_leaves_the_queue(client, db, scoring):
    j, entry = scoring, scoring.entries[1]
    url = sheet_url(j, entry) + "/conflict"
    response = client.post_form(url, {"conflict-reason": "  "})
    assert response.status_code == 422 and "Give the reason." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Conflict)) == 0
    response = client.post_form(url, {"conflict-reason": "She is my niece"})
    assert response.status_code == 302 and response.headers["Location"].endswith(queue_url(j))
    conflict = db.session.scalar(select(Conflict))
    assert (conflict.member_id, conflict.kind, conflict.reason) == (j.jurors[0].id, "declared", "She is my niece")
    page = client.get(queue_url(j)).get_data(as_text=True)
    assert f"Conflict of interest recorded: you will not score {entry.code}." in page
    queue = re.search(r'<ol class="[^"]*jury-queue.*?</ol>', page, re.S).group(0)
    assert entry.code not in queue and "Submitted: 0 of 2" in page
    assert client.get(sheet_url(j, entry)).status_code == 403


# Queue, live mode, navigation ----------------------------------------------------------------------------

def test_live_mode_highlights_the_performer_on_stage(client, db, judging, login_as, make_sheet):
    j = judging(kind="recitation")
    order = [j.entries[2], j.entries[0], j.entries[1]]
    assignment.set_performance_order(j.round, order, actor=j.organiser)
    db.session.commit()
    make_sheet(j.jurors[0], order[0], points={c: 5 for c in j.criteria}, status="submitted")
    login_as(user=j.jurors[0].user)
    page = client.get(queue_url(j)).get_data(as_text=True)
    assert "Live scoring: performance order" in page
    queue = re.search(r'<ol class="[^"]*jury-queue.*?</ol>', page, re.S).group(0)
    assert queue.index(order[0].code) < queue.index(order[1].code) < queue.index(order[2].code)
    assert f"Score the performer on stage: {order[1].code}" in page
    current = re.search(r'<li [^>]*aria-current="step"[^>]*>.*?</li>', page, re.S).group(0)
    assert order[1].code in current and "On stage now" in current


def test_my_juries_and_the_menu(client, db, judging, login_as, make_juror):
    j = judging()
    other = judging()
    make_juror(other.contest, user=j.jurors[0].user, is_chair=True)
    login_as(user=j.jurors[0].user)
    page = client.get("/jury/").get_data(as_text=True)
    assert j.contest.title_en in page and other.contest.title_en in page and "Chair of the jury" in page
    assert 'href="/jury/"' in page  # the menu entry
    assert f'href="{queue_url(j)}"' in page
