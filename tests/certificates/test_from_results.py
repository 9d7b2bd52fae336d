"""Diplomas read the published results snapshot written by the results workflow."""

from __future__ import annotations

from contest.certificates import services
from contest.certificates.awards import published_awards
from contest.certificates.pdf import DocumentKind
from contest.extensions import db
from contest.results import services as results
from tests.results.conftest import judged  # noqa: F401  (a judged contest with award tiers)


def test_diplomas_follow_the_published_snapshot(judged, make_user):  # noqa: F811
    j = judged()
    assert published_awards(j.contest) == []  # nothing published yet
    results.publish_results(j.contest, actor=make_user(role="organiser"))
    db.session.commit()

    diplomas = [item for item in services.planned_documents(j.contest) if item.kind == DocumentKind.WINNER_DIPLOMA]
    awarded = sorted((item.category_name, item.place, item.award_name) for item in diplomas)
    assert awarded == [("Juniors", 1, "First degree"), ("Juniors", 2, "Second degree"),
                       ("Seniors", 1, "First degree"), ("Seniors", 2, "Second degree")]
    assert {item.registration_id for item in diplomas} == {j.registrations[index].id for index in (0, 1, 4, 5)}


def test_a_tier_that_hands_out_participation_certificates_gives_no_diploma(judged, make_user):  # noqa: F811
    j = judged()
    second = j.contest.award_tiers[1]
    second.document_kind = "participation_certificate"
    db.session.commit()
    results.publish_results(j.contest, actor=make_user(role="organiser"))
    db.session.commit()
    awards = sorted(award.award_name["en"] for award in published_awards(j.contest))
    assert awards == ["First degree", "First degree"]
