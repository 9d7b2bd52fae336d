"""Account rules, called directly as the views and the CLI call them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.auth import services
from contest.auth.models import Role, User
from contest.auth.passwords import password_problem, verify_password
from contest.errors import ServiceError
from tests.conftest import TEST_PASSWORD


def user_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_create_user_hashes_with_argon2id_and_normalises_email(db):
    user = services.create_user(email="  Aigerim@Example.KZ ", name=" Айгерім ", password=TEST_PASSWORD)
    assert user.email == "aigerim@example.kz"
    assert user.name == "Айгерім"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, TEST_PASSWORD)
    assert user.role == Role.PARTICIPANT


def test_production_hash_cost_is_argon2id_with_real_memory(app):
    from config import Config

    assert Config.ARGON2_MEMORY_COST >= 64 * 1024 and Config.ARGON2_TIME_COST >= 2


def test_duplicate_email_is_refused_case_insensitively(db, make_user):
    make_user(email="poet@example.kz")
    with pytest.raises(ServiceError) as error:
        services.create_user(email="POET@example.kz", name="Other", password=TEST_PASSWORD)
    assert error.value.field == "email"
    assert user_count(db) == 1


@pytest.mark.parametrize("password", ["short1", "password123", "qwertyuiop", "x" * 129])
def test_weak_or_badly_sized_passwords_are_refused(db, password):
    with pytest.raises(ServiceError) as error:
        services.create_user(email="new@example.kz", name="New", password=password)
    assert error.value.field == "password"
    assert user_count(db) == 0


def test_password_built_from_the_users_own_email_is_refused():
    assert password_problem("aigerim2026", related=("aigerim@example.kz", "aigerim")) is not None
    assert password_problem("steppe-river-lantern-42") is None


def test_authenticate_accepts_right_password_and_records_login_time(db, make_user):
    make_user(email="a@example.kz")
    user = services.authenticate("A@example.kz", TEST_PASSWORD, remote_addr="10.0.0.1")
    assert user.last_login_at is not None


def test_authenticate_refuses_wrong_password_and_disabled_account_with_the_same_words(db, make_user):
    make_user(email="a@example.kz")
    make_user(email="off@example.kz", is_active=False)
    with pytest.raises(ServiceError, match="email address or password is incorrect"):
        services.authenticate("a@example.kz", "wrong-password", remote_addr="10.0.0.1")
    # A disabled account answers like an unknown one, even to its right password.
    with pytest.raises(ServiceError, match="email address or password is incorrect"):
        services.authenticate("off@example.kz", TEST_PASSWORD, remote_addr="10.0.0.1")


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, db, make_user):
    make_user(email="a@example.kz")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        with pytest.raises(ServiceError):
            services.authenticate("a@example.kz", "wrong-password", remote_addr="10.0.0.1")
    with pytest.raises(services.TooManyAttempts) as error:
        services.authenticate("a@example.kz", TEST_PASSWORD, remote_addr="10.0.0.2")
    assert error.value.seconds > 0


def test_unknown_accounts_are_throttled_too(app, db):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        with pytest.raises(ServiceError):
            services.authenticate("ghost@example.kz", "wrong-password", remote_addr="10.0.0.1")
    with pytest.raises(services.TooManyAttempts):
        services.authenticate("ghost@example.kz", "wrong-password", remote_addr="10.0.0.1")


def test_password_change_ends_every_session_and_checks_current_password(db, make_user):
    user = make_user()
    token = services.open_session(user)
    with pytest.raises(ServiceError) as error:
        services.change_password(user, current_password="not-it", new_password="brand-new-steppe-words")
    assert error.value.field == "current_password"
    assert services.load_session_user(token) == user

    services.change_password(user, current_password=TEST_PASSWORD, new_password="brand-new-steppe-words")
    assert services.load_session_user(token) is None


def test_reset_token_works_once(db, make_user):
    user = make_user()
    token = services.make_reset_token(user)
    services.reset_password(token, "a-whole-new-poem-line")
    with pytest.raises(ServiceError, match="already been used"):
        services.reset_password(token, "another-fresh-poem-line")


def test_reset_token_expires(app, db, make_user, monkeypatch):
    user = make_user()
    token = services.make_reset_token(user)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    with pytest.raises(ServiceError, match="expired"):
        services.user_for_reset_token(token)


def test_tampered_reset_token_is_refused(db, make_user):
    token = services.make_reset_token(make_user())
    with pytest.raises(ServiceError, match="not valid"):
        services.user_for_reset_token(token[:-2] + "xx")


def test_disable_user_ends_sessions_and_is_audited(db, make_user):
    user = make_user()
    token = services.open_session(user)
    services.disable_user(user)
    assert services.load_session_user(token) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.disabled"))
    assert event.object_id == user.id


def test_set_role_records_old_and_new(db, make_user):
    user = make_user()
    services.set_role(user, Role.JUROR)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.data == {"old": "participant", "new": "juror"}
