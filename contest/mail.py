"""Outgoing email: written to the log in development, sent over SMTP when configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from contest.extensions import db

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; returns False (and logs why) when delivery failed, so
    that a broken mail server never turns a user's action into an error page."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    if config["MAIL_BACKEND"] == "log":
        # Decoded, not message.as_string(): that is base64 for Cyrillic text, and whoever runs
        # the demo must be able to read the message and click its links.
        log.warning("Email (MAIL_BACKEND=log, not sent)\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                    message["From"], to, subject, body)
        return True
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("Could not send email to %s", to)
        return False
    return True


# Mail that announces a change goes out only once the change is committed: a request that
# fails after the service ran must not tell anyone about something that never happened.
_QUEUED = "mail_after_commit"


def send_mail_after_commit(to: str, subject: str, body: str) -> None:
    """Queue a message on the current database session; it is sent when the session commits
    and dropped when it rolls back."""
    db.session.info.setdefault(_QUEUED, []).append((to, subject, body))


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    if session.in_nested_transaction():  # only a SAVEPOINT was released; the real commit is yet to come
        return
    for to, subject, body in session.info.pop(_QUEUED, []):
        send_mail(to, subject, body)


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a SAVEPOINT
        session.info.pop(_QUEUED, None)
