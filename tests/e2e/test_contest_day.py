"""Contest day end to end, in Kazakh: registration in two age groups with a two-work entry rule,
a refusal by a category's age limit, moderation that holds an incomplete entry back, two jurors
scoring on their sheets, published results, and the documents that follow (diploma, jury
protocol, results export) read back and checked against the public standings."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.conftest import TEST_PASSWORD

TITLE = "«Жас қалам» поэзия байқауы"
EVENT_AT = datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0) + timedelta(days=40)
SLOW = 30_000  # a loaded two-core machine: wait generously for pages, never sleep


@pytest.fixture(autouse=True)
def patient_expectations():
    expect.set_options(timeout=SLOW)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other journeys


@dataclass
class ContestDay:
    contest_id: int
    slug: str
    round_id: int
    younger: str  # category names as the pages show them
    older: str


def born(age: int) -> str:
    """A birth date that makes the participant `age` on the contest's day (months away from a birthday)."""
    day = EVENT_AT.date()
    return (date(day.year - age, day.month, 1) - timedelta(days=120)).isoformat()


def context_page(browser: Browser, live_server: str, **options) -> Page:
    page = browser.new_context(base_url=live_server, locale="kk-KZ", **options).new_page()
    page.set_default_timeout(SLOW)
    page.set_default_navigation_timeout(SLOW)
    return page


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill(email)
    page.get_by_label("Құпиясөз").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Кіру").click()
    expect(page.get_by_text("Сіз сайтқа кірдіңіз.")).to_be_visible()


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def download(page: Page, link) -> bytes:
    with page.expect_download() as event:
        link.click()
    with open(event.value.path(), "rb") as file:
        return file.read()


def contest_day_fixture(db, make_user, make_contest, make_category, make_round, make_criterion,
                        make_award_tier, make_juror) -> ContestDay:
    """The organiser's setup, which other journeys test through the pages: two age groups, an
    entry of two works with text, two criteria, two award tiers, two jurors."""
    make_user(email="organiser@example.kz", name="Айгерім Сәрсенбаева", role="organiser")
    contest = make_contest(status="registration_open", title_kk=TITLE, title_ru="Конкурс «Жас қалам»",
                           title_en="Young Pen poetry contest", slug="jas-qalam", event_at=EVENT_AT,
                           registration_opens_at=datetime.now(UTC) - timedelta(days=1),
                           registration_closes_at=EVENT_AT - timedelta(days=7),
                           works_required=2, work_requires="text", score_decimals=2)
    younger = make_category(contest, name_kk="Жасөспірімдер", name_en="Ages 14–18", min_age=14, max_age=18)
    make_category(contest, name_kk="Жастар", name_en="Ages 19–29", min_age=19, max_age=29)
    round_ = make_round(contest, name_kk="Қорытынды кезең", name_en="Final")
    make_criterion(contest, name_kk="Мазмұны", name_en="Content", max_score=10, step=1.0)
    make_criterion(contest, name_kk="Көркемдігі", name_en="Artistry", max_score=10, step=0.5)
    make_award_tier(contest, name_kk="I орын", name_ru="I место", name_en="First place")
    make_award_tier(contest, name_kk="II орын", name_ru="II место", name_en="Second place")
    for email, name in (("juror1@example.kz", "Мұхтар Әуезов"), ("juror2@example.kz", "Жұбан Молдағалиев")):
        make_juror(contest, user=make_user(role="juror", email=email, name=name))
    day = ContestDay(contest.id, contest.slug, round_.id, younger.name_kk, "Жастар")
    db.session.commit()  # end the test's read: SQLite lets the server write only then
    return day


# Registration ---------------------------------------------------------------------------------

def add_participant(page: Page, surname: str, given_name: str, age: int, *, school: str,
                    guardian: str | None = None) -> None:
    page.get_by_label("Тегі").fill(surname)
    page.get_by_label("Аты", exact=True).fill(given_name)
    page.get_by_label("Туған күні").fill(born(age))
    page.get_by_label("Мектеп немесе колледж").fill(school)
    if guardian:
        block = page.locator("#guardian-block")
        expect(block).to_be_visible()
        block.get_by_label("Ата-анасы немесе заңды өкілі: аты-жөні").fill(guardian)
        block.get_by_label("Ата-анасы немесе заңды өкілі: телефоны").fill("+7 701 555 66 77")
        block.get_by_label("Мен ата-анасымын немесе заңды өкілімін және жоғарыдағы мәтінмен келісемін").check()
    else:
        expect(page.locator("#guardian-block")).to_be_hidden()
    page.get_by_role("button", name="Сақтау").click()
    expect(page.get_by_text(f"Қатысушы қосылды: {surname} {given_name}.")).to_be_visible()


def register(page: Page, name: str, category: str) -> None:
    page.get_by_label("Қатысушы", exact=True).select_option(label=name)
    choice = page.locator("#category_id option", has_text=category)  # the name, then its limits
    page.get_by_label("Санат", exact=True).select_option(label=choice.inner_text())
    page.get_by_role("button", name="Тіркеу", exact=True).click()


def fill_works(page: Page, works: list[tuple[str, str]]) -> None:
    for number, (title, text) in enumerate(works, start=1):
        work = page.get_by_role("group", name=f"№ {number} жұмыс (барлығы: 2)")
        work.get_by_label("Өлеңнің атауы").fill(title)
        work.get_by_label("Өлең мәтіні").fill(text)
    page.get_by_role("button", name="Жұмысты сақтау").click()
    expect(page.get_by_text("Жұмыс сақталды.")).to_be_visible()


def poet_registers(page: Page, day: ContestDay) -> str:
    sign_in(page, "poet@example.kz")
    page.goto(f"/contests/{day.slug}")
    page.get_by_role("link", name="Қатысушыны тіркеу").click()
    page.get_by_role("link", name="Қатысушы қосу").click()
    add_participant(page, "Сейітова", "Аружан", 21, school="Әл-Фараби атындағы ҚазҰУ")
    register(page, "Сейітова Аружан", day.older)
    expect(page.get_by_text(re.compile("Сейітова Аружан тіркелді. Тіркеу коды: "))).to_be_visible()
    expect(page.get_by_text("0 / 2 жұмыс")).to_be_visible()
    fill_works(page, [("Таң", "Таң атты\nДала оянды"), ("Көктем", "Көктем келді\nГүл ашылды")])
    expect(page.get_by_text("2 / 2 жұмыс")).to_be_visible()
    return code_on(page)


def code_on(page: Page) -> str:
    return re.search(r"[A-Z0-9]+-\d{4}", page.get_by_role("heading", level=1).inner_text()).group(0)


def teacher_registers_pupils(page: Page, day: ContestDay) -> tuple[str, str]:
    sign_in(page, "teacher@example.kz")
    page.goto(f"/contests/{day.slug}")
    page.get_by_role("link", name="Қатысушыны тіркеу").click()
    page.get_by_role("link", name="Қатысушы қосу").click()
    add_participant(page, "Омаров", "Нұрсұлтан", 15, school="№ 165 мектеп-лицей", guardian="Омарова Айгүл")
    page.get_by_role("link", name="Тағы бір қатысушы қосу").click()
    add_participant(page, "Ахметова", "Аяжан", 19, school="Алматы гуманитарлық колледжі")

    # The 19-year-old in the 14–18 group: refused beside the category field, nothing registered.
    register(page, "Ахметова Аяжан", day.younger)
    refusal = ("Бұл санаттағы қатысушылардың байқау күнгі жасы: ең азы 14, ең көбі 18. "
               "Қатысушының сол күнгі жасы: 19.")
    expect(page.locator("#category_id-error")).to_have_text(refusal)
    expect(page.get_by_role("alert")).to_contain_text(refusal)
    page.goto("/my")
    expect(page.get_by_text(re.compile(r"[A-Z0-9]+-\d{4}"))).to_have_count(0)

    page.goto(f"/my/register/{day.contest_id}")
    register(page, "Ахметова Аяжан", day.older)
    expect(page.get_by_text(re.compile("Ахметова Аяжан тіркелді."))).to_be_visible()
    fill_works(page, [("Қала", "Қала түні\nШам жанды"), ("Алатау", "Алатау биік\nАспан ашық")])
    older_code = code_on(page)

    page.goto(f"/my/register/{day.contest_id}")
    register(page, "Омаров Нұрсұлтан", day.younger)
    expect(page.get_by_text(re.compile("Омаров Нұрсұлтан тіркелді."))).to_be_visible()
    # Only one of the two works: the entry stays incomplete.
    work = page.get_by_role("group", name="№ 1 жұмыс (барлығы: 2)")
    work.get_by_label("Өлеңнің атауы").fill("Мектеп")
    work.get_by_label("Өлең мәтіні").fill("Мектебім менің\nАлтын ұям")
    page.get_by_role("button", name="Жұмысты сақтау").click()
    expect(page.get_by_text("Жұмыс сақталды.")).to_be_visible()
    expect(page.get_by_text("1 / 2 жұмыс")).to_be_visible()
    return older_code, code_on(page)


# Moderation, judging, results -----------------------------------------------------------------

def change_status(page: Page, day: ContestDay, button: str, status: str) -> None:
    page.goto(f"/manage/contests/{day.contest_id}")
    page.get_by_role("button", name=button).click()
    page.get_by_role("dialog").get_by_role("button", name=button).click()  # each status move asks first
    expect(page.get_by_text(f"Байқаудың қазіргі күйі: {status}.")).to_be_visible()


def moderate(page: Page, day: ContestDay, complete: list[str], incomplete: str) -> None:
    page.goto(f"/manage/contests/{day.contest_id}/registrations/")
    expect(page.get_by_text("3 тіркеу табылды")).to_be_visible()
    expect(page.get_by_text("Тексеруді күтуде: 3")).to_be_visible()  # the same words as each row's badge
    expect(page.get_by_role("row").filter(has_text=incomplete)).to_contain_text("1 / 2 жұмыс")
    for code in complete:
        expect(page.get_by_role("row").filter(has_text=code)).to_contain_text("2 / 2 жұмыс")
    assert fits_the_screen(page)  # the organiser's long Kazakh menu stays inside the bar

    page.get_by_role("link", name=incomplete).click()
    page.get_by_role("button", name="Ерекшелік ретінде мақұлдау").click()
    refusal = page.locator("#override_reason-error")
    expect(refusal).to_contain_text("Жұмыс байқау ережесіне сай емес, ал тіркеу жабылды.")
    expect(refusal).to_contain_text("Бәрібір мақұлдау үшін ерекшелік себебін жазыңыз.")
    page.goto(f"/manage/contests/{day.contest_id}/registrations/")
    expect(page.get_by_role("row").filter(has_text=incomplete)).to_contain_text("Тексеруді күтуде")

    for code in complete:
        page.get_by_label(f"{code} таңдау").check()
    page.get_by_role("button", name="Таңдалғандарды мақұлдау").click()
    expect(page.get_by_text("2 тіркеу мақұлданды.")).to_be_visible()


def juror_scores(browser: Browser, live_server: str, email: str, day: ContestDay,
                 points: dict[str, tuple[str, str]], incomplete: str) -> None:
    page = context_page(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        sign_in(page, email)
        page.goto("/jury/")
        page.locator("li.card", has_text=TITLE).get_by_role("link").first.click()
        expect(page.get_by_text(incomplete)).to_have_count(0)
        for code, (content, artistry) in points.items():
            page.goto(f"/jury/{day.contest_id}/rounds/{day.round_id}")
            page.get_by_role("link", name=re.compile(code)).first.click()
            expect(page.get_by_role("heading", name="Менің ұпайларым")).to_be_visible()
            page.get_by_label("Мазмұны").fill(content)
            page.get_by_label("Көркемдігі").fill(artistry)
            assert fits_the_screen(page)
            page.get_by_role("button", name="Жіберу (парақ бекітіледі)").click()
            expect(page.get_by_text(f"Бағалау парағы жіберілді. Жұмыс: {code}.")).to_be_visible()
        expect(page.get_by_text(incomplete)).to_have_count(0)
    finally:
        page.context.close()


def public_totals(page: Page, day: ContestDay, codes: dict[str, str]) -> dict[str, str]:
    """The public page's total for each name, as printed."""
    page.goto(f"/contests/{day.slug}/results")
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    totals = {}
    for name in codes:
        row = page.get_by_role("row").filter(has_text=name)
        expect(row).to_have_count(1)
        totals[name] = re.search(r"\d+,\d{2}", row.inner_text()).group(0)
    return totals


# The journey ----------------------------------------------------------------------------------

def test_a_contest_from_registration_to_diplomas_in_kazakh(browser, live_server, db, make_user, make_contest,
                                                           make_category, make_round, make_criterion,
                                                           make_award_tier, make_juror):
    day = contest_day_fixture(db, make_user, make_contest, make_category, make_round, make_criterion,
                              make_award_tier, make_juror)
    make_user(email="poet@example.kz", name="Аружан Сейітова")
    make_user(email="teacher@example.kz", name="Сәуле Қасымова")
    db.session.commit()

    poet = context_page(browser, live_server)
    poet_code = poet_registers(poet, day)
    teacher = context_page(browser, live_server)
    pupil_code, incomplete_code = teacher_registers_pupils(teacher, day)

    organiser = context_page(browser, live_server)
    sign_in(organiser, "organiser@example.kz")
    change_status(organiser, day, "Тіркеуді жабу", "Тіркеу жабық")
    moderate(organiser, day, [poet_code, pupil_code], incomplete_code)
    change_status(organiser, day, "Бағалауды бастау", "Бағалау жүріп жатыр")

    # Means of the two jurors: 16,75 for the poet, 14,50 for the pupil.
    juror_scores(browser, live_server, "juror1@example.kz", day,
                 {poet_code: ("9", "8.5"), pupil_code: ("7", "7.5")}, incomplete_code)
    juror_scores(browser, live_server, "juror2@example.kz", day,
                 {poet_code: ("8", "8"), pupil_code: ("8", "6.5")}, incomplete_code)

    organiser.goto(f"/manage/contests/{day.contest_id}/results")
    organiser.get_by_role("button", name="Нәтижелерді жариялау").click()
    organiser.get_by_role("dialog").get_by_role("button", name="Нәтижелерді жариялау").click()
    expect(organiser.get_by_text("Нәтижелер жарияланды.")).to_be_visible()

    visitor = context_page(browser, live_server)
    names = {"Сейітова Аружан": poet_code, "Ахметова Аяжан": pupil_code}
    totals = public_totals(visitor, day, names)
    assert totals == {"Сейітова Аружан": "16,75", "Ахметова Аяжан": "14,50"}
    expect(visitor.get_by_role("row").filter(has_text="Сейітова Аружан")).to_contain_text("I орын")
    expect(visitor.get_by_role("row").filter(has_text="Ахметова Аяжан")).to_contain_text("II орын")
    expect(visitor.get_by_text("Омаров Нұрсұлтан")).to_have_count(0)

    # Certificates: issued by the in-process job; the winner downloads the diploma.
    organiser.goto(f"/manage/contests/{day.contest_id}/certificates")
    organiser.get_by_role("button", name="Барлық құжаттарды беру").click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Сертификаттар дайын", timeout=60_000)

    poet.goto("/my/certificates")
    row = poet.get_by_role("row").filter(has_text="Жеңімпаз дипломы")
    expect(row).to_contain_text("Сейітова Аружан")
    diploma = pdf_text(download(poet, row.get_by_role("link", name=re.compile("PDF жүктеп алу"))))
    check_diploma(diploma)

    organiser.goto(f"/manage/contests/{day.contest_id}/results")
    protocol = pdf_text(download(organiser, organiser.get_by_role(
        "link", name="Қазылар алқасының хаттамасы (PDF) · Қазақша")))
    for name, total in totals.items():
        assert re.search(rf"{names[name]}.*{total}", protocol, re.S), (name, total, protocol)
    assert "16.75" not in protocol and "14.5 " not in protocol
    assert "Критерийлер: Мазмұны" in protocol and "Жасөспірімдер\nБұл санатта мақұлданған жұмыс жоқ." in protocol
    assert protocol.count("Қазылар алқасының мүшесі") == 2, protocol

    workbook = load_workbook(io.BytesIO(download(organiser, organiser.get_by_role(
        "link", name="Байланыс деректерімен Excel"))))
    assert sheet_totals(workbook) == {poet_code: 16.75, pupil_code: 14.5}
    text = download(organiser, organiser.get_by_role("link", name="Байланыс деректерімен CSV")).decode("utf-8-sig")
    assert csv_totals(text) == {poet_code: "16,75", pupil_code: "14,50"}


def check_diploma(text: str) -> None:
    assert "ДИПЛОМ" in text
    assert text.count("I орын") == 1 and "1-орын" not in text, text
    assert text.count("Жас қалам") == 1, text
    assert "Аружан Сейітова" in text or "Сейітова Аружан" in text, text


def sheet_totals(workbook) -> dict[str, float]:
    rows = list(workbook.active.iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    code, total = header.index("Код"), header.index("Жалпы ұпай")
    return {row[code]: row[total] for row in rows[1:] if row[code]}


def csv_totals(text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    code, total = header.index("Код"), header.index("Жалпы ұпай")
    return {row[code]: row[total] for row in rows[1:] if row and row[code]}
