"""Request ids and JSON log lines: one id follows a request from nginx through every line the
app logs for it, and a certificate job's lines name the job."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid

import pytest
from flask import current_app

from contest import create_app
from contest.ops import logs
from tests.conftest import redis_url


@pytest.fixture
def json_lines(app, monkeypatch):
    """Lines written by the JSON handler while the test runs, parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.ContextFilter())
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger().removeHandler(handler)


def test_an_incoming_well_formed_id_is_kept_and_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "5f0c2a9be1d34c7f8a6b0e2d9c4f1a37"})
    assert response.headers["X-Request-ID"] == "5f0c2a9be1d34c7f8a6b0e2d9c4f1a37"


@pytest.mark.parametrize("sent", ["", "short", "x" * 200, "abc def ghi jkl", "abcdefgh\"forged\":1",
                                  "../../etc/passwd", "абвгдежзийкл"])
def test_a_missing_or_malformed_id_is_replaced_by_a_new_one(client, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent} if sent else {})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    first, second = (client.get("/").headers["X-Request-ID"] for _ in range(2))
    assert first != second


def test_every_line_logged_for_a_request_names_its_id(app, client, json_lines, monkeypatch):
    def noisy():
        current_app.logger.warning("Looking at the database")

    monkeypatch.setattr("contest.ops.health.check_database", noisy)
    response = client.get("/readyz", headers={"X-Request-ID": "nginx-0123456789"})
    assert response.headers["X-Request-ID"] == "nginx-0123456789"
    [line] = [line for line in json_lines() if line["message"] == "Looking at the database"]
    assert line["request_id"] == "nginx-0123456789" and line["level"] == "WARNING"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_a_line_logged_inside_an_rq_job_names_the_job(json_lines):
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown
    from rq import Queue, SimpleWorker

    connection = Redis.from_url(redis_url())
    try:
        connection.ping()
    except RedisDown:
        pytest.skip(f"Redis is not running at {redis_url()}")
    queue = Queue(f"logs-test-{uuid.uuid4().hex}", connection=connection)
    try:
        job = queue.enqueue("logging.warning", "Rendering the diplomas")
        SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.delete(delete_jobs=True)
    [line] = [line for line in json_lines() if line["message"] == "Rendering the diplomas"]
    assert line["job_id"] == job.id and "request_id" not in line


def test_an_exception_is_logged_with_its_traceback_on_one_line(json_lines):
    try:
        raise ValueError("Қате")
    except ValueError:
        logging.getLogger("contest").exception("Failed")
    [line] = json_lines()
    assert line["message"] == "Failed" and "ValueError: Қате" in line["exception"]


def test_log_format_json_writes_json_to_the_root_logger(tmp_path, capfd):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", UPLOAD_DIR=str(tmp_path), LOG_FORMAT="json")
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", UPLOAD_DIR=str(tmp_path), LOG_FORMAT="json")
        assert len(root.handlers) == len(before) + 1  # a second app replaces the handler, never doubles it
        with app.app_context():
            app.logger.warning("Бастадық")
        error = capfd.readouterr().err
        assert json.loads(error.strip().splitlines()[-1])["message"] == "Бастадық"
    finally:
        root.handlers = before


def test_an_unknown_log_format_stops_the_start(tmp_path):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", UPLOAD_DIR=str(tmp_path), LOG_FORMAT="xml")
