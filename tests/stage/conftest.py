"""A live round: a recitation contest in judging with a chair, jurors and approved entries."""

from __future__ import annotations

import pytest
import redis

from contest.extensions import db
from tests.conftest import redis_url
from tests.judging.conftest import Judging, judging  # noqa: F401  (the fixture, shared)


@pytest.fixture
def live(judging):  # noqa: F811  (the imported fixture)
    """`live(entries=4)`: the judging fixture in a recitation contest whose first juror chairs."""

    def make(**values) -> Judging:
        values.setdefault("kind", "recitation")
        made = judging(**values)
        made.jurors[0].is_chair = True
        db.session.commit()
        return made

    return make


@pytest.fixture
def with_redis(app):
    url = redis_url()  # TEST_REDIS_URL: each run its own database number
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running")
    app.config["REDIS_URL"] = url
    app.extensions.pop("stage_redis", None)
    app.extensions.pop("stage_hub", None)
    for key in client.scan_iter("stage:*"):  # round ids start again in each test's database
        client.delete(key)
    yield client
    app.config["REDIS_URL"] = ""
    app.extensions.pop("stage_redis", None)
    app.extensions.pop("stage_hub", None)
