"""Moderation rules: who can be approved or rejected, bulk approval, emails and the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from contest.audit.models import AuditEvent
from contest.errors import ServiceError
from contest.registration import moderation
from tests.conftest import mail_body
from tests.registration.helpers import audit_actions, subject


@pytest.fixture
def organiser(make_user):
    return make_user(role="organiser", name="Library organiser")


def test_approving_records_the_decision_audits_it_and_emails_after_commit(db, organiser, make_registration,
                                                                        make_user, mailbox):
    teacher = make_user(email="teacher@example.kz", name="Гүлнар Әбілқызы", preferred_language="kk")
    registration = make_registration(participant=None)
    registration.registered_by_id = teacher.id
    db.session.commit()

    moderation.approve_registration(registration, actor=organiser)
    assert mailbox == []  # nothing is announced before the change is committed
    db.session.commit()

    assert (registration.status, registration.decided_by_id) == ("approved", organiser.id)
    assert registration.decided_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration.approved"))
    assert (event.actor_id, event.object_id, event.data["previous"]) == (organiser.id, registration.id, "pending")
    assert [message["To"] for message in mailbox] == ["teacher@example.kz"]
    assert subject(mailbox[0]) == f"{registration.code} тіркеуі мақұлданды"
    assert registration.participant.surname in mail_body(mailbox[0])


def test_rejecting_needs_a_reason_and_sends_it(db, organiser, make_registration, mailbox):
    registration = make_registration()
    with pytest.raises(ServiceError) as refused:
        moderation.reject_registration(registration, "   ", actor=organiser)
    assert refused.value.field == "reason"
    assert registration.status == "pending"

    moderation.reject_registration(registration, "The poem is not in Kazakh or Russian.", actor=organiser)
    db.session.commit()
    assert (registration.status, registration.decision_reason) == ("rejected", "The poem is not in Kazakh or Russian.")
    assert audit_actions(db, registration.id) == ["registration.rejected"]
    body = mail_body(mailbox[0])
    assert "The poem is not in Kazakh or Russian." in body


def test_email_follows_the_accounts_language_else_kazakh(db, organiser, make_registration, make_participant,
                                                         make_user, mailbox):
    russian = make_registration(participant=make_participant(account=make_user(preferred_language="ru")))
    unknown = make_registration(participant=make_participant(account=make_user(preferred_language=None)))
    moderation.reject_registration(russian, "Нет текста", actor=organiser)
    moderation.approve_registration(unknown, actor=organiser)
    db.session.commit()
    assert [subject(message) for message in mailbox] == [f"Регистрация {russian.code} отклонена",
                                                         f"{unknown.code} тіркеуі мақұлданды"]


def test_rollback_sends_nothing(db, organiser, make_registration, mailbox):
    registration = make_registration()
    moderation.approve_registration(registration, actor=organiser)
    db.session.rollback()
    db.session.commit()
    assert mailbox == []
    assert db.session.get(type(registration), registration.id).status == "pending"


def test_withdrawn_registrations_cannot_be_decided(db, organiser, make_registration, mailbox):
    registration = make_registration(status="withdrawn")
    with pytest.raises(ServiceError, match="withdrawn"):
        moderation.approve_registration(registration, actor=organiser)
    with pytest.raises(ServiceError, match="withdrawn"):
        moderation.reject_registration(registration, "Late", actor=organiser)
    db.session.commit()
    assert registration.status == "withdrawn" and mailbox == [] and audit_actions(db) == []


def test_decisions_can_be_reconsidered_but_not_repeated(db, organiser, make_registration):
    registration = make_registration()
    moderation.approve_registration(registration, actor=organiser)
    with pytest.raises(ServiceError, match="already approved"):
        moderation.approve_registration(registration, actor=organiser)
    moderation.reject_registration(registration, "Copied poem", actor=organiser)
    with pytest.raises(ServiceError, match="already rejected"):
        moderation.reject_registration(registration, "Again", actor=organiser)
    moderation.approve_registration(registration, actor=organiser)
    assert (registration.status, registration.decision_reason) == ("approved", "")
    assert audit_actions(db, registration.id) == ["registration.approved", "registration.rejected",
                                                  "registration.approved"]


def test_reapproving_a_rejected_registration_respects_the_capacity(db, organiser, open_contest, make_registration):
    contest = open_contest(capacity=2)
    rejected = make_registration(contest, status="rejected", decision_reason="Late")
    make_registration(contest)
    make_registration(contest, status="approved")
    with pytest.raises(ServiceError, match="full"):
        moderation.approve_registration(rejected, actor=organiser)
    assert rejected.status == "rejected"


def test_reapproving_respects_the_school_quota(db, organiser, open_contest, make_registration, make_participant):
    contest = open_contest(school_quota=1)
    rejected = make_registration(contest, participant=make_participant(school="Gymnasium 12"), status="rejected")
    make_registration(contest, participant=make_participant(school=" gymnasium 12 "))
    with pytest.raises(ServiceError, match="quota"):
        moderation.approve_registration(rejected, actor=organiser)


def test_bulk_approval_touches_only_this_contests_pending_registrations(db, organiser, open_contest,
                                                                       make_registration, mailbox):
    contest, other = open_contest(), open_contest()
    first, second = make_registration(contest), make_registration(contest)
    rejected = make_registration(contest, status="rejected", decision_reason="No text")
    withdrawn = make_registration(contest, status="withdrawn")
    foreign = make_registration(other)

    ids = [first.id, second.id, rejected.id, withdrawn.id, foreign.id, 999_999]
    assert moderation.approve_registrations(contest, ids, actor=organiser) == 2
    db.session.commit()

    assert [r.status for r in (first, second, rejected, withdrawn, foreign)] == [
        "approved", "approved", "rejected", "withdrawn", "pending"]
    assert len(mailbox) == 2
    assert audit_actions(db) == ["registration.approved", "registration.approved"]
    assert moderation.approve_registrations(contest, [], actor=organiser) == 0


def test_table_query_searches_and_filters(db, open_contest, make_registration, make_participant):
    contest = open_contest()
    aruzhan = make_registration(contest, participant=make_participant(
        surname="Сәтпаева", given_name="Аружан", school="Гимназия №12", district="Медеу"))
    make_registration(contest, participant=make_participant(surname="Ivanov", given_name="Pyotr",
                                                            school="Lyceum 8", district="Алмалы"),
                      status="approved")

    def codes(**filters) -> list[str]:
        statement = moderation.filtered_registrations(contest, moderation.RegistrationFilters(**filters))
        return [registration.code for registration in db.session.scalars(statement).unique()]

    assert codes(query="сәтпаева") == [aruzhan.code]
    assert codes(query="аружан сәтпаева") == [aruzhan.code]
    assert codes(query=aruzhan.code.lower()) == [aruzhan.code]
    assert codes(query="гимназия") == [aruzhan.code]
    assert codes(status="approved") != [aruzhan.code]
    assert codes(district="Медеу", school="Гимназия №12") == [aruzhan.code]
    assert codes(category_id=contest.categories[0].id, status="pending") == [aruzhan.code]
    assert moderation.filter_values(contest) == (["Lyceum 8", "Гимназия №12"], ["Алмалы", "Медеу"])
    assert moderation.status_counts(contest) == {"pending": 1, "approved": 1, "rejected": 0, "withdrawn": 0}
