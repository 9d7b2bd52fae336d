"""A real local SMTP server that can fail the way mail servers do: refuse a mailbox for good
(5xx), or answer "try again later" (4xx) to a number of messages after accepting some."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from contest import queues
from contest.extensions import db
from contest.mail.outbox import send_mail_after_commit
from tests.conftest import free_port


@dataclass
class FlakyServer:
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (recipient, subject) in order
    connections: set[int] = field(default_factory=set)  # the client's ports: one per SMTP connection
    refused: set[str] = field(default_factory=set)  # mailboxes answered 550
    accept_before_failing: int | None = None  # after this many messages ...
    failures: int = 0  # ... this many messages are answered 451 (then it recovers)

    def fail_after(self, accepted: int, *, times: int) -> None:
        self.accept_before_failing, self.failures = accepted, times

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook)
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.connections.add(session.peer[1])
        if self.accept_before_failing is not None and len(self.accepted) >= self.accept_before_failing \
                and self.failures > 0:
            self.failures -= 1
            return "451 4.3.0 Mail server busy, try again later"
        subject = next(line for line in envelope.content.decode().splitlines() if line.startswith("Subject:"))
        self.accepted.extend((recipient, subject.removeprefix("Subject: ")) for recipient in envelope.rcpt_tos)
        return "250 Message accepted"

    @property
    def recipients(self) -> list[str]:
        return [recipient for recipient, _subject in self.accepted]


@pytest.fixture(scope="session")
def flaky_controller() -> Iterator[Controller]:
    controller = Controller(FlakyServer(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def flaky_smtp(app, flaky_controller, monkeypatch) -> FlakyServer:
    """The application sends to a fresh FlakyServer for this test."""
    flaky_controller.handler = server = FlakyServer()  # each new connection is served by the controller's handler
    monkeypatch.setitem(app.config, "MAIL_PORT", flaky_controller.port)
    return server


@pytest.fixture
def queue_mail(app):
    """Write messages to `recipients` in one transaction and commit it (which sends them)."""

    def write(*recipients: str, subject: str = "Тіркеу мақұлданды") -> None:
        for recipient in recipients:
            send_mail_after_commit(recipient, subject, f"Сәлеметсіз бе, {recipient}!")
        db.session.commit()

    return write


@pytest.fixture
def rq_queue(app, monkeypatch):
    """Mail goes to a Redis queue of this test's own (TEST_REDIS_URL), retried at once when the
    server fails; `run_worker(queue)` lets a worker take everything queued."""
    redis = pytest.importorskip("redis")
    import uuid

    from rq import Queue

    from tests.conftest import redis_url

    url = redis_url()
    try:
        connection = redis.Redis.from_url(url)
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    queue = Queue(f"mail-test-{uuid.uuid4().hex}", connection=connection)
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "MAIL_QUEUE", queue.name)
    monkeypatch.setitem(app.config, "MAIL_RETRY_DELAYS", (0, 0))
    monkeypatch.setattr(queues, "_worker_app", app)  # the worker process would build its own app
    yield queue
    queue.delete(delete_jobs=True)


def run_worker(queue) -> None:
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True)
