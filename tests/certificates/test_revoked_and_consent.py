"""What a document shows after it was issued: a guardian's withdrawn consent hides the name at
the next lookup, and a revoked document can no longer be downloaded or printed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from contest.certificates import services
from contest.certificates.models import Certificate
from contest.extensions import db
from contest.registration.services import withdraw_consent
from tests.certificates.test_views import issue_all


def test_verification_hides_the_name_once_the_guardian_withdraws_consent(client, published, make_participant,
                                                                         make_registration):
    minor = make_registration(published.contest, status="approved", participant=make_participant(
        surname="Сейфуллин", given_name="Сәкен", birth_date=date(2014, 5, 5)))
    db.session.commit()
    certificate = issue_all(published.contest)[("participation_certificate", "Сәкен Сейфуллин")]
    assert certificate.name_public
    assert "Сәкен Сейфуллин" in client.get(f"/verify/{certificate.code}").get_data(as_text=True)

    withdraw_consent(minor.participant, actor=minor.participant.account)
    db.session.commit()
    text = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This document is valid" in text and "Сәкен Сейфуллин" not in text and "Not shown publicly" in text


def test_a_revoked_document_cannot_be_downloaded_by_its_holder(client, login_as, published):
    diploma = issue_all(published.contest)[("winner_diploma", "Әлихан Бөкейхан")]
    login_as(user=published.winner.participant.account)
    assert client.get(f"/my/certificates/{diploma.id}/pdf").status_code == 200
    services.revoke_certificate(diploma, reason="Wrong category", actor=None)
    db.session.commit()
    assert client.get(f"/my/certificates/{diploma.id}/pdf").status_code == 404
    page = client.get("/my/certificates").get_data(as_text=True)
    assert f"/my/certificates/{diploma.id}/pdf" not in page  # the row says revoked, with no link


def test_a_revoked_document_is_left_out_of_the_print_run(published):
    issued = issue_all(published.contest)
    diploma = issued[("winner_diploma", "Әлихан Бөкейхан")]
    services.revoke_certificate(diploma, reason="Wrong category", actor=None)
    db.session.commit()
    printed = [row.id for rows in services.printable_batches(published.contest, batch_size=2) for row in rows]
    valid = db.session.scalars(select(Certificate.id).where(Certificate.revoked_at.is_(None))).all()
    assert diploma.id not in printed and sorted(printed) == sorted(valid) and len(printed) == len(issued) - 1
