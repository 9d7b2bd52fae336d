"""Contact data, dates of birth and guardian data never reach a public page or feed."""

from __future__ import annotations

from datetime import date

import pytest

SECRETS = ("+7 777 123 98 76", "+7 701 555 00 11", "Guardian Secretname", "2013-04-17", "17.04.2013",
           "17 April 2013", "secret-parent@example.kz")


@pytest.mark.parametrize("signed_in", [False, True])
def test_public_pages_and_the_feed_carry_no_contact_or_guardian_data(client, login_as, make_user, make_participant,
                                                                     make_registration, open_contest, make_post,
                                                                     signed_in):
    contest = open_contest(status="registration_open")
    parent = make_user(email="secret-parent@example.kz")
    child = make_participant(account=parent, birth_date=date(2013, 4, 17), phone="+7 777 123 98 76",
                             guardian_name="Guardian Secretname", guardian_phone="+7 701 555 00 11")
    make_registration(contest, participant=child, status="approved")
    make_post(contest_id=contest.id)
    if signed_in:
        login_as("participant")  # another account: sees no more than a visitor
    for url in ("/", "/contests", f"/contests/{contest.slug}", "/news", "/news/feed.atom"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in html, (url, secret)
