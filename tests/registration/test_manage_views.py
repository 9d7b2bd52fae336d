"""The organisers' registration pages over HTTP: who may open them, the table, decisions."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from contest.db import utcnow
from contest.registration.models import Entry, EntryWork, Participant, Registration, RegistrationCounter
from tests.registration.helpers import audit_actions, one_work_entry, page

EN = {"Accept-Language": "en"}


@pytest.fixture
def organiser(login_as):
    return login_as("organiser")


def table_url(contest, **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/manage/contests/{contest.id}/registrations/" + (f"?{query}" if query else "")


def detail_url(registration) -> str:
    return f"/manage/contests/{registration.contest_id}/registrations/{registration.id}"


# Access ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["participant", "juror"])
def test_participants_and_jurors_are_refused(client, login_as, make_registration, role):
    registration = make_registration()
    login_as(role)
    for url in (table_url(registration.contest), detail_url(registration), detail_url(registration) + "/works/1/file",
                f"/manage/contests/{registration.contest_id}/registrations/export.csv"):
        assert client.get(url).status_code == 403, url
    assert client.post_form(detail_url(registration) + "/approve").status_code == 403
    assert client.post_form(detail_url(registration) + "/reject", {"reason": "x"}).status_code == 403
    assert registration.status == "pending"


def test_visitors_are_sent_to_sign_in(client, make_registration):
    registration = make_registration()
    response = client.get(detail_url(registration))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_administrators_pass(client, login_as, make_registration):
    registration = make_registration()
    login_as("admin")
    assert client.get(table_url(registration.contest)).status_code == 200


def test_a_registration_of_another_contest_is_not_found(client, organiser, open_contest, make_registration):
    registration = make_registration()
    other = open_contest()
    wrong = f"/manage/contests/{other.id}/registrations/{registration.id}"
    assert client.get(wrong).status_code == 404
    assert client.post_form(wrong + "/approve").status_code == 404
    assert client.get("/manage/contests/999999/registrations/").status_code == 404
    assert registration.status == "pending"


# Table ----------------------------------------------------------------------------------------------

def test_table_shows_the_columns_and_escapes_names(client, db, organiser, open_contest, make_registration,
                                                   make_participant):
    contest = open_contest()
    registration = make_registration(contest, participant=make_participant(
        surname="<script>alert(1)</script>", given_name="Әлия", school="Гимназия №12", district="Медеу", grade=7))
    db.session.add(one_work_entry(registration, title="Көктем", text="Бірінші жол\n\nЕкінші жол\nҮшінші",
                         file_name="stored.pdf", file_type="pdf", file_size=10, file_original_name="poem.pdf"))
    db.session.commit()

    html = page(client.get(table_url(contest), headers=EN))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Әлия" in html and "<script>alert(1)" not in html
    for text in (registration.code, "Гимназия №12", "Медеу", ">7<", "Awaiting moderation", "Көктем", "3 lines",
                 "file (PDF)", "1 registration found"):
        assert text in html, text


def test_table_search_and_filters(client, organiser, open_contest, make_registration, make_participant,
                                  make_category):
    contest = open_contest()
    second_category = make_category(contest, name_en="Prose")
    make_registration(contest, participant=make_participant(surname="Сәтпаева", school="Лицей 8"))
    make_registration(contest, participant=make_participant(surname="Omarov", district="Алмалы"),
                      category=second_category, status="approved")

    def names(**args) -> tuple[bool, bool]:
        html = page(client.get(table_url(contest, **args), headers=EN))
        return "Сәтпаева" in html, "Omarov" in html

    assert names() == (True, True)
    assert names(q="сәтп") == (True, False)
    assert names(status="approved") == (False, True)
    assert names(category=second_category.id) == (False, True)
    assert names(school="Лицей 8") == (True, False)
    assert names(district="Алмалы") == (False, True)
    # A filter value that is not offered is not understood: everything is shown, with a note.
    html = page(client.get(table_url(contest, status="nonsense"), headers=EN))
    assert "The filter was not understood" in html and "Omarov" in html


def many_registrations(db, contest, count: int, offset: int = 0) -> None:
    """`count` registrations with participants and entries, inserted in bulk."""
    account_id = None
    now = utcnow()
    counter = db.session.get(RegistrationCounter, contest.id)
    if counter is None:
        counter = RegistrationCounter(contest_id=contest.id, prefix=f"B{contest.id}", last_number=0)
        db.session.add(counter)
        db.session.flush()
    first_id = (db.session.scalar(select(Participant.id).order_by(Participant.id.desc()).limit(1)) or 0) + 1
    participants = [{"id": first_id + n, "account_id": account_id, "surname": f"Surname{offset + n}",
                     "given_name": "Given", "patronymic": "", "school": f"School {n % 40}", "grade": 1 + n % 11,
                     "district": f"District {n % 8}", "teacher": "", "phone": "", "guardian_name": "",
                     "guardian_phone": "", "created_at": now, "updated_at": now} for n in range(count)]
    db.session.execute(insert(Participant), participants)
    first_number = counter.last_number + 1
    registrations = [{"contest_id": contest.id, "participant_id": first_id + n, "category_id": contest.categories[0].id,
                      "number": first_number + n, "code": f"{counter.prefix}-{first_number + n:04d}",
                      "status": ("pending", "approved", "rejected")[n % 3], "decision_reason": "",
                      "created_at": now, "updated_at": now} for n in range(count)]
    db.session.execute(insert(Registration), registrations)
    counter.last_number += count
    ids = db.session.scalars(select(Registration.id).where(Registration.number >= first_number,
                                                           Registration.contest_id == contest.id))
    db.session.execute(insert(Entry), [{"registration_id": id_, "video_url": "", "created_at": now,
                                        "updated_at": now} for id_ in ids])
    entry_ids = db.session.scalars(select(Entry.id).join(Registration).where(Registration.number >= first_number,
                                                                               Registration.contest_id == contest.id))
    db.session.execute(insert(EntryWork), [{"entry_id": id_, "position": 1, "title": "Poem", "text": "one\ntwo",
                                            "file_original_name": "", "file_type": ""} for id_ in entry_ids])
    db.session.commit()


def test_table_runs_the_same_number_of_queries_for_few_and_many(client, db, organiser, open_contest,
                                                                  count_queries):
    contest = open_contest()
    many_registrations(db, contest, 5)
    with count_queries() as few:
        assert client.get(table_url(contest)).status_code == 200
    many_registrations(db, contest, 195, offset=5)
    with count_queries() as many:
        response = client.get(table_url(contest, page=2))
    assert response.status_code == 200 and "200 registrations found" in page(client.get(table_url(contest),
                                                                                           headers=EN))
    assert many.count == few.count, many.statements


# Decisions ------------------------------------------------------------------------------------------

def test_organiser_approves_and_the_account_is_emailed(client, db, organiser, make_registration, mailbox):
    registration = make_registration()
    response = client.post_form(detail_url(registration) + "/approve", headers=EN, follow_redirects=True)
    assert "has been approved" in page(response)
    assert registration.status == "approved"
    assert audit_actions(db, registration.id) == ["registration.approved"]
    assert len(mailbox) == 1 and mailbox[0]["To"] == registration.registered_by.email


def test_reject_without_a_reason_is_refused_and_nothing_changes(client, db, organiser, make_registration, mailbox):
    registration = make_registration()
    response = client.post_form(detail_url(registration) + "/reject", {"reason": "  "}, headers=EN)
    assert response.status_code == 422
    assert "Write the reason for the rejection" in page(response)
    assert registration.status == "pending" and audit_actions(db) == [] and mailbox == []


def test_reject_with_a_reason(client, db, organiser, make_registration, mailbox):
    registration = make_registration()
    response = client.post_form(detail_url(registration) + "/reject", {"reason": "The poem is <b>copied</b>."},
                                headers=EN, follow_redirects=True)
    html = page(response)
    assert "has been rejected" in html and "The poem is &lt;b&gt;copied&lt;/b&gt;." in html
    assert (registration.status, registration.decision_reason) == ("rejected", "The poem is <b>copied</b>.")
    assert "The poem is <b>copied</b>." in mailbox[0].get_payload(decode=True).decode()


def test_withdrawn_registration_cannot_be_approved(client, organiser, make_registration, mailbox):
    registration = make_registration(status="withdrawn")
    response = client.post_form(detail_url(registration) + "/approve", headers=EN)
    assert response.status_code == 422 and "withdrawn" in page(response)
    assert registration.status == "withdrawn" and mailbox == []


def test_bulk_approval_with_foreign_ids_changes_only_this_contest(client, db, organiser, open_contest,
                                                                  make_registration, mailbox):
    contest = open_contest()
    mine = [make_registration(contest) for _ in range(3)]
    foreign = make_registration()
    response = client.post_form(f"/manage/contests/{contest.id}/registrations/approve?status=pending",
                                {"ids": [mine[0].id, mine[2].id, foreign.id, "abc"]}, headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("?status=pending")
    html = page(client.get(response.headers["Location"], headers=EN))
    assert "2 registrations approved." in html
    assert "1 selected registration has not changed: it was not awaiting moderation" in html
    assert [r.status for r in mine] == ["approved", "pending", "approved"]
    assert foreign.status == "pending"
    assert sorted(message["To"] for message in mailbox) == sorted(r.registered_by.email for r in (mine[0], mine[2]))


def test_bulk_approval_with_nothing_selected_says_so(client, organiser, open_contest):
    contest = open_contest()
    response = client.post_form(f"/manage/contests/{contest.id}/registrations/approve", headers=EN,
                                follow_redirects=True)
    assert "Select the registrations to approve." in page(response)


# Detail ---------------------------------------------------------------------------------------------

def test_detail_shows_contact_guardian_consent_and_the_entry_as_text(client, db, organiser, make_registration,
                                                                    make_participant):
    participant = make_participant(surname="Нұрланова", given_name="Айым", birth_date=utcnow().date().replace(
        year=utcnow().year - 12), phone="+7 701 111 22 33", guardian_name="Нұрланов Ерлан",
        guardian_phone="+7 702 333 44 55", consent_version="2026-01")
    registration = make_registration(participant=participant)
    db.session.add(one_work_entry(registration, title="Ана", text="<img src=x onerror=alert(1)>\nАнашым"))
    db.session.commit()
    html = page(client.get(detail_url(registration), headers=EN))
    for text in ("+7 701 111 22 33", "Нұрланов Ерлан", "+7 702 333 44 55", "2026-01", "Consent given",
                 "&lt;img src=x onerror=alert(1)&gt;", "2 lines"):
        assert text in html, text
    assert "<img src=x" not in html


def test_entry_file_downloads_as_an_attachment(client, db, app, organiser, make_registration):
    from contest import files
    from contest.registration.uploads import ENTRY_AREA

    registration = make_registration()
    name = files.write_bytes(db.session, ENTRY_AREA, ".pdf", b"%PDF-1.4 poem")
    db.session.add(one_work_entry(registration, file_name=name, file_type="pdf", file_size=13,
                         file_original_name="Көктем.pdf"))
    db.session.commit()
    response = client.get(detail_url(registration) + "/works/1/file")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 poem"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "private" in response.headers["Cache-Control"]
    without_file = make_registration(registration.contest)
    assert client.get(detail_url(without_file) + "/works/1/file").status_code == 404


def test_contest_organiser_page_links_to_the_registrations(client, organiser, open_contest, make_registration):
    contest = open_contest()
    make_registration(contest)
    make_registration(contest, status="approved")
    html = page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    assert "Awaiting moderation: 1" in html and "Approved: 1" in html
    assert f'href="/manage/contests/{contest.id}/registrations/"' in html
