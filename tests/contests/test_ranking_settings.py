"""The contest's ranking settings (decimals, trimming, normalisation, Grand Prix minimum,
advancement threshold): set in the forms, refused when out of range, kept by a copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from contest.contests import services
from contest.contests.models import AwardTier, Contest, Round
from contest.errors import ServiceError

EN = {"Accept-Language": "en"}
OPENS = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


def page(response) -> str:
    return response.get_data(as_text=True)


def contest_data(**values):
    data = {"title_en": "Young poets", "kind": "writing", "level": "city", "registration_opens_at": OPENS,
            "registration_closes_at": OPENS + timedelta(days=30), "event_at": OPENS + timedelta(days=40)}
    return data | values


def contest_form(**values):
    form = {"title_en": "Young poets", "kind": "writing", "level": "city",
            "registration_opens_at": "2026-03-01T09:00", "registration_closes_at": "2026-03-31T18:00",
            "event_at": "2026-04-10T11:00", "aggregation": "mean"}
    return form | values


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# Services ----------------------------------------------------------------------------------

def test_a_new_contest_keeps_the_long_standing_defaults(db):
    contest = services.create_contest(contest_data(), actor=None)
    assert (contest.score_decimals, contest.trim_count, contest.trim_min_jurors, contest.normalise_scores) == (
        2, 1, None, False)
    assert contest.trim_threshold == 3


@pytest.mark.parametrize(("values", "field", "words"), [
    ({"score_decimals": 4}, "score_decimals", "0, 1, 2 or 3 decimals"),
    ({"score_decimals": -1}, "score_decimals", "0, 1, 2 or 3 decimals"),
    ({"trim_count": 0}, "trim_count", "from 1 to 10"),
    ({"trim_count": 11}, "trim_count", "from 1 to 10"),
    ({"trim_count": 2, "trim_min_jurors": 4}, "trim_min_jurors", "at least 5 jurors"),
    ({"trim_min_jurors": 101}, "trim_min_jurors", "from 3 to 100"),
    ({"aggregation": "geometric"}, "aggregation", "offered options"),
])
def test_settings_out_of_range_are_refused_and_nothing_is_written(db, values, field, words):
    with pytest.raises(ServiceError) as caught:
        services.create_contest(contest_data(**values), actor=None)
    assert caught.value.field == field
    assert words in str(caught.value.message)
    assert count(db, Contest) == 0


def test_trimmed_sum_with_two_dropped_and_normalisation_is_accepted(db):
    contest = services.create_contest(contest_data(aggregation="trimmed_sum", trim_count=2, trim_min_jurors=7,
                                                   normalise_scores=True, score_decimals=3), actor=None)
    db.session.commit()
    db.session.expire_all()
    assert contest.ranking_summary == ("Sum without the highest and lowest totals (as in ski jumping); 2 dropped at "
                                       "each end, with at least 7 jurors (fewer: no trimming); each juror's totals "
                                       "normalised; rounded half up to 3 decimals")


def test_a_round_advances_by_count_or_by_threshold_never_both(db, make_contest):
    contest = make_contest()
    with pytest.raises(ServiceError) as caught:
        services.add_part(contest, Round, {"name_en": "Qualifying", "stage": "qualifying", "advance_count": 10,
                                           "advance_threshold": Decimal("30")}, actor=None)
    assert caught.value.field == "advance_threshold"
    assert count(db, Round) == 0
    round_ = services.add_part(contest, Round, {"name_en": "Qualifying", "stage": "qualifying",
                                                "advance_threshold": Decimal("30.5")}, actor=None)
    with pytest.raises(ServiceError):
        services.update_part(round_, {"advance_count": 5}, actor=None)
    assert (round_.advance_count, round_.advance_threshold) == (None, Decimal("30.5"))


@pytest.mark.parametrize("value", [Decimal("-1"), Decimal("1.2345"), Decimal("NaN"), Decimal("1e12")])
def test_score_bounds_must_be_plain_non_negative_scores(db, make_contest, value):
    contest = make_contest()
    with pytest.raises(ServiceError, match="at most three decimals"):
        services.add_part(contest, AwardTier, {"name_en": "Grand Prix", "winners_count": 1, "min_score": value},
                          actor=None)
    assert count(db, AwardTier) == 0


def test_a_copy_keeps_the_ranking_settings_the_threshold_and_the_grand_prix_minimum(db):
    source = services.create_contest(contest_data(aggregation="trimmed_mean", trim_count=2, trim_min_jurors=6,
                                                  normalise_scores=True, score_decimals=1), actor=None)
    services.add_part(source, Round, {"name_en": "Qualifying", "stage": "qualifying",
                                      "advance_threshold": Decimal("30")}, actor=None)
    services.add_part(source, AwardTier, {"name_en": "Grand Prix", "winners_count": 1,
                                          "min_score": Decimal("38.5")}, actor=None)
    copy = services.copy_contest(source, event_at=OPENS + timedelta(days=400),
                                 registration_opens_at=OPENS + timedelta(days=360),
                                 registration_closes_at=OPENS + timedelta(days=390), actor=None)
    db.session.commit()
    db.session.expire_all()
    assert (copy.aggregation, copy.trim_count, copy.trim_min_jurors, copy.normalise_scores,
            copy.score_decimals) == ("trimmed_mean", 2, 6, True, 1)
    assert [r.advance_threshold for r in copy.rounds if r.stage == "qualifying"] == [Decimal("30")]
    assert [t.min_score for t in copy.award_tiers] == [Decimal("38.5")]


# Pages -------------------------------------------------------------------------------------

def test_the_contest_form_saves_the_settings_and_the_overview_shows_them(client, db, login_as, make_contest):
    login_as("organiser")
    contest = make_contest()
    url = f"/manage/contests/{contest.id}/edit"
    form = page(client.get(url, headers=EN))
    assert "Decimals in the published totals" in form and 'value="2"' in form
    response = client.post_form(url, contest_form(aggregation="trimmed_mean", score_decimals="1", trim_count="2",
                                                  trim_min_jurors="", normalise_scores="y"))
    assert response.status_code == 302
    overview = page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    assert "2 dropped at each end, with at least 5 jurors" in overview
    assert "rounded half up to 1 decimals" in overview


def test_the_contest_form_refuses_bad_settings_with_a_message_beside_the_field(client, db, login_as, make_contest):
    login_as("organiser")
    contest = make_contest(title_en="Old title")
    url = f"/manage/contests/{contest.id}/edit"
    for values, message in (({"score_decimals": "5"}, "Round to 0, 1, 2 or 3 decimals."),
                            ({"trim_count": "2", "trim_min_jurors": "4"}, "at least 5 jurors"),
                            ({"trim_count": "many"}, "Enter a whole number")):
        response = client.post_form(url, contest_form(title_en="New title", **values), headers=EN)
        assert response.status_code == 422
        assert message in page(response)
    db.session.expire_all()
    assert (contest.title_en, contest.score_decimals, contest.trim_count) == ("Old title", 2, 1)


def test_round_and_award_tier_forms_take_a_threshold_and_a_minimum(client, db, login_as, make_contest, make_round):
    login_as("organiser")
    contest = make_contest()
    round_ = make_round(contest, stage="qualifying", advance_count=10)
    url = f"/manage/contests/{contest.id}/rounds/{round_.id}"
    assert "the score needed to advance" in page(client.get(url, headers=EN))
    both = client.post_form(url, {"name_en": "Qualifying", "position": "1", "stage": "qualifying",
                                  "advance_count": "10", "advance_threshold": "30"}, headers=EN)
    assert both.status_code == 422 and "fill only one of the two fields" in page(both)
    for bad in ("NaN", "-3", "abc"):
        response = client.post_form(url, {"name_en": "Qualifying", "position": "1", "stage": "qualifying",
                                          "advance_threshold": bad}, headers=EN)
        assert response.status_code == 422
    db.session.expire_all()
    assert (round_.advance_count, round_.advance_threshold) == (10, None)
    saved = client.post_form(url, {"name_en": "Qualifying", "position": "1", "stage": "qualifying",
                                   "advance_count": "", "advance_threshold": "30.5"})
    assert saved.status_code == 302
    tiers = f"/manage/contests/{contest.id}/tiers/new"
    assert client.post_form(tiers, {"name_en": "Grand Prix", "position": "0", "winners_count": "1",
                                    "document_kind": "winner_diploma", "min_score": "38.5"}).status_code == 302
    overview = page(client.get(f"/manage/contests/{contest.id}", headers=EN))
    assert "30.5" in overview and "38.5" in overview
