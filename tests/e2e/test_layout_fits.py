"""No page scrolls sideways: each role's main pages, at five widths from a small phone to a
desktop, in the three languages (long Kazakh words are the usual case). The page's
scrollWidth is measured against the window's width; a wide table may scroll inside its own
labelled box, never widen the page."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from contest.extensions import db as _db
from contest.results.services import publish_results
from tests.conftest import TEST_PASSWORD
from tests.results.conftest import judged  # noqa: F401  (the published contest below)

WIDTHS = (320, 390, 768, 1024, 1280)
LANGUAGES = ("kk", "ru", "en")
ROLES = ("public", "participant", "juror", "organiser", "admin")


@dataclass
class Site:
    pages: dict[str, list[str]]
    emails: dict[str, str]


@pytest.fixture
def site(db, judged, judging, open_contest, make_user, make_participant, make_registration, make_post,  # noqa: F811
         make_juror) -> Site:
    """A contest with published results (the widest public table), one open for registration
    with a long-named category, a participant registered in it, a juror's submitted sheet and
    an open one (with its action bar) in a contest being judged."""
    published = judged(title_kk="Абай оқулары: жас ақындардың қалалық мүшайрасы",
                       title_ru="Абаевские чтения: городской конкурс молодых поэтов")
    registration_open = open_contest(title_kk="Ақынфест: жас ақындардың республикалық байқауы")
    registration_open.categories[0].name_kk = "Мектеп оқушылары (5–7 сыныптар), жеке орындаушылар"
    registration_open.categories[0].min_grade, registration_open.categories[0].max_grade = 5, 7
    participant_user = make_user(role="participant", name="Әлихан Бекмұхамбетов")
    registered = make_registration(registration_open, make_participant(account=participant_user))
    organiser = make_user(role="organiser", name="Гүлжаһан Шаймерденқызы")
    publish_results(published.contest, actor=organiser)
    admin = make_user(role="admin", name="Сәрсенбай Құрманғазыұлы")
    juror = published.jurors[0]
    scoring = judging(jurors=0, entries=1, title_kk="Мұқағали оқулары: мәнерлеп оқу байқауы")
    make_juror(scoring.contest, user=juror.user)
    open_sheet = f"/jury/{scoring.contest.id}/rounds/{scoring.round.id}/entries/{scoring.entries[0].id}"
    make_post(title_kk="Кітапханада поэзия кеші өтеді", body_kk="Кітапхана оқырмандарын шақырамыз.")
    contest_id, slug = published.contest.id, published.contest.slug
    round_id = published.contest.rounds[0].id
    results = f"/contests/{slug}/results"
    public = ["/", "/contests", f"/contests/{slug}", results, f"{results}?criteria=1", "/news"]
    pages = {
        "public": public,
        "participant": ["/", f"/contests/{registration_open.slug}", "/my",
                        f"/my/register/{registration_open.id}", f"/my/registrations/{registered.id}",
                        f"/contests/{slug}/results", "/account"],
        "juror": ["/", "/jury/", f"/jury/{contest_id}/rounds/{round_id}",
                  f"/jury/{contest_id}/rounds/{round_id}/entries/{published.registrations[0].id}", open_sheet,
                  "/account"],
        "organiser": ["/manage/contests", f"/manage/contests/{contest_id}", f"/manage/contests/{registration_open.id}",
                      f"/manage/contests/{contest_id}/results", f"/manage/contests/{contest_id}/jury/",
                      f"/manage/contests/{registration_open.id}/registrations/", "/manage/news",
                      f"/contests/{slug}/results", "/account"],
        "admin": ["/", "/admin/users/", "/manage/contests", f"/manage/contests/{contest_id}", "/account"],
    }
    emails = {"participant": participant_user.email, "juror": juror.user.email,
              "organiser": organiser.email, "admin": admin.email}
    _db.session.commit()  # end the test's read: SQLite lets the server write only then
    return Site(pages, emails)


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))


def overflows(page) -> list[str]:
    """Every page × width whose content is wider than the window, with the widest figure."""
    found = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append(f"{page.url.split('//', 1)[1].split('/', 1)[1] or '/'} at {width} px: {scroll_width} px wide")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_scrolls_sideways(browser, live_server, site, language):
    problems = []
    for role in ROLES:
        context = browser.new_context(base_url=live_server, locale=language)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if role != "public":
            sign_in(page, site.emails[role])
        for path in site.pages[role]:
            response = page.goto(path)
            assert response is not None and response.ok, f"{role} {path}: {response and response.status}"
            assert page.locator("html").get_attribute("lang") == language
            problems += [f"{language} {role} /{problem}" for problem in overflows(page)]
        context.close()
    assert not problems, "pages wider than the window:\n" + "\n".join(problems)


def test_the_wide_results_table_scrolls_in_its_own_named_box_on_a_phone(browser, live_server, site):
    context = browser.new_context(base_url=live_server, locale="en", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(next(path for path in site.pages["public"] if path.endswith("?criteria=1")))
    box = page.get_by_role("region", name="Results table: Juniors")
    assert box.evaluate("element => element.scrollWidth > element.clientWidth")  # the table is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # and the page is not
    box.focus()  # a keyboard reaches it, so its arrow keys scroll it
    assert box.evaluate("element => element === document.activeElement")
    context.close()
