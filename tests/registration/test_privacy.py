"""An account's own data: the JSON download, and deletion that keeps published results intact."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.auth.models import User
from contest.registration.models import EntryWork, Participant, Registration
from contest.registration.uploads import ENTRY_AREA
from tests.conftest import TEST_PASSWORD
from tests.registration.helpers import one_work_entry
from tests.upload_files import plain_pdf

EN = {"Accept-Language": "en"}
PDF = plain_pdf()


def page(response) -> str:
    return response.get_data(as_text=True)


def entry_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / ENTRY_AREA


def child_birth_date() -> date:
    return date.today().replace(year=date.today().year - 11)


@pytest.fixture
def family(login_as, make_participant, make_registration, open_contest, make_contest, make_category, db):
    """An account with three participants: one in a contest whose results are published (with an
    entry file), one registered for a contest still open, one never registered."""
    me = login_as("participant", email="parent@example.kz", name="Гүлнар Әлиева")
    finished = make_contest(status="results_published")
    make_category(finished)
    winner = make_participant(account=me, surname="Әлиев", given_name="Арман", birth_date=child_birth_date(),
                              phone="+7 700 000 11 22", teacher="Мұғалім")
    finished_registration = make_registration(contest=finished, participant=winner, status="approved")
    entry_dir().mkdir(parents=True, exist_ok=True)
    (entry_dir() / "storedwinnerfile").write_bytes(PDF)
    db.session.add(one_work_entry(finished_registration, title="Жеңіс", text="a\nb", file_name="storedwinnerfile",
                         file_original_name="winner.pdf", file_type="pdf", file_size=len(PDF)))
    running = make_participant(account=me, surname="Әлиева", given_name="Дана", birth_date=child_birth_date())
    running_registration = make_registration(contest=open_contest(), participant=running)
    db.session.add(one_work_entry(running_registration, title="Күз", text="x\ny"))
    spare = make_participant(account=me, surname="Әлиев", given_name="Бек")
    db.session.commit()
    return {"me": me, "winner": winner, "finished": finished_registration, "running": running,
            "running_registration": running_registration, "spare": spare}


# Download ------------------------------------------------------------------------------------

def test_my_data_comes_as_a_json_attachment_with_consents_registrations_and_entries(client, family, make_participant):
    make_participant(surname="Stranger")
    response = client.get("/account/privacy/my-data.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.data)
    assert data["account"]["email"] == "parent@example.kz"
    names = {p["given_name"] for p in data["participants"]}
    assert names == {"Арман", "Дана", "Бек"}
    winner = next(p for p in data["participants"] if p["given_name"] == "Арман")
    assert winner["phone"] == "+7 700 000 11 22" and winner["consent"]["given_by"] == "parent@example.kz"
    assert winner["consent"]["given_at"] and winner["consent"]["text_version"]
    registration = winner["registrations"][0]
    assert registration["code"] == family["finished"].code and registration["status"] == "approved"
    assert registration["entry"]["works"][0]["title"] == "Жеңіс"
    assert registration["entry"]["works"][0]["file"] == {"name": "winner.pdf", "type": "pdf", "size": len(PDF)}
    assert "Stranger" not in page(response) and "%PDF" not in page(response)


def test_the_privacy_page_is_linked_from_the_account_and_dashboard(client, login_as):
    login_as("participant")
    assert "/account/privacy" in page(client.get("/account"))
    assert "/account/privacy" in page(client.get("/my"))
    html = page(client.get("/account/privacy", headers=EN))
    assert "Download my data" in html and "Delete my account" in html


# Deletion ----------------------------------------------------------------------------------

def test_a_wrong_password_deletes_nothing(client, family, db):
    response = client.post_form("/account/privacy/delete", {"password": "not my password", "understood": "y"},
                                headers=EN)
    assert response.status_code == 422 and "The password is incorrect" in page(response)
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 3
    assert db.session.get(User, family["me"].id).is_active


def test_deletion_needs_the_confirmation_box(client, family, db):
    response = client.post_form("/account/privacy/delete", {"password": TEST_PASSWORD}, headers=EN)
    assert response.status_code == 422 and "Please confirm" in page(response)
    assert db.session.get(User, family["me"].id).is_active


def test_deletion_withdraws_anonymises_deletes_and_closes_the_account(client, family, db):
    me_id, winner_id, running_id, spare_id = (family["me"].id, family["winner"].id, family["running"].id,
                                              family["spare"].id)
    finished_code = family["finished"].code
    response = client.post_form("/account/privacy/delete", {"password": TEST_PASSWORD, "understood": "y"})
    assert response.status_code == 302

    winner = db.session.get(Participant, winner_id)
    assert winner.anonymised_at is not None and "Әлиев" not in winner.full_name
    assert (winner.surname, winner.given_name, winner.birth_date, winner.phone, winner.guardian_name,
            winner.guardian_phone) == ("", "", None, "", "", "")
    finished = db.session.scalar(select(Registration).where(Registration.code == finished_code))
    assert finished.status == "approved"  # the published results keep their row
    assert finished.entry.works[0].file_name is None and not (entry_dir() / "storedwinnerfile").exists()

    running = db.session.get(Participant, running_id)
    assert running.anonymised_at is not None
    assert running.registrations[0].status == "withdrawn" and running.registrations[0].entry.works[0].text == ""
    assert db.session.get(Participant, spare_id) is None

    account = db.session.get(User, me_id)
    assert not account.is_active and account.email != "parent@example.kz" and "Гүлнар" not in account.name
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"account.delete", "participant.anonymise", "participant.delete", "registration.withdraw"} <= actions

    # Signed out, and the old address and password no longer open anything.
    assert client.get("/my").status_code == 302
    login = client.post_form("/login", {"email": "parent@example.kz", "password": TEST_PASSWORD})
    assert login.status_code == 422


def test_staff_accounts_are_not_deleted_from_here(client, login_as, db):
    organiser = login_as("organiser")
    response = client.post_form("/account/privacy/delete", {"password": TEST_PASSWORD, "understood": "y"},
                                headers=EN)
    assert response.status_code == 422 and "administrator" in page(response)
    assert db.session.get(User, organiser.id).is_active


def test_anonymised_participants_disappear_from_the_owners_pages(client, family, login_as, db):
    winner_id = family["winner"].id
    registration_id = family["finished"].id
    client.post_form("/account/privacy/delete", {"password": TEST_PASSWORD, "understood": "y"})
    login_as("organiser")
    # Organisers still reach the registration; its file is gone.
    assert client.get(f"/entries/{registration_id}/works/1/file").status_code == 404
    assert db.session.get(Participant, winner_id).full_name == "Participant removed at their request"


def test_a_file_uploaded_then_account_deleted_is_removed_from_disk(client, login_as, make_participant,
                                                                   make_registration, db):
    me = login_as("participant")
    registration = make_registration(participant=make_participant(account=me))
    client.post_form(f"/my/registrations/{registration.id}",
                     {"works-0-title": "T", "works-0-text": "a", "video_url": "",
                      "works-0-file": (io.BytesIO(PDF), "a.pdf")})
    stored = db.session.scalar(select(EntryWork)).file_name
    assert (entry_dir() / stored).exists()
    client.post_form("/account/privacy/delete", {"password": TEST_PASSWORD, "understood": "y"})
    assert not (entry_dir() / stored).exists()


def test_the_deleted_accounts_email_can_sign_up_again(client, family, db):
    client.post_form("/account/privacy/delete", {"password": TEST_PASSWORD, "understood": "y"})
    fresh = "a-fresh-long-pass-phrase"
    response = client.post_form("/signup", {"name": "New", "email": "parent@example.kz",
                                            "password": fresh, "confirm": fresh})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "parent@example.kz")) == 1

