"""What an entry must hold (the contest's rules), how the participant's page sends several works,
oversized uploads, and the organiser's exception for an incomplete entry after the deadline."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import current_app
from markupsafe import escape
from sqlalchemy import func, select

from config import Config
from contest.audit.models import AuditEvent
from contest.contests.models import MAX_WORKS
from contest.errors import ServiceError
from contest.registration import moderation
from contest.registration.completeness import entry_completeness
from contest.registration.models import Entry, EntryWork
from contest.registration.uploads import ENTRY_AREA
from tests.registration.helpers import audit_actions, one_work_entry, page
from tests.upload_files import plain_pdf

EN = {"Accept-Language": "en"}
PDF = plain_pdf()


def work(position: int, title: str = "T", text: str = "", file_name: str | None = None):
    return SimpleNamespace(position=position, title=title, text=text, file_name=file_name)


def rules(works_required: int = 1, work_requires: str = "text_or_file", video_required: bool = False):
    from contest.contests.models import Contest

    return Contest(works_required=works_required, work_requires=work_requires, video_required=video_required)


def entry(*works, video_url: str = ""):
    return SimpleNamespace(works=list(works), video_url=video_url)


# The rule ------------------------------------------------------------------------------------------

def test_nothing_sent_misses_every_work():
    found = entry_completeness(rules(3, "text"), None)
    assert (found.complete, found.required, found.is_complete) == (0, 3, False)
    assert found.missing == [f"Work {n}: missing the title, the text." for n in (1, 2, 3)]


def test_three_poems_make_a_complete_entry_and_two_do_not():
    contest = rules(3, "text")
    two = entry(work(1, "A", "a"), work(3, "C", "c"))
    assert entry_completeness(contest, two).missing == ["Work 2: missing the title, the text."]
    three = entry(work(1, "A", "a"), work(2, "B", "b"), work(3, "C", "c"))
    found = entry_completeness(contest, three)
    assert (found.complete, found.is_complete, found.missing) == (3, True, [])


@pytest.mark.parametrize(("requirement", "text", "file_name", "missing"), [
    ("text", "", "f.pdf", "the text"),
    ("file", "a poem", None, "the file"),
    ("text_or_file", "  ", None, "the text or a file"),
    ("text_and_file", "a poem", None, "the file"),
    ("text_and_file", "", "f.pdf", "the text"),
])
def test_each_work_carries_what_the_contest_asks(requirement, text, file_name, missing):
    found = entry_completeness(rules(1, requirement), entry(work(1, "T", text, file_name)))
    assert found.missing == [f"Work 1: missing {missing}."]


@pytest.mark.parametrize(("requirement", "text", "file_name"), [
    ("text", "a poem", None), ("file", "", "f.pdf"), ("text_or_file", "", "f.pdf"),
    ("text_or_file", "a poem", None), ("text_and_file", "a poem", "f.pdf")])
def test_a_work_with_what_is_asked_and_a_title_is_complete(requirement, text, file_name):
    assert entry_completeness(rules(1, requirement), entry(work(1, "T", text, file_name))).is_complete
    assert not entry_completeness(rules(1, requirement), entry(work(1, " ", text, file_name))).is_complete


def test_a_required_video_link_must_be_there():
    contest = rules(1, "text", video_required=True)
    assert entry_completeness(contest, entry(work(1, "T", "a"))).missing == [
        "The link to the performance video is missing."]
    assert entry_completeness(contest, entry(work(1, "T", "a"), video_url="https://youtu.be/x")).is_complete


# The participant's page ------------------------------------------------------------------------------

@pytest.fixture
def three_poems(login_as, make_participant, make_registration, open_contest):
    """A registration of the signed-in account in an open contest that asks for three typed poems."""
    me = login_as("participant")
    contest = open_contest(works_required=3, work_requires="text")
    return make_registration(contest=contest, participant=make_participant(account=me))


def works_form(*works, video_url: str = "", **extra) -> dict:
    data = {"video_url": video_url, **extra}
    for index, (title, text) in enumerate(works):
        data[f"works-{index}-title"], data[f"works-{index}-text"] = title, text
    return data


def stored_files() -> list[Path]:
    folder = Path(current_app.config["UPLOAD_DIR"]) / ENTRY_AREA
    return sorted(folder.iterdir()) if folder.exists() else []


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_entry_page_holds_as_many_works_as_the_rules_ask(client, db, three_poems):
    url = f"/my/registrations/{three_poems.id}"
    html = page(client.get(url, headers=EN))
    assert "The contest's rules ask for 3 works." in html and "0 / 3 works" in html
    assert all(f"Work {n} of 3" in html and f'name="works-{n - 1}-title"' in html for n in (1, 2, 3))
    assert 'name="works-3-title"' not in html

    response = client.post_form(url, works_form(("Бір", "a"), ("Екі", "b\nc"), ("Үш", "d")))
    assert response.status_code == 302
    html = page(client.get(url, headers=EN))
    assert "3 / 3 works" in html and "The entry is complete." in html
    works = db.session.scalars(select(EntryWork).order_by(EntryWork.position)).all()
    assert [(w.position, w.title, w.text) for w in works] == [(1, "Бір", "a"), (2, "Екі", "b\nc"), (3, "Үш", "d")]


def test_a_draft_with_one_poem_is_saved_and_says_what_is_missing(client, db, three_poems):
    url = f"/my/registrations/{three_poems.id}"
    assert client.post_form(url, works_form(("Бір", "a"), ("", ""), ("", ""))).status_code == 302
    html = page(client.get(url, headers=EN))
    assert "1 / 3 works" in html and "Work 2: missing the title, the text." in html
    assert count(db, EntryWork) == 1


def test_an_error_in_one_work_keeps_everything_typed_and_writes_nothing(client, db, three_poems):
    response = client.post_form(f"/my/registrations/{three_poems.id}",
                                works_form(("Бірінші өлең", "Алғашқы жол"), ("", "Атаусыз мәтін"),
                                           ("Үшінші өлең", "Соңғы жол")), headers=EN)
    html = page(response)
    assert response.status_code == 422
    assert 'id="works-1-title-error"' in html and "Give the work a title" in html
    assert 'id="form-errors"' in html and 'href="#works-1-title"' in html  # the summary at the top
    assert all(typed in html for typed in ("Бірінші өлең", "Алғашқы жол", "Атаусыз мәтін", "Үшінші өлең",
                                           "Соңғы жол"))
    assert count(db, Entry) == 0


def test_a_file_over_the_cap_is_refused_beside_its_field_with_the_texts_kept(client, db, app, three_poems,
                                                                               monkeypatch):
    monkeypatch.setitem(app.config, "ENTRY_FILE_MAX_BYTES", 1024)
    files_before = stored_files()
    data = works_form(("Бір", "a"), ("Екі", "b"), ("Үш", "c"))
    data["works-1-file"] = (io.BytesIO(PDF + b"0" * 2048), "big.pdf")
    response = client.post_form(f"/my/registrations/{three_poems.id}", data, headers=EN)
    html = page(response)
    assert response.status_code == 422
    assert 'id="works-1-file-error"' in html
    assert "The file is too large" in html and "choose them again" in html
    assert all(typed in html for typed in ("Бір", "Екі", "Үш"))
    assert count(db, Entry) == 0 and stored_files() == files_before


def test_the_file_inputs_carry_the_limit_for_the_browser_check(client, three_poems):
    html = page(client.get(f"/my/registrations/{three_poems.id}", headers=EN))
    limit = current_app.config["ENTRY_FILE_MAX_BYTES"]
    assert html.count(f'data-max-bytes="{limit}"') == 3 and 'data-too-large="The file is too large' in html
    assert '<script src="/static/js/entry-files.js" defer></script>' in html
    assert "<script>" not in html  # the strict CSP allows no inline script
    script = (Path(current_app.static_folder) / "js" / "entry-files.js").read_text()
    assert "dataset.maxBytes" in script and "preventDefault" in script


def test_each_work_has_its_own_file_download(client, db, three_poems):
    url = f"/my/registrations/{three_poems.id}"
    data = works_form(("Бір", "a"), ("Екі", "b"), ("Үш", "c"))
    data["works-2-file"] = (io.BytesIO(PDF), "үшінші.pdf")
    assert client.post_form(url, data).status_code == 302
    assert client.get(f"/entries/{three_poems.id}/works/3/file").data == PDF
    assert client.get(f"/entries/{three_poems.id}/works/1/file").status_code == 404


def test_the_default_request_limit_fits_a_full_entry_of_capped_files():
    assert Config.MAX_CONTENT_LENGTH > MAX_WORKS * Config.ENTRY_FILE_MAX_BYTES


def test_a_request_above_the_site_limit_gets_a_page_that_leads_back_to_the_form(client, db, app, three_poems,
                                                                                 monkeypatch):
    token = client.csrf_token()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    url = f"/my/registrations/{three_poems.id}"
    data = works_form(("Бір", "a"), ("Екі", "b"), ("Үш", "c"), csrf_token=token)
    data["works-0-file"] = (io.BytesIO(PDF + b"0" * 8192), "big.pdf")
    response = client.post(url, data=data)
    html = page(response)
    assert response.status_code == 413
    assert "<h1 class=\"h2\">Файл тым үлкен</h1>" in html
    assert f'href="{url}"' in html and "Пішінге оралу" in html
    assert "пішінге терілген мәтін де сақталмады" in html and "ең көбі 4 КБ" in html
    assert count(db, Entry) == 0


# Approval and the organiser's exception ---------------------------------------------------------------

@pytest.fixture
def organiser(make_user):
    return make_user(role="organiser", name="Library organiser")


@pytest.fixture
def closed_contest(open_contest):
    """Registration closed yesterday: entries can no longer be completed."""
    def make(**values):
        now = datetime.now(UTC)
        return open_contest(status="registration_closed", registration_opens_at=now - timedelta(days=30),
                            registration_closes_at=now - timedelta(days=1), **values)
    return make


def test_an_incomplete_entry_after_the_deadline_is_not_approved_without_an_exception(
        db, organiser, closed_contest, make_registration):
    registration = make_registration(closed_contest(works_required=3, work_requires="text"))
    db.session.add(one_work_entry(registration, title="Жалғыз өлең", text="a"))
    db.session.commit()
    with pytest.raises(ServiceError, match="does not meet the contest's rules") as refused:
        moderation.approve_registration(registration, actor=organiser)
    assert refused.value.field == "override_reason" and "Work 2" not in str(refused.value)  # listed on the page
    assert registration.status == "pending" and audit_actions(db, registration.id) == []


def test_an_empty_entry_approved_with_a_reason_is_audited(db, organiser, closed_contest, make_registration):
    registration = make_registration(closed_contest())
    moderation.approve_registration(registration, actor=organiser,
                                    override_reason="  Sent on paper to the library; typed in later.  ")
    db.session.commit()
    assert registration.status == "approved" and registration.has_entry_override
    assert (registration.entry_override_reason, registration.entry_override_by_id) == (
        "Sent on paper to the library; typed in later.", organiser.id)
    assert audit_actions(db, registration.id) == ["registration.entry_override", "registration.approved"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration.entry_override"))
    assert event.actor_id == organiser.id and event.data["reason"].startswith("Sent on paper")
    assert event.data["missing"] == ["Work 1: missing the title, the text or a file."]


def test_the_reason_for_an_exception_is_length_limited(db, organiser, closed_contest, make_registration):
    registration = make_registration(closed_contest())
    with pytest.raises(ServiceError, match="too long"):
        moderation.approve_registration(registration, actor=organiser, override_reason="x" * 501)
    assert registration.status == "pending" and not registration.has_entry_override


def test_a_complete_entry_needs_no_exception_and_an_open_window_still_allows_completion(
        db, organiser, closed_contest, open_contest, make_registration):
    complete = make_registration(closed_contest())
    db.session.add(one_work_entry(complete, title="Дала", text="a"))
    db.session.commit()
    moderation.approve_registration(complete, actor=organiser)
    with pytest.raises(ServiceError, match="no exception is needed"):
        moderation.allow_incomplete_entry(complete, "why not", actor=organiser)
    # While registration is open the participant may still complete the entry.
    still_open = make_registration(open_contest())
    moderation.approve_registration(still_open, actor=organiser)
    assert (complete.status, still_open.status) == ("approved", "approved")


def test_bulk_approval_leaves_incomplete_entries_for_a_decision_one_by_one(
        db, organiser, closed_contest, make_registration):
    contest = closed_contest()
    complete, empty = make_registration(contest), make_registration(contest)
    db.session.add(one_work_entry(complete, title="Дала", text="a"))
    db.session.commit()
    assert moderation.approve_registrations(contest, [complete.id, empty.id], actor=organiser) == 1
    assert (complete.status, empty.status) == ("approved", "pending")


def detail_url(registration) -> str:
    return f"/manage/contests/{registration.contest_id}/registrations/{registration.id}"


def test_organiser_page_asks_for_the_reason_and_approves_with_it(client, db, login_as, closed_contest,
                                                                  make_registration):
    login_as("organiser")
    registration = make_registration(closed_contest(works_required=2))
    html = page(client.get(detail_url(registration), headers=EN))
    assert "0 / 2 works" in html and "Approve with an exception" in html and 'name="override_reason"' in html
    refused = client.post_form(detail_url(registration) + "/approve", headers=EN)
    assert refused.status_code == 422 and 'id="override_reason-error"' in page(refused)
    # What the entry lacks is listed in the entry's section; the error does not repeat it.
    missing = entry_completeness(registration.contest, registration.entry).missing
    error = unescape(re.search(r'id="override_reason-error"[^>]*>(.*?)</', page(refused), re.S).group(1))
    assert "does not meet the contest's rules" in error and not any(item in error for item in missing)
    assert missing and all(f"<li>{escape(item)}</li>" in page(refused) for item in missing)
    db.session.expire_all()
    assert registration.status == "pending"
    approved = client.post_form(detail_url(registration) + "/approve", {"override_reason": "Paper copy received"},
                                headers=EN, follow_redirects=True)
    assert "has been approved" in page(approved) and "Paper copy received" in page(approved)
    assert registration.status == "approved"
    assert audit_actions(db, registration.id) == ["registration.entry_override", "registration.approved"]


def test_an_approved_entry_emptied_later_can_be_let_through_from_its_page(client, db, login_as, closed_contest,
                                                                          make_registration):
    login_as("organiser")
    registration = make_registration(closed_contest(), status="approved")
    html = page(client.get(detail_url(registration), headers=EN))
    assert "Let the entry be judged as it is" in html
    response = client.post_form(detail_url(registration) + "/allow-incomplete", {"override_reason": "Jury agreed"},
                                headers=EN, follow_redirects=True)
    assert "the entry may be judged as it is" in page(response)
    assert registration.entry_override_reason == "Jury agreed"


# The organisers' table -------------------------------------------------------------------------------

def test_the_table_shows_how_complete_each_entry_is_in_a_fixed_number_of_queries(
        client, db, login_as, open_contest, make_registration, count_queries):
    login_as("organiser")
    contest = open_contest(works_required=3, work_requires="text")

    def add(number: int) -> None:
        for index in range(number):
            registration = make_registration(contest)
            works = [EntryWork(position=n, title=f"P{n}", text="a") for n in range(1, 1 + index % 4)]
            db.session.add(Entry(registration=registration, works=works))
        db.session.commit()

    url = f"/manage/contests/{contest.id}/registrations/"
    add(4)
    client.get(url)
    with count_queries() as few:
        html = page(client.get(url, headers=EN))
    assert all(f"{n} / 3 works" in html for n in range(4))
    add(36)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, many.statements
