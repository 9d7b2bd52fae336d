"""Sending a batch of outgoing messages: one SMTP connection per batch (or the log, in
development), each message marked sent as soon as the server has accepted it.

A batch is a list of `OutgoingMail` ids. It takes ("claims") those still waiting, so that two
runs of one batch (an RQ retry, an organiser's "send again") never send a message twice. When
the server or the connection fails part-way, what was sent stays sent and the rest waits for
the next attempt; on the last attempt it is marked "not delivered" for the organisers' list.
A message the server refuses for good (an unknown mailbox, 5xx) fails alone: the others go on.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update

from contest.db import utcnow
from contest.extensions import db
from contest.mail.models import MailStatus, OutgoingMail

log = logging.getLogger("contest.mail")  # the name operators filter the log by

SMTP_TIMEOUT = 10  # seconds per SMTP command


class TemporaryFailure(Exception):
    """The mail server or the connection failed: the batch's remaining messages may go later."""


def deliver_batch(mail_ids: list[int], *, last_attempt: bool) -> None:
    """Send the messages of `mail_ids` that are still waiting. Raises TemporaryFailure when the
    server failed and another attempt will come (the caller schedules it)."""
    remaining = _claim(mail_ids)
    if not remaining:
        return
    try:
        with _connection() as send:
            while remaining:
                _send_one(send, remaining[0])
                remaining.pop(0)
    except (OSError, smtplib.SMTPException) as error:
        _put_back(remaining, _describe(error), give_up=last_attempt)
        log.warning("Mail server failed with %d messages left to send: %s", len(remaining), error)
        if not last_attempt:
            raise TemporaryFailure(_describe(error)) from error
    except Exception as error:  # the job's time ran out, the database failed: try again like a server failure
        _put_back(remaining, _describe(error), give_up=last_attempt)
        raise


@dataclass(frozen=True)
class Letter:
    """A claimed message as plain data: nothing is read from the database while sending."""

    id: int
    recipient: str
    subject: str
    body: str


def _claim(mail_ids: list[int]) -> list[Letter]:
    """Take the waiting messages of the batch in one statement: a message already sent, or taken
    by another run at the same moment, is left alone."""
    claimed = list(db.session.scalars(
        update(OutgoingMail)
        .where(OutgoingMail.id.in_(mail_ids), OutgoingMail.status == MailStatus.PENDING.value)
        .values(status=MailStatus.SENDING.value, attempts=OutgoingMail.attempts + 1, attempted_at=utcnow())
        .returning(OutgoingMail.id)))
    letters = [Letter(*row) for row in db.session.execute(
        select(OutgoingMail.id, OutgoingMail.recipient, OutgoingMail.subject, OutgoingMail.body)
        .where(OutgoingMail.id.in_(claimed)).order_by(OutgoingMail.id))] if claimed else []
    db.session.commit()  # no transaction stays open while talking to the server (SQLite: it would hold up writers)
    return letters


def _send_one(send: Callable[[Letter], object], letter: Letter) -> None:
    try:
        send(letter)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError) as error:
        if not _refused_for_good(error):
            raise
        log.warning("The mail server refused the message %s: %s", letter.id, error)
        _mark(letter, status=MailStatus.FAILED.value, error=_describe(error))
    else:
        _mark(letter, status=MailStatus.SENT.value, sent_at=utcnow(), error="", body="")


def _mark(letter: Letter, **values: object) -> None:
    db.session.execute(update(OutgoingMail).where(OutgoingMail.id == letter.id).values(**values))
    db.session.commit()  # at once: a later failure of the batch must not send this one again


def _refused_for_good(error: smtplib.SMTPException) -> bool:
    """This message will never go through as it is (5xx); 4xx asks to come back later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return True  # SMTPNotSupportedError: e.g. a non-ASCII address the server cannot take


def _put_back(letters: list[Letter], error: str, *, give_up: bool) -> None:
    db.session.rollback()
    status = MailStatus.FAILED if give_up else MailStatus.PENDING
    if letters:
        db.session.execute(update(OutgoingMail).where(OutgoingMail.id.in_([letter.id for letter in letters]))
                           .values(status=status.value, error=error))
    db.session.commit()


def _describe(error: BaseException) -> str:
    """What the organisers' list shows as the reason: the server's reply, or the error."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return _reply_text(code, reply)
    if isinstance(error, smtplib.SMTPResponseException):
        return _reply_text(error.smtp_code, error.smtp_error)
    return f"{type(error).__name__}: {error}"[:500]


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return f"{code} {text}"[:500]


@contextmanager
def _connection() -> Iterator[Callable[[Letter], object]]:
    config = current_app.config
    if config["MAIL_BACKEND"] == "log":
        yield _write_to_log
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        yield lambda letter: smtp.send_message(_message(letter))


def _message(letter: Letter) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = letter.recipient
    message["Subject"] = letter.subject
    message.set_content(letter.body)
    return message


def _write_to_log(letter: Letter) -> None:
    # Decoded, not the message's wire form: that is base64 for Cyrillic text, and whoever runs
    # the demo must be able to read the message and click its links.
    log.warning("Email (MAIL_BACKEND=log, not sent)\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                current_app.config["MAIL_SENDER"], letter.recipient, letter.subject, letter.body)
