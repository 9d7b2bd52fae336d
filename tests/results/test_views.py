"""Results pages: organisers' standings and publishing, the public page (snapshot, consent,
no contacts, caching) and the exports."""

from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from contest.db import utcnow
from contest.judging.models import Score
from contest.results import services
from contest.results.models import ResultSnapshot

EN = {"Accept-Language": "en"}


def page(response) -> str:
    return response.get_data(as_text=True)


def publish(client, contest, **data):
    return client.post_form(f"/manage/contests/{contest.id}/results/publish", data, headers=EN)


def test_standings_page_shows_places_names_totals_and_how_decided(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    body = page(client.get(f"/manage/contests/{j.contest.id}/results", headers=EN))
    assert "Juniors1 Aruzhan" in body and "19.00" in body and "by the total" in body
    assert "First degree" in body


def test_standings_page_runs_the_same_number_of_queries_for_any_field(db, judged, login_as, client,
                                                                      count_queries):
    login_as("organiser")
    counts = []
    for size in (2, 10):
        j = judged(entries_a=size, entries_b=size)
        with count_queries() as log:
            assert client.get(f"/manage/contests/{j.contest.id}/results").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1]


def test_jurors_and_participants_cannot_open_the_standings(db, judged, login_as, client):
    j = judged()
    for role in ("juror", "participant"):
        login_as(role)
        assert client.get(f"/manage/contests/{j.contest.id}/results").status_code == 403
        assert publish(client, j.contest).status_code == 403
    assert j.contest.status == "judging"


def test_publishing_with_missing_sheets_lists_them_and_needs_a_reason(db, judged, login_as, client):
    j = judged(submit_all=False)
    login_as("organiser")
    response = publish(client, j.contest)
    assert response.status_code == 422
    body = page(response)
    assert "These score sheets are missing or not submitted" in body
    assert j.registrations[0].code in body and j.jurors[-1].name in body
    assert db.session.scalar(select(ResultSnapshot)) is None
    response = publish(client, j.contest, reason="Juror ill, chair decided.")
    assert response.status_code == 302
    db.session.refresh(j.contest)
    assert j.contest.status == "results_published"


def test_prizes_above_the_fund_show_a_message_and_change_nothing(db, judged, login_as, client):
    j = judged(prize_fund=100_000)
    login_as("organiser")
    response = publish(client, j.contest)
    assert response.status_code == 422 and "more than the prize fund" in page(response)
    db.session.refresh(j.contest)
    assert j.contest.status == "judging"


def test_unpublishing_needs_a_reason(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    url = f"/manage/contests/{j.contest.id}/results/unpublish"
    response = client.post_form(url, {"reason": ""}, headers=EN)
    assert response.status_code == 422 and "This field is required" in page(response)
    assert client.post_form(url, {"reason": "Wrong score"}).status_code == 302
    assert client.get(f"/contests/{j.contest.slug}/results").status_code == 404


def test_public_page_shows_the_snapshot_with_consent_and_without_contacts(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    client.post_form("/logout")
    body = page(client.get(f"/contests/{j.contest.slug}/results?criteria=1", headers=EN))
    assert "Juniors1 Aruzhan" in body and "First degree" in body and "Almaly" in body and "Teacher T." in body
    hidden = j.registrations[2]
    assert hidden.participant.surname not in body and f"Participant {hidden.code}" in body
    for contact in ("+7 777 123 45 67", "Guardian", hidden.participant.account.email, "2000-01-01"):
        assert contact not in body
    assert "csrf_token" not in body
    assert "Content" in body  # the per-criterion breakdown


def test_a_consent_withdrawn_after_publishing_hides_the_name_at_once(app, db, judged, login_as, client):
    from contest.registration.services import withdraw_consent

    j = judged()
    child = j.registrations[0]
    child.participant.consent_at, child.participant.consent_version = utcnow(), "test"  # a guardian's yes
    db.session.commit()
    login_as("organiser")
    publish(client, j.contest)
    client.post_form("/logout")
    client.get("/")
    url = f"/contests/{j.contest.slug}/results"
    first = client.get(url, headers=EN)
    assert "Juniors1 Aruzhan" in page(first)
    withdraw_consent(child.participant, actor=child.participant.account)
    db.session.commit()
    again = client.get(url, headers={**EN, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200  # the old copy no longer matches
    assert "Juniors1 Aruzhan" not in page(again) and f"Participant {child.code}" in page(again)
    export = client.get(f"{url}.csv").get_data(as_text=True)
    assert "Juniors1 Aruzhan" not in export and child.code in export


def test_public_page_is_frozen_against_later_score_changes(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    before = page(client.get(f"/contests/{j.contest.slug}/results?lang=en"))
    for score in db.session.scalars(select(Score)):
        score.points = Decimal(1)
    db.session.commit()
    services_page = page(client.get(f"/contests/{j.contest.slug}/results?lang=en&criteria=1"))
    assert "19.00" in before and "19.00" in services_page


def test_public_page_is_cached_with_an_etag(db, judged, login_as, client, count_queries):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    client.post_form("/logout")
    client.get("/")  # shows (and so clears) the "signed out" message: a waiting message is never cached
    url = f"/contests/{j.contest.slug}/results?lang=ru"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    assert "X-Accel-Expires" not in first.headers  # nginx keeps no copy: a withdrawn consent shows at once
    assert 'lang="ru"' in page(first)
    etag = first.headers["ETag"]
    with count_queries() as log:
        again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and log.count <= 2
    with count_queries() as log:
        cached = client.get(url)
    assert cached.data == first.data and log.count <= 2
    assert client.get(f"/contests/{j.contest.slug}/results?lang=en").headers["ETag"] != etag


def test_public_page_runs_the_same_number_of_queries_for_any_field(db, judged, login_as, client, count_queries):
    login_as("organiser")
    counts = []
    for size in (2, 9):
        j = judged(entries_a=size, entries_b=size)
        publish(client, j.contest)
        with count_queries() as log:
            assert client.get(f"/contests/{j.contest.slug}/results?lang=kk&criteria=1").status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1]


def test_signed_in_visitors_get_an_uncached_page(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    response = client.get(f"/contests/{j.contest.slug}/results")
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def test_contest_page_links_to_the_results(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    body = page(client.get(f"/contests/{j.contest.slug}", headers=EN))
    assert f"/contests/{j.contest.slug}/results" in body and "Juniors" in body


def test_unpublished_results_are_not_public(db, judged, client):
    j = judged()
    assert client.get(f"/contests/{j.contest.slug}/results").status_code == 404
    assert client.get(f"/contests/{j.contest.slug}/results.csv").status_code == 404


def test_public_export_has_no_contacts_and_the_organisers_has(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    public_csv = client.get(f"/contests/{j.contest.slug}/results.csv", headers=EN).data.decode("utf-8-sig")
    assert "Juniors1 Aruzhan" in public_csv and "+7 777 123 45 67" not in public_csv
    assert j.registrations[2].participant.surname not in public_csv
    organiser_csv = client.get(f"/manage/contests/{j.contest.id}/results/export.csv",
                               headers=EN).data.decode("utf-8-sig")
    assert "+7 777 123 45 67" in organiser_csv and j.registrations[2].participant.surname in organiser_csv
    xlsx = client.get(f"/contests/{j.contest.slug}/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    assert client.get(f"/contests/{j.contest.slug}/results.pdf").status_code == 404


def test_protocol_pdf_in_every_language(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    for language in ("kk", "ru", "en"):
        response = client.get(f"/manage/contests/{j.contest.id}/results/protocol-{language}.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/manage/contests/{j.contest.id}/results/protocol-de.pdf").status_code == 404


def test_protocol_names_an_empty_category_in_words_and_signs_as_jury_members(db, judged, login_as, client):
    j = judged(entries_b=0)
    login_as("organiser")
    publish(client, j.contest)
    data = client.get(f"/manage/contests/{j.contest.id}/results/protocol-kk.pdf").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    seniors = text[text.index("Seniors"):]
    assert seniors.startswith("Seniors\nБұл санатта мақұлданған жұмыс жоқ.")
    assert text.count("Қазылар алқасының мүшесі") == 2 and "Қазылар мүшесі" not in text


def test_agreement_page_shows_w_and_charts(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    body = page(client.get(f"/manage/contests/{j.contest.id}/results/agreement", headers=EN))
    assert "Kendall" in body and body.count("<svg") == 4 and "style=" not in body


def test_advancement_from_a_qualifying_round(db, judged, login_as, client):
    j = judged()
    round_ = j.contest.rounds[0]
    round_.stage, round_.advance_count = "qualifying", 1
    db.session.commit()
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{j.contest.id}/results/advance?round={round_.id}", headers=EN)
    assert response.status_code == 302
    assert services.advanced_ids(round_) == {j.registrations[0].id, j.registrations[4].id}


def test_a_cached_public_page_asks_nothing_of_the_database(db, judged, login_as, client, count_queries):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    client.post_form("/logout")
    client.delete_cookie("session")  # a first visit: no session cookie at all
    url = f"/contests/{j.contest.slug}/results?lang=en"
    first = client.get(url)
    with count_queries() as log:
        again = client.get(url)
        not_modified = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.data == first.data and not_modified.status_code == 304 and log.count == 0
    assert again.headers["Content-Security-Policy"] and again.headers["X-Frame-Options"] == "DENY"


def sign_out(client) -> None:
    client.post_form("/logout")
    client.get("/")  # shows (and so clears) the "signed out" message: a waiting message is never cached


def test_unpublishing_and_republishing_change_the_public_page_at_once(db, judged, login_as, client):
    j = judged()
    login_as("organiser")
    publish(client, j.contest)
    url = f"/contests/{j.contest.slug}/results?lang=en"
    sign_out(client)
    first = client.get(url)
    assert first.status_code == 200 and "19.00" in page(first)
    login_as("organiser")
    client.post_form(f"/manage/contests/{j.contest.id}/results/unpublish", {"reason": "Wrong score"})
    sign_out(client)
    assert client.get(url).status_code == 404  # the withdrawal changed what is current at once
    for score in db.session.scalars(select(Score)):
        score.points = Decimal(1)
    login_as("organiser")
    publish(client, j.contest)
    sign_out(client)
    second = client.get(url)
    assert second.status_code == 200 and "19.00" not in page(second)
    assert second.headers["ETag"] != first.headers["ETag"]
