"""The participant account's pages over HTTP: participants, registering, entries, the file
download, and every bad input the issue lists (refused with a message, nothing written)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from contest.db import utcnow
from contest.files.database import StoredFile
from contest.registration.eligibility import local_day
from contest.registration.models import Entry, EntryWork, Participant, Registration
from contest.registration.uploads import ENTRY_AREA
from tests.registration.helpers import one_work_entry
from tests.upload_files import plain_pdf

EN = {"Accept-Language": "en"}
PDF = plain_pdf()


def page(response) -> str:
    return response.get_data(as_text=True)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def stored_entry_files() -> list[Path]:
    folder = Path(current_app.config["UPLOAD_DIR"]) / ENTRY_AREA
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture(autouse=True)
def no_entry_files_yet(app):
    """The upload folder lives for the whole session: each test starts with it empty."""
    for path in stored_entry_files():
        path.unlink()


def years_ago(years: int, *, days: int = 0) -> date:
    today = local_day(utcnow())
    return today.replace(year=today.year - years) - timedelta(days=days)


def adult(**values) -> dict:
    return {"surname": "Сейітова", "given_name": "Әсел", "patronymic": "Маратқызы", "birth_date": "1990-05-17",
            "school": "", "grade": "", "district": "Алмалы", "teacher": "", "phone": "+7 701 111 22 33"} | values


def minor(**values) -> dict:
    return {"surname": "Ахметов", "given_name": "Дәулет", "birth_date": years_ago(12).isoformat(),
            "school": "Школа-гимназия № 12", "grade": "6", "district": "Бостандық",
            "teacher": "Жанар Омарова", "guardian_name": "Айгүл Ахметова",
            "guardian_phone": "+7 702 333 44 55", "consent": "y"} | values


def upload(data: bytes, name: str) -> tuple:
    return (io.BytesIO(data), name)


# Dashboard ---------------------------------------------------------------------------------

def test_dashboard_lists_my_participants_registrations_statuses_and_entries(
        client, login_as, make_participant, make_registration, open_contest, db):
    me = login_as("participant")
    pupil = make_participant(account=me, surname="Нұрланова", given_name="Аружан")
    contest = open_contest(title_en="Young poets")
    approved = make_registration(contest=contest, participant=pupil, status="approved")
    db.session.add(one_work_entry(approved, title="Көктем", text="one\ntwo\n\nthree",
                         file_name="stored.pdf", file_original_name="poem.pdf", file_type="pdf", file_size=100))
    rejected = make_registration(participant=pupil, status="rejected", decision_reason="Late entry")
    make_participant(surname="Someone", given_name="Else")  # another account's

    html = page(client.get("/my", headers=EN))
    assert "Нұрланова Аружан" in html and "Someone" not in html
    assert approved.code in html and rejected.code in html
    assert "Approved" in html and "Rejected" in html and "Late entry" in html
    assert "Көктем" in html and "Lines: 3" in html and "poem.pdf" in html
    assert f"/my/registrations/{approved.id}" in html
    assert "Certificates" in html


def test_dashboard_runs_a_constant_number_of_queries(client, login_as, make_participant, make_registration,
                                                      open_contest, db, count_queries):
    me = login_as("participant")
    db.session.add(one_work_entry(make_registration(participant=make_participant(account=me)), title="T"))
    db.session.commit()
    client.get("/my")
    with count_queries() as small:
        assert client.get("/my").status_code == 200
    contests = [open_contest() for _ in range(3)]
    for _ in range(6):
        pupil = make_participant(account=me)
        for contest in contests:
            registration = make_registration(contest=contest, participant=pupil)
            db.session.add(one_work_entry(registration, title="T", text="a\nb"))
    db.session.commit()
    with count_queries() as large:
        html = page(client.get("/my"))
    assert html.count("/my/registrations/") >= 19
    assert large.count == small.count, (small.count, large.count)
    # user, participants, their registrations, the entries' works (+ BEGIN on SQLite)
    assert large.count <= 6, large.count


def test_signed_in_accounts_see_the_menu_entry_and_visitors_are_sent_to_sign_in(client, login_as):
    assert client.get("/my").status_code == 302
    login_as("participant")
    assert 'href="/my"' in page(client.get("/", headers=EN))


# Participants ------------------------------------------------------------------------------

def test_adding_an_adult_keeps_the_name_exactly_as_typed(client, login_as, db):
    me = login_as("participant")
    response = client.post_form("/my/participants/new", adult(surname="  van der Berg ", given_name="Ölmez"),
                                headers=EN)
    assert response.status_code == 302
    participant = db.session.scalar(select(Participant))
    assert (participant.account_id, participant.surname, participant.given_name, participant.patronymic) == (
        me.id, "van der Berg", "Ölmez", "Маратқызы")
    assert participant.birth_date == date(1990, 5, 17) and participant.consent_at is None


def test_adding_a_minor_records_who_consented_when_and_to_which_text(client, login_as, db):
    me = login_as("participant")
    response = client.post_form("/my/participants/new", minor(), headers=EN)
    assert response.status_code == 302
    participant = db.session.scalar(select(Participant))
    assert participant.guardian_name == "Айгүл Ахметова" and participant.guardian_phone == "+7 702 333 44 55"
    assert participant.consent_by_id == me.id and participant.consent_at is not None
    assert participant.consent_version


@pytest.mark.parametrize("missing", ["consent", "guardian_name", "guardian_phone"])
def test_a_minor_without_consent_or_guardian_is_refused_and_nothing_is_written(client, login_as, db, missing):
    login_as("participant")
    data = minor()
    data.pop(missing)
    response = client.post_form("/my/participants/new", data, headers=EN)
    assert response.status_code == 422
    html = page(response)
    assert "Please correct the following" in html and 'class="invalid-feedback"' in html
    assert f'id="{missing}-error"' in html
    assert "parent or guardian" in html
    assert count(db, Participant) == 0


def test_the_form_shows_the_consent_text_and_hides_the_guardian_block_for_adults(
        client, login_as, make_participant):
    me = login_as("participant")
    new_page = page(client.get("/my/participants/new", headers=EN))
    assert 'id="guardian-block" hidden' not in new_page  # the age is not known yet
    assert 'id="consent-text"' in new_page
    grown_up = make_participant(account=me, birth_date=date(1980, 1, 1))
    assert 'id="guardian-block" hidden' in page(client.get(f"/my/participants/{grown_up.id}/edit"))
    child = make_participant(account=me, birth_date=years_ago(9))
    child_page = page(client.get(f"/my/participants/{child.id}/edit"))
    assert 'id="guardian-block" hidden' not in child_page
    assert re.search(r'<input[^>]*\bchecked\b[^>]*id="consent"', child_page)  # the consent on record


def test_an_impossible_date_of_birth_is_refused(client, login_as, db):
    login_as("participant")
    for value in ("2012-02-30", "31.12.2012", (local_day(utcnow()) + timedelta(days=1)).isoformat()):
        response = client.post_form("/my/participants/new", adult(birth_date=value), headers=EN)
        assert response.status_code == 422 and 'id="birth_date-error"' in page(response)
    assert count(db, Participant) == 0


def test_a_script_in_a_name_is_shown_as_text(client, login_as, db):
    login_as("participant")
    client.post_form("/my/participants/new", adult(surname="<script>alert(1)</script>"))
    html = page(client.get("/my"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_editing_saves_the_details(client, login_as, make_participant, db):
    me = login_as("participant")
    participant = make_participant(account=me, birth_date=date(1985, 3, 3))
    assert client.get(f"/my/participants/{participant.id}/edit").status_code == 200
    response = client.post_form(f"/my/participants/{participant.id}/edit", adult(school="Lyceum 165", grade=""))
    assert response.status_code == 302
    assert db.session.get(Participant, participant.id).school == "Lyceum 165"


def test_removing_a_participant_needs_a_post_and_keeps_those_with_registrations(
        client, login_as, make_participant, make_registration, db):
    me = login_as("participant")
    spare_id = make_participant(account=me).id
    assert "Remove the participant" in page(client.get(f"/my/participants/{spare_id}/delete", headers=EN))
    assert db.session.get(Participant, spare_id) is not None  # a GET only asks
    assert client.post_form(f"/my/participants/{spare_id}/delete").status_code == 302
    assert db.session.get(Participant, spare_id) is None

    registered = make_participant(account=me)
    make_registration(participant=registered)
    response = client.post_form(f"/my/participants/{registered.id}/delete", headers=EN)
    assert response.status_code == 422 and "has registrations, so they cannot be deleted" in page(response)
    assert db.session.get(Participant, registered.id) is not None


def test_withdrawing_consent_asks_first_then_hides_the_name(client, login_as, make_participant, db):
    me = login_as("participant")
    child = make_participant(account=me, birth_date=years_ago(10))
    assert "Withdraw the consent" in page(client.get(f"/my/participants/{child.id}/withdraw-consent", headers=EN))
    assert db.session.get(Participant, child.id).has_consent
    response = client.post_form(f"/my/participants/{child.id}/withdraw-consent", headers=EN)
    assert response.status_code == 302
    child = db.session.get(Participant, child.id)
    assert child.consent_withdrawn_at is not None and not child.may_be_named_publicly
    assert "no longer appears on public pages" in page(client.get("/my", headers=EN))


def test_another_accounts_participant_and_registration_do_not_exist_for_me(
        client, login_as, make_participant, make_registration, db):
    theirs = make_participant(birth_date=years_ago(11))
    their_registration = make_registration(participant=theirs)
    login_as("participant")
    for url in (f"/my/participants/{theirs.id}/edit", f"/my/participants/{theirs.id}/delete",
                f"/my/participants/{theirs.id}/withdraw-consent",
                f"/my/registrations/{their_registration.id}", f"/my/registrations/{their_registration.id}/withdraw",
                f"/entries/{their_registration.id}/works/1/file"):
        assert client.get(url).status_code == 404, url
        assert client.post_form(url).status_code in (404, 405), url
    theirs = db.session.get(Participant, theirs.id)
    assert theirs.has_consent and db.session.get(Registration, their_registration.id).status == "pending"


# Registering -------------------------------------------------------------------------------

def test_the_contest_page_offers_registration_to_accounts_and_sign_up_to_visitors(
        client, login_as, open_contest):
    contest = open_contest()
    visitor = page(client.get(f"/contests/{contest.slug}", headers=EN))
    assert "Create an account to take part" in visitor and f"/my/register/{contest.id}" not in visitor
    login_as("participant")
    assert f"/my/register/{contest.id}" in page(client.get(f"/contests/{contest.slug}", headers=EN))


def test_registering_gives_a_code_and_shows_it(client, login_as, make_participant, open_contest, db):
    me = login_as("participant")
    child = make_participant(account=me, birth_date=years_ago(11))
    contest = open_contest()
    form = page(client.get(f"/my/register/{contest.id}", headers=EN))
    assert child.full_name in form
    response = client.post_form(f"/my/register/{contest.id}",
                                {"participant_id": child.id, "category_id": contest.categories[0].id})
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert (registration.participant_id, registration.registered_by_id) == (child.id, me.id)
    html = page(client.get(response.headers["Location"], headers=EN))
    assert registration.code in html and "Awaiting moderation" in html
    assert registration.code in page(client.get(f"/contests/{contest.slug}", headers=EN))


def test_an_account_without_participants_is_asked_to_add_one_first(client, login_as, open_contest):
    login_as("participant")
    contest = open_contest()
    html = page(client.get(f"/my/register/{contest.id}", headers=EN))
    assert f"/my/participants/new?next=/my/register/{contest.id}" in html
    response = client.post_form(f"/my/participants/new?next=/my/register/{contest.id}", adult())
    assert response.headers["Location"].endswith(f"/my/register/{contest.id}")


def test_a_draft_or_unknown_contest_is_not_found(client, login_as, make_contest):
    login_as("participant")
    assert client.get(f"/my/register/{make_contest(status='draft').id}").status_code == 404
    assert client.get("/my/register/999999").status_code == 404


def _refused(client, db, contest, participant, *, field: str = "participant_id", category=None) -> str:
    before = count(db, Registration)
    response = client.post_form(f"/my/register/{contest.id}", {
        "participant_id": participant.id, "category_id": (category or contest.categories[0]).id}, headers=EN)
    assert response.status_code == 422
    html = page(response)
    assert "Please correct the following" in html
    assert count(db, Registration) == before
    return html


def test_a_birthday_on_the_event_day_counts(client, login_as, make_participant, open_contest, db):
    """Up to 12 on the event day: a child turning 13 that very day is too old, one turning 13 the
    next day may take part."""
    me = login_as("participant")
    contest = open_contest(max_age=12)
    event_day = local_day(contest.event_at)
    turns_13_that_day = make_participant(account=me, birth_date=event_day.replace(year=event_day.year - 13))
    turns_13_next_day = make_participant(
        account=me, birth_date=(event_day + timedelta(days=1)).replace(year=event_day.year - 13))
    html = _refused(client, db, contest, turns_13_that_day)
    assert 'id="participant_id-error"' in html and "will be 13" in html
    response = client.post_form(f"/my/register/{contest.id}", {
        "participant_id": turns_13_next_day.id, "category_id": contest.categories[0].id})
    assert response.status_code == 302


def test_a_grade_outside_the_contest_is_refused(client, login_as, make_participant, open_contest, db):
    me = login_as("participant")
    contest = open_contest(min_grade=9, max_grade=11)
    html = _refused(client, db, contest, make_participant(account=me, birth_date=years_ago(12), grade=6))
    assert "grades 9 to 11" in html


def test_a_closed_window_is_refused(client, login_as, make_participant, open_contest, db):
    me = login_as("participant")
    now = datetime.now(UTC)
    closed = open_contest(registration_opens_at=now - timedelta(days=20),
                          registration_closes_at=now - timedelta(days=1))
    html = page(client.get(f"/my/register/{closed.id}", headers=EN))
    assert "not open now" in html
    html = _refused(client, db, closed, make_participant(account=me))
    assert "Registration for this contest is not open." in html


def test_a_full_contest_says_so(client, login_as, make_participant, make_registration, open_contest, db):
    me = login_as("participant")
    contest = open_contest(capacity=1)
    make_registration(contest=contest)
    html = _refused(client, db, contest, make_participant(account=me))
    assert "the contest is full: all 1 places are taken" in html


def test_registering_twice_is_refused(client, login_as, make_participant, make_registration, open_contest, db):
    me = login_as("participant")
    contest = open_contest()
    participant = make_participant(account=me)
    make_registration(contest=contest, participant=participant)
    html = _refused(client, db, contest, participant)
    assert "is already registered for this contest" in html and 'id="participant_id-error"' in html


def test_a_minor_whose_consent_was_withdrawn_cannot_register(client, login_as, make_participant, open_contest, db):
    me = login_as("participant")
    child = make_participant(account=me, birth_date=years_ago(10), consent_withdrawn_at=datetime.now(UTC))
    html = _refused(client, db, open_contest(), child)
    assert "consent is needed first" in html and 'id="participant_id-error"' in html


def test_another_accounts_participant_cannot_be_registered_through_the_form(
        client, login_as, make_participant, open_contest, db):
    me = login_as("participant")
    make_participant(account=me)
    theirs = make_participant()
    html = _refused(client, db, open_contest(), theirs)
    assert 'id="participant_id-error"' in html


# The entry ---------------------------------------------------------------------------------

@pytest.fixture
def my_registration(login_as, make_participant, make_registration, open_contest):
    def make(**contest_values):
        me = login_as("participant")
        contest = open_contest(**contest_values)
        return make_registration(contest=contest, participant=make_participant(account=me, birth_date=years_ago(14)))

    return make


def test_saving_the_entry_shows_the_line_count(client, my_registration, db):
    registration = my_registration(line_limit=20)
    url = f"/my/registrations/{registration.id}"
    html = page(client.get(url, headers=EN))
    assert "At most 20 lines" in html and registration.code in html
    response = client.post_form(url, {"works-0-title": "Алатау", "works-0-text": "бір\nекі\n\nүш\n", "video_url": ""})
    assert response.status_code == 302
    work = db.session.scalar(select(EntryWork))
    assert (work.title, work.line_count) == ("Алатау", 3)
    assert "Lines of verse now: 3." in page(client.get(url, headers=EN))


def test_too_many_lines_are_refused(client, my_registration, db):
    registration = my_registration(line_limit=2)
    response = client.post_form(f"/my/registrations/{registration.id}",
                                {"works-0-title": "Long", "works-0-text": "a\nb\nc", "video_url": ""}, headers=EN)
    assert response.status_code == 422 and 'id="works-0-text-error"' in page(response)
    assert "The poem has 3 lines; this contest allows at most 2." in page(response)
    assert count(db, Entry) == 0


def test_a_script_in_a_poem_is_shown_as_text(client, my_registration):
    registration = my_registration()
    url = f"/my/registrations/{registration.id}"
    client.post_form(url, {"works-0-title": "<b>bold</b>", "works-0-text": "<script>alert('x')</script>\nline",
                           "video_url": ""})
    html = page(client.get(url))
    assert "<script>alert('x')</script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.kz/poem.mp4", "data:text/html,hi"])
def test_only_http_video_links_are_accepted(client, my_registration, db, link):
    registration = my_registration()
    response = client.post_form(f"/my/registrations/{registration.id}",
                                {"works-0-title": "T", "works-0-text": "a", "video_url": link}, headers=EN)
    assert response.status_code == 422 and 'id="video_url-error"' in page(response)
    assert "must be a web address starting with http:// or https://" in page(response)
    assert count(db, Entry) == 0


def test_with_the_database_store_the_organiser_downloads_the_bytes_the_participant_sent(
        client, my_registration, db, login_as, database_file_store):
    registration = my_registration()
    poem = ("Көктем келді, дала жасыл.\n" * 60_000).encode()  # 2.7 MB: three chunks
    response = client.post_form(f"/my/registrations/{registration.id}",
                                {"works-0-title": "Көктем", "works-0-text": "", "video_url": "",
                                 "works-0-file": upload(poem, "Көктем.txt")})
    assert response.status_code == 302
    work = db.session.scalar(select(EntryWork))
    assert stored_entry_files() == []  # nothing on this machine's disk
    stored = db.session.scalar(select(StoredFile).where(StoredFile.name == work.file_name))
    assert stored.area == ENTRY_AREA and stored.size == len(poem)
    assert stored.sha256 == hashlib.sha256(poem).hexdigest()

    login_as("organiser")
    download = client.get(f"/manage/contests/{registration.contest_id}/registrations/{registration.id}/works/1/file")
    assert download.status_code == 200 and download.data == poem
    assert download.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert download.headers["Content-Length"] == str(len(poem))
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=.txt; filename*=UTF-8''%D0%9A%D3%A9%D0%BA%D1%82%D0%B5%D0%BC.txt")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"


def test_a_file_is_stored_under_a_random_name_and_downloaded_by_its_owner_as_an_attachment(
        client, my_registration, db):
    registration = my_registration()
    response = client.post_form(f"/my/registrations/{registration.id}",
                                {"works-0-title": "T", "works-0-text": "a", "video_url": "https://youtu.be/x",
                                 "works-0-file": upload(PDF, "Менің өлеңім.pdf")})
    assert response.status_code == 302
    entry = db.session.scalar(select(EntryWork))
    assert entry.file_type == "pdf" and entry.file_original_name == "Менің өлеңім.pdf"
    assert [path.name for path in stored_entry_files()] == [entry.file_name]
    assert "Менің" not in entry.file_name

    download = client.get(f"/entries/{registration.id}/works/1/file")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]


def test_organisers_may_download_entry_files_and_other_accounts_may_not(
        client, my_registration, login_as, db):
    registration = my_registration()
    client.post_form(f"/my/registrations/{registration.id}",
                     {"works-0-title": "T", "works-0-text": "a", "video_url": "",
                      "works-0-file": upload(b"plain words\n", "poem.txt")})
    url = f"/entries/{registration.id}/works/1/file"
    login_as("participant")
    assert client.get(url).status_code == 404
    login_as("juror")
    assert client.get(url).status_code == 404
    login_as("organiser")
    response = client.get(url)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    client.post_form("/logout")
    assert client.get(url).status_code == 302


def test_an_exe_renamed_pdf_is_refused_and_nothing_is_written(client, my_registration, db):
    registration = my_registration()
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" * 8
    response = client.post_form(f"/my/registrations/{registration.id}",
                                {"works-0-title": "T", "works-0-text": "a", "video_url": "",
                                 "works-0-file": upload(exe, "poem.pdf")},
                                headers=EN)
    assert response.status_code == 422
    assert "Only PDF, DOCX, ODT and plain text" in page(response)
    assert count(db, Entry) == 0 and stored_entry_files() == []


def test_an_oversized_file_is_refused_and_nothing_is_written(client, my_registration, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "ENTRY_FILE_MAX_BYTES", 1024)
    registration = my_registration()
    response = client.post_form(f"/my/registrations/{registration.id}",
                                {"works-0-title": "T", "works-0-text": "a", "video_url": "",
                                 "works-0-file": upload(PDF + b"0" * 2048, "big.pdf")}, headers=EN)
    assert response.status_code == 422 and "too large" in page(response)
    assert count(db, Entry) == 0 and stored_entry_files() == []


def test_a_file_name_with_folders_is_stored_safely(client, my_registration, db):
    registration = my_registration()
    response = client.post_form(f"/my/registrations/{registration.id}", {
        "works-0-title": "T", "works-0-text": "a", "video_url": "",
        "works-0-file": upload(b"verse\n", "../../etc/passwd.txt")})
    assert response.status_code == 302
    entry = db.session.scalar(select(EntryWork))
    assert "/" not in entry.file_original_name and ".." not in entry.file_original_name
    assert all(path.parent.name == ENTRY_AREA for path in stored_entry_files())
    disposition = client.get(f"/entries/{registration.id}/works/1/file").headers["Content-Disposition"]
    assert "passwd.txt" in disposition and ".." not in disposition and "/" not in disposition


def test_the_attached_file_can_be_removed(client, my_registration, db):
    registration = my_registration()
    url = f"/my/registrations/{registration.id}"
    client.post_form(url, {"works-0-title": "T", "works-0-text": "a", "video_url": "",
                           "works-0-file": upload(PDF, "a.pdf")})
    assert len(stored_entry_files()) == 1
    removed = client.post_form(url, {"works-0-title": "T", "works-0-text": "a", "video_url": "",
                                     "works-0-remove_file": "y"})
    assert removed.status_code == 302
    assert db.session.scalar(select(EntryWork)).file_name is None
    assert stored_entry_files() == []
    assert client.get(f"/entries/{registration.id}/works/1/file").status_code == 404


def test_after_registration_closes_the_entry_is_read_only(client, my_registration, db):
    now = datetime.now(UTC)
    registration = my_registration(registration_opens_at=now - timedelta(days=20),
                                   registration_closes_at=now - timedelta(days=1), status="registration_closed")
    url = f"/my/registrations/{registration.id}"
    html = page(client.get(url, headers=EN))
    assert "Save the entry" not in html
    response = client.post_form(url, {"works-0-title": "Late", "works-0-text": "a", "video_url": ""}, headers=EN)
    assert response.status_code == 422
    assert "Entries can be changed only while registration is open." in page(response)
    assert count(db, Entry) == 0


def test_withdrawing_a_registration_asks_first(client, my_registration, db):
    registration = my_registration()
    url = f"/my/registrations/{registration.id}/withdraw"
    assert "Withdraw the registration" in page(client.get(url, headers=EN))
    assert db.session.get(Registration, registration.id).status == "pending"
    assert client.post_form(url).status_code == 302
    assert db.session.get(Registration, registration.id).status == "withdrawn"
