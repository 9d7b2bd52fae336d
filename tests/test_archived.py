"""An archived contest is closed: every change to its registrations, jury, scores, results and
certificates is refused by the one guard (contests.services.ensure_not_archived) with the same
message, and nothing is written. One test per mutating route; a last test makes sure the list
covers every mutating route of those pages, so a new route cannot forget the guard unnoticed."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from contest import previews
from contest.auth.models import User
from contest.certificates import services as certificates
from contest.certificates.models import Certificate, CertificateJob, JobStatus
from contest.certificates.pdf import FRAME_STYLES, DocumentKind
from contest.contests.models import Contest
from contest.contests.services import ARCHIVED_MESSAGE
from contest.extensions import db as _db
from contest.judging.models import JuryMember, ScoreSheet
from contest.registration import imports
from contest.registration.models import Registration
from contest.results import adjusting
from contest.results import services as results
from tests.registration.helpers import one_work_entry

EN = {"Accept-Language": "en"}
GUARDED_BLUEPRINTS = {"judging", "judging_manage", "results", "certificates", "registration_manage"}
BALLOTS = "Registration code;Juror's email;Criterion;Points\r\n"


@dataclass
class Archived:
    contest: Contest
    organiser: User
    juror: User
    members: list[JuryMember]
    qualifying: int
    final: int
    criterion: int
    category: int
    scored: Registration  # approved, both jurors' sheets submitted
    other: Registration  # approved, not yet scored by the second juror
    pending: Registration
    sheet: ScoreSheet
    certificate: Certificate
    job: CertificateJob
    teacher: User
    outsider: User  # a juror account not on this jury
    adjustment: int = 0  # a penalty outside the jury in the final
    decision: int = 0  # the jury's ex aequo decision in the final

    @property
    def base(self) -> str:
        return f"/manage/contests/{self.contest.id}"


@pytest.fixture
def archived(make_contest, make_category, make_criterion, make_round, make_award_tier, make_registration,
             make_juror, make_sheet, make_user) -> Archived:
    """A contest that lived its whole life (judged, results published, certificates issued, one
    generation job interrupted) and was then archived."""
    organiser = make_user(role="organiser", name="Айгерім Сәрсенбаева")
    juror = make_user(role="juror", name="Мұхтар Құлжанов")
    contest = make_contest(status="judging")
    category = make_category(contest)
    criterion = make_criterion(contest)
    qualifying = make_round(contest, stage="qualifying", advance_count=1, position=1)
    final = make_round(contest, position=2)
    make_award_tier(contest)
    members = [make_juror(contest, user=juror, is_chair=True), make_juror(contest)]
    scored, other = (make_registration(contest, status="approved") for _ in range(2))
    _db.session.add_all([one_work_entry(scored, title="Дала", text="Кең дала"),
                         one_work_entry(other, title="Тау", text="Биік тау")])
    pending = make_registration(contest, status="pending")
    sheet = make_sheet(members[0], scored, final, points={criterion: 8}, status="submitted")
    make_sheet(members[1], scored, final, points={criterion: 6}, status="submitted")
    make_sheet(members[0], other, final, points={criterion: 5}, status="submitted")
    adjustment = adjusting.add_adjustment(contest, final, registration_id=other.id, kind="late_entry", points="-1",
                                          reason="Sent a day late.", actor=organiser)
    decision = adjusting.decide_ex_aequo(contest, final, category_id=category.id, tier_id=contest.award_tiers[0].id,
                                         codes=f"{scored.code}, {other.code}", skip_next=True,
                                         reason="Equally strong.", actor=organiser)
    results.publish_results(contest, actor=organiser, reason="The second juror fell ill.")
    certificate = certificates.issue_documents(contest, certificates.planned_documents(contest))[0]
    job = CertificateJob(contest_id=contest.id, output_format="zip", status=JobStatus.FAILED.value)
    _db.session.add(job)
    contest.status = "archived"
    teacher = make_user(email="teacher@example.kz")
    _db.session.commit()
    return Archived(contest, organiser, juror, members, qualifying.id, final.id, criterion.id, category.id,
                    scored, other, pending, sheet, certificate, job, teacher, make_user(role="juror"),
                    adjustment.id, decision.id)


def settings_form() -> dict[str, str]:
    form = {"frame_style": next(iter(FRAME_STYLES))}
    for kind in DocumentKind:
        for language in certificates.LANGUAGES:
            form[f"text_{kind.value}_{language}"] = "{name}: {contest}"
    return form


def signed_ballots(a: Archived) -> str:
    data = (BALLOTS + f"{a.other.code};{a.members[1].user.email};1;5\r\n").encode()
    return previews.sign("judging.ballots", {"contest": a.contest.id, "round": a.final, "actor": a.organiser.id,
                                             "filename": "ballots.csv", "data": base64.b64encode(data).decode()})


def signed_pupils(a: Archived) -> str:
    rows = [imports.ImportRow(line=2, values={"surname": "Ахметова", "given_name": "Дана", "birth_date": "01.02.2000"})]
    return imports.sign_rows(a.contest, a.teacher, a.organiser, rows)


def upload(text: str, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(text.encode()), name


# endpoint -> (who acts, the address after the contest's base, the form)
Route = tuple[str, Callable[[Archived], str], Callable[[Archived], dict[str, Any]]]
ROUTES: dict[str, Route] = {
    # The juror's pages
    "judging.sheet": ("juror", lambda a: f"/jury/{a.contest.id}/rounds/{a.qualifying}/entries/{a.other.id}",
                      lambda a: {f"points_{a.criterion}": "9", "version": "0", "action": "submit"}),
    "judging.ranking": ("juror",
                        lambda a: f"/jury/{a.contest.id}/rounds/{a.qualifying}/categories/{a.category}/ranking",
                        lambda a: {f"place_{a.scored.id}": "1", f"place_{a.other.id}": "2", "version": "",
                                   "action": "submit"}),
    "judging.declare_conflict": ("juror",
                                 lambda a: f"/jury/{a.contest.id}/rounds/{a.qualifying}/entries/{a.other.id}/conflict",
                                 lambda a: {"conflict-reason": "My own pupil."}),
    # The jury, assignments, sheets, ballots
    "judging_manage.add": ("organiser", lambda a: f"{a.base}/jury/add", lambda a: {"add-email": a.outsider.email}),
    "judging_manage.invite": ("organiser", lambda a: f"{a.base}/jury/invite",
                              lambda a: {"invite-email": "new@x.kz", "invite-name": "Жаңа Қазы",
                                         "invite-language": "kk"}),
    "judging_manage.set_chair": ("organiser", lambda a: f"{a.base}/jury/members/{a.members[1].id}/chair",
                                 lambda a: {}),
    "judging_manage.set_honorary": ("organiser", lambda a: f"{a.base}/jury/members/{a.members[1].id}/honorary",
                                    lambda a: {"is_honorary": "y"}),
    "judging_manage.set_categories": ("organiser",
                                      lambda a: f"{a.base}/jury/members/{a.members[1].id}/categories",
                                      lambda a: {f"member-{a.members[1].id}-categories": str(a.category)}),
    "judging_manage.remove": ("organiser", lambda a: f"{a.base}/jury/members/{a.members[1].id}/remove",
                              lambda a: {}),
    "judging_manage.assign": ("organiser", lambda a: f"{a.base}/jury/rounds/{a.final}/assign",
                              lambda a: {f"round-{a.final}-per_entry": "1"}),
    "judging_manage.clear": ("organiser", lambda a: f"{a.base}/jury/rounds/{a.final}/clear", lambda a: {}),
    "judging_manage.order": ("organiser", lambda a: f"{a.base}/jury/rounds/{a.final}/order",
                             lambda a: {f"position_{a.scored.id}": "2", f"position_{a.other.id}": "1"}),
    "judging_manage.remind": ("organiser", lambda a: f"{a.base}/jury/rounds/{a.final}/remind", lambda a: {}),
    "judging_manage.recuse": ("organiser", lambda a: f"{a.base}/jury/entries/{a.other.id}/recuse",
                              lambda a: {"recuse-member": str(a.members[1].id), "recuse-reason": "A relative."}),
    "judging_manage.reopen": ("organiser", lambda a: f"{a.base}/jury/sheets/{a.sheet.id}/reopen",
                              lambda a: {f"sheet-{a.sheet.id}-reason": "A typo in the points."}),
    "judging_manage.ballots_upload": ("organiser", lambda a: f"{a.base}/jury/rounds/{a.final}/ballots",
                                      lambda a: {"file": upload(BALLOTS + f"{a.other.code};"
                                                                f"{a.members[1].user.email};1;5\r\n", "b.csv")}),
    "judging_manage.ballots_confirm": ("organiser", lambda a: f"{a.base}/jury/rounds/{a.final}/ballots/confirm",
                                       lambda a: {"payload": signed_ballots(a)}),
    # Results
    "results.advance": ("organiser", lambda a: f"{a.base}/results/advance?round={a.qualifying}", lambda a: {}),
    "results.publish": ("organiser", lambda a: f"{a.base}/results/publish", lambda a: {"reason": "Again."}),
    "results.unpublish": ("organiser", lambda a: f"{a.base}/results/unpublish",
                          lambda a: {"reason": "A score was typed wrong."}),
    "results.add_adjustment": ("organiser", lambda a: f"{a.base}/results/adjustments?round={a.final}",
                               lambda a: {"registration": str(a.scored.id), "kind": "time_overrun", "points": "-1",
                                          "reason": "Over time."}),
    "results.remove_adjustment": ("organiser",
                                  lambda a: f"{a.base}/results/adjustments/{a.adjustment}/remove?round={a.final}",
                                  lambda a: {}),
    "results.add_ex_aequo": ("organiser", lambda a: f"{a.base}/results/ex-aequo?round={a.final}",
                             lambda a: {"decision-category": str(a.category),
                                        "decision-tier": str(a.contest.award_tiers[0].id),
                                        "decision-codes": f"{a.scored.code}, {a.other.code}",
                                        "decision-next_tier": "award", "decision-reason": "Again."}),
    "results.remove_ex_aequo": ("organiser",
                                lambda a: f"{a.base}/results/ex-aequo/{a.decision}/remove?round={a.final}",
                                lambda a: {}),
    # Certificates
    "certificates.issue": ("organiser", lambda a: f"{a.base}/certificates/issue", lambda a: {"output_format": "zip"}),
    "certificates.job_resume": ("organiser", lambda a: f"{a.base}/certificates/jobs/{a.job.id}/resume",
                                lambda a: {}),
    "certificates.revoke": ("organiser", lambda a: f"{a.base}/certificates/{a.certificate.id}/revoke",
                            lambda a: {"reason": "Printed with a typo."}),
    "certificates.settings": ("organiser", lambda a: f"{a.base}/certificates/settings", lambda a: settings_form()),
    # Registrations
    "registration_manage.approve": ("organiser", lambda a: f"{a.base}/registrations/{a.pending.id}/approve",
                                    lambda a: {}),
    "registration_manage.reject": ("organiser", lambda a: f"{a.base}/registrations/{a.scored.id}/reject",
                                   lambda a: {"reason": "Not an original poem."}),
    "registration_manage.approve_selected": ("organiser", lambda a: f"{a.base}/registrations/approve",
                                             lambda a: {"ids": str(a.pending.id)}),
    "registration_manage.import_upload": ("organiser", lambda a: f"{a.base}/registrations/import",
                                          lambda a: {"teacher_email": a.teacher.email,
                                                     "file": upload("Surname;Given name\r\nАхметова;Дана\r\n",
                                                                    "pupils.csv")}),
    "registration_manage.import_confirm": ("organiser", lambda a: f"{a.base}/registrations/import/confirm",
                                           lambda a: {"payload": signed_pupils(a)}),
    "registration_manage.allow_incomplete": ("organiser",
                                             lambda a: f"{a.base}/registrations/{a.scored.id}/allow-incomplete",
                                             lambda a: {"override_reason": "Sent on paper."}),
    "registration_manage.change_category": ("organiser", lambda a: f"{a.base}/registrations/{a.pending.id}/category",
                                            lambda a: {"category_id": a.category}),
}


def stored_rows() -> dict[str, list[tuple]]:
    """Every row of every table: "nothing written" means this does not change."""
    # Read through the test's own session: on SQLite a second connection would wait for the
    # write lock that the session's open transaction holds.
    return {table.name: sorted(map(repr, _db.session.execute(select(table)).all()))
            for table in _db.metadata.sorted_tables}


def places_in_qualifying(a: Archived) -> None:
    """The ranking page exists only for a round scored by places."""
    round_ = next(item for item in a.contest.rounds if item.id == a.qualifying)
    round_.scoring, round_.rank_method = "ranks", "rank_sum"
    _db.session.commit()


# What a route needs of the contest before it can be tried (done before "nothing written" is noted).
PREPARE: dict[str, Callable[[Archived], None]] = {"judging.ranking": places_in_qualifying}


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_every_change_to_an_archived_contest_is_refused_and_writes_nothing(client, login_as, archived, endpoint):
    who, address, form = ROUTES[endpoint]
    PREPARE.get(endpoint, lambda a: None)(archived)
    login_as(user=archived.juror if who == "juror" else archived.organiser)
    before = stored_rows()
    response = client.post_form(address(archived), form(archived), headers=EN, follow_redirects=True,
                                content_type="multipart/form-data")
    assert response.status_code in (200, 422), response.status_code
    assert str(ARCHIVED_MESSAGE) in response.get_data(as_text=True)
    assert stored_rows() == before


def test_the_list_covers_every_mutating_route_of_those_pages(app):
    mutating = {rule.endpoint for rule in app.url_map.iter_rules()
                if rule.endpoint.split(".")[0] in GUARDED_BLUEPRINTS and "POST" in (rule.methods or ())}
    assert mutating == set(ROUTES)


@pytest.mark.parametrize("action", ["add", "edit", "delete"])
def test_the_setup_of_an_archived_contest_is_closed_by_the_same_guard(client, login_as, archived, action):
    login_as(user=archived.organiser)
    base = f"{archived.base}/categories"
    address = {"add": f"{base}/new", "edit": f"{base}/{archived.category}",
               "delete": f"{base}/{archived.category}/delete"}[action]
    before = stored_rows()
    response = client.post_form(address, {"name_en": "Renamed", "position": "1"}, headers=EN, follow_redirects=True)
    assert str(ARCHIVED_MESSAGE) in response.get_data(as_text=True)
    assert stored_rows() == before


def test_the_certificates_pages_say_the_contest_is_archived_and_offer_no_issuing(client, login_as, archived):
    login_as(user=archived.organiser)
    for address in (archived.base, f"{archived.base}/certificates"):
        body = client.get(address, headers=EN).get_data(as_text=True)
        assert str(ARCHIVED_MESSAGE) in body and "issued once the results are published" not in body, address
    assert "Issue all documents" not in body
