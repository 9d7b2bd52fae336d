"""Schemathesis fuzzes every operation of the running API (a real server on a loopback port) on
the demo data, from the description the API serves: no answer may be a server error, and every
answer must match the description (status, content type, body). Besides the arguments it makes
up, valid and invalid, each operation is also called on the demo's real slugs and certificate
codes, so the bodies of found contests, results, posts and certificates are checked too."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from contest.certificates import services as certificates
from contest.certificates.models import Certificate
from contest.contests.models import Contest, ContestStatus
from contest.demo import load_demo
from contest.extensions import db
from contest.news.models import NewsPost

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 60  # per operation: the whole run stays well under a minute


def _demo_addresses() -> dict[str, list[dict[str, str]]]:
    """Path parameters that name something real, per operation."""
    contests = list(db.session.scalars(select(Contest)))
    with_results = [c for c in contests if c.status == ContestStatus.RESULTS_PUBLISHED.value]
    for contest in with_results:
        certificates.issue_documents(contest, certificates.planned_documents(contest))
    db.session.commit()
    return {
        "/api/v1/contests/{slug}": [{"slug": contest.slug} for contest in contests],
        "/api/v1/contests/{slug}/results": [{"slug": contest.slug} for contest in with_results],
        "/api/v1/news/{slug}": [{"slug": slug} for slug in db.session.scalars(select(NewsPost.slug))],
        "/api/v1/certificates/{code}": [{"code": code} for code in db.session.scalars(select(Certificate.code))],
    }


def test_every_operation_survives_fuzzing_and_matches_its_description(app, live_api, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 100_000)  # the fuzzer is one busy address
    monkeypatch.setitem(app.config, "CERTIFICATE_VERIFY_LIMIT", 100_000)
    load_demo()
    db.session.commit()
    real = _demo_addresses()
    assert all(real.values()), "the demo has something to find at every address"
    schema = schemathesis.openapi.from_url(f"{live_api}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted(operation.path for operation in operations) == sorted(
        ["/api/v1/contests", "/api/v1/news", *real])
    for operation in operations:
        strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE),
                      *(operation.as_strategy(path_parameters=found) for found in real.get(operation.path, []))]

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(strategies))
        def fuzz(case):
            case.call_and_validate(base_url=live_api, checks=CHECKS)

        fuzz()
