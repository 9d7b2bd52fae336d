"""Prometheus metrics: requests per endpoint, RQ queues, certificate job failures.

Requests are labelled with the Flask endpoint name ("results.public"), never the path, so a
crawler walking a million addresses adds no series. Under gunicorn every worker is a process of
its own: with `PROMETHEUS_MULTIPROC_DIR` set (before the app starts: deploy/gunicorn.conf.py and
the systemd units) prometheus_client keeps each process's counts in files there, and a scrape
adds them up; the RQ worker on the same machine writes to the same folder. Queue lengths are read
from Redis at scrape time, so every app server reports the same shared queues.

`/metrics` answers only to the addresses in `METRICS_ALLOW_FROM` or to a request carrying
`Authorization: Bearer <METRICS_TOKEN>`; with neither configured it does not exist (404)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterable, Iterator

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

UNMATCHED = "<unmatched>"  # the endpoint label of a request no route matched (a 404 or 405)
# Any word is a method to HTTP: a client inventing new ones must not add series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
# Page latencies run from a cached page (milliseconds) to a large export (seconds).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter("contest_http_requests", "HTTP requests answered, by endpoint, method and status.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("contest_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint.",
                    ["endpoint"], buckets=LATENCY_BUCKETS)
CERTIFICATE_JOB_FAILURES = Counter("contest_certificate_job_failures",
                                   "Certificate generation jobs that failed (each failed run counts).")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def parse_networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`METRICS_ALLOW_FROM`: addresses or networks, separated by commas or blanks."""
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in value.replace(",", " ").split())
    except ValueError as error:
        raise RuntimeError(f"METRICS_ALLOW_FROM: {error}") from None


def scrape_allowed() -> bool:
    """Whether this request may read the metrics: from an allowed address, or with the token."""
    token = current_app.config["METRICS_TOKEN"]
    if token:
        sent = request.headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    networks = current_app.extensions["metrics_networks"]
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


class _ThisProcess:
    """The metrics of this process alone (no multiprocess folder: the development server)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


class QueueCollector:
    """Jobs waiting, running and failed in every RQ queue, read from Redis at scrape time."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url

    def collect(self) -> Iterator[Metric]:
        if not self.redis_url:  # the embedded setup: jobs run in threads, there are no queues
            return
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue

        up = GaugeMetricFamily("contest_rq_up", "Whether Redis answered when the queues were read.")
        jobs = GaugeMetricFamily("contest_rq_jobs", "Jobs in an RQ queue, by state.", labels=["queue", "state"])
        try:
            connection = Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
            for queue in Queue.all(connection=connection):
                jobs.add_metric([queue.name, "queued"], queue.count)
                jobs.add_metric([queue.name, "started"], queue.started_job_registry.count)
                jobs.add_metric([queue.name, "failed"], queue.failed_job_registry.count)
        except RedisError as error:
            log.warning("Metrics: the RQ queues could not be read: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield jobs


def render_metrics(app: Flask) -> Response:
    registry = CollectorRegistry(auto_describe=False)
    folder = multiprocess_dir()
    if folder:
        MultiProcessCollector(registry, path=folder)
    else:
        registry.register(_ThisProcess())
    registry.register(QueueCollector(app.config.get("REDIS_URL", "")))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.extensions["metrics_networks"] = parse_networks(app.config["METRICS_ALLOW_FROM"])

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def count_request(response: Response) -> Response:
        started = g.pop("request_started", None)
        if started is not None:
            endpoint = request.endpoint or UNMATCHED
            method = request.method if request.method in KNOWN_METHODS else OTHER_METHOD
            REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response
