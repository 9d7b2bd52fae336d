"""The standings page's warnings about suspicious sheets (word for word, with links to the sheets,
no extra query) and the agreement page's method for incomplete rankings."""

from __future__ import annotations

import html
import io

from pypdf import PdfReader
from sqlalchemy import select

from contest.extensions import db
from contest.judging.models import Score, ScoreSheet
from contest.results import checks

EN = {"Accept-Language": "en"}
KK = {"Accept-Language": "kk"}


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def sheet_of(member, registration) -> ScoreSheet:
    return db.session.scalars(select(ScoreSheet).where(ScoreSheet.member_id == member.id,
                                                       ScoreSheet.registration_id == registration.id)).one()


def suspicious(j):
    """Juror 3 gives A2 nothing (the others gave it 17); jurors 1 and 2 stay identical on A1-A4;
    juror 2 registered A1 and juror 1 is A3's teacher."""
    for score in sheet_of(j.jurors[2], j.registrations[1]).scores:
        score.points = 0
    j.registrations[0].registered_by_id = j.jurors[1].user_id
    j.registrations[2].participant.teacher = j.jurors[0].user.name
    db.session.commit()


def test_the_standings_page_explains_each_warning_and_links_to_the_sheets(db, judged, login_as, client):
    j = judged()
    suspicious(j)
    login_as("organiser")
    body = text(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    first, second, third = (member.user.name for member in j.jurors)
    a1, a2, a3 = (registration.code for registration in j.registrations[:3])
    assert "Sheets worth checking" in body
    assert ("Before publishing, check these score sheets. A warning blocks nothing: "
            "each may have a good explanation.") in body
    assert (f"{first} and {second} gave nearly the same totals to all 4 entries they both scored: never more "
            "than 0.00 apart (1% of the maximum total is 0.20). Is one sheet copied from the other, or typed in "
            "twice?") in body
    assert (f"{second} scored {a1}, which they registered themselves: is it their pupil's? "
            "If so, recuse them from the entry.") in body
    assert (f"{first} scored {a3}, whose teacher is given as “{first}”: is it their pupil's? "
            "If so, recuse them from the entry.") in body
    assert (f"{third} gave {a2} 0.00, while the other jurors gave it from 17.00 to 17.00: more than 5.00 "
            "(a quarter of the maximum total) outside their range.") in body
    round_id = j.contest.rounds[0].id
    entry = f"/manage/contests/{j.contest.id}/jury/entries"
    assert f'href="{entry}/{j.registrations[1].id}#sheet-{j.jurors[2].id}-{round_id}">{a2} · {third}</a>' in body
    # The near-identical pair links both jurors' sheets of each shared entry.
    assert body.count(f"{entry}/{j.registrations[3].id}#sheet-") == 2
    # The anchor is there on the entry's page.
    page = text(client.get(f"{entry}/{j.registrations[1].id}", headers=EN))
    assert f'id="sheet-{j.jurors[2].id}-{round_id}"' in page
    # Publishing is not blocked.
    assert f'action="/manage/contests/{j.contest.id}/results/publish"' in body


def test_warnings_are_in_the_readers_language(db, judged, login_as, client):
    j = judged()
    suspicious(j)
    login_as("organiser")
    body = text(client.get(f"/manage/contests/{j.contest.id}/results", headers=KK))
    assert "Тексеруді қажет ететін парақтар" in body
    assert f"Қазы: {j.jurors[2].user.name}. Жұмыс: {j.registrations[1].code}. Оның қорытынды ұпайы: 0,00" in body


def test_a_panel_without_anything_suspicious_says_so(db, judged, login_as, client):
    j = judged(entries_a=3, entries_b=2)  # three shared entries are too few to call sheets identical
    login_as("organiser")
    body = text(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert ("No sheet looks suspicious: no near-identical sheets, no juror without spread or with every total at "
            "the maximum, no juror scoring their own pupil, no total far outside the other jurors'.") in body


def test_a_juror_sheet_set_lists_twelve_sheets_then_counts_the_rest(db, judged, login_as, client):
    j = judged(entries_a=14, entries_b=0)
    for registration in j.registrations:
        for score in sheet_of(j.jurors[0], registration).scores:
            score.points = 5
    db.session.commit()
    login_as("organiser")
    body = text(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert (f"{j.jurors[0].user.name} gave the same total, 10.00, to every entry they scored (14): "
            "their sheets do not tell the entries apart.") in body
    assert ", and 2 more sheets</span>" in body


def test_warnings_cost_no_query(db, judged, login_as, client, count_queries):
    j = judged()
    login_as("organiser")
    counts = []
    for change in (lambda: None, lambda: suspicious(j)):
        change()
        with count_queries() as log:
            assert client.get(f"/manage/contests/{j.contest.id}/results").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1]


def test_a_warning_blocks_no_publishing(db, judged, login_as, client):
    j = judged()
    suspicious(j)
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{j.contest.id}/results/publish", {}, headers=EN)
    assert response.status_code == 302


def test_the_agreement_page_names_the_method_when_a_juror_abstained(db, judged, login_as, client):
    j = judged()
    sheet_of(j.jurors[2], j.registrations[3]).status = "draft"
    db.session.commit()
    login_as("organiser")
    body = text(client.get(f"/manage/contests/{j.contest.id}/results/agreement", headers=EN))
    assert ("Not every juror scored every entry (1 of 4 entries), so Kendall's W, which needs complete rankings, "
            "is not computed. Method for incomplete rankings: the mean pairwise Spearman correlation, 1.000, over "
            "3 pairs of jurors (of 3), each pair on the entries both scored.") in body
    # Seniors: two entries everyone scored, W as before.
    assert "Kendall's W = 1.000 over 2 entries and 3 jurors" in body


def test_the_agreement_page_says_when_no_pair_can_be_compared(db, judged, login_as, client):
    j = judged(entries_a=3, entries_b=0)
    sheet_of(j.jurors[2], j.registrations[2]).status = "draft"
    db.session.execute(Score.__table__.delete().where(Score.sheet_id == sheet_of(j.jurors[1], j.registrations[2]).id))
    db.session.commit()
    login_as("organiser")
    body = text(client.get(f"/manage/contests/{j.contest.id}/results/agreement", headers=EN))
    assert ("Not every juror scored every entry, and no two jurors share three entries with some spread on them: "
            "the agreement cannot be computed.") in body


def test_a_category_lists_so_many_warnings_then_counts_the_rest(db, judged, login_as, client, monkeypatch):
    monkeypatch.setattr(checks, "WARNINGS_LISTED", 2)
    j = judged()
    suspicious(j)  # four warnings in Juniors
    login_as("organiser")
    body = text(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert body.count('class="alert alert-warning"') == 2
    assert "And 2 more warnings in this category." in body


def protocol_text(client, contest, language="en") -> str:
    data = client.get(f"/manage/contests/{contest.id}/results/protocol-{language}.pdf").data
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_protocol_states_the_agreement_and_its_method(db, judged, login_as, client):
    j = judged()
    sheet_of(j.jurors[2], j.registrations[3]).status = "draft"  # an abstention in Juniors
    db.session.commit()
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{j.contest.id}/results/publish",
                                {"reason": "Juror 3 abstained on A4"}, headers=EN)
    assert response.status_code == 302
    text = protocol_text(client, j.contest)
    assert ("Jury agreement: Not every juror scored every entry (1 of 4 entries), so Kendall's W, which needs "
            "complete rankings, is not computed. Method for incomplete rankings: the mean pairwise Spearman "
            "correlation, 1.000, over 3 pairs of jurors (of 3), each pair on the entries both scored.") in text
    assert "Jury agreement: Kendall's W = 1.000 over 2 entries and 3 jurors; chi-square 3.00, p = 0.0833." in text
    assert "Спирменнің жұптық корреляцияларының орташасы: 1,000" in protocol_text(client, j.contest, "kk")
