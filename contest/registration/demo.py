"""Demo registrations for the open Aqynfest edition: a young poet registering himself, a
parent registering her daughter, a teacher registering two pupils. Aqynfest's rules ask for
three poems: the two approved entries hold all three, one pupil has sent one poem so far (the
organisers' table shows "1 / 3"), the other nothing yet. Names and poems are invented for the
demo. Idempotent, and everything goes through the services."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from contest.auth.services import find_user_by_email
from contest.contests.demo import AQYNFEST_NEXT_SLUG
from contest.contests.models import Contest
from contest.errors import ServiceError
from contest.extensions import db
from contest.registration import services
from contest.registration.models import Participant
from contest.registration.moderation import approve_registration

SCHOOL_ABAI = "Абай атындағы № 12 мектеп-гимназия"
POEM_STEPPE = ("Таң атады далама,\nЖусан иісі таралар.\nАтам айтқан ертегі\n"
               "Жүрегімде қалады.\n\nКөкке ұшқан қыранның\nҚанатында арманым.\n"
               "Туған жердің әр тасы —\nМенің алғаш жыр-әнім.")
POEM_CITY = ("Алатаудың етегінде\nШамдар жанар кешкісін.\nКітапхана терезесі —\n"
             "Жұлдыз тәрізді бір үміт.")
POET_WORKS = [("Дала таңы", POEM_STEPPE),
              ("Көш", "Ақ киіз үй, алыс көш,\nДалада қалды бабамның ізі."),
              ("Ақ қайың", "Ақ қайыңның сыбдырын тыңдасам,\nОрманның құпиясы ашылады.")]
PUPIL_WORKS = [("Кешкі қала", POEM_CITY),
               ("Қалалық түн", "Түнгі қала — жарық теңізі,\nӘр терезеде бір тағдыр жанады."),
               ("Сабақтан кейін", "Сабақтан кейін кітапханаға барамын,\nСол жерде менің екінші үйім бар.")]
DRAFT_WORKS = [("Бірінші қар", "Бірінші қар жауды түнде,\nТаңертең аула аппақ болды.")]

# (account email, participant data, category position (0: ages 14–18, 1: ages 19–29), the works
# sent so far (title, text), whether the organiser has already approved it)
DEMO_PARTICIPANTS: list[tuple[str, dict[str, Any], int, list[tuple[str, str]], bool]] = [
    ("poet@demo.kz", {"surname": "Бөкейхан", "given_name": "Әлихан", "birth_date": date(2004, 3, 14),
                      "district": "Бостандық ауданы", "phone": "+7 701 555 01 02"},
     1, POET_WORKS, True),
    ("parent@demo.kz", {"surname": "Бекмұханова", "given_name": "Аружан", "patronymic": "Ерланқызы",
                        "birth_date": date(2010, 6, 2), "school": SCHOOL_ABAI, "grade": 10,
                        "district": "Алмалы ауданы", "guardian_name": "Бекмұханова Сәуле",
                        "guardian_phone": "+7 702 555 11 22"},
     0, PUPIL_WORKS, True),
    ("teacher@demo.kz", {"surname": "Nurlanov", "given_name": "Dıas", "birth_date": date(2011, 1, 25),
                         "school": SCHOOL_ABAI, "grade": 9, "district": "Алмалы ауданы",
                         "teacher": "Ğalym Jūmabaiūly", "guardian_name": "Nurlanova Aigül",
                         "guardian_phone": "+7 705 555 33 44"},
     0, DRAFT_WORKS, False),
    ("teacher@demo.kz", {"surname": "Қасымова", "given_name": "Інжу", "birth_date": date(2011, 9, 30),
                         "school": SCHOOL_ABAI, "grade": 9, "district": "Алмалы ауданы",
                         "teacher": "Ğalym Jūmabaiūly", "guardian_name": "Қасымов Ерболат",
                         "guardian_phone": "+7 707 555 55 66"},
     0, [], False),
]


def load_registrations() -> None:
    contest = db.session.scalar(select(Contest).where(Contest.slug == AQYNFEST_NEXT_SLUG))
    if contest is None:
        return
    organiser = find_user_by_email("organiser@demo.kz")
    for email, data, category_position, works, approved in DEMO_PARTICIPANTS:
        account = find_user_by_email(email)
        if account is not None:
            _register(account, contest, data, category_position, works, approved_by=organiser if approved else None)


def demo_works(contest: Contest, works: list[tuple[str, str]]) -> list[services.WorkInput]:
    """The works as the entry page sends them: one per work the contest asks for, the rest empty."""
    typed = [services.WorkInput(title=title, text=text) for title, text in works]
    return typed + [services.WorkInput()] * (contest.works_required - len(typed))


def _register(account, contest: Contest, data: dict[str, Any], category_position: int,
              works: list[tuple[str, str]], *, approved_by) -> None:
    participant = db.session.scalar(select(Participant).where(
        Participant.account_id == account.id, Participant.surname == data["surname"],
        Participant.given_name == data["given_name"]))
    if participant is None:
        participant = services.create_participant(account, data, consent=True, actor=account)
    if any(registration.contest_id == contest.id for registration in participant.registrations):
        return
    try:
        registration = services.register(participant, contest, contest.categories[category_position], actor=account)
        if works:
            services.save_entry(registration, works=demo_works(contest, works), actor=account)
        if approved_by is not None:
            approve_registration(registration, actor=approved_by)
    except ServiceError:
        # The demo can be loaded after the edition's registration has closed: then it simply
        # has no registrations to show.
        return
