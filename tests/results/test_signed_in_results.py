"""A signed-in visitor's public results page is their own (their name in the menu): never taken
from, or put into, the cache that anonymous visitors share."""

from __future__ import annotations

from tests.results.test_views import page, publish


def test_a_signed_in_visitor_without_a_waiting_message_gets_an_uncached_page(db, judged, login_as, client):
    j = judged()
    organiser = login_as("organiser", name="Айгүл Серікқызы")
    publish(client, j.contest)
    client.get("/")  # shows (and so clears) the "published" message: only the account is left to tell
    response = client.get(f"/contests/{j.contest.slug}/results?lang=en")
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    assert organiser.name in page(response)
