"""Every e-mail reads right whatever the contest's title: titles already carry their «» and end
in "байқауы" ("… конкурс", "… contest"), so a message names the contest after "Байқау:" and
never wraps the title again or adds the word after it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import render_template
from flask_babel import force_locale

from contest.judging import jury
from contest.registration import moderation
from tests.conftest import mail_body

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TITLES = {
    "kk": "«Сөз сынап, өлең өлшемек» республикалық жас ақындар байқауы",
    "ru": "Республиканский конкурс молодых поэтов «Сөз сынап, өлең өлшемек»",
    "en": "“Söz synap, öleñ ölşemek” young poets contest",
}
# Ways a title gets wrapped again or followed by its own kind of word.
DOUBLED = ("««", "»»", "«“", "”»", "““", "””", "байқауы» байқау", "байқауы байқау", "конкурс «Республиканский",
           "конкурса «Республиканский", "contest ““", "contest” contest")


def _names(**values):
    return SimpleNamespace(**values)


def _contexts(language: str) -> dict[str, dict]:
    """What each e-mail template is rendered with in production (see the services named)."""
    title = TITLES[language]
    contest = _names(**{f"title_{code}": TITLES[code] for code in TITLES})
    round_ = _names(name_kk="Іріктеу кезеңі", name_ru="Отборочный этап", name_en="Qualifying round")
    user = _names(name="Гүлнар Әбілқызы")
    registration = _names(code="AQY26-0042", decision_reason="Өлеңнің мәтіні жоқ.")
    decision = {"account": user, "registration": registration, "participant_name": "Бөкейхан Әлихан",
                "contest_title": title, "category_name": "14–17 жас", "link": "https://konkurs.kz/contests/aqyn"}
    return {
        "registration/email/decision.txt#approved": {**decision, "approved": True},
        "registration/email/decision.txt#rejected": {**decision, "approved": False},
        "judging/email/invitation.txt#new account": {"user": user, "contest": contest, "invited": True,
                                                     "link": "https://konkurs.kz/password/reset/x", "minutes": 60},
        "judging/email/invitation.txt#existing account": {"user": user, "contest": contest, "invited": False,
                                                          "link": "https://konkurs.kz/login", "minutes": 60},
        "judging/email/reminder.txt": {"user": user, "contest": contest, "round": round_, "count": 3,
                                       "link": "https://konkurs.kz/jury"},
        "certificates/email/ready.txt": {"account": user, "contest_title": title, "names": ["Бөкейхан Әлихан"],
                                         "link": "https://konkurs.kz/my/certificates", "count": 1},
        "sharing/email/result.txt#first": {
            "account": user, "registration": registration, "participant_name": "Бөкейхан Әлихан",
            "contest_title": title, "category_name": "14–17 жас", "achievement": "I орын", "corrected": False,
            "results_link": "https://konkurs.kz/contests/aqyn/results?lang=kk",
            "card_link": "https://konkurs.kz/cards/contests/aqyn/results/AQY26-0042/kk.png", "certificates_link": ""},
        "sharing/email/result.txt#changed": {
            "account": user, "registration": registration, "participant_name": "Бөкейхан Әлихан",
            "contest_title": title, "category_name": "14–17 жас", "achievement": "II орын", "corrected": True,
            "results_link": "", "card_link": "", "certificates_link": "https://konkurs.kz/my/certificates"},
        "auth/email/reset.txt": {"user": user, "link": "https://konkurs.kz/password/reset/x", "minutes": 60},
        "stage/email/order_published.txt": {
            "account": user, "contest_title": title, "round_name": "Финал", "link": "https://konkurs.kz/my",
            "slots": [_names(position=4, registration=_names(code="AQY26-0042",
                                                             participant=_names(full_name="Бөкейхан Әлихан")))]},
    }


def test_every_email_template_is_checked_here():
    on_disk = {str(path.relative_to(TEMPLATES)) for path in TEMPLATES.glob("*/email/*.txt")}
    assert on_disk == {name.split("#")[0] for name in _contexts("kk")}


@pytest.mark.parametrize("language", TITLES)
@pytest.mark.parametrize("name", list(_contexts("kk")))
def test_emails_name_the_contest_once_and_never_wrap_its_title_again(app, language, name):
    with app.test_request_context(), force_locale(language):
        body = render_template(name.split("#")[0], **_contexts(language)[name])
    for doubled in DOUBLED:
        assert doubled not in body
    if "contest" in _contexts(language)[name] or "contest_title" in _contexts(language)[name]:
        assert body.count(TITLES[language]) == 1
        line = next(line for line in body.splitlines() if TITLES[language] in line)
        assert line.endswith(TITLES[language])  # after "Байқау:", with nothing glued after it
    assert "%(" not in body and "{{" not in body


def test_the_approval_email_in_kazakh_reads_right(db, make_contest, make_category, make_registration,
                                                  make_participant, make_user, mailbox):
    contest = make_contest(title_kk=TITLES["kk"], status="registration_open")
    make_category(contest, name_kk="14–17 жас")
    organiser = make_user(role="organiser")
    account = make_user(email="aqyn@example.kz", preferred_language="kk")
    registration = make_registration(contest=contest, participant=make_participant(account=account))
    moderation.approve_registration(registration, actor=organiser)
    db.session.commit()
    body = mail_body(mailbox[0])
    assert "Тіркеу мақұлданды." in body
    assert f"Байқау: {TITLES['kk']}\n" in body
    assert "Санат: 14–17 жас" in body


def test_the_jury_invitation_in_kazakh_reads_right(app, db, make_contest, make_user, mailbox):
    contest = make_contest(title_kk=TITLES["kk"])
    organiser = make_user(role="organiser")
    with app.test_request_context():
        jury.invite_juror(contest, email="qazy@example.kz", name="Олжас Беков", language="kk", actor=organiser)
    db.session.commit()
    (message,) = mailbox
    body = mail_body(message)
    assert f"Байқау: {TITLES['kk']}\n" in body
    assert "тіркелгі" not in body and "««" not in body
