"""Announcing the winners: one e-mail per ranked registration when results are published, never
twice for the same result; the news post draft with the winners in three languages."""

from __future__ import annotations

from email.header import decode_header, make_header

from sqlalchemy import select

from contest.certificates.models import Certificate
from contest.db import utcnow
from contest.news.models import NewsPost
from contest.sharing.models import ResultNotice
from tests.conftest import mail_body

EN = {"Accept-Language": "en"}


def publish(client, contest):
    return client.post_form(f"/manage/contests/{contest.id}/results/publish", {}, headers=EN)


def withdraw(client, contest):
    return client.post_form(f"/manage/contests/{contest.id}/results/unpublish", {"reason": "A recount"}, headers=EN)


def test_every_ranked_registration_is_told_its_own_result_once(db, judged, login_as, client, mailbox):
    j = judged()
    for registration in j.registrations:
        registration.registered_by.preferred_language = "en"
    j.registrations[0].registered_by.preferred_language = "kk"
    db.session.commit()
    login_as("organiser")
    assert publish(client, j.contest).status_code == 302
    assert sorted(message["To"] for message in mailbox) == sorted(r.registered_by.email for r in j.registrations)
    by_recipient = {message["To"]: message for message in mailbox}
    first = mail_body(by_recipient[j.registrations[0].registered_by.email])
    subject = str(make_header(decode_header(by_recipient[j.registrations[0].registered_by.email]["Subject"])))
    assert subject == f"Нәтижелер: {j.registrations[0].code}" and "Нәтиже: First degree" in first
    assert j.registrations[0].participant.full_name in first
    assert f"/contests/{j.contest.slug}/results?lang=kk" in first
    assert f"/cards/contests/{j.contest.slug}/results/{j.registrations[0].code}/kk.png" in first
    fourth = mail_body(by_recipient[j.registrations[3].registered_by.email])
    assert "Result: Place: 4" in fourth and "you will get another e-mail" in fourth
    second = mail_body(by_recipient[j.registrations[1].registered_by.email])
    assert "Result: Second degree" in second
    assert db.session.scalar(select(ResultNotice).where(
        ResultNotice.registration_id == j.registrations[0].id)).result.startswith("1|")
    # Withdrawn and published again with the same standings: nobody is e-mailed again.
    mailbox.clear()
    assert withdraw(client, j.contest).status_code == 302
    assert publish(client, j.contest).status_code == 302
    assert mailbox == []


def test_a_changed_result_is_told_again_with_the_diploma_link(db, judged, login_as, client, mailbox):
    j = judged()
    j.registrations[3].registered_by.preferred_language = "en"
    login_as("organiser")
    publish(client, j.contest)
    withdraw(client, j.contest)
    notice = db.session.get(ResultNotice, j.registrations[3].id)
    notice.result = "9|"  # as if the recount had moved this entry
    db.session.add(Certificate(contest_id=j.contest.id, kind="participation_certificate", code="ABCD-EFGH-JKLM",
                               holder_key=f"registration:{j.registrations[3].id}",
                               registration_id=j.registrations[3].id, language="en", holder_name="X",
                               issued_at=utcnow()))
    db.session.commit()
    mailbox.clear()
    publish(client, j.contest)
    assert [message["To"] for message in mailbox] == [j.registrations[3].registered_by.email]
    body = mail_body(mailbox[0])
    assert "this result has changed" in body and "/my/certificates" in body


def test_a_refused_publication_sends_nothing(db, judged, login_as, client, mailbox):
    j = judged(submit_all=False)
    login_as("organiser")
    assert publish(client, j.contest).status_code == 422
    assert mailbox == [] and db.session.scalars(select(ResultNotice)).all() == []


def test_the_winners_post_is_a_draft_in_three_languages(db, judged, login_as, client):
    j = judged(title_kk="Ақынфест 2027", title_ru="Акынфест 2027")
    hidden = j.registrations[2]
    login_as("organiser")
    publish(client, j.contest)
    page = client.get(f"/manage/contests/{j.contest.id}", headers=EN).get_data(as_text=True)
    assert "Prepare a news post about the winners" in page
    response = client.post_form(f"/manage/contests/{j.contest.id}/announce", {}, headers=EN)
    post = db.session.scalars(select(NewsPost)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/manage/news/{post.id}/edit")
    assert post.published_at is None and post.contest_id == j.contest.id
    assert post.title_kk == "Жеңімпаздар: Ақынфест 2027" and post.title_ru == "Победители: Акынфест 2027"
    assert "## Juniors" in post.body_en and "**First degree**: Juniors1 Aruzhan" in post.body_en
    assert f"/cards/contests/{j.contest.slug}/results/{j.registrations[0].code}/en.png" in post.body_en
    assert f"/contests/{j.contest.slug}/results?lang=ru" in post.body_ru
    # Places without an award are not listed; nobody is named against consent.
    assert "Juniors4" not in post.body_en and hidden.participant.surname not in post.body_en
    assert "Juniors3" not in post.body_kk


def test_no_post_before_results_are_published(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{j.contest.id}/announce", {}, headers=EN, follow_redirects=True)
    assert "are not published" in response.get_data(as_text=True)
    assert db.session.scalars(select(NewsPost)).all() == []
