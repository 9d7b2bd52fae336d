"""Outgoing mail against a real local SMTP server: sent only after the commit, in batches over
one connection, never twice to anyone, and what failed is recorded for the organisers."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.db import utcnow
from contest.extensions import db
from contest.mail.models import OutgoingMail
from contest.mail.outbox import retry_mail, send_mail_after_commit, undelivered_mail
from tests.mail.conftest import run_worker

FIVE = [f"reader{number}@example.kz" for number in range(1, 6)]


def rows() -> dict[str, OutgoingMail]:
    db.session.expire_all()
    return {mail.recipient: mail for mail in db.session.scalars(select(OutgoingMail))}


def statuses() -> dict[str, str]:
    found = {recipient: mail.status for recipient, mail in rows().items()}
    db.session.commit()  # no read left open: on SQLite it would hold up the worker
    return found


# After the commit, never before ----------------------------------------------------------------

def test_nothing_is_sent_before_the_commit_and_nothing_after_a_rollback(app, flaky_smtp):
    send_mail_after_commit("kept@example.kz", "Шақыру", "Мәтін")
    db.session.rollback()
    send_mail_after_commit("sent@example.kz", "Шақыру", "Мәтін")
    assert flaky_smtp.accepted == []
    db.session.commit()
    assert flaky_smtp.recipients == ["sent@example.kz"]
    assert set(statuses()) == {"sent@example.kz"}  # the rolled-back message left no row either


def test_releasing_a_savepoint_sends_nothing_until_the_real_commit(app, flaky_smtp):
    with db.session.begin_nested():
        send_mail_after_commit("inner@example.kz", "Шақыру", "Мәтін")
    assert flaky_smtp.accepted == []
    db.session.commit()
    assert flaky_smtp.recipients == ["inner@example.kz"]


# Batches and failures ------------------------------------------------------------------------

def test_one_connection_per_batch(app, flaky_smtp, queue_mail, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 2)
    queue_mail(*FIVE)
    assert sorted(flaky_smtp.recipients) == FIVE
    assert len(flaky_smtp.connections) == 3  # 2 + 2 + 1
    sent = rows()
    assert all(mail.status == "sent" and mail.sent_at and mail.body == "" for mail in sent.values())


def test_a_server_failing_midway_keeps_what_was_sent_and_lists_the_rest(app, flaky_smtp, queue_mail):
    flaky_smtp.fail_after(2, times=1)
    queue_mail(*FIVE)

    assert flaky_smtp.recipients == FIVE[:2]
    assert statuses() == {**dict.fromkeys(FIVE[:2], "sent"), **dict.fromkeys(FIVE[2:], "failed")}
    failed = db.session.scalars(undelivered_mail()).all()
    assert {mail.recipient for mail in failed} == set(FIVE[2:])
    assert all(mail.error.startswith("451") and mail.body for mail in failed)

    assert retry_mail(None, actor=None) == 3
    db.session.commit()
    assert sorted(flaky_smtp.recipients) == FIVE  # everyone exactly once
    assert set(statuses().values()) == {"sent"}
    assert retry_mail(None, actor=None) == 0  # nothing left to send again


def test_a_mailbox_refused_for_good_fails_alone(app, flaky_smtp, queue_mail):
    flaky_smtp.refused.add(FIVE[1])
    queue_mail(*FIVE)
    assert flaky_smtp.recipients == [FIVE[0], *FIVE[2:]]
    assert len(flaky_smtp.connections) == 1  # the batch went on over the same connection
    refused = rows()[FIVE[1]]
    assert (refused.status, refused.error) == ("failed", "550 5.1.1 No such mailbox here")


def test_an_unreachable_server_changes_nothing_for_the_user(app, flaky_smtp, monkeypatch, make_user, client):
    make_user(email="aqyn@example.kz")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    response = client.post_form("/password/forgot", {"email": "aqyn@example.kz"})
    assert response.status_code == 302
    mail = rows()["aqyn@example.kz"]
    assert mail.status == "failed" and "Connection" in mail.error


def test_a_message_sent_in_the_meantime_is_not_sent_again(app, flaky_smtp, queue_mail):
    flaky_smtp.fail_after(0, times=1)
    queue_mail("once@example.kz")
    mail = rows()["once@example.kz"]
    mail.status = "sent"  # another run delivered it after all
    db.session.commit()
    assert retry_mail([mail.id], actor=None) == 0
    db.session.commit()
    assert flaky_smtp.accepted == []


def test_messages_stuck_on_the_way_are_listed_after_an_hour(app, flaky_smtp):
    long_ago = utcnow() - timedelta(hours=2)
    db.session.add_all([
        OutgoingMail(recipient="lost@example.kz", subject="S", body="B", status="pending", created_at=long_ago),
        OutgoingMail(recipient="dead-worker@example.kz", subject="S", body="B", status="sending",
                     created_at=long_ago, attempted_at=long_ago),
        OutgoingMail(recipient="fresh@example.kz", subject="S", body="B", status="pending", created_at=utcnow()),
        OutgoingMail(recipient="done@example.kz", subject="S", body="", status="sent", created_at=long_ago)])
    db.session.commit()
    assert {mail.recipient for mail in db.session.scalars(undelivered_mail())} == {
        "lost@example.kz", "dead-worker@example.kz"}
    retry_mail(None, actor=None)
    db.session.commit()
    assert sorted(flaky_smtp.recipients) == ["dead-worker@example.kz", "lost@example.kz"]


def test_the_log_backend_writes_the_message_and_marks_it_sent(app, flaky_smtp, queue_mail, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    with caplog.at_level(logging.WARNING, logger="contest.mail"):
        queue_mail("demo@example.kz", subject="Құпиясөзді қалпына келтіру")
    assert flaky_smtp.accepted == []
    (text,) = [record.getMessage() for record in caplog.records if record.name == "contest.mail"]
    assert "Subject: Құпиясөзді қалпына келтіру" in text and "Сәлеметсіз бе, demo@example.kz!" in text
    assert statuses() == {"demo@example.kz": "sent"}


# With Redis: the RQ queue "mail" ---------------------------------------------------------------

def test_with_redis_the_request_only_queues_and_a_worker_sends(app, flaky_smtp, rq_queue, queue_mail, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 2)
    queue_mail(*FIVE)
    assert flaky_smtp.accepted == [] and rq_queue.count == 3
    assert set(statuses().values()) == {"pending"}
    run_worker(rq_queue)
    assert sorted(flaky_smtp.recipients) == FIVE and len(flaky_smtp.connections) == 3
    assert set(statuses().values()) == {"sent"}


def test_with_redis_a_retried_batch_sends_only_what_was_not_sent(app, flaky_smtp, rq_queue, queue_mail):
    flaky_smtp.fail_after(2, times=1)
    queue_mail(*FIVE)
    run_worker(rq_queue)  # the first try fails at the third message; RQ tries the batch again
    assert sorted(flaky_smtp.recipients) == FIVE  # everyone exactly once
    attempts = {recipient: mail.attempts for recipient, mail in rows().items()}
    assert attempts == {**dict.fromkeys(FIVE[:2], 1), **dict.fromkeys(FIVE[2:], 2)}
    assert set(statuses().values()) == {"sent"}


def test_with_redis_the_last_failed_attempt_lists_the_rest(app, flaky_smtp, rq_queue, queue_mail):
    flaky_smtp.fail_after(1, times=10)
    queue_mail(*FIVE[:3])
    run_worker(rq_queue)  # three tries: MAIL_RETRY_DELAYS has two pauses
    assert flaky_smtp.recipients == FIVE[:1]
    failed = rows()
    assert [failed[recipient].status for recipient in FIVE[:3]] == ["sent", "failed", "failed"]
    assert failed[FIVE[1]].attempts == 3 and failed[FIVE[1]].error.startswith("451")


def test_with_redis_down_the_action_succeeds_and_the_messages_wait(app, flaky_smtp, queue_mail, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    queue_mail("waiting@example.kz")
    assert flaky_smtp.accepted == [] and statuses() == {"waiting@example.kz": "pending"}


@pytest.mark.parametrize("size", [1, 3])
def test_bulk_approval_emails_each_account_once(app, flaky_smtp, rq_queue, monkeypatch, make_user, make_registration,
                                                open_contest, size):
    from contest.registration import moderation

    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", size)
    contest = open_contest()
    registrations = [make_registration(contest=contest) for _ in range(4)]
    approved = moderation.approve_registrations(contest, [registration.id for registration in registrations],
                                                actor=make_user(role="organiser"))
    db.session.commit()
    assert approved == 4 and rq_queue.count == -(-4 // size)
    run_worker(rq_queue)
    accounts = {registration.registered_by.email for registration in registrations}
    assert sorted(flaky_smtp.recipients) == sorted(accounts)
