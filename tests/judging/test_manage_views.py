"""The organisers' jury pages over HTTP: the jury, assignment, the live order, the progress
matrix (constant queries), reminders, reopening, recusal, an entry's history, paper ballots."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from contest.judging import services
from contest.judging.models import AssignmentPlan, Conflict, JuryMember, PerformanceSlot, Score, ScoreSheet
from tests.conftest import mail_body


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def base(j) -> str:
    return f"/manage/contests/{j.contest.id}/jury"


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def managed(judging, login_as):
    """A contest being judged, signed in as its organiser."""
    j = judging()
    login_as(user=j.organiser)
    return j


def submit(j, member, entry, *values):
    services.save_sheet(member, entry, j.round, j.points(*(values or (5, 5))), version=0, submit=True,
                        actor=member.user)


# The jury ------------------------------------------------------------------------------------------

def test_the_contest_page_links_to_the_jury_and_the_matrix(client, managed):
    page = client.get(f"/manage/contests/{managed.contest.id}").get_data(as_text=True)
    assert "2 jurors" in page
    assert f'href="{base(managed)}/"' in page
    assert f'href="{base(managed)}/rounds/{managed.round.id}/progress"' in page


def test_adding_an_existing_juror_by_email(client, db, managed, make_user):
    make_user(email="poet@example.kz", name="Olzhas Bekov", role="juror")
    make_user(email="parent@example.kz", role="participant")
    response = client.post_form(f"{base(managed)}/add", {"add-email": "Poet@Example.kz", "add-is_chair": "y"})
    assert response.status_code == 302
    member = db.session.scalar(select(JuryMember).join(JuryMember.user).where(JuryMember.is_chair.is_(True)))
    assert member.user.name == "Olzhas Bekov"
    for email, message in [("nobody@example.kz", "There is no account with this email. Invite the juror instead."),
                           ("parent@example.kz", "Only a juror account can sit on a jury"),
                           ("poet@example.kz", "Olzhas Bekov is already on this jury.")]:
        response = client.post_form(f"{base(managed)}/add", {"add-email": email})
        assert response.status_code == 422 and message in response.get_data(as_text=True), email
    assert count(db, JuryMember) == 3


def test_inviting_a_juror_creates_the_account_and_emails_a_link(client, db, managed, mailbox):
    response = client.post_form(f"{base(managed)}/invite", {
        "invite-name": "Mukhtar Auezov", "invite-email": "mukhtar@example.kz", "invite-language": "ru"})
    assert response.status_code == 302
    page = client.get(base(managed) + "/").get_data(as_text=True)
    assert "Mukhtar Auezov has joined the jury; an invitation has been emailed to mukhtar@example.kz." in page
    (message,) = mailbox
    assert message["To"] == "mukhtar@example.kz" and "/reset/" in mail_body(message)
    response = client.post_form(f"{base(managed)}/invite", {"invite-name": "", "invite-email": "x"})
    assert response.status_code == 422 and "Enter an email address." in response.get_data(as_text=True)


def test_chair_honorary_categories_and_removal(client, db, managed, make_category):
    j = managed
    first, second = j.jurors
    extra = make_category(j.contest, name_en="Seniors")
    assert client.post_form(f"{base(j)}/members/{second.id}/chair").status_code == 302
    assert client.post_form(f"{base(j)}/members/{first.id}/honorary", {"is_honorary": "y"}).status_code == 302
    assert client.post_form(f"{base(j)}/members/{first.id}/categories",
                            {f"member-{first.id}-categories": str(extra.id)}).status_code == 302
    db.session.expire_all()
    assert second.is_chair and first.is_honorary and [c.id for c in first.categories] == [extra.id]
    page = client.get(base(j) + "/").get_data(as_text=True)
    assert "Honorary member" in page and "Chair" in page

    submit(j, second, j.entries[0])
    db.session.commit()
    response = client.post_form(f"{base(j)}/members/{second.id}/remove")
    assert response.status_code == 422 and "has already scored entries" in response.get_data(as_text=True)
    assert client.post_form(f"{base(j)}/members/{first.id}/remove").status_code == 302
    assert count(db, JuryMember) == 1


def test_automatic_assignment_and_clearing(client, db, managed):
    j = managed
    url = f"{base(j)}/rounds/{j.round.id}"
    response = client.post_form(url + "/assign", {f"round-{j.round.id}-per_entry": "0"})
    assert response.status_code == 422 and "From 1 to 100." in response.get_data(as_text=True)
    response = client.post_form(url + "/assign", {f"round-{j.round.id}-per_entry": "3"})
    assert response.status_code == 422 and "The jury has only 2 members whose scores count." in response.get_data(
        as_text=True)
    assert count(db, AssignmentPlan) == 0
    response = client.post_form(url + "/assign", {f"round-{j.round.id}-per_entry": "1"})
    assert response.status_code == 302
    assert "1 jurors per entry, 1 to 2 entries per juror" in client.get(base(j) + "/").get_data(as_text=True)
    assert client.post_form(url + "/clear").status_code == 302
    assert count(db, AssignmentPlan) == 0


def test_the_performance_order(client, db, managed):
    j = managed
    url = f"{base(j)}/rounds/{j.round.id}/order"
    first, second, third = j.entries
    assert client.post_form(url, {"move": f"{first.id}:down"}).status_code == 302
    slots = db.session.scalars(select(PerformanceSlot).order_by(PerformanceSlot.position)).all()
    assert [slot.registration_id for slot in slots] == [second.id, first.id, third.id]
    numbers = {f"position_{third.id}": "1", f"position_{second.id}": "2", f"position_{first.id}": "3"}
    assert client.post_form(url, numbers).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert page.index(third.code) < page.index(second.code) < page.index(first.code)
    response = client.post_form(url, {**numbers, f"position_{first.id}": "last"})
    assert response.status_code == 422 and f"Give every entry a whole number from 1 on ({first.code})." in \
        response.get_data(as_text=True)


# Progress, reminders ---------------------------------------------------------------------------------

def test_the_matrix_shows_each_state_in_words(client, db, managed, make_sheet):
    j = managed
    submit(j, j.jurors[0], j.entries[0])
    make_sheet(j.jurors[0], j.entries[1], points={j.criteria[0]: 4})
    services.declare_conflict(j.jurors[1], j.entries[2], reason="Relative", actor=j.jurors[1].user)
    db.session.commit()
    page = client.get(f"{base(j)}/rounds/{j.round.id}/progress").get_data(as_text=True)
    for label in ("Submitted", "Draft", "Missing", "Conflict of interest"):
        assert f'<span class="visually-hidden">{label}</span>' in page
    assert "Submitted: <strong>1</strong>" in page and "Missing: <strong>3</strong>" in page
    assert 'class="table-responsive-sm matrix-scroll"' in page


def matrix_queries(client, count_queries, judging, make_sheet, login_as, jurors, entries) -> int:
    j = judging(jurors=jurors, entries=entries)
    for member in j.jurors[:2]:
        make_sheet(member, j.entries[0], points={j.criteria[0]: 5}, status="draft")
    login_as(user=j.organiser)
    url = f"{base(j)}/rounds/{j.round.id}/progress"
    client.get(url)  # warm up (the CSRF token, caches)
    with count_queries() as log:
        assert client.get(url).status_code == 200
    return log.count


def test_the_matrix_runs_a_constant_number_of_queries(client, count_queries, judging, make_sheet, login_as):
    small = matrix_queries(client, count_queries, judging, make_sheet, login_as, 3, 10)
    large = matrix_queries(client, count_queries, judging, make_sheet, login_as, 6, 40)
    assert small == large <= 15  # one more since entries hold works


def test_reminders_are_emailed_to_jurors_with_missing_sheets(client, db, managed, mailbox):
    j = managed
    for entry in j.entries:
        submit(j, j.jurors[0], entry)
    db.session.commit()
    response = client.post_form(f"{base(j)}/rounds/{j.round.id}/remind")
    assert response.status_code == 302
    assert [message["To"] for message in mailbox] == [j.jurors[1].user.email]
    assert f"/jury/{j.contest.id}/rounds/{j.round.id}" in mail_body(mailbox[0])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A reminder has been emailed to 1 juror." in page


# One entry: reopen, recuse, history ---------------------------------------------------------------------

def test_reopen_recuse_and_history(client, db, managed):
    j = managed
    member, entry = j.jurors[0], j.entries[0]
    services.save_sheet(member, entry, j.round, j.points(6, 6), version=0, actor=member.user)
    services.save_sheet(member, entry, j.round, j.points(7, "6.5"), version=1, submit=True, actor=member.user)
    db.session.commit()
    sheet = services.sheet_for(member, entry, j.round)
    url = f"{base(j)}/entries/{entry.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Score sheet submitted" in page and "6 → 7" in page and "6 → 6.5" in page and "— → 6" in page

    response = client.post_form(f"{base(j)}/sheets/{sheet.id}/reopen", {f"sheet-{sheet.id}-reason": ""})
    assert response.status_code == 422 and "Give the reason." in response.get_data(as_text=True)
    db.session.expire_all()
    assert services.sheet_for(member, entry, j.round).status == "submitted"
    response = client.post_form(f"{base(j)}/sheets/{sheet.id}/reopen", {f"sheet-{sheet.id}-reason": "Typo in Form"})
    assert response.status_code == 302
    db.session.expire_all()
    assert services.sheet_for(member, entry, j.round).status == "draft"

    response = client.post_form(url + "/recuse", {"recuse-member": str(j.jurors[1].id), "recuse-reason": ""})
    assert response.status_code == 422 and count(db, Conflict) == 0
    response = client.post_form(url + "/recuse", {"recuse-member": str(j.jurors[1].id),
                                                  "recuse-reason": "Teaches at the author's school"})
    assert response.status_code == 302 and count(db, Conflict) == 1
    page = client.get(url).get_data(as_text=True)
    assert "Score sheet reopened" in page and "Reason: Typo in Form" in page
    assert "Juror recused by an organiser" in page and "Teaches at the author&#39;s school" in page


def test_an_entry_or_sheet_of_another_contest_is_not_found(client, db, managed, judging, make_sheet):
    other = judging()
    sheet = make_sheet(other.jurors[0], other.entries[0], status="submitted")
    assert client.get(f"{base(managed)}/entries/{other.entries[0].id}").status_code == 404
    assert client.post_form(f"{base(managed)}/sheets/{sheet.id}/reopen",
                            {f"sheet-{sheet.id}-reason": "x"}).status_code == 404
    assert client.post_form(f"{base(managed)}/members/{other.jurors[0].id}/remove").status_code == 404


# Paper ballots -----------------------------------------------------------------------------------------

def ballot(j, *rows) -> bytes:
    lines = ["Registration code;Juror's email;Criterion;Points", *(";".join(map(str, row)) for row in rows)]
    return "\n".join(lines).encode()


def upload(client, j, data: bytes, name="ballots.csv"):
    from io import BytesIO

    return client.post_form(f"{base(j)}/rounds/{j.round.id}/ballots", {"file": (BytesIO(data), name)},
                            content_type="multipart/form-data")


def test_paper_ballots_preview_then_confirm(client, db, managed):
    j = managed
    email = j.jurors[0].user.email
    data = ballot(j, (j.entries[0].code, email, "Content", 8), (j.entries[0].code, email, "Form", "7,5"))
    response = upload(client, j, data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "All 2 rows are correct: 1 score sheets. Nothing has been saved yet." in page
    assert count(db, ScoreSheet) == 0
    token = page.split('name="payload" type="hidden" value="')[1].split('"')[0]
    response = client.post_form(f"{base(j)}/rounds/{j.round.id}/ballots/confirm", {"payload": token})
    assert response.status_code == 302
    sheet = db.session.scalar(select(ScoreSheet))
    assert (sheet.status, sheet.source) == ("submitted", "paper")
    assert count(db, Score) == 2
    # The same file again: the sheet is submitted now, so the whole import is refused.
    response = client.post_form(f"{base(j)}/rounds/{j.round.id}/ballots/confirm", {"payload": token})
    assert response.status_code == 422 and "has already submitted a sheet" in response.get_data(as_text=True)
    # A forged payload is refused.
    response = client.post_form(f"{base(j)}/rounds/{j.round.id}/ballots/confirm", {"payload": token[:-3] + "abc"})
    assert response.status_code == 302 and count(db, ScoreSheet) == 1


def test_paper_ballots_with_errors_are_reported_row_by_row_and_nothing_is_written(client, db, managed):
    j = managed
    email = j.jurors[0].user.email
    data = ballot(j, (j.entries[0].code, email, "Content", 11), (j.entries[0].code, email, "Form", 5),
                  ("NOPE-0001", email, "Content", 5))
    response = upload(client, j, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<td>2</td><td>At most 10 points for “Content”.</td>" in page
    assert "<td>4</td><td>There is no registration NOPE-0001 in this contest.</td>" in page
    assert "Nothing has been saved" in page and 'name="payload"' not in page
    assert count(db, ScoreSheet) == 0
    response = upload(client, j, b"\x00\xff garbage", name="ballots.xlsx")
    assert response.status_code == 422 and "This file cannot be read" in response.get_data(as_text=True)


def test_the_ballot_page_documents_the_columns_and_offers_a_template(client, managed):
    j = managed
    page = client.get(f"{base(j)}/rounds/{j.round.id}/ballots").get_data(as_text=True)
    for column in ("Registration code", "Juror's email", "Criterion", "Points"):
        assert column in page
    template = client.get(f"{base(j)}/ballots/template.csv")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    assert template.get_data(as_text=True).startswith("\ufeffRegistration code;Juror's email;Criterion;Points")
