"""The organisers' list of undelivered email and its "send again" buttons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.audit.models import AuditEvent
from contest.db import utcnow
from contest.extensions import db
from contest.mail.models import OutgoingMail

URL = "/manage/mail/"
RETRY = "/manage/mail/retry"


@pytest.fixture
def failed(flaky_smtp) -> list[OutgoingMail]:
    """Two messages the server did not take (one holds a reset link) and one delivered."""
    at = utcnow() - timedelta(minutes=5)
    messages = [
        OutgoingMail(recipient="child@example.kz", subject="BEN-0007 тіркеуі мақұлданды", body="Құттықтаймыз!",
                     status="failed", attempts=4, error="451 4.3.0 Mail server busy", created_at=at, attempted_at=at),
        OutgoingMail(recipient="teacher@example.kz", subject="Құпиясөзді қалпына келтіру",
                     body="http://localhost/password/reset/secret-token", status="failed", attempts=1,
                     error="550 5.1.1 No such mailbox here", created_at=at, attempted_at=at),
        OutgoingMail(recipient="done@example.kz", subject="Жеткізілді", body="", status="sent", created_at=at)]
    db.session.add_all(messages)
    db.session.commit()
    return messages


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_staff_see_recipient_subject_error_and_time_but_never_the_text(client, login_as, failed, role):
    login_as(role)
    page = client.get(URL).get_data(as_text=True)
    assert "child@example.kz" in page and "BEN-0007 тіркеуі мақұлданды" in page and "451 4.3.0 Mail server busy" in page
    assert "Жеткізілмеді" in page  # the status, in Kazakh
    assert "4 әрекет" in page
    assert "done@example.kz" not in page  # delivered: not on the list
    assert "secret-token" not in page and "Құттықтаймыз" not in page


@pytest.mark.parametrize("role", ["participant", "juror"])
def test_other_accounts_are_refused(client, login_as, failed, flaky_smtp, role):
    login_as(role)
    assert client.get(URL).status_code == 403
    assert client.post_form(RETRY).status_code == 403
    assert "child@example.kz" not in client.get(URL).get_data(as_text=True)
    assert flaky_smtp.accepted == []


def test_visitors_are_sent_to_sign_in(client, failed):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_send_again_one_message(client, login_as, failed, flaky_smtp):
    organiser = login_as("organiser")
    response = client.post_form(RETRY, {"mail_id": str(failed[0].id)}, follow_redirects=True)
    assert "Хаттар қайта жіберілуде: 1." in response.get_data(as_text=True)
    assert flaky_smtp.recipients == ["child@example.kz"]
    db.session.expire_all()
    assert failed[0].status == "sent" and failed[1].status == "failed"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail.retried"))
    assert (event.actor_id, event.data) == (organiser.id, {"messages": 1})
    page = client.get(URL).get_data(as_text=True)
    assert "child@example.kz" not in page and "teacher@example.kz" in page


def test_send_all_again_skips_the_delivered(client, login_as, failed, flaky_smtp):
    login_as("organiser")
    client.post_form(RETRY)
    assert sorted(flaky_smtp.recipients) == ["child@example.kz", "teacher@example.kz"]
    assert "Барлық хат жеткізілді." in client.get(URL).get_data(as_text=True)


def test_send_again_needs_the_csrf_token(client, login_as, failed, flaky_smtp):
    login_as("organiser")
    assert client.post(RETRY, data={"mail_id": str(failed[0].id)}).status_code == 400
    assert flaky_smtp.accepted == []


@pytest.mark.parametrize(("mail_id", "message"), [
    ("abc", "Бұл хат тізімде жоқ."),
    ("-1", "Бұл хат тізімде жоқ."),
    ("999999", "Қайта жіберетін хат жоқ: хат жеткізілген немесе тізімде енді жоқ."),
])
def test_a_wrong_message_gets_a_clear_answer_and_sends_nothing(client, login_as, failed, flaky_smtp, mail_id,
                                                               message):
    login_as("organiser")
    response = client.post_form(RETRY, {"mail_id": mail_id}, follow_redirects=True)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert flaky_smtp.accepted == []


def test_a_delivered_message_is_not_sent_again(client, login_as, failed, flaky_smtp):
    login_as("organiser")
    client.post_form(RETRY, {"mail_id": str(failed[2].id)})
    assert flaky_smtp.accepted == []


def test_the_list_costs_the_same_queries_for_many_messages(client, login_as, failed, count_queries):
    login_as("organiser")
    client.get(URL)
    with count_queries() as few:
        client.get(URL)
    at = utcnow() - timedelta(minutes=1)
    db.session.add_all(OutgoingMail(recipient=f"r{n}@example.kz", subject="S", body="B", status="failed",
                                    created_at=at) for n in range(40))
    db.session.commit()
    with count_queries() as many:
        page = client.get(URL).get_data(as_text=True)
    assert many.count == few.count and "r39@example.kz" in page


def test_organisers_find_the_page_in_the_manage_menu(client, login_as):
    login_as("organiser")
    assert f'href="{URL}"' in client.get("/").get_data(as_text=True)
    login_as("juror")
    assert f'href="{URL}"' not in client.get("/").get_data(as_text=True)
