"""The published OpenAPI schema against a live server, with schemathesis (bounded).

Requests generated from ``/openapi.json`` must get answers the schema documents (status,
content type, body), and never a 5xx.
"""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nco.api.server import Limits, create_app

# Small limits keep every generated request short; haversine lets coordinates-only problems solve.
LIMITS = Limits(max_jobs=20, max_vehicles=5, max_matrix_size=30, max_body_bytes=100_000, max_time_limit=0.2)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_answers_follow_the_published_schema(serve):
    statuses: Counter[tuple[str, int]] = Counter()
    with serve(create_app(LIMITS, allow_haversine=True)) as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        for path, method in (("/solve", "POST"), ("/health", "GET")):
            operation = schema[path][method]

            # Driven through hypothesis directly: schemathesis' pytest plugin does not load on this pytest.
            @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
            # The schema's own example (a solvable problem) half the time, generated requests otherwise.
            @given(case=st.one_of(*operation.get_strategies_from_examples(), operation.as_strategy()))
            def answers(case):
                statuses[path, case.call_and_validate(checks=CHECKS, timeout=30).status_code] += 1

            answers()
    assert statuses["/solve", 200] > 0, "no generated request reached a solver"
