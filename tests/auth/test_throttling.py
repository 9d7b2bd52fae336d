"""The sign-in lock and the verification page's limit hold when attempts arrive all at once, in
every store the counts may live in; sign-in answers take as long whoever has an account."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
import redis

from config import ProductionConfig
from contest import create_app
from contest.auth import services
from contest.auth.passwords import dummy_hash
from contest.errors import ServiceError
from contest.extensions import db as _db
from contest.ratelimit import DatabaseStore, MemoryStore, RedisStore
from tests.conftest import TEST_PASSWORD, redis_url

REDIS_URL = redis_url()
ATTEMPTS = 20
POSTGRES = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected to: the app only starts


def _redis_store():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    return RedisStore(REDIS_URL, prefix=f"test:{uuid.uuid4().hex}:")


def _database_store():
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("the database store runs on PostgreSQL (TEST_DATABASE_URL)")
    return DatabaseStore()


STORES = {"memory": MemoryStore, "redis": _redis_store, "database": _database_store}


@pytest.fixture(params=sorted(STORES))
def store(request, app):
    """Each store the counts may live in, installed as the app's for this test."""
    app.extensions["counter_store"] = STORES[request.param]()
    return app.extensions["counter_store"]


def slow_counting(monkeypatch, module, name: str) -> list[object]:
    """Replace `module.name` by a version that records each call and takes a while, so that
    simultaneous callers overlap as they do under a real password hash or a slow query."""
    calls: list[object] = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        time.sleep(0.05)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def all_at_once(app, attempt: Callable[[], object]) -> list[object]:
    """Run `attempt` in ATTEMPTS threads released together; what each returned or raised."""
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[object] = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(attempt())
            except Exception as error:  # noqa: BLE001 (the test sorts the outcomes)
                outcomes.append(error)

    threads = [threading.Thread(target=run) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_simultaneous_wrong_passwords_check_at_most_the_limit(app, db, make_user, store, monkeypatch):
    make_user(email="poet@example.kz")
    checked = slow_counting(monkeypatch, services, "verify_password")

    outcomes = all_at_once(app, lambda: services.authenticate("poet@example.kz", "wrong-password",
                                                              remote_addr="10.0.0.1"))

    limit = app.config["LOGIN_MAX_FAILURES"]
    assert len(checked) <= limit
    locked = [outcome for outcome in outcomes if isinstance(outcome, services.TooManyAttempts)]
    assert len(locked) >= ATTEMPTS - limit
    with pytest.raises(services.TooManyAttempts):  # and the right password waits too
        services.authenticate("poet@example.kz", TEST_PASSWORD, remote_addr="10.0.0.9")


def test_a_success_resets_the_account_and_does_not_count_against_the_address(app, db, make_user, store):
    make_user(email="poet@example.kz")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        with pytest.raises(ServiceError):
            services.authenticate("poet@example.kz", "wrong-password", remote_addr="10.0.0.1")
    services.authenticate("poet@example.kz", TEST_PASSWORD, remote_addr="10.0.0.1")
    for _ in range(limit - 1):  # a fresh allowance after the success
        with pytest.raises(ServiceError) as error:
            services.authenticate("poet@example.kz", "wrong-password", remote_addr="10.0.0.1")
        assert not isinstance(error.value, services.TooManyAttempts)


def test_a_window_that_ended_starts_afresh_and_a_late_release_credits_nothing(store):
    assert store.increment("login-email:late@example.kz", 0)[0] == 1  # a window already over
    store.decrement("login-email:late@example.kz")  # released after its window ended
    count, seconds_left = store.increment("login-email:late@example.kz", 60)
    assert count == 1 and 55 <= seconds_left <= 60
    assert store.increment("login-email:late@example.kz", 60)[0] == 2
    store.decrement("login-email:late@example.kz")
    assert store.increment("login-email:late@example.kz", 60)[0] == 2


def test_simultaneous_verification_lookups_stop_at_the_limit(app, client, db, store, monkeypatch):
    from contest.certificates import services as certificates

    monkeypatch.setitem(app.config, "CERTIFICATE_VERIFY_LIMIT", 5)
    looked_up = slow_counting(monkeypatch, certificates, "find_by_code")

    def lookup():
        return app.test_client().get("/verify/ABCD-EFGH-JKLM").status_code

    statuses = all_at_once(app, lookup)
    assert len(looked_up) <= 5
    assert statuses.count(429) >= ATTEMPTS - 5


def test_production_counts_in_the_database_without_redis(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.delenv("REDIS_URL", raising=False)
    production = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=POSTGRES, REDIS_URL="")
    assert isinstance(production.extensions["counter_store"], DatabaseStore)


def test_the_database_store_refuses_sqlite(monkeypatch):
    with pytest.raises(RuntimeError, match="needs PostgreSQL"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", RATE_LIMIT_STORE="database")


def test_production_refuses_per_process_counts(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(ProductionConfig, "RATE_LIMIT_STORE", "memory")
    with pytest.raises(RuntimeError, match="RATE_LIMIT_STORE=memory"):
        create_app(ProductionConfig)


# Timing: every refusal costs one password verification ------------------------------------

@pytest.mark.parametrize("case", ["wrong password", "unknown email", "disabled account"])
def test_every_refused_sign_in_verifies_one_password_hash(db, make_user, monkeypatch, case):
    make_user(email="poet@example.kz")
    make_user(email="off@example.kz", is_active=False)
    email = {"wrong password": "poet@example.kz", "unknown email": "nobody@example.kz",
             "disabled account": "off@example.kz"}[case]
    password = TEST_PASSWORD if case == "disabled account" else "wrong-password"
    checked = slow_counting(monkeypatch, services, "verify_password")
    with pytest.raises(ServiceError, match="email address or password is incorrect"):
        services.authenticate(email, password, remote_addr="10.0.0.1")
    assert len(checked) == 1


def test_the_dummy_hash_costs_what_an_accounts_hash_costs(db, make_user):
    def parameters(password_hash: str) -> str:
        return password_hash.rsplit("$", 2)[0]  # "$argon2id$v=19$m=…,t=…,p=…"

    assert parameters(dummy_hash()) == parameters(make_user().password_hash)
    assert dummy_hash() is dummy_hash()  # made once, not per request



def test_behind_the_proxy_each_visitor_counts_under_their_own_address(app):
    """Production trusts one proxy: the proxy's own address must not collect everyone's failures."""
    proxied = create_app("testing", SQLALCHEMY_DATABASE_URI=_db.engine.url.render_as_string(False),
                         TRUSTED_PROXIES=1, WTF_CSRF_ENABLED=False)
    browser = proxied.test_client()

    def sign_in(email: str, visitor: str) -> int:
        return browser.post("/login", data={"email": email, "password": "wrong-password"},
                            headers={"X-Forwarded-For": visitor}, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code

    per_address = app.config["LOGIN_MAX_FAILURES"] * 4
    for number in range(per_address):  # one visitor tries many e-mails: their address locks
        assert sign_in(f"guess{number}@example.kz", "203.0.113.7") == 422
    assert sign_in("one-more@example.kz", "203.0.113.7") == 429
    assert sign_in("me@example.kz", "198.51.100.2") == 422  # another visitor through the same proxy
