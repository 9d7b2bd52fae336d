"""Accounts over HTTP: what a person sees when signing up, in, out, and resetting."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from contest.auth import services
from contest.auth.models import User
from tests.conftest import TEST_PASSWORD, mail_body

SIGNUP = {"name": "Әлихан Бөкейхан", "email": "alikhan@example.kz",
          "password": "steppe-river-lantern-42", "confirm": "steppe-river-lantern-42"}


def user_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def page(response) -> str:
    return response.get_data(as_text=True)


def test_sign_up_creates_account_and_signs_in(client, db):
    response = client.post_form("/signup", SIGNUP, headers={"Accept-Language": "ru"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Әлихан Бөкейхан" in page(response)  # the navigation greets the new account
    user = db.session.scalar(select(User))
    assert user.email == "alikhan@example.kz"
    assert user.preferred_language == "ru"


@pytest.mark.parametrize(("change", "message"), [
    ({"email": "not-an-email"}, "Enter a valid email address"),
    ({"password": "short1", "confirm": "short1"}, "between 8 and 128 characters"),
    ({"password": "password123", "confirm": "password123"}, "too common"),
    ({"confirm": "something-else-entirely"}, "do not match"),
    ({"name": ""}, "This field is required"),
])
def test_sign_up_refuses_bad_input_with_a_message_and_writes_nothing(client, db, change, message):
    response = client.post_form("/signup", {**SIGNUP, **change}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in page(response)
    assert user_count(db) == 0


def test_sign_up_with_an_existing_email_is_refused(client, db, make_user):
    make_user(email="alikhan@example.kz")
    response = client.post_form("/signup", SIGNUP, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "already exists" in page(response)
    assert user_count(db) == 1


def test_error_messages_come_in_the_visitors_language(client, db):
    response = client.post_form("/signup", {**SIGNUP, "confirm": "x" * 12}, headers={"Accept-Language": "kk"})
    assert "Құпиясөздер сәйкес келмейді" in page(response)
    response = client.post_form("/signup", {**SIGNUP, "confirm": "x" * 12}, headers={"Accept-Language": "ru"})
    assert "Пароли не совпадают" in page(response)


def test_post_without_csrf_token_is_refused(client, db):
    response = client.post("/signup", data=SIGNUP, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "The form has expired" in page(response)
    assert user_count(db) == 0


def test_log_in_and_out(client, make_user):
    make_user(email="poet@example.kz", name="Ğalym Jūmabaiūly")
    response = client.post_form("/login", {"email": "poet@example.kz", "password": TEST_PASSWORD},
                                follow_redirects=True)
    assert "Ğalym Jūmabaiūly" in page(response)
    assert client.get("/account").status_code == 200
    client.post_form("/logout")
    assert client.get("/account").status_code == 302


def test_logout_only_by_post(client, login_as):
    login_as()
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_wrong_password_shows_a_message(client, make_user):
    make_user(email="poet@example.kz")
    response = client.post_form("/login", {"email": "poet@example.kz", "password": "nope-nope-nope"},
                                headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "email address or password is incorrect" in page(response)


def test_login_is_throttled_after_repeated_failures(app, client, make_user):
    make_user(email="poet@example.kz")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post_form("/login", {"email": "poet@example.kz", "password": "nope-nope-nope"})
    response = client.post_form("/login", {"email": "poet@example.kz", "password": TEST_PASSWORD},
                                headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in page(response)
    assert client.get("/account").status_code == 302


def test_next_parameter_never_leaves_the_site(client, make_user):
    make_user(email="poet@example.kz")
    response = client.post_form("/login?next=//evil.example/", {"email": "poet@example.kz",
                                                                 "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/"


def test_password_reset_by_email_link_works_once(client, db, make_user, mailbox):
    make_user(email="poet@example.kz", preferred_language="en")
    response = client.post_form("/password/forgot", {"email": "poet@example.kz"})
    assert response.status_code == 302
    assert len(mailbox) == 1
    assert mailbox[0]["To"] == "poet@example.kz"
    link = re.search(r"http://\S+/password/reset/\S+", mail_body(mailbox[0])).group(0)
    path = link.split("localhost", 1)[1]

    new = "fresh-steppe-wind-1858"
    response = client.post_form(path, {"password": new, "confirm": new})
    assert response.status_code == 302
    client.post_form("/logout")
    assert client.post_form("/login", {"email": "poet@example.kz", "password": new}).status_code == 302

    again = client.get(path, headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "already been used" in page(again)


def test_password_reset_for_unknown_email_says_the_same_and_sends_nothing(client, mailbox):
    response = client.post_form("/password/forgot", {"email": "nobody@example.kz"},
                                headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "If an account with this address exists" in page(response)
    assert mailbox == []


def test_expired_reset_link_is_refused(app, client, make_user, monkeypatch):
    from contest.auth.services import make_reset_token

    user = make_user()
    with app.test_request_context():
        token = make_reset_token(user)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(f"/password/reset/{token}", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "expired" in page(response)


def test_password_change_signs_out_other_sessions(app, client, db, login_as):
    user = login_as()
    other_device = app.test_client()
    with other_device.session_transaction() as session:
        session["_user_id"] = services.open_session(user)
    db.session.commit()
    new = "another-long-line-of-verse"
    response = client.post_form("/account/password", {"current_password": TEST_PASSWORD,
                                                      "password": new, "confirm": new})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_disabled_account_is_signed_out(client, db, login_as):
    from contest.auth.services import disable_user

    user = login_as()
    assert client.get("/account").status_code == 200
    disable_user(db.session.get(User, user.id))
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_profile_language_is_saved_and_used(client, db, login_as):
    user = login_as()
    response = client.post_form("/account/profile", {"name": "Сәуле", "language": "ru"}, follow_redirects=True)
    assert "Мой аккаунт" in page(response)
    assert db.session.get(User, user.id).preferred_language == "ru"


def test_profile_refuses_unknown_language(client, db, login_as):
    user = login_as()
    response = client.post_form("/account/profile", {"name": "Сәуле", "language": "xx"},
                                headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert db.session.get(User, user.id).preferred_language is None
