"""Rounds appear in their set order everywhere, and a round's label names its stage only when
the name does not already say it."""

from __future__ import annotations

from flask_babel import force_locale

from contest.contests import services
from contest.contests.models import Round
from contest.extensions import db as _db

EN = {"Accept-Language": "en"}
KK = {"Accept-Language": "kk"}


def test_a_label_repeats_no_stage_its_name_already_says():
    final = Round(name_kk="Финал", name_en="Final", stage="final")
    heats = Round(name_kk="Сырттай іріктеу", name_en="Preliminary selection", stage="qualifying")
    unnamed = Round(stage="final")
    with force_locale("kk"):
        assert (final.label, heats.label) == ("Финал", "Сырттай іріктеу (Іріктеу кезеңі)")
    assert (final.label, heats.label, unnamed.label) == ("Final", "Preliminary selection (Qualifying round)", "Final")


def test_a_round_added_before_the_final_comes_first_in_the_loaded_list(db, make_contest):
    contest = make_contest(status="published")
    services.add_part(contest, Round, {"name_en": "Grand evening", "stage": "final", "position": 5}, actor=None)
    services.add_part(contest, Round, {"name_en": "Sifting", "stage": "qualifying", "advance_count": 3,
                                       "position": 2}, actor=None)
    services.add_part(contest, Round, {"name_en": "Second sifting", "stage": "qualifying", "advance_count": 2,
                                       "position": 2}, actor=None)
    assert [round_.name_en for round_ in contest.rounds] == ["Sifting", "Second sifting", "Grand evening"]
    _db.session.expire_all()  # as the next request loads it: same order, equal positions by creation
    assert [round_.name_en for round_ in contest.rounds] == ["Sifting", "Second sifting", "Grand evening"]


def in_order(body: str, *names: str) -> bool:
    places = [body.find(name) for name in names]
    return -1 not in places and places == sorted(places)


def test_pages_list_rounds_in_their_set_order_with_their_labels(client, login_as, make_contest, make_round,
                                                                make_juror):
    contest = make_contest(status="judging")
    make_round(contest, name_en="Grand evening", name_kk="Финал", stage="final", position=5)
    make_round(contest, name_en="Sifting", name_kk="Сырттай іріктеу", stage="qualifying", advance_count=3,
               position=2)
    public = client.get(f"/contests/{contest.slug}", headers=KK).get_data(as_text=True)
    assert in_order(public, "Сырттай іріктеу (Іріктеу кезеңі)", "Финал")
    assert "Финал (Финал)" not in public
    juror = login_as("juror")
    make_juror(contest, user=juror)
    assert in_order(client.get("/jury/", headers=EN).get_data(as_text=True), "Sifting", "Grand evening")
    login_as("organiser")
    base = f"/manage/contests/{contest.id}"
    for address in (base, f"{base}/jury/", f"{base}/results"):
        body = client.get(address, headers=EN).get_data(as_text=True)
        assert in_order(body, "Sifting", "Grand evening"), address
    standings = client.get(f"{base}/results", headers=KK).get_data(as_text=True)
    assert "Финал (Финал)" not in standings and "Сырттай іріктеу (Іріктеу кезеңі)" in standings
