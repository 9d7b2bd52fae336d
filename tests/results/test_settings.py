"""The contest's ranking settings reach the published results: decimals, trimming with its
minimum and fallback, per-juror normalisation, the Grand Prix minimum, advancement by threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from contest.judging.models import Advancement, Conflict
from contest.results import services


@pytest.fixture
def scored(make_contest, make_category, make_criterion, make_round, make_award_tier, make_participant,
           make_registration, make_juror, make_sheet, db):
    """One category, one criterion out of 100; `points[entry][juror]` is each juror's score.
    Returns (contest, registrations, jurors)."""

    def build(points: list[list[int]], *, tiers=(("First degree", None),), **values):
        values.setdefault("status", "judging")
        contest = make_contest(**values)
        category = make_category(contest, name_en="All")
        criterion = make_criterion(contest, name_en="Overall", max_score=100)
        make_round(contest, name_en="Final")
        for position, (name, min_score) in enumerate(tiers):
            make_award_tier(contest, name_en=name, position=position, min_score=min_score)
        jurors = [make_juror(contest) for _ in points[0]]
        registrations = []
        for index, row in enumerate(points):
            registration = make_registration(contest=contest, participant=make_participant(surname=f"E{index + 1}"),
                                             category=category, status="approved")
            registrations.append(registration)
            for member, value in zip(jurors, row, strict=True):
                make_sheet(member, registration, points={criterion: value}, status="submitted")
        db.session.expire_all()
        return contest, registrations, jurors

    return build


def standings_of(contest):
    return services.live_standings(contest, contest.rounds[0]).categories[0].rows


def published_totals(contest, make_user):
    snapshot = services.publish_results(contest, actor=make_user(role="organiser"))
    return [row["total"] for row in snapshot.data["categories"][0]["rows"]]


@pytest.mark.parametrize(("decimals", "published"), [(0, "67"), (1, "66.7"), (2, "66.67"), (3, "66.667")])
def test_the_contests_decimals_decide_the_published_figure(db, scored, make_user, decimals, published):
    contest, *_ = scored([[60, 70, 70]], score_decimals=decimals)  # mean 66.666…, rounded half up
    assert published_totals(contest, make_user) == [published]


def test_half_up_applies_at_the_published_decimals(db, scored, make_user):
    contest, *_ = scored([[62, 63]], score_decimals=0)  # 62.5: half up gives 63 (half even would give 62)
    assert published_totals(contest, make_user) == ["63"]


def test_rounding_decides_places_on_the_published_figure(db, scored):
    # 80.333… and 80: apart at two decimals, tied (and shared) at zero.
    contest, *_ = scored([[81, 80, 80], [80, 81, 80], [80, 80, 80]], score_decimals=0)
    assert [row.standing.place for row in standings_of(contest)] == [1, 1, 1]
    contest, *_ = scored([[81, 80, 80], [80, 80, 80]], score_decimals=2)
    assert [row.standing.place for row in standings_of(contest)] == [1, 2]


def test_trimming_two_at_each_end_counts_the_middle_of_nine_of_eleven_jurors(db, scored):
    # Eleven jurors; two declared a conflict on the entry, so nine sheets count. Dropping the two
    # highest and two lowest leaves 50, 52, 54, 56, 58: mean 54.
    row = [0, 10, 50, 52, 54, 56, 58, 90, 100, 77, 33]
    contest, registrations, jurors = scored([row], aggregation="trimmed_mean", trim_count=2)
    for member in jurors[9:]:
        db.session.add(Conflict(member_id=member.id, registration_id=registrations[0].id, kind="declared",
                                reason="own pupil"))
    db.session.commit()
    standing = standings_of(contest)[0].standing
    assert standing.jurors_counted == 9
    assert standing.score == Decimal("54.00") and not standing.fell_back


def test_below_the_contests_minimum_the_trimmed_mean_falls_back_and_says_so(db, scored):
    # Four jurors while trimming two at each end needs five: the plain mean, marked as such.
    contest, *_ = scored([[10, 20, 30, 40]], aggregation="trimmed_mean", trim_count=2)
    standing = standings_of(contest)[0].standing
    assert standing.score == Decimal("25.00") and standing.fell_back
    assert services.method_note(standing) == "too few jurors for the trimmed mean: plain mean used"
    # A minimum above the panel makes even trimming one fall back.
    contest, *_ = scored([[10, 20, 30, 40, 100]], aggregation="trimmed_mean", trim_min_jurors=6)
    assert standings_of(contest)[0].standing.score == Decimal("40.00")


def test_the_trimmed_sum_adds_the_middle_scores_as_in_ski_jumping(db, scored):
    contest, *_ = scored([[17, 18, 18, 19, 20], [16, 18, 19, 19, 19]], aggregation="trimmed_sum")
    rows = standings_of(contest)
    assert [row.standing.score for row in rows] == [Decimal("56.00"), Decimal("55.00")]
    # E1: 18 + 18 + 19 = 55 (17 and 20 dropped); E2: 18 + 19 + 19 = 56 (16 and one 19 dropped).
    assert [row.registration.participant.surname for row in rows] == ["E2", "E1"]


def test_normalisation_corrects_a_strict_and_a_lenient_juror(db, scored):
    # The strict juror (narrow range) prefers E2; the lenient one spreads widely and decides the
    # raw mean alone. Normalised, both jurors weigh the same and E2 passes E3.
    points = [[20, 90], [30, 50], [10, 85]]
    raw, *_ = scored(points)
    assert [row.registration.participant.surname for row in standings_of(raw)] == ["E1", "E3", "E2"]
    normalised, *_ = scored(points, normalise_scores=True)
    assert [row.registration.participant.surname for row in standings_of(normalised)] == ["E1", "E2", "E3"]


def test_the_grand_prix_needs_its_minimum_and_its_place_moves_on(db, scored, make_user):
    tiers = (("Grand Prix", Decimal("90")), ("First degree", None), ("Second degree", None))
    contest, *_ = scored([[88], [80], [70]], tiers=tiers)
    assert [row.award.name_en if row.award else None for row in standings_of(contest)] == [
        "First degree", "Second degree", None]
    contest, *_ = scored([[92], [80], [70]], tiers=tiers)
    rows = standings_of(contest)
    assert [row.award.name_en for row in rows] == ["Grand Prix", "First degree", "Second degree"]
    snapshot = services.publish_results(contest, actor=make_user(role="organiser"))
    assert [row["award_name"]["en"] for row in snapshot.data["categories"][0]["rows"]] == [
        "Grand Prix", "First degree", "Second degree"]


def test_a_qualifying_round_advances_everyone_at_or_above_its_threshold(db, scored, make_user):
    contest, registrations, _ = scored([[90], [75], [74.99], [60]])
    qualifying = contest.rounds[0]
    qualifying.stage, qualifying.advance_threshold = "qualifying", Decimal("75")
    db.session.commit()
    assert services.mark_advancement(contest, qualifying, actor=make_user(role="organiser")) == 2
    assert set(db.session.scalars(select(Advancement.registration_id))) == {
        registrations[0].id, registrations[1].id}


def test_a_round_with_neither_count_nor_threshold_cannot_mark_advancement(db, scored, make_user):
    contest, *_ = scored([[90]])
    contest.rounds[0].stage = "qualifying"
    db.session.commit()
    with pytest.raises(Exception, match="score needed to advance"):
        services.mark_advancement(contest, contest.rounds[0], actor=make_user(role="organiser"))
