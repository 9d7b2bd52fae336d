"""A contest whose results are published: participants, a teacher, a juror and awards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from contest.certificates.awards import PublishedAward, set_awards_source
from contest.contests.models import Contest
from contest.db import utcnow
from contest.extensions import db
from contest.judging.models import JuryMember
from contest.registration.models import Registration


@dataclass
class Published:
    contest: Contest
    winner: Registration  # Әлихан Бөкейхан, 1st place, Grand Prix
    second: Registration  # Ğalym Jūmabaiūly (English account), no award
    minor: Registration  # a minor whose guardian withdrew consent to publish the name
    juror: JuryMember


@pytest.fixture
def awards_source():
    """Stands in for the results snapshot: {contest id: [(registration id, place, award, category)]}.
    Rows are loaded in the caller's session: a background job must not touch the test's."""
    awards: dict[int, list] = {}
    set_awards_source(lambda contest: [PublishedAward(db.session.get(Registration, registration_id), *rest)
                                       for registration_id, *rest in awards.get(contest.id, [])])
    yield awards
    set_awards_source(None)


@pytest.fixture
def published(app, monkeypatch, make_user, open_contest, make_participant, make_registration, make_juror,
              awards_source) -> Published:
    monkeypatch.setitem(app.config, "NAME_ORDER", "given-first")  # names print as "Әлихан Бөкейхан"
    contest = open_contest(title_kk="«Абай оқулары» байқауы", title_ru="Конкурс «Абай оқулары»",
                           title_en="Abai Readings contest", dedication_kk="Абай Құнанбайұлының 180 жылдығына")
    teacher = make_user(email="teacher@example.kz", name="Гүлнар Әбілқызы", preferred_language="kk")
    winner = make_registration(contest, participant=make_participant(
        account=teacher, surname="Бөкейхан", given_name="Әлихан", teacher="Гүлнар Әбілқызы"), status="approved")
    english = make_user(email="galym@example.kz", name="Galym", preferred_language="en")
    second = make_registration(contest, participant=make_participant(
        account=english, surname="Jūmabaiūly", given_name="Ğalym", teacher="гүлнар  әбілқызы"), status="approved")
    minor = make_registration(contest, participant=make_participant(
        surname="Жасырын", given_name="Бала", birth_date=date(2015, 1, 1)), status="approved")
    minor.participant.consent_withdrawn_at = utcnow()
    make_registration(contest, status="rejected")
    juror = make_juror(contest, user=make_user(role="juror", name="Мұхтар Әуезов", email="juror@example.kz",
                                               preferred_language="ru"))
    contest.status = "results_published"
    db.session.commit()
    awards_source[contest.id] = [(winner.id, 1, "Бас жүлде", "")]
    return Published(contest, winner, second, minor, juror)


@pytest.fixture
def client(client):
    """Pages in English unless the account chose another language (assertions read naturally)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
