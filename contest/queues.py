"""Background work: what a request hands over once it has committed, and the RQ queues.

With `REDIS_URL` set, work goes to RQ queues ("certificates", "mail") that any number of
workers on any machine take (`rq worker -u $REDIS_URL certificates mail`, or `flask --app
contest worker`). Without Redis (the embedded setup) the web process does the work itself;
each domain decides how (certificates in a thread, mail right after the commit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from contest.extensions import db

if TYPE_CHECKING:
    from rq import Queue

_AFTER_COMMIT = "work_after_commit"


def after_commit(kind: str, item: object, hand_over: Callable[[list], None]) -> None:
    """Collect `item` with the others of its `kind` in the current database transaction; once
    the transaction commits, `hand_over` gets them all at once (a batch), and a rollback drops
    them. Whoever is told (a worker, a mail server) must never hear of something that did not
    happen, nor look for a row that is not there yet."""
    work = db.session.info.setdefault(_AFTER_COMMIT, {})
    work.setdefault(kind, (hand_over, []))[1].append(item)


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    if session.in_nested_transaction():  # only a SAVEPOINT was released; the real commit is yet to come
        return
    for hand_over, items in session.info.pop(_AFTER_COMMIT, {}).values():
        hand_over(items)


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a SAVEPOINT
        session.info.pop(_AFTER_COMMIT, None)


def redis_queue(app: Flask, name: str) -> Queue | None:
    """The RQ queue `name` when the application has Redis, else None (work stays in-process)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(url))


def queue_names(app: Flask) -> list[str]:
    return [app.config["CERTIFICATE_QUEUE"], app.config["MAIL_QUEUE"]]


_worker_app: Flask | None = None


def worker_app() -> Flask:
    """The application of an RQ worker process: built once, on its first job."""
    global _worker_app
    if _worker_app is None:
        from contest import create_app

        _worker_app = create_app()
    return _worker_app


def register_cli(app: Flask) -> None:
    import click

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
    def worker(burst: bool) -> None:
        """Take certificate jobs and mail from the Redis queues (needs REDIS_URL)."""
        url = current_app.config.get("REDIS_URL")
        if not url:
            raise click.ClickException("REDIS_URL is not set: without Redis the web process does this work itself.")
        from redis import Redis
        from rq import Worker

        Worker(queue_names(current_app), connection=Redis.from_url(url)).work(burst=burst)
