"""Malformed addresses answer 404 or 400 on every route, for every role, on SQLite and on
PostgreSQL: ids beyond the database's integer, control characters (NUL) in a path segment or in
the query string, page numbers too large for any query."""

from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter, UnicodeConverter

from contest.auth.models import Role

STATIC = ("static", "bootstrap.static")
TOO_LARGE = ["2147483648", "99999999999999999999999"]
CONTROL = ["x\x00y", "x\x01y", "\x7f"]
# Every integer the views read from a query string.
QUERY_INTEGERS = ("page", "round", "category", "participant")


def routes_with(app, converter: type) -> list[tuple[object, str]]:
    return [(rule, name) for rule in app.url_map.iter_rules() if rule.endpoint not in STATIC
            for name, conv in rule._converters.items() if isinstance(conv, converter)]


def address(app, rule, **values) -> str:
    sample = {name: 1 if isinstance(conv, IntegerConverter) else "x" for name, conv in rule._converters.items()}
    with app.test_request_context():
        return url_for(rule.endpoint, **{**sample, **values})


def send(client, rule, url: str) -> int:
    """The status a browser would get; an exception escaping the app counts as 500."""
    try:
        response = client.get(url) if "GET" in rule.methods else client.post_form(url)
    except Exception:  # noqa: BLE001 (turned into the status a visitor would see)
        return 500
    return response.status_code


def signed_in(login_as, role):
    user = login_as(role) if role is not None else None
    return lambda: user is not None and login_as(user=user)


ROLES = [None, *Role]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_ids_beyond_the_database_integer_match_no_route(app, client, login_as, role):
    sign_in_again = signed_in(login_as, role)
    answers = {}
    for rule, name in routes_with(app, IntegerConverter):
        for value in TOO_LARGE:
            sign_in_again()
            url = address(app, rule, **{name: value})
            answers[url] = send(client, rule, url)
    assert answers and {url: status for url, status in answers.items() if status != 404} == {}


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_control_characters_in_a_segment_match_no_route(app, client, login_as, role):
    sign_in_again = signed_in(login_as, role)
    answers = {}
    for rule, name in routes_with(app, UnicodeConverter):
        for value in CONTROL:
            sign_in_again()
            url = address(app, rule, **{name: value})
            answers[url] = send(client, rule, url)
    assert answers and {url: status for url, status in answers.items() if status != 404} == {}


def get_routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in STATIC and "GET" in rule.methods]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_query_integers_beyond_the_database_integer_never_answer_500(app, client, login_as, role):
    sign_in_again = signed_in(login_as, role)
    answers = {}
    query = "&".join(f"{name}={TOO_LARGE[-1]}" for name in QUERY_INTEGERS)
    for rule in get_routes(app):
        sign_in_again()
        url = f"{address(app, rule)}?{query}"
        answers[url] = send(client, rule, url)
    assert answers and {url: status for url, status in answers.items() if status >= 500} == {}


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_a_nul_character_in_the_query_string_is_a_bad_request(app, client, login_as, role):
    sign_in_again = signed_in(login_as, role)
    answers = {}
    for rule in get_routes(app):
        sign_in_again()
        url = f"{address(app, rule)}?q=x%00y&code=%00&page=1"
        answers[url] = send(client, rule, url)
    assert answers and {url: status for url, status in answers.items() if status != 400} == {}


def test_a_nul_character_in_a_form_is_a_bad_request(client, db, make_user):
    from contest.auth.models import User

    response = client.post_form("/signup", {"name": "A\x00B", "email": "nul@example.kz",
                                            "password": "steppe-river-lantern-42",
                                            "confirm": "steppe-river-lantern-42"})
    assert response.status_code == 400
    assert db.session.query(User).count() == 0


def test_the_examples_from_the_report(app, client, login_as):
    assert client.get("/contests/x%00y").status_code == 404
    assert client.get("/news/x%00y").status_code == 404
    login_as(Role.ADMIN)
    assert client.get("/admin/users/?page=99999999999999999999999").status_code == 200
    assert client.get("/my/registrations/99999999999999999999999").status_code == 404
