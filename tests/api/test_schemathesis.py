"""Schemathesis fuzzes every operation of the running API (a real server on a loopback port) on
the demo data, from the description the API serves: no answer may be a server error, and every
answer must match the description (status, content type, body)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contest.demo import load_demo
from contest.extensions import db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25  # per operation: the whole run stays well under a minute


def test_every_operation_survives_fuzzing_and_matches_its_description(app, live_api, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", 100_000)  # the fuzzer is one busy address
    load_demo()
    db.session.commit()
    schema = schemathesis.openapi.from_url(f"{live_api}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @schemathesis_given(operation)
        def fuzz(case):
            case.call_and_validate(base_url=live_api, checks=CHECKS)

        fuzz()


def schemathesis_given(operation):
    from hypothesis import given

    return given(case=operation.as_strategy())
