"""The log mail backend, which the demo uses: whoever runs it reads the messages in the log."""

from __future__ import annotations

import logging
import re

import pytest


@pytest.fixture
def log_backend(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")


def test_the_log_shows_a_reset_email_decoded_with_its_link_on_one_line(client, make_user, log_backend, caplog,
                                                                       mailbox):
    make_user(email="aqyn@example.kz", name="Әлихан Бөкейхан", preferred_language="kk")
    with caplog.at_level(logging.WARNING, logger="contest.mail"):
        response = client.post_form("/password/forgot", {"email": "aqyn@example.kz"})
    assert response.status_code == 302
    assert mailbox == []  # written to the log, not sent
    (record,) = [record for record in caplog.records if record.name == "contest.mail"]
    text = record.getMessage()
    assert "To: aqyn@example.kz" in text
    assert "Subject: Құпиясөзді қалпына келтіру" in text
    assert "Сәлеметсіз бе, Әлихан Бөкейхан!" in text
    assert "base64" not in text and "=?utf-8?" not in text
    link = re.search(r"^http://localhost/password/reset/\S+$", text, re.MULTILINE)
    assert link is not None  # the whole address on its own line, so it can be clicked
    token = link.group(0).rsplit("/", 1)[1]
    assert client.get(f"/password/reset/{token}").status_code == 200
