"""Demo news: the library's real events (facts from its own news feed), told anew in kk/ru/en.

Idempotent: a post whose slug exists is left as it is."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any

from sqlalchemy import select

from contest.auth import services as accounts
from contest.contests.demo import AQYNFEST_2022_SLUG, SHAKARIM_SLUG
from contest.contests.services import contest_by_slug
from contest.demo_pictures import ornament_cover
from contest.extensions import db
from contest.i18n import LOCAL_ZONE
from contest.news import services
from contest.news.models import NewsPost


def _at(year: int, month: int, day: int, hour: int = 18) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=LOCAL_ZONE)


DEMO_POSTS: list[dict[str, Any]] = [
    {
        "slug": "literary-bridge-bishkek",
        "published_at": _at(2022, 6, 16),
        "texts": {
            "kk": {
                "title": "«Әдеби көпір»: Бішкектегі халықаралық жоба",
                "body": (
                    "2022 жылғы 16 маусымда Қырғыз Республикасының астанасы Бішкекте «Әдеби көпір» атты "
                    "халықаралық мәдени-интерактивті жоба өтті. Оған Орталықтандырылған кітапхана "
                    "жүйесінің жетекші мамандары қатысты.\n\n"
                    "- Ынтымақтастық және интеграция туралы меморандумға қол қойылды.\n"
                    "- Қонақтар А. Осмонов атындағы Қырғыз ұлттық кітапханасының және Қырғызстан тарихы "
                    "музейінің жұмысымен танысты.\n"
                    "- Абай орталығына қазақстандық 57 кітап табыс етілді."
                ),
            },
            "ru": {
                "title": "«Литературный мост»: международный проект в Бишкеке",
                "body": (
                    "16 июня 2022 года в Бишкеке, столице Кыргызской Республики, прошёл международный "
                    "культурно-интерактивный проект «Литературный мост». В нём участвовали ведущие "
                    "специалисты Централизованной библиотечной системы.\n\n"
                    "- Подписан Меморандум о сотрудничестве и интеграции.\n"
                    "- Гости познакомились с работой Кыргызской национальной библиотеки имени А. Осмонова "
                    "и Музея истории Кыргызстана.\n"
                    "- Центру Абая передано 57 казахстанских книг."
                ),
            },
            "en": {
                "title": "Literary Bridge: an international project in Bishkek",
                "body": (
                    "On 16 June 2022 Bishkek, the capital of the Kyrgyz Republic, hosted Literary Bridge, an "
                    "international interactive cultural project. Leading specialists of the Centralized "
                    "Library System took part.\n\n"
                    "- A Memorandum of Cooperation and Integration was signed.\n"
                    "- The guests were shown the work of the Kyrgyz National Library named after A. Osmonov "
                    "and the Museum of the History of Kyrgyzstan.\n"
                    "- 57 books from Kazakhstan were handed over to the Abai Center."
                ),
            },
        },
    },
    {
        "slug": "night-in-the-library-book-twilight",
        "published_at": _at(2022, 10, 14, 21),
        "texts": {
            "kk": {
                "title": "«Кітапханадағы түн»: «Түнгі кітаптар»",
                "body": (
                    "Балалар жылы аясында 2022 жылғы 14 қазанда Алматыдағы С. Бегалин атындағы Орталық "
                    "қалалық балалар кітапханасы «Кітапханадағы түн» акциясын өткізді. Кеш «Түнгі кітаптар» "
                    "деп аталды.\n\n"
                    "Ең белсенді оқырмандар үшін кітап пен оқуға арналған қызықты мереке ұйымдастырылды. "
                    "Іс-шараны Қазақстан Республикасының Қаржы нарығын реттеу және дамыту агенттігі мен "
                    "«OnlineKazFinance» – «Solva» микроқаржы ұйымы қолдады."
                ),
            },
            "ru": {
                "title": "«Ночь в библиотеке»: «Книжные сумерки»",
                "body": (
                    "14 октября 2022 года, в Год детей, Центральная городская детская библиотека имени "
                    "С. Бегалина в Алматы провела акцию «Ночь в библиотеке» под названием «Книжные "
                    "сумерки».\n\n"
                    "Для самых активных читателей устроили увлекательный праздник книги и чтения. "
                    "Акцию поддержали Агентство Республики Казахстан по регулированию и развитию "
                    "финансового рынка и микрофинансовая организация «OnlineKazFinance» – «Solva»."
                ),
            },
            "en": {
                "title": "Night in the Library: Book Twilight",
                "body": (
                    "On 14 October 2022, during the Year of Children, the Central City Children's Library "
                    "named after S. Begalin in Almaty held its Night in the Library, this time called "
                    "Book Twilight.\n\n"
                    "The library's most active readers spent an evening celebrating books and reading. "
                    "The event was supported by the Agency of the Republic of Kazakhstan for Regulation and "
                    "Development of the Financial Market and the microfinance organisation "
                    "OnlineKazFinance (Solva)."
                ),
            },
        },
    },
    {
        "slug": "turksoy-book-presentation-alatau-creative-hub",
        "published_at": _at(2021, 12, 9),
        "texts": {
            "kk": {
                "title": "TURKSOY қолдауымен кітап тұсаукесері",
                "body": (
                    "2021 жылғы 9 желтоқсанда «Alatau Creative Hub» жаңа шығармашылық кеңістігінде кітаптар "
                    "тұсаукесері болды. Оған белгілі жазушылар мен ақындар қатысты, іс-шараны TURKSOY "
                    "халықаралық ұйымы қолдады.\n\n"
                    "Кешті Алматы қаласы Мәдениет басқармасының басшысы Г. Майлыбаев ашты. Ол Түркі "
                    "мәдениетінің халықаралық ұйымы жұмысының маңызын және кітаптардың қала оқырмандарына "
                    "берілуін атап өтті."
                ),
            },
            "ru": {
                "title": "Презентация книг при поддержке ТЮРКСОЙ",
                "body": (
                    "9 декабря 2021 года в новом творческом пространстве «Alatau Creative Hub» состоялась "
                    "презентация книг с участием известных писателей и поэтов при поддержке международной "
                    "организации ТЮРКСОЙ.\n\n"
                    "С приветственным словом выступил руководитель Управления культуры города Алматы "
                    "Г. Майлыбаев. Он подчеркнул значение работы Международной организации тюркской "
                    "культуры и передачи книг читателям города."
                ),
            },
            "en": {
                "title": "Book presentation with TURKSOY",
                "body": (
                    "On 9 December 2021 the new creative space Alatau Creative Hub hosted a presentation of "
                    "books with well-known writers and poets, supported by the international organisation "
                    "TURKSOY.\n\n"
                    "G. Maylibayev, head of the Almaty Department of Culture, opened the evening. He spoke "
                    "of the importance of the International Organization of Turkic Culture's work and of "
                    "the books handed over for the city's readers."
                ),
            },
        },
    },
    {
        "slug": "mukagali-makatayev-poetry-evening",
        "published_at": _at(2023, 2, 9),
        "texts": {
            "kk": {
                "title": "Мұқағали Мақатаев шығармашылығына арналған поэзия кеші",
                "body": (
                    "Кітапханада көрнекті ақын, Қазақстан Республикасы Мемлекеттік сыйлығының лауреаты "
                    "Мұқағали Мақатаевтың шығармашылығына арналған поэзия кеші өтті. Оқырмандар ақынның "
                    "өлеңдерін оқып, оның өмірі мен шығармалары туралы әңгімелесті."
                ),
            },
            "ru": {
                "title": "Поэтический вечер, посвящённый творчеству Мукагали Макатаева",
                "body": (
                    "В библиотеке прошёл поэтический вечер, посвящённый творчеству выдающегося поэта, "
                    "лауреата Государственной премии Республики Казахстан Мукагали Макатаева. Читатели "
                    "читали его стихи и говорили о жизни и произведениях поэта."
                ),
            },
            "en": {
                "title": "A poetry evening for Mukagali Makatayev",
                "body": (
                    "The library held a poetry evening devoted to the work of Mukagali Makatayev, an "
                    "outstanding poet and laureate of the State Prize of the Republic of Kazakhstan. "
                    "Readers recited his poems and talked about his life and writing."
                ),
            },
        },
    },
    {
        "slug": "murat-auezov-80th-anniversary-evening",
        "published_at": _at(2023, 11, 10),
        "texts": {
            "kk": {
                "title": "Мұрат Әуезовтің 80 жылдығына арналған кеш",
                "body": (
                    "Кітапханада Мұрат Әуезовтің туғанына 80 жыл толуына арналған кеш ұйымдастырылды. "
                    "Қонақтар мен оқырмандар оның еңбектері мен мәдениетке қосқан үлесін еске алды."
                ),
            },
            "ru": {
                "title": "Вечер к 80-летию Мурата Ауэзова",
                "body": (
                    "В библиотеке состоялся вечер, посвящённый 80-летию со дня рождения Мурата Ауэзова. "
                    "Гости и читатели вспоминали его труды и вклад в культуру."
                ),
            },
            "en": {
                "title": "An evening for the 80th anniversary of Murat Auezov",
                "body": (
                    "The library held an evening marking the 80th anniversary of the birth of Murat "
                    "Auezov. Guests and readers recalled his works and his contribution to culture."
                ),
            },
        },
    },
    {
        "slug": "shakarim-recitation-contest-results",
        "contest_slug": SHAKARIM_SLUG,
        "published_at": _at(2023, 2, 20),
        "texts": {
            "kk": {
                "title": "«Сөз сынап, өлең өлшемек»: қалалық іріктеу байқауы өтті",
                "body": (
                    "20 ақпанда Алматының Орталықтандырылған кітапхана жүйесінде ақын әрі ойшыл Шәкәрім "
                    "Құдайбердіұлының туғанына 165 жыл толуына арналған «Сөз сынап, өлең өлшемек» "
                    "қалалық іріктеу байқауы өтті.\n\n"
                    "Байқауға қаланың түрлі мектептерінен 5–7 сыныптарда оқитын 20-дан астам оқушы "
                    "қатысты."
                ),
            },
            "ru": {
                "title": "«Сөз сынап, өлең өлшемек»: прошёл городской отборочный конкурс",
                "body": (
                    "20 февраля в Централизованной библиотечной системе Алматы прошёл городской "
                    "отборочный конкурс «Сөз сынап, өлең өлшемек», посвящённый 165-летию со дня рождения "
                    "поэта и мыслителя Шакарима Кудайбердиулы.\n\n"
                    "В конкурсе участвовали более 20 учеников 5–7 классов из школ всего города."
                ),
            },
            "en": {
                "title": "Söz synap, öleñ ölshemek: the city qualifying contest has taken place",
                "body": (
                    "On 20 February the Centralized Library System of Almaty held the city qualifying "
                    "contest Söz synap, öleñ ölshemek, marking the 165th anniversary of the birth of the "
                    "poet and thinker Shakarim Kudayberdiuly.\n\n"
                    "More than 20 pupils of grades 5 to 7 from schools across the city took part."
                ),
            },
        },
    },
    {
        "slug": "aqynfest-2022-award-ceremony",
        "contest_slug": AQYNFEST_2022_SLUG,
        "published_at": _at(2022, 9, 20),
        "texts": {
            "kk": {
                "title": "«Aqynfest 2022» жеңімпаздары марапатталды",
                "body": (
                    "Алматы қаласы әкімдігінің қолдауымен 2022 жылы жас ақындар арасында «Aqynfest 2022» "
                    "республикалық поэзия байқауы ұйымдастырылды. Жүлде қоры – 1 850 000 теңге.\n\n"
                    "Байқауға 83 жас ақын қатысты. Марапаттау рәсімі 20 қыркүйекте «Alatau Creative Hub» "
                    "ғимаратында өтті."
                ),
            },
            "ru": {
                "title": "Награждение участников «Aqynfest 2022»",
                "body": (
                    "В 2022 году при поддержке акимата города Алматы был организован республиканский "
                    "конкурс молодых поэтов «Aqynfest 2022» с призовым фондом 1 850 000 тенге.\n\n"
                    "В конкурсе участвовали 83 молодых поэта. Церемония награждения прошла 20 сентября "
                    "в здании «Alatau Creative Hub»."
                ),
            },
            "en": {
                "title": "Aqynfest 2022 award ceremony",
                "body": (
                    "In 2022, with the support of the Almaty city administration, the national poetry "
                    "contest for young poets Aqynfest 2022 was held, with a prize fund of 1,850,000 tenge.\n\n"
                    "83 young poets took part. The award ceremony was held on 20 September at the Alatau "
                    "Creative Hub building."
                ),
            },
        },
    },
]


# Posts with a lead picture: an ornament drawn in the colours of the contest they are about.
COVERS = {"aqynfest-2022-award-ceremony": "crimson", "shakarim-recitation-contest-results": "teal",
          "mukagali-makatayev-poetry-evening": "green"}


def load_news() -> list[NewsPost]:
    author = accounts.find_user_by_email("organiser@demo.kz")
    posts = []
    for spec in DEMO_POSTS:
        post = db.session.scalar(select(NewsPost).where(NewsPost.slug == spec["slug"]))
        if post is None:
            contest = contest_by_slug(spec["contest_slug"]) if "contest_slug" in spec else None
            cover = BytesIO(ornament_cover(COVERS[spec["slug"]])) if spec["slug"] in COVERS else None
            data = services.PostData(texts=spec["texts"], slug=spec["slug"], published_at=spec["published_at"],
                                     contest_id=contest.id if contest else None, cover=cover)
            post = services.create_post(data, actor=author)
        posts.append(post)
    return posts
