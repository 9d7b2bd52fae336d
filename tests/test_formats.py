"""Dates, sizes, money and scores in one style per context and language (KAZAKH.md): the
helpers, a Kazakh page that uses them, and no template that formats on its own."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask_babel import force_locale
from openpyxl import Workbook

from contest import i18n
from contest.extensions import db

MOMENT = datetime(2027, 9, 20, 10, 0, tzinfo=UTC)  # 15:00 in Almaty
NBSP = "\N{NO-BREAK SPACE}"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize(("language", "prose", "prose_day"), [
    ("kk", "2027 жылғы 20 қыркүйек, 15:00", "2027 жылғы 20 қыркүйек"),
    ("ru", "20 сентября 2027 г., 15:00", "20 сентября 2027 г."),
    ("en", "20 September 2027, 15:00", "20 September 2027"),
])
def test_one_helper_per_style_in_every_language(language, prose, prose_day):
    assert i18n.format_prose_datetime(MOMENT, language) == prose
    assert i18n.format_prose_date(MOMENT, language) == prose_day
    assert i18n.format_prose_date(date(2027, 9, 20), language) == prose_day
    assert i18n.format_table_datetime(MOMENT, language) == "20.09.2027 15:00"
    assert i18n.format_table_date(date(2027, 9, 20), language) == "20.09.2027"


def test_a_time_just_before_midnight_utc_is_the_next_day_in_almaty():
    late = datetime(2027, 9, 20, 21, 30, tzinfo=UTC)
    assert i18n.format_table_datetime(late, "kk") == "21.09.2027 02:30"
    assert i18n.format_prose_date(late, "kk") == "2027 жылғы 21 қыркүйек"


@pytest.mark.parametrize(("language", "expected"), [("kk", "28,50"), ("ru", "28,50"), ("en", "28.50")])
def test_scores_use_the_contests_decimals_and_the_locales_sign(language, expected):
    assert i18n.format_score("28.500000", 2, language) == expected
    assert i18n.format_score(Decimal("7.25"), 1, language) == expected.replace("28", "7").replace("50", "25")


def test_money_is_grouped_with_no_break_spaces_in_kazakh():
    assert i18n.format_amount(1850000, "kk") == f"1{NBSP}850{NBSP}000"
    assert i18n.format_amount(Decimal("1850000.50"), "ru") == f"1{NBSP}850{NBSP}000,50"


@pytest.mark.parametrize(("language", "small", "large"), [("kk", "10,9 КБ", "2,4 МБ"), ("ru", "10,9 КБ", "2,4 МБ"),
                                                          ("en", "10.9 KB", "2.4 MB")])
def test_file_sizes_in_the_locales_units_and_decimals(language, small, large):
    with force_locale(language):
        assert i18n.format_file_size(11162) == small
        assert i18n.format_file_size(int(2.4 * 1024 * 1024)) == large


def test_contest_page_in_kazakh_shows_prose_dates(client, make_contest):
    contest = make_contest(status="registration_open", event_at=MOMENT,
                           registration_opens_at=datetime(2027, 8, 1, 4, 0, tzinfo=UTC),
                           registration_closes_at=datetime(2027, 9, 1, 13, 0, tzinfo=UTC))
    db.session.commit()
    page = client.get(f"/contests/{contest.slug}", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "2027 жылғы 20 қыркүйек, 15:00" in page
    assert "2027 жылғы 1 қыркүйек, 18:00" in page
    # No seconds in what people read; the search engines' JSON-LD keeps full ISO 8601 times.
    seen = re.sub(r'<script type="application/ld\+json">.*?</script>', "", page, flags=re.S)
    assert not re.search(r"\d{1,2}:\d{2}:\d{2}", seen)
    assert "ж." not in re.sub(r"<[^>]+>", "", page)  # Babel's abbreviated "2027 ж." style is gone


def test_templates_format_dates_and_numbers_only_through_the_helpers():
    """A template that formats a date, a number or a size on its own brings back the five
    formats; `isoformat()` is allowed only in machine-readable places (attributes, feeds)."""
    stray = re.compile(r"\|\s*(date|datetime)\b|strftime|format_date|format_datetime|'%\.\d+f'\|format|"
                       r"\|\s*round\(|\bKB\b|\bMB\b")
    problems = []
    for path in TEMPLATES.rglob("*"):
        if path.suffix not in {".html", ".txt", ".xml"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "_(" in line and re.search(r"\bMB\b", line) and not stray.search(line.replace("MB", "")):
                continue  # a limit stated inside a translated sentence
            if stray.search(line):
                problems.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}")
            for found in re.finditer(r"\.isoformat\(\)", line):
                before = line[:found.start()]
                if not (path.suffix == ".xml" or re.search(r'(datetime|content)="[^"]*$', before)):
                    problems.append(f"{path.relative_to(TEMPLATES)}:{number}: isoformat outside an attribute")
    assert problems == []


def test_contest_setup_shows_prizes_and_minimum_scores_in_the_locales_form(client, login_as, make_contest,
                                                                            make_award_tier):
    contest = make_contest(prize_fund=1850000)
    make_award_tier(contest, name_kk="Гран-при", prize_amount=300000, min_score=Decimal("37.5"))
    login_as("organiser")
    page = client.get(f"/manage/contests/{contest.id}", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert f"<td>300{NBSP}000</td>" in page and "300000" not in page
    assert "<td>37,5</td>" in page and "37.5" not in page
    assert f"1{NBSP}850{NBSP}000 теңге" in page


class _VisibleText(HTMLParser):
    """What a reader sees: text outside tags, scripts and styles (attributes such as
    `<time datetime="…">` or a date field's value are for machines and browsers)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in {"script", "style"}

    def handle_endtag(self, tag):
        self._hidden -= tag in {"script", "style"}

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


PROSE_DATE = re.compile(r"\d{4} жылғы \d{1,2} [а-яәіңғүұқөһ]+(, \d{2}:\d{2})?")
TABLE_DATE = re.compile(r"\b\d{2}\.\d{2}\.\d{4}( \d{2}:\d{2})?")
# Anything else that looks like a date or a time of day: ISO, slashes, two-digit years, seconds,
# Babel's default "2027 ж." style.
OTHER_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}|\b\d{1,2}/\d{1,2}/\d{2,4}|\b\d{1,2}\.\d{1,2}\.\d{2}\b(?!\.\d)"
                        r"|\d{1,2}:\d{2}:\d{2}|\d{4} ж\.")


def test_pages_people_read_show_dates_in_the_two_styles_only(client, db, login_as, open_contest, make_registration,
                                                             make_participant, make_user, make_post):
    """The public contest page, news, the organiser's registration page and the import preview
    in Kazakh: every date is either prose or table style, whatever the source (a database
    timestamp, a consent time, an Excel date cell)."""
    contest = open_contest(event_at=MOMENT, registration_opens_at=datetime(2026, 8, 1, 4, 0, tzinfo=UTC),
                           registration_closes_at=datetime(2027, 9, 1, 13, 0, tzinfo=UTC))
    participant = make_participant(birth_date=date(2012, 5, 25), consent_at=datetime(2027, 8, 2, 9, 30, 15, tzinfo=UTC))
    registration = make_registration(contest, participant, status="approved",
                                     decided_at=datetime(2027, 8, 3, 6, 45, 59, tzinfo=UTC))
    post = make_post(published_at=datetime(2026, 8, 4, 5, 0, tzinfo=UTC))
    make_user(email="teacher@school12.kz", name="Гүлнар Апай")
    login_as("organiser")
    kk = {"Accept-Language": "kk"}
    workbook = Workbook()
    workbook.active.append(["Surname", "Given name", "Date of birth", "Guardian", "Guardian's phone",
                            "Guardian's consent"])
    workbook.active.append(["Сәтбаева", "Әйгерім", datetime(2012, 5, 25), "Сәтбаев Нұрлан", "+7 701 111 22 33",
                            "иә"])  # the date of birth is an Excel date cell
    buffer = io.BytesIO()
    workbook.save(buffer)
    pages = {
        "contest": client.get(f"/contests/{contest.slug}", headers=kk),
        "news": client.get(f"/news/{post.slug}", headers=kk),
        "registration": client.get(f"/manage/contests/{contest.id}/registrations/{registration.id}", headers=kk),
        "import preview": client.post_form(f"/manage/contests/{contest.id}/registrations/import",
                                           {"teacher_email": "teacher@school12.kz",
                                            "file": (io.BytesIO(buffer.getvalue()), "pupils.xlsx")},
                                           content_type="multipart/form-data", headers=kk),
    }
    texts = {name: visible_text(response.get_data(as_text=True)) for name, response in pages.items()}
    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(pages, 200)
    assert "2027 жылғы 20 қыркүйек, 15:00" in texts["contest"]
    assert "2027 жылғы 2 тамыз, 14:30" in texts["registration"]  # the consent, without its seconds
    assert "2027 жылғы 3 тамыз, 11:45" in texts["registration"]  # the decision
    assert "2026 жылғы 4 тамыз" in texts["news"]
    assert "25.05.2012" in texts["import preview"]
    for name, text in texts.items():
        assert not OTHER_DATE.findall(text), name
        assert PROSE_DATE.search(text) or TABLE_DATE.search(text), name
