"""An administrator passes every role check; no other role passes a check it is not named in."""

from __future__ import annotations

import pytest

from contest.auth.models import Role, User


@pytest.mark.parametrize("url", ["/manage/news", "/jury/", "/admin/users/"])
def test_an_administrator_opens_organiser_juror_and_admin_pages(client, login_as, url):
    login_as("admin")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(("role", "url"), [
    ("organiser", "/admin/users/"), ("organiser", "/jury/"), ("juror", "/manage/news"),
    ("participant", "/manage/news"), ("participant", "/jury/"),
])
def test_other_roles_are_refused_pages_their_role_is_not_named_for(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/manage/news")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", list(Role))
def test_has_role_is_the_named_roles_plus_the_administrator(role):
    account = User(role=role.value)
    assert account.has_role(role)
    assert account.has_role(Role.ORGANISER, Role.JUROR) == (role in (Role.ADMIN, Role.ORGANISER, Role.JUROR))
    assert account.has_role() == (role is Role.ADMIN)


def test_a_public_page_opens_for_a_signed_out_visitor(client):
    assert client.get("/news").status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_a_page_for_any_account_opens_for_every_role(client, login_as, role):
    login_as(role)
    assert client.get("/my/certificates").status_code == 200


@pytest.mark.parametrize(("role", "url"), [("organiser", "/manage/news"), ("juror", "/jury/")])
def test_each_role_opens_the_pages_named_for_it(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 200


def test_an_account_without_an_open_session_says_how_to_sign_in():
    with pytest.raises(RuntimeError, match=r"^No session is open for this account: sign in with "
                                           r"auth\.services\.open_session\.$"):
        User(role="admin").get_id()
