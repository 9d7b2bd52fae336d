"""Demo contests from the library's real events (facts from the seed, texts in our own words).

Idempotent: each contest is looked up by its slug first. Everything goes through the services,
so the demo obeys the same rules (and leaves the same history) as an organiser would."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any

from sqlalchemy import select

from contest.contests import services
from contest.contests.models import AwardTier, Category, Contest, ContestStatus, Round
from contest.demo_pictures import ornament_cover
from contest.extensions import db
from contest.pictures import PictureChange

SHAKARIM_SLUG = "soz-synap-olen-olshemek-2023"
AQYNFEST_2022_SLUG = "aqynfest-2022"
AQYNFEST_NEXT_SLUG = "aqynfest-2027"
# The past contests (Shakarim 2023, Aqynfest 2022) stop at "registration open": contest/results/demo.py
# then lives their history through the services (registrations, jury, scores, published results),
# since "results published" is reached only by publishing a snapshot.
TO_REGISTRATION = (ContestStatus.PUBLISHED, ContestStatus.REGISTRATION_OPEN)


def almaty(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=services.LOCAL_ZONE)


SHAKARIM = {
    "slug": SHAKARIM_SLUG, "kind": "recitation", "level": "city",
    "title_kk": "«Сөз сынап, өлең өлшемек» қалалық іріктеу байқауы",
    "title_ru": "Городской отборочный конкурс чтецов «Сөз сынап, өлең өлшемек»",
    "title_en": "“Söz synap, öleñ ölşemek”: city qualifying recitation contest",
    "dedication_kk": "Ақын әрі ойшыл Шәкәрім Құдайбердіұлының туғанына 165 жыл",
    "dedication_ru": "165 лет со дня рождения поэта и мыслителя Шакарима Кудайбердиулы",
    "dedication_en": "The 165th birth anniversary of the poet and thinker Shakarim Kudayberdiuly",
    "venue_kk": "Алматы қаласының Орталықтандырылған кітапхана жүйесі",
    "venue_ru": "Централизованная библиотечная система города Алматы",
    "venue_en": "Centralized Library System of Almaty",
    "description_kk": (
        "Қала мектептерінің 5–7-сынып оқушылары Шәкәрім өлеңдерін жатқа оқып, сөз өнеріндегі "
        "шеберліктерін сынайды. Байқау — қалалық іріктеу кезеңі: ең үздік оқырмандар келесі "
        "кезеңге жолдама алады.\n\nБайқауға қаланың түкпір-түкпірінен 20-дан астам оқушы қатысты."),
    "description_ru": (
        "Ученики 5–7 классов школ Алматы читают наизусть стихи Шакарима и соревнуются в "
        "мастерстве художественного слова. Это городской отборочный этап: лучшие чтецы "
        "проходят дальше.\n\nВ конкурсе выступили более 20 школьников со всего города."),
    "description_en": (
        "Pupils in grades 5 to 7 from schools across Almaty recite Shakarim's poems by heart and "
        "compete in the art of the spoken word. This is the city qualifying stage: the best "
        "readers go on to the next one.\n\nMore than 20 pupils from all over the city took part."),
    "rules_kk": "- Бір қатысушы Шәкәрімнің бір өлеңін жатқа оқиды.\n- Сөйлеу уақыты — 3 минутқа дейін.",
    "rules_ru": "- Каждый участник читает наизусть одно стихотворение Шакарима.\n- Время выступления — до 3 минут.",
    "rules_en": "- Each participant recites one poem by Shakarim from memory.\n- A performance lasts up to 3 minutes.",
    "registration_opens_at": almaty(2023, 1, 16, 9, 0), "registration_closes_at": almaty(2023, 2, 13, 18, 0),
    "event_at": almaty(2023, 2, 20, 11, 0), "min_grade": 5, "max_grade": 7, "aggregation": "mean",
    # One piece recited on stage: its text in the entry; a rehearsal video is welcome, not required.
    "works_required": 1, "work_requires": "text", "video_required": False,
}
# The seed: pupils in grades 5–7, in two categories by grade.
SHAKARIM_PARTS: list[tuple[type, dict[str, Any]]] = [
    (Category, {"name_kk": "5–6-сыныптар", "name_ru": "5–6 классы", "name_en": "Grades 5–6",
                "min_grade": 5, "max_grade": 6}),
    (Category, {"name_kk": "7-сынып", "name_ru": "7 класс", "name_en": "Grade 7", "min_grade": 7, "max_grade": 7}),
    (AwardTier, {"name_kk": "I дәрежелі диплом", "name_ru": "Диплом I степени", "name_en": "First-degree diploma",
                 "winners_count": 1, "document_kind": "winner_diploma"}),
    (AwardTier, {"name_kk": "II дәрежелі диплом", "name_ru": "Диплом II степени",
                 "name_en": "Second-degree diploma", "winners_count": 1, "document_kind": "winner_diploma"}),
    (AwardTier, {"name_kk": "III дәрежелі диплом", "name_ru": "Диплом III степени",
                 "name_en": "Third-degree diploma", "winners_count": 1, "document_kind": "winner_diploma"}),
]

AQYNFEST = {
    "slug": AQYNFEST_2022_SLUG, "kind": "writing", "level": "republican",
    "title_kk": "Aqynfest 2022 — жас ақындардың республикалық байқауы",
    "title_ru": "Aqynfest 2022 — республиканский конкурс молодых поэтов",
    "title_en": "Aqynfest 2022: republican contest of young poets",
    "venue_kk": "«Alatau Creative Hub» ғимараты", "venue_ru": "Здание «Alatau Creative Hub»",
    "venue_en": "Alatau Creative Hub",
    "description_kk": (
        "Алматы қаласы әкімдігінің қолдауымен өтетін жас ақындардың республикалық поэзия байқауы. "
        "Жүлде қоры — 1 850 000 теңге.\n\n2022 жылы байқауға 83 жас ақын қатысты, ал марапаттау "
        "рәсімі 20 қыркүйекте «Alatau Creative Hub» ғимаратында өтті."),
    "description_ru": (
        "Республиканский поэтический конкурс молодых авторов, который проводится при поддержке "
        "акимата Алматы. Призовой фонд — 1 850 000 тенге.\n\nВ 2022 году в конкурсе участвовали "
        "83 молодых поэта; церемония награждения прошла 20 сентября в здании «Alatau Creative Hub»."),
    "description_en": (
        "A nationwide poetry contest for young authors, held with the support of the Almaty city "
        "administration. The prize fund is 1,850,000 tenge.\n\nIn 2022, 83 young poets entered; "
        "the winners were awarded on 20 September at the Alatau Creative Hub."),
    "rules_kk": "- Қатысушы өз өлеңдерінен 3 шығарма жібереді.\n- Шығармалар бұрын жарияланбаған болуы керек.",
    "rules_ru": "- Участник присылает три собственных стихотворения.\n- Стихи не должны быть опубликованы ранее.",
    "rules_en": "- Each participant sends three of their own poems.\n- The poems must not have been published before.",
    "registration_opens_at": almaty(2022, 6, 1, 9, 0), "registration_closes_at": almaty(2022, 8, 15, 18, 0),
    "event_at": almaty(2022, 9, 20, 15, 0), "min_age": 14, "max_age": 29, "prize_fund": 1_850_000,
    "is_blind": True, "aggregation": "trimmed_mean", "line_limit": 120,
    # The rules: three poems, each typed in (a file may come with it).
    "works_required": 3, "work_requires": "text",
}
AQYNFEST_PARTS: list[tuple[type, dict[str, Any]]] = [
    (Round, {"name_kk": "Сырттай іріктеу", "name_ru": "Заочный отбор", "name_en": "Preliminary selection",
             "stage": "qualifying", "advance_count": 20, "position": 0}),
    # Age groups counted on the event day, within the contest's own limit of 14 to 29.
    (Category, {"name_kk": "14–18 жас", "name_ru": "14–18 лет", "name_en": "Ages 14–18", "min_age": 14, "max_age": 18}),
    (Category, {"name_kk": "19–29 жас", "name_ru": "19–29 лет", "name_en": "Ages 19–29", "min_age": 19, "max_age": 29}),
    # The tiers apply in each of the two categories, so with every place filled in both the
    # prizes come to 2 × 900 000 tenge: within the 1 850 000 tenge fund.
    (AwardTier, {"name_kk": "Гран-при", "name_ru": "Гран-при", "name_en": "Grand Prix", "winners_count": 1,
                 "prize_amount": 300_000, "document_kind": "winner_diploma"}),
    (AwardTier, {"name_kk": "I орын", "name_ru": "I место", "name_en": "First place", "winners_count": 1,
                 "prize_amount": 200_000, "document_kind": "winner_diploma"}),
    (AwardTier, {"name_kk": "II орын", "name_ru": "II место", "name_en": "Second place", "winners_count": 1,
                 "prize_amount": 150_000, "document_kind": "winner_diploma"}),
    (AwardTier, {"name_kk": "III орын", "name_ru": "III место", "name_en": "Third place", "winners_count": 1,
                 "prize_amount": 100_000, "document_kind": "winner_diploma"}),
    (AwardTier, {"name_kk": "Ынталандыру жүлдесі", "name_ru": "Поощрительный приз", "name_en": "Incentive prize",
                 "winners_count": 3, "prize_amount": 50_000, "document_kind": "winner_diploma"}),
]


def _find(slug: str) -> Contest | None:
    return db.session.scalar(select(Contest).where(Contest.slug == slug))


# Each demo contest's cover: an ornament drawn in its own colours (contest/demo_pictures.py).
COVERS = {SHAKARIM_SLUG: "teal", AQYNFEST_2022_SLUG: "crimson", AQYNFEST_NEXT_SLUG: "blue"}


def _cover(slug: str) -> PictureChange:
    return PictureChange(upload=BytesIO(ornament_cover(COVERS[slug])))


def _build(data: dict[str, Any], parts: list[tuple[type, dict[str, Any]]], statuses) -> Contest:
    contest = _find(data["slug"])
    if contest is not None:
        return contest
    contest = services.create_contest(data, actor=None, cover=_cover(data["slug"]))
    for model, values in parts:
        services.add_part(contest, model, values, actor=None)
    for status in statuses:
        services.change_status(contest, status.value, actor=None)
    return contest


def load_contests() -> None:
    _build(SHAKARIM, SHAKARIM_PARTS, TO_REGISTRATION)
    aqynfest = _build(AQYNFEST, AQYNFEST_PARTS, TO_REGISTRATION)
    if _find(AQYNFEST_NEXT_SLUG) is None:
        # Next year's edition, made the way organisers make it: a copy with new dates.
        edition = services.copy_contest(
            aqynfest, slug=AQYNFEST_NEXT_SLUG, actor=None, registration_opens_at=almaty(2026, 11, 2, 9, 0),
            registration_closes_at=almaty(2027, 8, 16, 18, 0), event_at=almaty(2027, 9, 20, 15, 0))
        _drop_copy_markers(edition)
        for status in (ContestStatus.PUBLISHED, ContestStatus.REGISTRATION_OPEN):
            services.change_status(edition, status.value, actor=None)


def _drop_copy_markers(edition: Contest) -> None:
    """What the organiser does after checking a copy: the titles lose their "(copy)" marker."""
    data = {name: getattr(edition, name) for name in services.CONTEST_FIELDS}
    for code, marker in services.COPY_MARKERS.items():
        data[f"title_{code}"] = data[f"title_{code}"].removesuffix(f" {marker}")
    services.update_contest(edition, data, actor=None, cover=_cover(AQYNFEST_NEXT_SLUG))
