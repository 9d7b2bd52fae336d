"""Share cards are kept in a folder of each test's own, so no test finds another's pictures."""

from __future__ import annotations

import pytest

from tests.results.conftest import judged  # noqa: F401  (the published contest the cards show)


@pytest.fixture(autouse=True)
def card_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CARD_CACHE_DIR", str(tmp_path / "cards"))
    return tmp_path / "cards"


@pytest.fixture
def published(request, login_as, client):
    """The judged contest with its results published, and the client signed out again."""
    j = request.getfixturevalue("judged")()
    login_as("organiser")
    response = client.post_form(f"/manage/contests/{j.contest.id}/results/publish", {},
                                headers={"Accept-Language": "en"})
    assert response.status_code == 302
    client.post_form("/logout")
    return j
