"""The access rule of a page, declared with the decorators in contest.auth.permissions and
enforced before every request.

The application's own views are decorated when their modules are imported, once per test
process, so a planted bug in a decorator would never show in them. Here the decorators run
inside each test: a view declared in the test takes the place of the news page (/news) for that
test, and a visitor, an account of each role and an administrator ask for it."""

from __future__ import annotations

import logging

import pytest
from flask import url_for

from contest.auth.models import Role
from contest.auth.permissions import has_role, public, roles_required, signed_in

DENIED_KK = "Бұл бетті ашуға құқығыңыз жоқ."
SIGN_IN_KK = "Бұл бетті ашу үшін кіріңіз."


@pytest.fixture
def page(app, monkeypatch):
    """Put `view` behind /news for this test only."""

    def install(view):
        monkeypatch.setitem(app.view_functions, "news.index", view)
        return "/news"

    return install


def the_page() -> str:
    return "the page itself"


def undeclared() -> str:
    return "the page itself"


def assert_opens(response) -> None:
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "the page itself"


def assert_denied(response) -> None:
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert DENIED_KK in body and "the page itself" not in body


def assert_sent_to_sign_in(client, response) -> None:
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fnews"
    assert SIGN_IN_KK in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_public_page_opens_for_a_visitor_and_for_every_account(client, login_as, page):
    url = page(public(the_page))
    assert_opens(client.get(url))
    login_as(Role.PARTICIPANT)
    assert_opens(client.get(url))


def test_a_page_for_any_account_sends_a_visitor_to_sign_in_and_opens_for_each_role(client, login_as, page):
    url = page(signed_in(the_page))
    assert_sent_to_sign_in(client, client.get(url))
    for role in Role:
        login_as(role)
        assert_opens(client.get(url))


def test_a_page_for_one_role_opens_for_it_and_the_administrator_only(client, login_as, page):
    url = page(roles_required(Role.ORGANISER)(the_page))
    assert_sent_to_sign_in(client, client.get(url))
    for role, opens in [(Role.PARTICIPANT, False), (Role.JUROR, False), (Role.ORGANISER, True), (Role.ADMIN, True)]:
        login_as(role)
        if opens:
            assert_opens(client.get(url))
        else:
            assert_denied(client.get(url))


def test_a_page_for_two_roles_opens_for_each_of_them(client, login_as, page):
    url = page(roles_required(Role.JUROR, Role.ORGANISER)(the_page))
    for role, opens in [(Role.JUROR, True), (Role.ORGANISER, True), (Role.PARTICIPANT, False)]:
        login_as(role)
        assert client.get(url).status_code == (200 if opens else 403)


def test_a_page_that_declares_no_rule_is_denied_to_everyone_and_logged(client, login_as, page, caplog):
    url = page(undeclared)
    with caplog.at_level(logging.ERROR):
        assert_denied(client.get(url))
    assert "Endpoint news.index declares no access rule; denied" in caplog.text
    login_as(Role.ADMIN)
    assert_denied(client.get(url))


def test_static_files_need_no_rule_and_an_unknown_address_is_not_found(app, client):
    with app.test_request_context():
        own = url_for("static", filename="css/site.css")
        bootstrap = url_for("bootstrap.static", filename="css/bootstrap.min.css")
    assert client.get(own).status_code == 200
    assert client.get(bootstrap).status_code == 200
    assert client.get("/no-such-page").status_code == 404


def test_has_role_in_templates_is_false_for_a_visitor_and_follows_the_account(app, login_as, client):
    with app.test_request_context():
        assert has_role(Role.ORGANISER) is False
    for role, expected in [(Role.PARTICIPANT, False), (Role.ORGANISER, True), (Role.ADMIN, True)]:
        login_as(role)
        with client:
            client.get("/news")
            assert has_role(Role.ORGANISER) is expected
            assert has_role(Role.PARTICIPANT) is (role in (Role.PARTICIPANT, Role.ADMIN))
