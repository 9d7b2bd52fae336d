"""/healthz and /readyz: what a load balancer asks before sending an app server traffic."""

from __future__ import annotations

import pytest

from contest import create_app
from tests.conftest import redis_url

UNREACHABLE_DATABASE = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"  # nothing listens on port 1


@pytest.fixture
def app_without_database(tmp_path):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE, UPLOAD_DIR=str(tmp_path))


def test_healthz_answers_without_the_database(app_without_database):
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ok_when_every_service_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "file_store": "ok"}, "failed": []}


def test_readyz_names_an_unreachable_database_with_503(app_without_database, caplog):
    response = app_without_database.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body == {"status": "failed", "checks": {"database": "failed", "file_store": "ok"}, "failed": ["database"]}
    assert "Readiness: database failed" in caplog.text and "127.0.0.1" in caplog.text
    assert "127.0.0.1" not in response.get_data(as_text=True)  # the reason goes to the log only


def test_readyz_fails_when_the_upload_folder_cannot_be_written(app, client, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the upload folder should be")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(blocker / "uploads"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["file_store"]


def test_readyz_asks_the_configured_store_not_the_upload_folder(app, client, tmp_path, monkeypatch):
    # Files kept in the database: an unwritable upload folder does not stop this server.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the upload folder would be")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(blocker / "uploads"))
    monkeypatch.setitem(app.config, "FILE_STORE", "database")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["file_store"] == "ok"


def test_readyz_checks_redis_only_when_it_is_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["redis"]


def test_readyz_with_a_live_redis(app, client, monkeypatch):
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(redis_url()).ping()
    except RedisDown:
        pytest.skip("Redis is not running")
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url())
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok", "file_store": "ok"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_never_cached_and_need_no_sign_in_or_token(client, path):
    response = client.head(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
