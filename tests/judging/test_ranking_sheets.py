"""Juries that rank: the juror's ranking page (places per category), its refusals, locking and
reopening, and the standings it feeds."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from contest.audit.models import AuditEvent
from contest.errors import ServiceError, ServiceErrors
from contest.extensions import db
from contest.judging import services
from contest.judging.ballots import import_ballots
from contest.judging.models import ScoreSheet, SheetSource
from contest.judging.progress import juror_queue
from contest.judging.ranking_sheets import juror_ranking, place_field, rankings_in, save_ranking, write_place
from contest.results.services import live_standings
from tests.registration.helpers import one_work_entry


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def ranked(judging, login_as):
    """Four entries, three jurors, a round scored by the sum of places; signed in as the first juror."""
    j = judging(jurors=3, entries=4)
    j.round.scoring, j.round.rank_method = "ranks", "rank_sum"
    db.session.commit()
    login_as(user=j.jurors[0].user)
    return j


def ranking_url(j) -> str:
    return f"/jury/{j.contest.id}/rounds/{j.round.id}/categories/{j.contest.categories[0].id}/ranking"


def version_of(page: str) -> str:
    match = re.search(r'name="version"[^>]*value="([^"]*)"', page) or re.search(r'value="([^"]*)"[^>]*name="version"',
                                                                               page)
    assert match, "no version on the page"
    return match.group(1)


def places_form(j, places, *, version: str, action="submit") -> dict[str, str]:
    return {**{place_field(entry): str(place) for entry, place in zip(j.entries, places, strict=True)},
            "version": version, "action": action}


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(ScoreSheet)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)))


def submit_places(client, j, places):
    page = client.get(ranking_url(j)).get_data(as_text=True)
    return client.post_form(ranking_url(j), places_form(j, places, version=version_of(page)))


def test_the_queue_of_a_ranked_round_leads_to_the_category_ranking(client, ranked):
    page = client.get(f"/jury/{ranked.contest.id}/rounds/{ranked.round.id}").get_data(as_text=True)
    assert "This round is scored by places" in page
    assert ranking_url(ranked) in page


def test_the_ranking_page_has_a_labelled_place_field_per_entry(client, ranked):
    response = client.get(ranking_url(ranked))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for entry in ranked.entries:
        assert f'<label class="form-label fw-semibold mb-0" for="{place_field(entry)}">{entry.code}</label>' in page
        assert re.search(rf'id="{place_field(entry)}"[^>]*max="4"', page)


def test_a_submitted_ranking_with_a_tie_is_stored_and_ranks_the_standings(client, ranked, make_sheet, login_as):
    response = submit_places(client, ranked, [1, 2, 2, 4])
    assert response.status_code == 302
    sheets = {sheet.registration_id: sheet for sheet in db.session.scalars(select(ScoreSheet))}
    assert [sheets[entry.id].place for entry in ranked.entries] == [1, 2, 2, 4]
    assert {sheet.status for sheet in sheets.values()} == {"submitted"}
    # The other two jurors rank the field in order; the first juror's tie counts 2.5 and 2.5.
    for member in ranked.jurors[1:]:
        for place, entry in enumerate(ranked.entries, start=1):
            make_sheet(member, entry, status="submitted", place=place)
    standings = live_standings(ranked.contest, ranked.round).categories[0]
    assert [(row.registration.id, row.standing.place, row.standing.score) for row in standings.rows] == [
        (ranked.entries[0].id, 1, Decimal(3)), (ranked.entries[1].id, 2, Decimal("6.5")),
        (ranked.entries[2].id, 3, Decimal("8.5")), (ranked.entries[3].id, 4, Decimal(12))]
    login_as(user=ranked.organiser)
    page = client.get(f"/manage/contests/{ranked.contest.id}/results").get_data(as_text=True)
    assert "This round: Sum of the jurors&#39; places (lower is better)." in page
    assert '<th scope="col" class="text-end">Sum of places</th>' in page
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td[^>]*>([^<]+)</td>", page)
    assert [(int(place), code) for place, code in rows] == [
        (place, entry.code) for place, entry in enumerate(ranked.entries, start=1)]
    assert ">6.50<" in page or ">6,50<" in page


def test_bad_places_are_refused_all_at_once_and_nothing_is_written(client, ranked):
    before = counts()
    page = client.get(ranking_url(ranked)).get_data(as_text=True)
    response = client.post_form(ranking_url(ranked), places_form(ranked, [0, "x", 7, 2], version=version_of(page)))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“0” is not a place from 1 to 4." in text
    assert "“x” is not a place from 1 to 4." in text
    assert "“7” is not a place from 1 to 4." in text
    field = place_field(ranked.entries[0])
    assert re.search(rf'aria-describedby="{field}-help {field}-error"[^>]*aria-invalid="true"', text) or \
        re.search(rf'aria-invalid="true"[^>]*aria-describedby="{field}-help {field}-error"', text)
    assert counts() == before


def test_places_that_skip_or_do_not_skip_after_a_tie_are_refused_with_the_place_they_should_be(client, ranked):
    before = counts()
    page = client.get(ranking_url(ranked)).get_data(as_text=True)
    response = client.post_form(ranking_url(ranked), places_form(ranked, [1, 2, 2, 3], version=version_of(page)))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (f"Place 3 ({ranked.entries[3].code}) does not follow the places above it: 3 entries are placed better, "
            "so it should be 4.") in text
    response = client.post_form(ranking_url(ranked), places_form(ranked, [1, 3, 4, 4], version=version_of(page)))
    text = response.get_data(as_text=True)
    assert "Place 3 (" in text and "so it should be 2." in text
    assert "Place 4 (" in text and "so it should be 3." in text
    assert counts() == before


def test_a_draft_may_leave_places_empty_but_a_submission_may_not(client, ranked):
    page = client.get(ranking_url(ranked)).get_data(as_text=True)
    response = client.post_form(ranking_url(ranked), places_form(ranked, [2, "", 1, ""], version=version_of(page),
                                                                 action="draft"))
    assert response.status_code == 302
    assert {sheet.status for sheet in db.session.scalars(select(ScoreSheet))} == {"draft"}
    page = client.get(ranking_url(ranked)).get_data(as_text=True)
    assert re.search(rf'id="{place_field(ranked.entries[0])}"[^>]*value="2"', page)
    before = counts()
    response = client.post_form(ranking_url(ranked), places_form(ranked, [2, "", 1, ""], version=version_of(page)))
    assert response.status_code == 422
    assert (f"Give every entry a place before submitting: {ranked.entries[1].code}, {ranked.entries[3].code} "
            "has none.") in response.get_data(as_text=True)
    assert counts() == before


def test_a_stale_page_is_refused(client, ranked):
    page = client.get(ranking_url(ranked)).get_data(as_text=True)
    old = version_of(page)
    assert client.post_form(ranking_url(ranked), places_form(ranked, [1, 2, 3, 4], version=old,
                                                             action="draft")).status_code == 302
    before = counts()
    response = client.post_form(ranking_url(ranked), places_form(ranked, [4, 3, 2, 1], version=old))
    assert response.status_code == 422
    assert "Someone saved this score sheet after you opened it" in response.get_data(as_text=True)
    assert counts() == before


def test_a_submitted_ranking_is_locked_until_an_organiser_reopens_all_of_it(client, ranked):
    assert submit_places(client, ranked, [1, 2, 3, 4]).status_code == 302
    page = client.get(ranking_url(ranked)).get_data(as_text=True)
    assert "This ranking is submitted and locked" in page and 'name="action"' not in page
    current = juror_ranking(ranked.jurors[0], ranked.round, ranked.contest.categories[0]).version
    response = client.post_form(ranking_url(ranked), places_form(ranked, [4, 3, 2, 1], version=current))
    assert response.status_code == 422
    assert "This ranking is submitted and locked" in response.get_data(as_text=True)
    sheet = db.session.scalars(select(ScoreSheet).order_by(ScoreSheet.id)).first()
    services.reopen_sheet(sheet, reason="Juror asked to swap two places", actor=ranked.organiser)
    db.session.commit()
    assert {sheet.status for sheet in db.session.scalars(select(ScoreSheet))} == {"draft"}
    reopens = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sheet.reopen"))
    assert reopens == 4
    assert submit_places(client, ranked, [4, 3, 2, 1]).status_code == 302
    assert sorted(sheet.place for sheet in db.session.scalars(select(ScoreSheet))) == [1, 2, 3, 4]
    assert db.session.get(ScoreSheet, sheet.id).place == 4


def test_points_cannot_be_saved_on_a_round_scored_by_places(client, ranked):
    entry = ranked.entries[0]
    before = counts()
    response = client.post_form(f"/jury/{ranked.contest.id}/rounds/{ranked.round.id}/entries/{entry.id}",
                                {services.points_field(ranked.criteria[0]): "5", "version": "0", "action": "draft"})
    assert response.status_code == 422
    assert "This round is scored by places" in response.get_data(as_text=True)
    assert counts() == before


def test_a_points_round_has_no_ranking_page(client, judging, login_as):
    j = judging()
    login_as(user=j.jurors[0].user)
    assert client.get(ranking_url(j)).status_code == 404


def test_blind_judging_shows_codes_not_names(client, judging, login_as):
    j = judging(entries=2, is_blind=True)
    j.round.scoring, j.round.rank_method = "ranks", "borda"
    db.session.commit()
    login_as(user=j.jurors[0].user)
    page = client.get(ranking_url(j)).get_data(as_text=True)
    for entry in j.entries:
        assert entry.code in page
        assert entry.participant.full_name not in page


def test_a_conflict_leaves_the_entry_out_of_the_jurors_ranking(client, ranked):
    services.recuse_juror(ranked.jurors[0], ranked.entries[3], reason="Own pupil", actor=ranked.organiser)
    db.session.commit()
    ranking = juror_ranking(ranked.jurors[0], ranked.round, ranked.contest.categories[0])
    assert ranking.registrations == ranked.entries[:3]
    page = client.get(ranking_url(ranked)).get_data(as_text=True)
    assert ranked.entries[3].code not in page
    response = client.post_form(ranking_url(ranked), {
        **{place_field(entry): str(place) for entry, place in zip(ranked.entries[:3], [1, 2, 3], strict=True)},
        "version": version_of(page), "action": "submit"})
    assert response.status_code == 302


# Paper ballots of places ----------------------------------------------------------------------

def place_csv(rows) -> bytes:
    lines = ["Code;Juror;Place", *(";".join(str(cell) for cell in row) for row in rows)]
    return ("\ufeff" + "\r\n".join(lines)).encode()


def test_paper_ballots_of_places_write_submitted_rankings(ranked):
    a, b, _c = ranked.jurors
    rows = [(entry.code, member.user.email, place) for member in (a, b)
            for entry, place in zip(ranked.entries, [1, 2, 2, 4] if member is a else [4, 3, 2, 1], strict=True)]
    report = import_ballots(ranked.round, "places.csv", place_csv(rows), actor=ranked.organiser)
    assert report.ok and report.written and (report.rows, report.sheets) == (8, 8)
    sheets = {(sheet.member_id, sheet.registration_id): sheet for sheet in db.session.scalars(select(ScoreSheet))}
    assert [sheets[a.id, entry.id].place for entry in ranked.entries] == [1, 2, 2, 4]
    assert {(sheet.status, sheet.source) for sheet in sheets.values()} == {("submitted", "paper")}


def test_paper_ballots_with_bad_places_report_every_row_and_write_nothing(ranked):
    a, b, c = ranked.jurors
    rows = [(entry.code, a.user.email, place) for entry, place in zip(ranked.entries, [1, 2, 2, 3], strict=True)]
    rows += [(entry.code, b.user.email, place) for entry, place in zip(ranked.entries, [1, 9, 2, 3], strict=True)]
    rows += [(entry.code, c.user.email, 1) for entry in ranked.entries[:3]]  # the fourth entry has no place
    rows += [(ranked.entries[0].code, a.user.email, "Content", 5)]  # a points row in a round of places
    before = counts()
    report = import_ballots(ranked.round, "places.csv", place_csv(rows), actor=ranked.organiser)
    assert not report.written
    messages = [(error.row, str(error.message)) for error in report.errors]
    assert (5, f"Place 3 ({ranked.entries[3].code}) does not follow the places above it: 3 entries are placed "
               "better, so it should be 4. Tied entries share a place and skip the places they cover: 1, 2, 2, 4."
            ) in messages
    assert (7, "“9” is not a place from 1 to 4.") in messages
    assert (10, f"The places of {c.user.email} lack: {ranked.entries[3].code}.") in messages
    assert (13, "This round is scored by places: fill in three columns, registration code, juror's email, "
                "place.") in messages
    assert counts() == before


def test_the_organisers_entry_page_shows_places_and_their_history(client, ranked, login_as):
    assert submit_places(client, ranked, [1, 2, 2, 4]).status_code == 302
    login_as(user=ranked.organiser)
    body = client.get(f"/manage/contests/{ranked.contest.id}/jury/entries/{ranked.entries[1].id}").get_data(
        as_text=True)
    assert "Place 2" in body
    assert re.search(r"<div>Place: — → 2</div>", body)
    assert "whole ranking of this category is reopened." in body


# The service's rules word for word (the pages above check the words as parts of a page) ---------

def refusals(call) -> list[tuple[str, str | None]]:
    """Every refusal of `call`, as (the words shown, the field they stand beside)."""
    with pytest.raises(ServiceError) as refused:
        call()
    errors = refused.value.errors if isinstance(refused.value, ServiceErrors) else [refused.value]
    return [(str(error.message), error.field) for error in errors]


def ranking_of(j, member=None):
    return juror_ranking(member or j.jurors[0], j.round, j.contest.categories[0])


def save(j, places, *, submit: bool, member=None, actor=None, ranking=None):
    member = member or j.jurors[0]
    ranking = ranking or ranking_of(j, member)
    raw = {entry.id: place for entry, place in zip(j.entries, places, strict=True)}
    return save_ranking(member, ranking, raw, version=ranking.version, submit=submit,
                        actor=actor if actor is not None else member.user)


def test_each_refusal_says_what_is_wrong_beside_the_right_field(ranked):
    first, second, _third, fourth = ranked.entries
    long_value = "9" * 30
    assert refusals(lambda: save(ranked, [long_value, 1, 2, 3], submit=False)) == [
        (f"“{'9' * 20}” is not a place from 1 to 4.", place_field(first))]  # the typed value, cut at 20
    assert refusals(lambda: save(ranked, [1, "", 2, ""], submit=True)) == [
        (f"Give every entry a place before submitting: {second.code}, {fourth.code} has none.", place_field(second))]
    assert refusals(lambda: save(ranked, [1, 2, 2, 3], submit=True)) == [
        (f"Place 3 ({fourth.code}) does not follow the places above it: 3 entries are placed better, so it should "
         "be 4. Tied entries share a place and skip the places they cover: 1, 2, 2, 4.", place_field(fourth))]
    assert refusals(lambda: save(ranked, [1, 1, 1, 2], submit=True))[0][0].startswith(
        f"Place 2 ({fourth.code}) does not follow the places above it: 3 entries are placed better")
    assert counts()[0] == 0


def test_two_tied_entries_are_named_together_when_their_place_is_wrong(ranked):
    a, b, c, d = ranked.entries
    assert refusals(lambda: save(ranked, [1, 3, 3, 4], submit=True)) == [
        (f"Place 3 ({b.code}, {c.code}) does not follow the places above it: 1 entries are placed better, so it "
         "should be 2. Tied entries share a place and skip the places they cover: 1, 2, 2, 4.", place_field(b))]


def test_who_may_save_and_where(ranked, judging):
    other = ranked.jurors[1]
    assert refusals(lambda: save(ranked, [1, 2, 3, 4], submit=False, actor=other.user)) == [
        ("Only the jury member themself can score on their sheet.", None)]
    points = judging(entries=1)
    ranking = juror_ranking(points.jurors[0], points.round, points.contest.categories[0])
    assert refusals(lambda: save_ranking(points.jurors[0], ranking, {}, version=ranking.version, submit=False,
                                         actor=points.jurors[0].user)) == [
        ("This round is scored by points, not by places.", None)]
    empty = juror_ranking(ranked.jurors[0], ranked.round, ranked.contest.categories[0])
    empty.items = []
    assert refusals(lambda: save_ranking(ranked.jurors[0], empty, {}, version="", submit=False,
                                         actor=ranked.jurors[0].user)) == [
        ("No entries of this category are waiting for your places in this round.", None)]


def test_a_submitted_ranking_and_a_sheet_submitted_meanwhile_are_refused_as_locked(ranked):
    locked = "This ranking is submitted and locked; an organiser can reopen it."
    save(ranked, [1, 2, 3, 4], submit=True)
    db.session.commit()
    assert refusals(lambda: save(ranked, [4, 3, 2, 1], submit=False)) == [(locked, None)]
    member = ranked.jurors[1]
    before = ranking_of(ranked, member)  # the juror's page, built before a paper ballot came in
    write_place(member, ranked.entries[2], ranked.round, 1, actor=ranked.organiser, source=SheetSource.PAPER)
    assert refusals(lambda: save(ranked, [1, 2, 3, 4], submit=False, member=member, ranking=before)) == [
        (locked, None)]


def test_saving_the_same_places_again_changes_nothing_and_a_first_save_creates(ranked):
    save(ranked, [2, 1, "", ""], submit=False)
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("sheet.create") == 4 and "sheet.update" not in actions
    versions = {sheet.id: sheet.version for sheet in db.session.scalars(select(ScoreSheet))}
    save(ranked, [2, 1, "", ""], submit=False)
    db.session.commit()
    assert db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == actions
    assert {sheet.id: sheet.version for sheet in db.session.scalars(select(ScoreSheet))} == versions


def test_the_read_only_ranking_lists_the_best_first_ties_in_order_and_the_unplaced_last(ranked):
    a, b, c, d = ranked.entries
    save(ranked, [2, "", 1, 2], submit=False)
    db.session.commit()
    assert [(place, entry.id) for place, entry in ranking_of(ranked).by_place()] == [
        (1, c.id), (2, a.id), (2, d.id), (None, b.id)]


def test_a_jurors_rankings_are_one_per_category_in_the_contests_order(ranked, make_category, make_registration):
    second = make_category(ranked.contest)
    later = make_registration(ranked.contest, status="approved", category=second)
    db.session.add(one_work_entry(later, title="Poem", text="A line"))
    db.session.commit()
    member = ranked.jurors[0]
    rankings = rankings_in(ranked.round, juror_queue(member, ranked.round))
    assert [(ranking.round.id, ranking.category.id, [entry.id for entry in ranking.registrations])
            for ranking in rankings] == [
        (ranked.round.id, ranked.contest.categories[0].id, [entry.id for entry in ranked.entries]),
        (ranked.round.id, second.id, [later.id])]
