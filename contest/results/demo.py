"""The history of the demo's past contests, lived through the services the way it happened:
participants register inside the registration window and are approved, registration closes,
the three demo jurors score every round (who advances is marked after a qualifying round), and
the organiser publishes the results. Aqynfest 2022: twelve young poets in two rounds; the
Shakarim recitation round of 2023: eight pupils of grades 5–7 in one final. The people, their
poems and the scores are invented; the contests' facts are the seed's. Idempotent: a contest
whose results are published (or that is missing) is left as it is."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from contest.auth.models import User
from contest.auth.services import find_user_by_email
from contest.contests.demo import AQYNFEST_2022_SLUG, SHAKARIM_SLUG, almaty
from contest.contests.models import Contest, ContestStatus, Round, RoundStage
from contest.contests.services import change_status
from contest.extensions import db
from contest.judging import jury
from contest.judging import services as judging
from contest.judging.assignment import may_open
from contest.judging.demo import DEMO_JURORS
from contest.judging.models import JuryMember
from contest.registration import services as registering
from contest.registration.demo import demo_works
from contest.registration.eligibility import is_minor_on, local_day
from contest.registration.models import Participant, Registration, RegistrationStatus
from contest.registration.moderation import approve_registration
from contest.results import services as results

STUDIO = "«Жас қалам» әдеби студиясы"

# (account that registered, participant data, category (0: ages 14–18, 1: ages 19–29), poem
# title, poem, talent: the mean points the jurors tend to give, 1–10). The teacher account
# leads the library's young poets' studio and registered its members.
POETS: list[tuple[str, dict[str, Any], int, str, str, float]] = [
    ("poet@demo.kz", {"surname": "Бөкейхан", "given_name": "Әлихан", "birth_date": date(2004, 3, 14),
                      "district": "Бостандық ауданы", "phone": "+7 701 555 01 02"},
     0, "Дала таңы", "Таң атады далама,\nЖусан иісі таралар.", 8.3),
    ("teacher@demo.kz", {"surname": "Сейітова", "given_name": "Аяулым", "birth_date": date(2005, 11, 2),
                         "school": "№ 54 гимназия", "grade": 11, "district": "Әуезов ауданы",
                         "teacher": STUDIO, "guardian_name": "Сейітова Гүлмира",
                         "guardian_phone": "+7 701 555 21 01"},
     0, "Әжемнің алақаны", "Әжемнің алақаны жып-жылы,\nСол жылу — менің бар байлығым.", 9.1),
    ("teacher@demo.kz", {"surname": "Омаров", "given_name": "Бекзат", "birth_date": date(2006, 4, 18),
                         "school": "№ 12 мектеп-гимназия", "grade": 10, "district": "Алмалы ауданы",
                         "teacher": STUDIO, "guardian_name": "Омаров Қанат",
                         "guardian_phone": "+7 702 555 21 02"},
     0, "Көктем хаты", "Көктем келді қалама хат жазып,\nТереземе қонды бір торғай.", 7.4),
    ("teacher@demo.kz", {"surname": "Жақсылықова", "given_name": "Томирис", "birth_date": date(2007, 1, 9),
                         "school": "№ 159 мектеп", "grade": 9, "district": "Наурызбай ауданы",
                         "teacher": STUDIO, "guardian_name": "Жақсылықова Айгүл",
                         "guardian_phone": "+7 705 555 21 03"},
     0, "Тау бұлағы", "Тау бұлағы сылдырлайды түнімен,\nАйдың нұры шомылады сонда.", 8.0),
    ("teacher@demo.kz", {"surname": "Әміров", "given_name": "Санжар", "birth_date": date(2004, 12, 1),
                         "school": "Абай атындағы № 12 мектеп-гимназия", "grade": 11,
                         "district": "Алмалы ауданы", "teacher": STUDIO, "guardian_name": "Әмірова Сәуле",
                         "guardian_phone": "+7 707 555 21 04"},
     0, "Домбыра үні", "Домбыраның қос ішегі —\nАтам мен әкемнің үні.", 6.8),
    ("teacher@demo.kz", {"surname": "Тұрсынбекова", "given_name": "Дильназ", "birth_date": date(2008, 5, 27),
                         "school": "№ 54 гимназия", "grade": 8, "district": "Әуезов ауданы",
                         "teacher": STUDIO, "guardian_name": "Тұрсынбеков Ерлан",
                         "guardian_phone": "+7 708 555 21 05"},
     0, "Менің қалам", "Менің қалам — алма иісті қала,\nАлатауы бесік жырын айтады.", 6.1),
    ("teacher@demo.kz", {"surname": "Қайратұлы", "given_name": "Ерасыл", "birth_date": date(1998, 7, 7),
                         "district": "Медеу ауданы", "teacher": STUDIO, "phone": "+7 701 555 31 01"},
     1, "Үнсіздік", "Үнсіздік те сөйлейді кейде,\nЖүрек қана естиді оны.", 9.3),
    ("teacher@demo.kz", {"surname": "Мұратова", "given_name": "Жанерке", "birth_date": date(2001, 2, 15),
                         "district": "Бостандық ауданы", "teacher": STUDIO, "phone": "+7 702 555 31 02"},
     1, "Кітапхана терезесі", "Кітапхана терезесінен\nҚар жауғанын бақылаймын.", 8.4),
    ("teacher@demo.kz", {"surname": "Серікбаев", "given_name": "Алмас", "birth_date": date(1995, 10, 30),
                         "district": "Жетісу ауданы", "teacher": STUDIO, "phone": "+7 705 555 31 03"},
     1, "Жол", "Жол — ұзақ, ал арман — одан да ұзақ,\nАяғымды бастым, артқа қарамай.", 7.7),
    ("teacher@demo.kz", {"surname": "Nurpeisova", "given_name": "Aizere", "birth_date": date(1999, 8, 12),
                         "district": "Алатау ауданы", "teacher": STUDIO, "phone": "+7 707 555 31 04"},
     1, "Qara şañyraq", "Qara şañyraq astynda\nBala kezim jasyrynyp qalğan.", 7.0),
    ("teacher@demo.kz", {"surname": "Ахметов", "given_name": "Дәурен", "birth_date": date(1993, 12, 21),
                         "district": "Түрксіб ауданы", "teacher": STUDIO, "phone": "+7 708 555 31 05"},
     1, "Вокзал", "Түнгі вокзал, соңғы пойыз,\nҚоштасудың ақ орамалы.", 6.4),
    ("teacher@demo.kz", {"surname": "Бейсенова", "given_name": "Ақерке", "birth_date": date(2002, 4, 4),
                         "district": "Бостандық ауданы", "teacher": STUDIO, "phone": "+7 701 555 31 06"},
     1, "Алма гүлі", "Алма гүлі ағарады сәуірде,\nАнам күлсе — көктем келеді.", 5.6),
]


# (account that registered, pupil, category (0: grades 5–6, 1: grade 7), the Shakarim poem recited,
# talent). The teacher leads the library's reading club; the parent registered her son.
READING_CLUB = "«Шәкәрім оқулары» кітапхана үйірмесі"
PUPILS: list[tuple[str, dict[str, Any], int, str, str, float]] = [
    ("teacher@demo.kz", {"surname": "Ермекова", "given_name": "Айзере", "birth_date": date(2012, 2, 3),
                         "school": "№ 35 мектеп-гимназия", "grade": 5, "district": "Медеу ауданы",
                         "teacher": READING_CLUB, "guardian_name": "Ермекова Динара",
                         "guardian_phone": "+7 701 555 41 01"},
     0, "Жастарға", "", 8.6),
    ("teacher@demo.kz", {"surname": "Сапаров", "given_name": "Әли", "birth_date": date(2011, 9, 14),
                         "school": "№ 12 мектеп-гимназия", "grade": 6, "district": "Алмалы ауданы",
                         "teacher": READING_CLUB, "guardian_name": "Сапаров Нұрлан",
                         "guardian_phone": "+7 702 555 41 02"},
     0, "Сен сұлу", "", 7.9),
    ("parent@demo.kz", {"surname": "Бекмұханов", "given_name": "Ерасыл", "patronymic": "Ерланұлы",
                        "birth_date": date(2012, 5, 10), "school": "Абай атындағы № 12 мектеп-гимназия",
                        "grade": 5, "district": "Алмалы ауданы", "guardian_name": "Бекмұханова Сәуле",
                        "guardian_phone": "+7 702 555 11 22"},
     0, "Жолсыз жаза (үзінді)", "", 7.2),
    ("teacher@demo.kz", {"surname": "Nurmaganbetova", "given_name": "Aruzhan", "birth_date": date(2011, 11, 28),
                         "school": "№ 159 мектеп", "grade": 6, "district": "Наурызбай ауданы",
                         "teacher": READING_CLUB, "guardian_name": "Nurmaganbetov Serik",
                         "guardian_phone": "+7 705 555 41 04"},
     0, "Қалқаман-Мамыр (үзінді)", "", 6.5),
    ("teacher@demo.kz", {"surname": "Тоқтарова", "given_name": "Мөлдір", "birth_date": date(2010, 4, 22),
                         "school": "№ 54 гимназия", "grade": 7, "district": "Әуезов ауданы",
                         "teacher": READING_CLUB, "guardian_name": "Тоқтарова Гүлнар",
                         "guardian_phone": "+7 707 555 42 01"},
     1, "Еңлік-Кебек (үзінді)", "", 9.0),
    ("teacher@demo.kz", {"surname": "Жұмабаев", "given_name": "Нұрдәулет", "birth_date": date(2010, 7, 8),
                         "school": "№ 35 мектеп-гимназия", "grade": 7, "district": "Медеу ауданы",
                         "teacher": READING_CLUB, "guardian_name": "Жұмабаева Әсем",
                         "guardian_phone": "+7 708 555 42 02"},
     1, "Жастарға", "", 8.1),
    ("teacher@demo.kz", {"surname": "Исаева", "given_name": "Камила", "birth_date": date(2010, 1, 17),
                         "school": "№ 12 мектеп-гимназия", "grade": 7, "district": "Алмалы ауданы",
                         "teacher": READING_CLUB, "guardian_name": "Исаев Руслан",
                         "guardian_phone": "+7 701 555 42 03"},
     1, "Ләйлі-Мәжнүн (үзінді)", "", 7.4),
    ("teacher@demo.kz", {"surname": "Омарұлы", "given_name": "Бекарыс", "birth_date": date(2009, 12, 5),
                         "school": "№ 159 мектеп", "grade": 7, "district": "Наурызбай ауданы",
                         "teacher": READING_CLUB, "guardian_name": "Омарова Жанар",
                         "guardian_phone": "+7 702 555 42 04"},
     1, "Сен сұлу", "", 6.7),
]


@dataclass(frozen=True)
class History:
    """A past contest's demo history: who registered, when, and (for those under 18 then but
    adults now) when their guardians consented."""

    slug: str
    people: list[tuple[str, dict[str, Any], int, str, str, float]]
    registered_at: datetime  # inside the contest's registration window
    consent_at: datetime
    consent_version: str


HISTORIES = (
    History(AQYNFEST_2022_SLUG, POETS, almaty(2022, 7, 1, 12, 0), almaty(2022, 6, 20, 10, 0), "2022-06"),
    History(SHAKARIM_SLUG, PUPILS, almaty(2023, 1, 25, 12, 0), almaty(2023, 1, 20, 10, 0), "2023-01"),
)


# Aqynfest's rules ask for three poems: each poet's second and third, in the order of POETS.
MORE_POEMS: list[tuple[str, str]] = [
    ("Ана тілі", "Ана тілім — атамның аманаты,\nӘр сөзінде бабамның үні жатыр."),
    ("Туған жер", "Туған жердің жусанын иіскесем,\nЖүрегімде бала күнім оянар."),
    ("Қыс кеші", "Терезеде аяз салған өрнек,\nӘжем шай құйып, ертек бастайды."),
    ("Жаңбыр", "Жаңбыр жауды, жер тойды,\nБалалар жүгірді жалаңаяқ."),
    ("Дос", "Досым барда жол ұзақ емес,\nЕкеуміз бір кітапты бөлісеміз."),
    ("Арман", "Арманым — аспандағы ақ бұлт,\nБір күні мен де соған жетемін."),
    ("Күз", "Күз келді, жапырақтар сарғайды,\nТерек түбі алтынға толды."),
    ("Теңіз", "Теңізді көрмесем де түсімде\nТолқынының дауысын естимін."),
    ("Әке", "Әкемнің қолы қатты, бірақ жылы,\nСол қолмен ол үйімізді тұрғызды."),
    ("Таң", "Таң атты, құстар ән салды,\nҚала әлі ұйқыдан тұрмады."),
    ("Кітап", "Кітап ашсам, жаңа әлем ашылады,\nӘр беті бір есікке ұқсайды."),
    ("Наурыз", "Наурыз келді, көже пісті,\nКөрші-қолаң бір дастарханға жиылды."),
    ("Бесік жыры", "Бесік жыры — анамның алғашқы әні,\nОл әнді әлі күнге ұмытпадым."),
    ("Жұлдыз", "Түнде жұлдыз санадым көп,\nБіреуі маған көз қысты."),
    ("Қала көшесі", "Алматының көшелері ұзын,\nӘр бұрышында бір естелік бар."),
    ("Бұлақ", "Бұлақ суы мөп-мөлдір,\nТастардың арасымен ән салады."),
    ("Ата", "Атам домбыра шертеді кешке,\nҮйге ескі күй қайта оралады."),
    ("Соңғы қоңырау", "Мектеп қоңырауы соңғы рет соғылды,\nКөзімде жас, жүрегімде қуаныш."),
    ("Пойыз терезесі", "Пойыз терезесінен дала көрінеді,\nШексіз дала — шексіз ой."),
    ("Тау", "Тауға шықтым, қала аяқ астында,\nЖел маған өз әнін үйретті."),
    ("Сағыныш", "Алыстағы ауылымды сағындым,\nҚұдықтың суы әлі есімде."),
    ("Сәуір", "Қар еріді, арықтар сылдырлады,\nАлма ағашы алғаш гүлін ашты."),
    ("Шам", "Кешкі шамның сары жарығында\nАнам менің өлеңімді оқиды."),
    ("Үміт", "Үміт — кішкентай ғана от,\nБірақ ол бүкіл түнді жылытады."),
]


def load_results() -> None:
    organiser = find_user_by_email("organiser@demo.kz")
    jurors = [juror for email in DEMO_JURORS if (juror := find_user_by_email(email)) is not None]
    if organiser is None or len(jurors) < len(DEMO_JURORS):
        return
    for history in HISTORIES:
        contest = db.session.scalar(select(Contest).where(Contest.slug == history.slug))
        if contest is not None:
            _live(history, contest, organiser, jurors)


def _live(history: History, contest: Contest, organiser: User, jurors: list[User]) -> None:
    if contest.status == ContestStatus.REGISTRATION_OPEN.value:
        for index, (email, data, category, title, text, _talent) in enumerate(history.people):
            account = find_user_by_email(email)
            if account is not None:
                works = [(title, text or _recited(title)), *MORE_POEMS[2 * index:2 * index + 2]]
                _register(history, contest, account, data, category, works[:contest.works_required], organiser)
        change_status(contest, ContestStatus.REGISTRATION_CLOSED.value, actor=organiser)
    if contest.status == ContestStatus.REGISTRATION_CLOSED.value:
        change_status(contest, ContestStatus.JUDGING.value, actor=organiser)
    if contest.status != ContestStatus.JUDGING.value:
        return  # published already (or moved on by hand): nothing to add
    members = _seat_jury(contest, jurors, organiser)
    talents = {(data["surname"], data["given_name"]): talent for _e, data, _c, _t, _p, talent in history.people}
    for round_ in contest.rounds:  # in their set order: the preliminary selection, then the final
        _score(members, round_, talents)
        if round_.stage == RoundStage.QUALIFYING.value:
            results.mark_advancement(contest, round_, actor=organiser)
    snapshot = results.publish_results(contest, actor=organiser)
    # Historical demo data: the results were announced at the event, not today.
    snapshot.published_at = contest.event_at
    db.session.flush()


def _recited(title: str) -> str:
    """A recitation entry names the piece to be recited from memory."""
    return f"Шәкәрім Құдайбердіұлы, «{title}» — жатқа оқылатын шығарма."


def _register(history: History, contest: Contest, account: User, data: dict[str, Any], category: int,
              works: list[tuple[str, str]], organiser: User) -> None:
    participant = db.session.scalar(select(Participant).where(
        Participant.account_id == account.id, Participant.surname == data["surname"],
        Participant.given_name == data["given_name"]))
    if participant is None:
        participant = registering.create_participant(account, data, consent=True, actor=account)
    if is_minor_on(participant.birth_date, local_day(contest.event_at)) \
            and not participant.has_consent:
        # Historical demo data: the guardian consented back then, when the poet was under 18. The
        # service records a consent only for someone under 18 today, so it is written here.
        participant.consent_at = history.consent_at
        participant.consent_version = history.consent_version
        participant.consent_by_id = account.id
        db.session.flush()
    if any(registration.contest_id == contest.id for registration in participant.registrations):
        return
    registration = registering.register(participant, contest, contest.categories[category], actor=account,
                                        now=history.registered_at)
    registering.save_entry(registration, works=demo_works(contest, works), actor=account, now=history.registered_at)
    approve_registration(registration, actor=organiser)


def _seat_jury(contest: Contest, jurors: list[User], organiser: User) -> list[JuryMember]:
    members = []
    for position, user in enumerate(jurors):
        member = jury.membership(contest, user)
        if member is None:
            member = jury.add_juror(contest, user, is_chair=position == 0, actor=organiser)
        members.append(member)
    return members


def _score(members: list[JuryMember], round_: Round, talents: dict[tuple[str, str], float]) -> None:
    """Every juror submits a sheet for every entry of the round: points near the person's talent,
    the same on every run (a random generator seeded by juror, entry and round)."""
    registrations = db.session.scalars(select(Registration).where(
        Registration.contest_id == round_.contest_id, Registration.status == RegistrationStatus.APPROVED.value)
        .order_by(Registration.number)).all()
    for registration in registrations:
        participant = registration.participant
        talent = talents.get((participant.surname, participant.given_name), 5.0)
        for member in members:
            if not judging.sheet_for(member, registration, round_) and may_open(member, registration, round_):
                rng = random.Random(f"{round_.position}-{registration.code}-{member.user.email}")
                points = {criterion.id: _points(rng, talent, criterion.max_score)
                          for criterion in round_.contest.criteria}
                judging.save_sheet(member, registration, round_, points, version=0, submit=True, actor=member.user)


def _points(rng: random.Random, talent: float, max_score: int) -> int:
    return max(1, min(max_score, round(talent + rng.uniform(-1.2, 1.2))))
