"""WCAG 2.1 AA and valid HTML on every kind of page, for every role, in kk, ru and en.

One sweep over PAGES (the demo's real contests plus a contest in judging, certificates and a
news draft made with the factories), each role in its own browser context signed in once: every
page is loaded at desktop size (1280x800) and narrowed to a phone's (390x844); axe-core
(node_modules, from `make node`) must find no serious or critical violation of wcag2a, wcag2aa and
wcag21aa at either size, the headings must run from one h1 without skipping a level, and on one
page per role the keyboard tabs through every control, each showing a visible focus ring. The HTML
the server sent goes to the Nu HTML Checker (vnu.jar, Java) in one batch, which must report no
error. A second test keeps the list growing with the site: every GET page in the URL map is
either visited here or excluded below with the reason."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from contest.auth.models import User
from contest.auth.services import find_user_by_email, make_reset_token
from contest.certificates import services as certificates
from contest.certificates.models import Certificate, CertificateJob, JobStatus
from contest.contests.demo import AQYNFEST_2022_SLUG, AQYNFEST_NEXT_SLUG, SHAKARIM_SLUG
from contest.contests.models import Contest
from contest.db import utcnow
from contest.demo import DEMO_ACCOUNTS, load_demo
from contest.extensions import db
from contest.judging.jury import membership
from contest.judging.models import ScoreSheet
from contest.mail.models import OutgoingMail
from contest.news.models import NewsPost
from contest.registration.models import Participant, Registration
from contest.results import adjusting
from contest.stage import control

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ("kk", "ru", "en")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
BLOCKING = {"serious", "critical"}
# The demo account each signed-in role browses as.
ACCOUNTS = {"participant": "parent@demo.kz", "juror": "juror1@demo.kz", "organiser": "organiser@demo.kz",
            "admin": "admin@demo.kz"}
PASSWORDS = {email: password for email, _name, _role, password in DEMO_ACCOUNTS}


@dataclass
class Site:
    """The ids the page list needs, from the demo and the factories."""
    open: Contest
    published: Contest
    recital: Contest
    judging: Contest
    judging_round: int
    judging_entry: int
    ranked: dict  # a contest whose round is scored by places: its ranking page's arguments
    submitted_sheet: ScoreSheet
    participant: Participant
    minor: Participant
    registration: Registration
    certificate: Certificate
    job: int
    draft_post: int
    news_slug: str
    reset_token: str


@dataclass(frozen=True)
class Page:
    role: str
    endpoint: str
    args: Callable[[Site], dict] = lambda site: {}
    status: int = 200


def _part(part: str, index: int = 0) -> Callable[[Site], dict]:
    relation = {"rounds": "rounds", "categories": "categories", "criteria": "criteria", "tiers": "award_tiers"}[part]
    return lambda site: {"contest_id": site.published.id, "part": part,
                         "part_id": getattr(site.published, relation)[index].id}


def _sheet(site: Site) -> dict:
    sheet = site.submitted_sheet
    return {"contest_id": site.published.id, "round_id": sheet.round_id, "registration_id": sheet.registration_id}


PAGES: list[Page] = [
    # Anyone.
    Page("public", "site.home"),
    Page("public", "contests.index"),
    Page("public", "contests.detail", lambda site: {"slug": site.open.slug}),
    Page("public", "contests.detail", lambda site: {"slug": site.published.slug}),
    Page("public", "contests.detail", lambda site: {"slug": site.judging.slug}),
    Page("public", "results.public_results", lambda site: {"slug": site.published.slug}),
    Page("public", "results.public_results", lambda site: {"slug": site.recital.slug}),
    Page("public", "news.index"),
    Page("public", "news.post", lambda site: {"slug": site.news_slug}),
    Page("public", "auth.login"),
    Page("public", "auth.signup"),
    Page("public", "auth.forgot_password"),
    Page("public", "auth.reset_password", lambda site: {"token": site.reset_token}),
    Page("public", "certificates.verify_form"),
    Page("public", "certificates.verify", lambda site: {"code": site.certificate.code}),
    Page("public", "api.docs"),
    Page("public", "contests.detail", lambda site: {"slug": "no-such-contest"}, status=404),
    Page("public", "stage.audience_screen", lambda site: {"round_id": site.recital.rounds[-1].id}),
    Page("public", "stage.audience_screen", lambda site: {"round_id": site.judging_round}),
    Page("public", "sharing.widget"),
    # A parent's account.
    Page("participant", "registration.dashboard"),
    Page("participant", "auth.account"),
    Page("participant", "auth.sign_out_everywhere"),
    Page("participant", "registration.privacy_page"),
    Page("participant", "registration.new_participant"),
    Page("participant", "registration.edit_participant", lambda site: {"participant_id": site.participant.id}),
    Page("participant", "registration.delete_participant", lambda site: {"participant_id": site.participant.id}),
    Page("participant", "registration.withdraw_consent", lambda site: {"participant_id": site.minor.id}),
    Page("participant", "registration.register", lambda site: {"contest_id": site.open.id}),
    Page("participant", "registration.registration", lambda site: {"registration_id": site.registration.id}),
    Page("participant", "registration.withdraw", lambda site: {"registration_id": site.registration.id}),
    Page("participant", "certificates.mine"),
    Page("participant", "contests.detail", lambda site: {"slug": site.open.slug}),
    # A juror.
    Page("juror", "judging.index"),
    Page("juror", "judging.queue", lambda site: {"contest_id": site.judging.id, "round_id": site.judging_round}),
    Page("juror", "judging.sheet", lambda site: {"contest_id": site.judging.id, "round_id": site.judging_round,
                                                 "registration_id": site.judging_entry}),
    Page("juror", "judging.sheet", _sheet),
    Page("juror", "judging.ranking", lambda site: site.ranked),
    Page("juror", "stage_jury.follow", lambda site: {"contest_id": site.judging.id, "round_id": site.judging_round}),
    Page("juror", "auth.account"),
    # The organiser.
    Page("organiser", "contests.manage_list"),
    Page("organiser", "contests.create"),
    Page("organiser", "contests.manage", lambda site: {"contest_id": site.open.id}),
    Page("organiser", "contests.manage", lambda site: {"contest_id": site.judging.id}),
    Page("organiser", "contests.manage", lambda site: {"contest_id": site.published.id}),
    Page("organiser", "contests.edit", lambda site: {"contest_id": site.open.id}),
    Page("organiser", "contests.copy", lambda site: {"contest_id": site.published.id}),
    *(Page("organiser", "contests.add_part", lambda site, part=part: {"contest_id": site.open.id, "part": part})
      for part in ("rounds", "categories", "criteria", "tiers")),
    *(Page("organiser", "contests.edit_part", _part(part)) for part in ("rounds", "categories", "criteria", "tiers")),
    Page("organiser", "registration_manage.index", lambda site: {"contest_id": site.open.id}),
    Page("organiser", "registration_manage.detail", lambda site: {"contest_id": site.open.id,
                                                                  "registration_id": site.registration.id}),
    Page("organiser", "registration_manage.import_upload", lambda site: {"contest_id": site.open.id}),
    Page("organiser", "judging_manage.jury", lambda site: {"contest_id": site.judging.id}),
    Page("organiser", "judging_manage.entry", lambda site: {"contest_id": site.judging.id,
                                                            "registration_id": site.judging_entry}),
    Page("organiser", "judging_manage.matrix", lambda site: {"contest_id": site.judging.id,
                                                             "round_id": site.judging_round}),
    Page("organiser", "judging_manage.order", lambda site: {"contest_id": site.judging.id,
                                                            "round_id": site.judging_round}),
    Page("organiser", "judging_manage.ballots_upload", lambda site: {"contest_id": site.judging.id,
                                                                     "round_id": site.judging_round}),
    Page("organiser", "stage.running_order", lambda site: {"round_id": site.recital.rounds[-1].id}),
    Page("organiser", "stage.control_page", lambda site: {"round_id": site.recital.rounds[-1].id}),
    Page("organiser", "stage.control_page", lambda site: {"round_id": site.judging_round}),
    Page("organiser", "stage.running_order", lambda site: {"round_id": site.judging_round}),
    Page("organiser", "results.standings", lambda site: {"contest_id": site.judging.id}),
    Page("organiser", "results.standings", lambda site: {"contest_id": site.published.id}),
    Page("organiser", "results.agreement", lambda site: {"contest_id": site.published.id}),
    Page("organiser", "results.outside", lambda site: {"contest_id": site.judging.id}),
    Page("organiser", "results.outside", lambda site: {"contest_id": site.published.id}),
    Page("organiser", "certificates.manage", lambda site: {"contest_id": site.published.id}),
    Page("organiser", "certificates.settings", lambda site: {"contest_id": site.published.id}),
    Page("organiser", "certificates.job", lambda site: {"contest_id": site.published.id, "job_id": site.job}),
    Page("organiser", "certificates.revoke", lambda site: {"contest_id": site.published.id,
                                                           "certificate_id": site.certificate.id}),
    Page("organiser", "news.manage"),
    Page("organiser", "news.create"),
    Page("organiser", "news.edit", lambda site: {"post_id": site.draft_post}),
    Page("organiser", "mail.undelivered"),
    Page("organiser", "sharing.snippet"),
    # The administrator.
    Page("admin", "users.index"),
    Page("admin", "site.home"),
    Page("admin", "auth.account"),
]

# GET endpoints that are not HTML pages for a person, or not pages at all.
EXCLUDED = {
    "static": "files: CSS, scripts and fonts",
    "bootstrap.static": "Bootstrap's own CSS and scripts",
    "news.cover": "an image",
    "contests.cover": "an image",
    "site.manifest": "the web app manifest (JSON)",
    "site.choose_language": "a redirect back to the page the visitor was on (the language menu's links)",
    "news.feed": "an Atom feed, not HTML",
    "news.contest_feed": "an Atom feed, not HTML",
    "contests.calendar_feed": "an iCalendar feed, not HTML",
    "contests.contest_calendar": "an iCalendar feed, not HTML",
    "site.sitemap_xml": "the sitemap for search engines (XML)",
    "site.robots_txt": "the rules for crawlers (plain text)",
    "certificates.download": "a PDF",
    "certificates.my_download": "a PDF",
    "certificates.preview": "a PDF",
    "certificates.job_download": "a ZIP or PDF file",
    "certificates.job_progress": "JSON read by the job page's script",
    "judging.entry_file": "an uploaded work (PDF, DOCX, ODT, TXT)",
    "registration.entry_file": "an uploaded work (PDF, DOCX, ODT, TXT)",
    "registration_manage.entry_file": "an uploaded work (PDF, DOCX, ODT, TXT)",
    "registration_manage.export": "a CSV or XLSX file",
    "registration_manage.import_template": "an XLSX file",
    "registration.export_data": "the account's data as JSON",
    "judging_manage.ballots_template": "a CSV file",
    "results.export": "a CSV or XLSX file",
    "results.public_export": "a CSV or XLSX file",
    "results.protocol": "a PDF",
    "ops.healthz": "a JSON answer for load balancers",
    "ops.readyz": "a JSON answer for load balancers",
    "ops.metrics": "Prometheus text for the monitoring server",
    "judging.service_worker": "the jury pages' service worker (a script)",
    "stage.state_json": "JSON read by the audience screen's script (and jurors' phones)",
    "stage.state_events": "server-sent events (text/event-stream) read by the audience screen's script",
    "api.openapi_json": "the public API's OpenAPI description (JSON); its page for people is api.docs",
    **{f"api.{name}": "an operation of the public JSON API (tests/api/)" for name in
       ("contests_list", "contest", "results", "news_list", "news_post", "certificate")},
    "api.unknown": "the public API's answer (a JSON problem) for an address or method it does not serve",
    "sharing.site_card": "a PNG share card",
    "sharing.contest_card": "a PNG share card",
    "sharing.news_card": "a PNG share card",
    "sharing.results_card": "a PNG share card",
    "sharing.result_card": "a PNG share card",
    "stage_jury.performer": "a part of the juror's stage page that its script swaps in (checked within that page)",
}


def _tool_missing(message: str) -> None:
    # In CI a missing tool must fail the run, not quietly skip the checks (tests/ci_skips.py).
    if os.environ.get("CI", "").lower() in {"true", "1", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


def test_every_page_is_checked_or_excluded_with_a_reason(app: Flask):
    pages = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    visited = {page.endpoint for page in PAGES}
    assert sorted(pages - visited - set(EXCLUDED)) == [], "add these pages to PAGES, or to EXCLUDED with a reason"
    assert sorted((visited | set(EXCLUDED)) - pages) == [], "these endpoints no longer exist"
    assert not visited & set(EXCLUDED)
    assert len(PAGES) >= 60


# The site ---------------------------------------------------------------------------------

def _build_site(judging, make_juror, make_post) -> Site:
    load_demo()
    contests = {contest.slug: contest for contest in db.session.scalars(select(Contest))}
    published = contests[AQYNFEST_2022_SLUG]
    scoring = judging(jurors=0, entries=3, title_en="Abai readings", title_kk="Абай оқулары",
                      title_ru="Абаевские чтения")
    juror = find_user_by_email(ACCOUNTS["juror"])
    make_juror(scoring.contest, user=juror)
    ranked = judging(jurors=0, entries=3, title_en="Places", title_kk="Орындар", title_ru="Места")
    ranked.round.scoring, ranked.round.rank_method = "ranks", "borda"
    make_juror(ranked.contest, user=juror)
    parent = find_user_by_email(ACCOUNTS["participant"])
    participants = list(db.session.scalars(select(Participant).where(Participant.account_id == parent.id)))
    registration = db.session.scalars(select(Registration).where(
        Registration.contest_id == contests[AQYNFEST_NEXT_SLUG].id,
        Registration.participant_id.in_([p.id for p in participants]))).first()
    certificates.issue_documents(published, certificates.planned_documents(published))
    certificate = db.session.scalars(select(Certificate).where(Certificate.contest_id == published.id)).first()
    job = CertificateJob(contest_id=published.id, output_format="zip", status=JobStatus.DONE.value, total=3,
                         issued=3, rendered=3, created_at=utcnow(), finished_at=utcnow())
    db.session.add(job)
    db.session.add(OutgoingMail(recipient=ACCOUNTS["participant"], subject="Тіркеу мақұлданды", body="Мәтін",
                                status="failed", attempts=4, error="451 4.3.0 Mail server busy, try again later",
                                created_at=utcnow(), attempted_at=utcnow()))
    sheet = db.session.scalars(select(ScoreSheet).join(ScoreSheet.member).where(
        ScoreSheet.status == "submitted", ScoreSheet.registration.has(contest_id=published.id),
        ScoreSheet.member.has(user_id=juror.id))).first()
    draft = make_post(published_at=None, title_kk="Жаңалық жобасы", body_kk="Мәтін.")
    adjusting.add_adjustment(scoring.contest, scoring.round, registration_id=scoring.entries[0].id,
                             kind="time_overrun", points="-1", reason="Регламенттен 40 секунд асты.",
                             actor=scoring.organiser)
    # The judging contest's round runs live: a performer on stage, the demo juror reminded.
    scoring.round.is_live, scoring.round.time_limit_seconds = True, 180
    control.call_on_stage(scoring.round, None, actor=scoring.organiser)
    control.remind_juror(scoring.round, membership(scoring.contest, juror).id, actor=scoring.organiser)
    db.session.commit()
    return Site(open=contests[AQYNFEST_NEXT_SLUG], published=published, recital=contests[SHAKARIM_SLUG],
                judging=scoring.contest, judging_round=scoring.round.id, judging_entry=scoring.entries[0].id,
                ranked={"contest_id": ranked.contest.id, "round_id": ranked.round.id,
                        "category_id": ranked.contest.categories[0].id},
                submitted_sheet=sheet, participant=participants[0],
                minor=next(p for p in participants if p.guardian_name), registration=registration,
                certificate=certificate, job=job.id, draft_post=draft.id,
                news_slug=db.session.scalars(select(NewsPost.slug).where(NewsPost.published_at.is_not(None))).first(),
                reset_token=make_reset_token(parent))


# The sweep --------------------------------------------------------------------------------

@dataclass
class Finding:
    where: str
    rule: str
    detail: str
    nodes: int = 1

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.detail}" + (f" ({self.nodes} elements)" if self.nodes > 1 else "")


AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.filter(n => ["serious", "critical"].includes(n.impact)).map(n => n.target.join(" "))}));
}"""


# Headings as a screen reader's list presents them: one h1, and no level skipped on the way down.
HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
  .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 40)])"""


# The focused element's outline, and its contrast with the background it is drawn on (the nearest
# ancestor with an opaque background).
FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgba = c => (c.match(/[\d.]+/g) || ["0", "0", "0", "0"]).map(Number);
  const lum = c => rgba(c).slice(0, 3).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  let background = "rgb(255, 255, 255)";
  for (let node = el.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor, parts = rgba(colour);
    if (parts.length < 4 || parts[3] > 0.5) { background = colour; break; }
  }
  const style = getComputedStyle(el);
  const [light, dark] = [lum(style.outlineColor), lum(background)].sort((a, b) => b - a);
  const name = (el.textContent || el.name || "").trim().slice(0, 30);
  return {element: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " + name,
          style: style.outlineStyle, width: parseFloat(style.outlineWidth), contrast: (light + 0.05) / (dark + 0.05)};
}"""
# Pages where the keyboard walks every control (in kk): one per role and the juror's score sheet.
KEYBOARD_PAGES = {"site.home", "registration.dashboard", "judging.sheet", "contests.manage", "users.index"}


def _focus_problems(page, where: str) -> list[Finding]:
    """Tab from the top of the page through every control: each must show a ring at least 2 px
    wide with 3:1 contrast (WCAG 2.4.7 and 1.4.11)."""
    problems, first = [], None
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["element"] == first:
            break
        first = first or focused["element"]
        if focused["style"] == "none" or focused["width"] < 2 or focused["contrast"] < 3:
            problems.append(Finding(where, "focus-visible", f"{focused['element']!r}: outline {focused['style']} "
                                    f"{focused['width']}px, contrast {focused['contrast']:.2f}:1"))
    return problems


def _heading_problems(headings: list[list], where: str) -> list[Finding]:
    problems = []
    if sum(level == 1 for level, _text in headings) != 1:
        problems.append(Finding(where, "one-h1", f"{sum(level == 1 for level, _t in headings)} h1 headings"))
    previous = 0
    for level, text in headings:
        if level > previous + 1:
            problems.append(Finding(where, "heading-order", f"h{previous} then h{level} ({text!r})"))
        previous = level
    return problems


def _sign_in(context, live_server: str, email: str) -> None:
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORDS[email])
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url, f"{email} could not sign in"
    page.close()


def _contexts(browser, live_server: str) -> dict[str, object]:
    """One browser context per role, signed in once; axe is loaded into every page it opens.
    axe goes in as an inline script, which the site's Content-Security-Policy rightly forbids."""
    contexts = {}
    for role in ("public", *ACCOUNTS):
        context = browser.new_context(viewport=VIEWPORTS["desktop"], bypass_csp=True)
        context.add_init_script(path=str(AXE))
        if role != "public":
            _sign_in(context, live_server, ACCOUNTS[role])
        contexts[role] = context
    return contexts


def _axe(page, where: str) -> list[Finding]:
    return [Finding(where, violation["id"], f"{violation['help']} at {', '.join(violation['targets'][:4])}"
                    f"{' …' if len(violation['targets']) > 4 else ''}", len(violation["targets"]))
            for violation in page.evaluate(AXE_RUN, AXE_TAGS) if violation["targets"]]


def _check_page(page, url: str, expected: Page, language: str, where: str) -> tuple[str, list[Finding]]:
    """The page at desktop size, then the same document narrowed to a phone's width (the layout
    follows the width alone, so the page need not load twice)."""
    response = page.goto(url)
    assert response is not None and response.status == expected.status, f"{where}: HTTP {response and response.status}"
    assert page.url == url, f"{where}: sent on to {page.url}"
    html = response.text()
    assert re.search(f'<html lang="{language}"', html), f"{where}: not in {language}"
    findings = _axe(page, f"{where} desktop") + _heading_problems(page.evaluate(HEADINGS), where)
    if language == "kk" and expected.endpoint in KEYBOARD_PAGES:
        findings += _focus_problems(page, where)
    page.set_viewport_size(VIEWPORTS["phone"])
    findings += _axe(page, f"{where} phone")
    page.set_viewport_size(VIEWPORTS["desktop"])
    return html, findings


def _validate(documents: dict[str, str], folder: Path) -> list[Finding]:
    """Every document through the Nu HTML Checker in one Java run; its errors, by page."""
    files = {}
    for number, (where, html) in enumerate(documents.items()):
        path = folder / f"page-{number:04d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.resolve().as_uri().replace("file:///", "file:/")] = where
    command = ["java", "-jar", str(VNU), "--format", "json", "--stdout", *map(str, sorted(folder.glob("*.html")))]
    run = subprocess.run(command,
                         capture_output=True, text=True, timeout=600, check=False)
    messages = json.loads(run.stdout)["messages"]
    return [Finding(files.get(message.get("url", ""), message.get("url", "?")), "html",
                    f"line {message.get('lastLine')}: {message['message']}")
            for message in messages if message["type"] in {"error", "non-document-error"}]


def test_every_page_passes_axe_and_the_nu_checker(app, browser, live_server, judging, make_juror, make_post,
                                                  tmp_path):
    if not AXE.exists() or not VNU.exists():
        _tool_missing("node_modules is missing: run `make node` (npm ci) for axe-core and vnu-jar")
    if shutil.which("java") is None:
        _tool_missing("java is missing: the Nu HTML Checker needs Java 17 or newer")
    site = _build_site(judging, make_juror, make_post)
    with app.test_request_context():
        from flask import url_for
        urls = [(page, url_for(page.endpoint, **page.args(site))) for page in PAGES]
    db.session.commit()  # end the test's read: SQLite lets the server write only then
    contexts = _contexts(browser, live_server)
    documents: dict[str, str] = {}
    findings: list[Finding] = []
    try:
        for language in LANGUAGES:
            # The saved language of an account wins over the cookie: clear it, the cookie decides.
            db.session.execute(update(User).values(preferred_language=None))
            db.session.commit()
            for role, context in contexts.items():
                context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
                page = context.new_page()
                for expected, url in urls:
                    if expected.role == role:
                        where = f"{language} {role} {url}"
                        documents[where], found = _check_page(page, live_server + url, expected, language, where)
                        findings += found
                page.close()
    finally:
        for context in contexts.values():
            context.close()
    errors = _validate(documents, tmp_path)
    ours = [finding for finding in findings if finding.rule in {"one-h1", "heading-order", "focus-visible"}]
    axe = [finding for finding in findings if finding not in ours]
    report = [f"axe: {len(axe)} serious or critical violations ({sum(f.nodes for f in axe)} elements); "
              f"headings and focus: {len(ours)} problems; Nu checker: {len(errors)} errors; on {len(documents)} pages"]
    assert not findings and not errors, "\n".join(report + [str(f) for f in findings + errors])
