"""Outgoing mail, written in the transaction that decides to send it and sent once it commits.

Each message becomes an `OutgoingMail` row of the request's transaction: a request that rolls
back leaves no row and sends nothing. Once the transaction commits, its messages are handed
over in batches (`MAIL_BATCH_SIZE`): with `REDIS_URL`, as jobs of the RQ queue "mail" that a
worker sends (tried again after `MAIL_RETRY_DELAYS` when the server fails), so the request
returns without waiting for the mail server; without Redis (the embedded setup), the web
process sends them right after the commit, before the response. Messages that could not be
delivered are listed for the organisers (`contest/mail/views.py`), who can send them again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from flask import Flask, current_app
from sqlalchemy import ColumnElement, Select, func, or_, select, update
from sqlalchemy import inspect as inspect_row

from contest.audit.services import record
from contest.auth.models import User
from contest.db import utcnow
from contest.extensions import db
from contest.mail.delivery import TemporaryFailure, deliver_batch
from contest.mail.models import MailStatus, OutgoingMail
from contest.queues import after_commit, redis_queue, worker_app

log = logging.getLogger("contest.mail")

# A message still waiting this long after its last attempt was lost on the way (Redis was
# down, no worker runs, a worker died mid-batch): longer than the longest pause between attempts.
STUCK_AFTER = timedelta(hours=1)
SECONDS_PER_MESSAGE = 30  # a batch job's time limit: far more than a healthy server needs


def send_mail_after_commit(to: str, subject: str, body: str) -> None:
    """Send one plain-text message once the current transaction commits (never if it rolls back)."""
    mail = OutgoingMail(recipient=to, subject=subject[:300], body=body, created_at=utcnow())
    db.session.add(mail)
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxied app, for after the request
    after_commit("mail", mail, partial(_hand_over, app))


def _hand_over(app: Flask, messages: list[OutgoingMail]) -> None:
    """Runs once the transaction has committed: its session can no longer be used, so only the
    rows' keys are read, from the identity they were given when inserted."""
    _dispatch_in_batches(app, [inspect_row(mail).identity[0] for mail in messages])  # type: ignore[index]


def _dispatch_in_batches(app: Flask, mail_ids: list[int]) -> None:
    size = app.config["MAIL_BATCH_SIZE"]
    for start in range(0, len(mail_ids), size):
        dispatch(app, mail_ids[start:start + size])


def dispatch(app: Flask, mail_ids: list[int]) -> None:
    """Hand one batch to the RQ queue, or send it now (the embedded setup). A failure here is
    logged, never raised: the user's action is committed and must not look failed; the messages
    stay waiting and show up in the organisers' list."""
    try:
        queue = redis_queue(app, app.config["MAIL_QUEUE"])
        if queue is not None:
            from rq import Retry

            delays = list(app.config["MAIL_RETRY_DELAYS"])
            queue.enqueue(deliver_in_worker, mail_ids, retry=Retry(max=len(delays), interval=delays),
                          job_timeout=SECONDS_PER_MESSAGE * len(mail_ids))
            return
        # A context of its own: the request's session has just committed and can run no more SQL.
        with app.app_context():
            deliver_batch(mail_ids, last_attempt=True)
    except Exception:
        log.exception("Could not hand over %d messages", len(mail_ids))


def deliver_in_worker(mail_ids: list[int]) -> None:
    """The RQ entry point. A temporary failure is raised so that RQ tries the batch again;
    on its last try the remaining messages are marked not delivered instead."""
    from rq import get_current_job

    job = get_current_job()
    last_attempt = job is None or not job.retries_left
    with worker_app().app_context():
        try:
            deliver_batch(mail_ids, last_attempt=last_attempt)
        except TemporaryFailure:
            log.warning("Mail batch of %d messages will be tried again", len(mail_ids))
            raise


# What the organisers see -------------------------------------------------------------------

def _needs_attention() -> ColumnElement[bool]:
    """Not delivered, or still waiting long after it should have gone."""
    long_ago = utcnow() - STUCK_AFTER
    waiting = OutgoingMail.status.in_([MailStatus.PENDING.value, MailStatus.SENDING.value])
    return or_(OutgoingMail.status == MailStatus.FAILED.value,
               waiting & (func.coalesce(OutgoingMail.attempted_at, OutgoingMail.created_at) < long_ago))


def undelivered_mail() -> Select[OutgoingMail]:
    """The organisers' list, newest first."""
    return (select(OutgoingMail).where(_needs_attention())
            .order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc()))


def retry_mail(mail_ids: list[int] | None, *, actor: User | None) -> int:
    """Send again the listed messages (the whole list when `mail_ids` is None) once this
    transaction commits; returns how many. A message delivered in the meantime is left alone."""
    query = update(OutgoingMail).where(_needs_attention())
    if mail_ids is not None:
        query = query.where(OutgoingMail.id.in_(mail_ids))
    retried = list(db.session.scalars(query.values(status=MailStatus.PENDING.value).returning(OutgoingMail.id),
                                      execution_options={"synchronize_session": False}))
    if retried:
        record("mail.retried", actor=actor, messages=len(retried))
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        for mail_id in retried:
            after_commit("mail-retry", mail_id, partial(_dispatch_in_batches, app))
    return len(retried)
