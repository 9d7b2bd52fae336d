"""The public contest page names the winners with their award once results are published, read
from the snapshot and as consent stands now, in a number of queries that does not grow."""

from __future__ import annotations

from contest.db import utcnow

EN = {"Accept-Language": "en"}


def publish(client, contest):
    return client.post_form(f"/manage/contests/{contest.id}/results/publish", {}, headers=EN)


def winners_section(body: str) -> str:
    start = body.index('id="contest-results-heading"')
    return body[start:body.index("</section>", start)]


def test_contest_page_lists_the_winners_with_their_award(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    client.post_form("/logout")
    section = winners_section(client.get(f"/contests/{j.contest.slug}", headers=EN).get_data(as_text=True))
    assert "First degree" in section and "Second degree" in section
    assert "Juniors1 Aruzhan" in section and "Juniors2 Aruzhan" in section and "Seniors1 Aruzhan" in section
    # Places without an award stay on the results page only.
    assert "Juniors4" not in section and "places: 4" in section


def test_a_winner_whose_consent_is_withdrawn_is_shown_by_code(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    winner = j.registrations[0]
    winner.participant.birth_date = winner.participant.birth_date.replace(year=utcnow().year - 12)
    winner.participant.consent_at = winner.participant.consent_withdrawn_at = utcnow()
    db.session.commit()
    section = winners_section(client.get(f"/contests/{j.contest.slug}", headers=EN).get_data(as_text=True))
    assert "Juniors1 Aruzhan" not in section and winner.code in section


def test_nothing_is_shown_before_publishing(db, judged, client):
    j = judged()
    body = client.get(f"/contests/{j.contest.slug}", headers=EN).get_data(as_text=True)
    assert 'id="contest-results-heading"' not in body and "Juniors1 Aruzhan" not in body


def test_contest_page_runs_the_same_number_of_queries_for_any_field(db, judged, login_as, client, count_queries):
    login_as("organiser")
    counts = []
    for size in (2, 9):
        j = judged(entries_a=size, entries_b=size)
        publish(client, j.contest)
        with count_queries() as log:
            assert client.get(f"/contests/{j.contest.slug}").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1]
