"""Schema fuzz: whatever JSON is posted, the service answers without a 5xx."""

from __future__ import annotations

import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats()  # NaN and infinities included: the server must refuse them cleanly
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


def _paths(node, prefix=()):
    """Every position in a JSON tree, as a tuple of keys/indices."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, (*prefix, key))


def _replace(node, path, value):
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_server_error_on_mutated_problems(server_url, make_problem, data):
    base = {**make_problem(n=4, vehicles=2), "options": {"method": "pyvrp", "time_limit": 0.05}}
    paths = list(_paths(base))
    for _ in range(data.draw(st.integers(1, 3))):
        path = paths[data.draw(st.integers(0, len(paths) - 1))]
        try:
            base = _replace(base, path, data.draw(JSON))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed this position
    body = json.dumps(base).encode()
    response = httpx.post(f"{server_url}/solve", content=body, headers={"content-type": "application/json"}, timeout=60)
    assert response.status_code < 500, response.text
    assert "code" in response.json()
