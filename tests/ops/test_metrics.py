"""/metrics: who may read it, what it counts, and the sum over gunicorn's worker processes."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
import uuid

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from contest import ROOT
from contest.certificates import jobs
from contest.certificates.models import CertificateJob
from contest.db import utcnow
from contest.extensions import db
from contest.ops.metrics import UNMATCHED
from tests.conftest import redis_url

SCRAPER = {"REMOTE_ADDR": "10.20.0.5"}
TOKEN = "scrape-token-0f3e9a7c51"


@pytest.fixture
def open_to_scraper(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "metrics_networks", (ipaddress.ip_network("10.20.0.0/16"),))


def samples(response) -> dict[tuple[str, tuple], float]:
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def requests_counted(endpoint: str, status: str = "200") -> float:
    return REGISTRY.get_sample_value("contest_http_requests_total",
                                     {"endpoint": endpoint, "method": "GET", "status": status}) or 0


def test_unconfigured_metrics_do_not_exist_even_from_the_machine_itself(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_allowed_networks_read_the_metrics_and_others_get_404(client, open_to_scraper):
    assert client.get("/metrics", environ_base=SCRAPER).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.21.0.5"}).status_code == 404


def test_the_bearer_token_opens_the_metrics_from_anywhere(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 404
    assert client.get("/metrics").status_code == 404


def test_a_malformed_allow_list_stops_the_start(tmp_path):
    from contest import create_app

    with pytest.raises(RuntimeError, match="METRICS_ALLOW_FROM"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", UPLOAD_DIR=str(tmp_path),
                   METRICS_ALLOW_FROM="10.0.0.0/8, library-server")


def test_requests_are_counted_by_endpoint_name_never_by_path(client, open_to_scraper):
    before = requests_counted("news.post", "404"), requests_counted(UNMATCHED, "404")
    for slug in ("no-such-post", "another-missing-post"):
        client.get(f"/news/{slug}")
    client.get("/no/such/address")
    assert requests_counted("news.post", "404") == before[0] + 2
    assert requests_counted(UNMATCHED, "404") == before[1] + 1
    text = client.get("/metrics", environ_base=SCRAPER).get_data(as_text=True)
    assert "no-such-post" not in text and "/no/such" not in text
    latency = samples(client.get("/metrics", environ_base=SCRAPER))
    assert latency[("contest_http_request_duration_seconds_count", (("endpoint", "news.post"),))] >= 2


def test_invented_methods_share_one_label(client):
    def other() -> float:
        return REGISTRY.get_sample_value("contest_http_requests_total",
                                         {"endpoint": UNMATCHED, "method": "other", "status": "405"}) or 0

    before = other()
    for method in ("BREW", "WHEN", "X-RANDOM-1"):
        assert client.open("/healthz", method=method).status_code == 405
    assert other() == before + 3
    methods = {sample.labels.get("method") for metric in REGISTRY.collect() for sample in metric.samples}
    assert not {"BREW", "WHEN", "X-RANDOM-1"} & methods


def test_a_failed_certificate_job_is_counted(app, make_contest, monkeypatch):
    contest = make_contest()
    job = CertificateJob(contest_id=contest.id, output_format="pdf", site_url="", created_at=utcnow())
    db.session.add(job)
    db.session.commit()
    before = REGISTRY.get_sample_value("contest_certificate_job_failures_total") or 0

    def broken(job):
        raise OSError("disk full")

    monkeypatch.setattr(jobs, "_run", broken)
    with pytest.raises(OSError):
        jobs.run_job(job.id)
    assert REGISTRY.get_sample_value("contest_certificate_job_failures_total") == before + 1
    assert db.session.get(CertificateJob, job.id).status == "failed"


def test_the_sum_over_worker_processes_is_reported(client, open_to_scraper, tmp_path, monkeypatch):
    """Each gunicorn worker counts in its own file under PROMETHEUS_MULTIPROC_DIR; a scrape
    answered by any worker reports the sum."""
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count_one = ("from contest.ops.metrics import REQUESTS; "
                 "REQUESTS.labels('results.public_results', 'GET', '200').inc()")
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count_one], env=environment, cwd=ROOT, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    found = samples(client.get("/metrics", environ_base=SCRAPER))
    key = ("contest_http_requests_total",
           (("endpoint", "results.public_results"), ("method", "GET"), ("status", "200")))
    assert found[key] == 2


def _redis():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    connection = Redis.from_url(redis_url())
    try:
        connection.ping()
    except RedisDown:
        pytest.skip(f"Redis is not running at {redis_url()}")
    return connection


def test_rq_queue_lengths_are_read_from_redis(app, client, open_to_scraper, monkeypatch):
    from rq import Queue

    queue = Queue(f"metrics-test-{uuid.uuid4().hex}", connection=_redis())
    try:
        queue.enqueue("builtins.print", "one")
        queue.enqueue("builtins.print", "two")
        monkeypatch.setitem(app.config, "REDIS_URL", redis_url())
        found = samples(client.get("/metrics", environ_base=SCRAPER))
        assert found[("contest_rq_up", ())] == 1
        assert found[("contest_rq_jobs", (("queue", queue.name), ("state", "queued")))] == 2
        assert found[("contest_rq_jobs", (("queue", queue.name), ("state", "failed")))] == 0
    finally:
        queue.delete(delete_jobs=True)


def test_an_unreachable_redis_is_reported_and_the_rest_still_scraped(app, client, open_to_scraper, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    found = samples(client.get("/metrics", environ_base=SCRAPER))
    assert found[("contest_rq_up", ())] == 0
    assert any(name == "contest_http_requests_total" for name, _ in found)
