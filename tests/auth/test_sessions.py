"""Signed-in sessions end on the server: signing out, signing out everywhere, a new password."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.auth.models import UserSession
from tests.conftest import TEST_PASSWORD, mail_body

EMAIL = "poet@example.kz"


def sign_in(client, email: str = EMAIL, password: str = TEST_PASSWORD) -> None:
    response = client.post_form("/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def copy_cookie(app, client):
    """A second browser holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def session_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession))


def test_a_cookie_copied_before_signing_out_is_refused_after(app, client, db, make_user):
    make_user(email=EMAIL)
    sign_in(client)
    thief = copy_cookie(app, client)
    assert thief.get("/my").status_code == 200

    client.post_form("/logout")

    response = thief.get("/my")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert session_count(db) == 0


def test_signing_out_ends_only_this_browsers_session(app, client, db, make_user):
    make_user(email=EMAIL)
    other = app.test_client()
    sign_in(other)
    sign_in(client)
    client.post_form("/logout")
    assert other.get("/my").status_code == 200


def test_sign_out_everywhere_asks_first_then_ends_every_session(app, client, db, make_user):
    user = make_user(email=EMAIL)
    phone = app.test_client()
    sign_in(phone)
    sign_in(client)

    account = client.get("/account", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "Барлық құрылғыдан шығу" in account
    confirm = client.get("/account/sign-out-everywhere", headers={"Accept-Language": "en"})
    assert "Sign out on every device?" in confirm.get_data(as_text=True)
    assert phone.get("/my").status_code == 200  # opening the question changes nothing

    response = client.post_form("/account/sign-out-everywhere", headers={"Accept-Language": "en"},
                                follow_redirects=True)
    assert "signed out on every device" in response.get_data(as_text=True)
    assert phone.get("/my").status_code == 302
    assert client.get("/my").status_code == 302
    assert session_count(db) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.signed_out_everywhere"))
    assert event.object_id == user.id


def test_sign_out_everywhere_needs_the_csrf_token(app, client, db, make_user):
    make_user(email=EMAIL)
    sign_in(client)
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert client.get("/my").status_code == 200


def test_password_reset_ends_the_sessions_open_before(app, client, db, make_user, mailbox):
    make_user(email=EMAIL, preferred_language="en")
    laptop = app.test_client()
    sign_in(laptop)

    client.post_form("/password/forgot", {"email": EMAIL})
    link = re.search(r"http://\S+/password/reset/\S+", mail_body(mailbox[0])).group(0)
    new = "fresh-steppe-wind-1858"
    response = client.post_form(link.split("localhost", 1)[1], {"password": new, "confirm": new})
    assert response.status_code == 302

    assert laptop.get("/my").status_code == 302
    assert client.get("/my").status_code == 200  # the browser that set the password is signed in
    assert session_count(db) == 1


def test_password_change_keeps_this_browser_and_ends_the_others(app, client, db, make_user):
    make_user(email=EMAIL)
    laptop = app.test_client()
    sign_in(laptop)
    sign_in(client)
    thief = copy_cookie(app, client)
    new = "another-long-line-of-verse"
    response = client.post_form("/account/password", {"current_password": TEST_PASSWORD,
                                                      "password": new, "confirm": new})
    assert response.status_code == 302
    assert client.get("/my").status_code == 200
    assert laptop.get("/my").status_code == 302
    assert thief.get("/my").status_code == 302  # the copy holds the session that ended


def test_sessions_end_after_the_session_lifetime(app, client, db, make_user, monkeypatch):
    make_user(email=EMAIL)
    sign_in(client)
    assert client.get("/my").status_code == 200
    row = db.session.scalar(select(UserSession))
    row.created_at = row.created_at - app.permanent_session_lifetime
    db.session.commit()
    assert client.get("/my").status_code == 302


def test_signed_in_pages_load_the_account_in_one_query(client, login_as, count_queries):
    login_as()
    client.get("/account")
    with count_queries() as log:
        assert client.get("/account").status_code == 200
    loads = [statement for statement in log.statements if "user_session" in statement]
    assert len(loads) == 1
