"""Hostile input, generated: whatever a client sends to any API route, the answer is never a 5xx.

Hypothesis draws query strings and JSON bodies mixing valid filters, wrong types, unknown fields, injection
attempts, absurd numbers and dates, deep nesting and odd characters; every answer must be JSON, 2xx or 4xx.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.metrics.filters import FIELDS
from tests.conftest import login

ROUTES = [f"/api/v1/{area}" for area in ("visites", "performance", "partenaires", "evaluations", "investissements",
                                         "utilisateurs", "equipe", "delegue")]  # fmt: skip
LEGACY = ["/data", "/performance", "/partenaire", "/evaluation", "/invest", "/users"]
NASTY = ["' OR 1=1 --", "1; DROP TABLE tab_visite", "RE00001' --", "%00", "\u0000", "é" * 300, "${jndi:x}",
         "<script>alert(1)</script>", "../../etc/passwd", "NaN", "Infinity", "-0", "1e309", "2025-02-30",
         "9999-12-31", "0000-00-00", "2025-13-01", " 2025 ", "GA00001,GA00002", "RE" + "9" * 40]  # fmt: skip
NAMES = st.sampled_from([*FIELDS, "unknown", "id_responsable ", "ANNEE", "__proto__", "filtres", ""])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.dates().map(str),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)
BODIES = st.one_of(st.dictionaries(NAMES, VALUES, max_size=6), VALUES)


@pytest.fixture(scope="module")
def fuzz_client(sqlite_url: str) -> Any:
    from tests.conftest import build_app

    return login(build_app(sqlite_url).server.test_client(), "admin")


def _check(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    assert response.is_json, response.get_data(as_text=True)[:300]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES + LEGACY), body=BODIES)
def test_any_json_body_gets_a_json_answer_below_500(fuzz_client: Any, route: str, body: Any) -> None:
    _check(fuzz_client.post(route, data=json.dumps(body), content_type="application/json"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(ROUTES),
    pairs=st.lists(st.tuples(NAMES, st.one_of(st.sampled_from(NASTY), st.text(max_size=20))), max_size=6),
)
def test_any_query_string_gets_a_json_answer_below_500(fuzz_client: Any, route: str, pairs: list[Any]) -> None:
    _check(fuzz_client.get(route, query_string=pairs))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES + LEGACY), raw=st.binary(max_size=200))
def test_malformed_bodies_get_a_json_400(fuzz_client: Any, route: str, raw: bytes) -> None:
    _check(fuzz_client.post(route, data=raw, content_type="application/json"))


@pytest.mark.parametrize("route", ["/api/v1/visites", "/data"])
def test_deep_huge_and_wrongly_sent_bodies_are_refused_cleanly(fuzz_client: Any, route: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    _check(fuzz_client.post(route, data=deep, content_type="application/json"))
    huge = json.dumps({"region": ["RE00001"] * 400_000})  # about 4 MB
    response = fuzz_client.post(route, data=huge, content_type="application/json")
    assert response.status_code == 413 and response.is_json
    _check(fuzz_client.put(route, json={}))
    _check(fuzz_client.post(route, data="annee=2025", content_type="application/x-www-form-urlencoded"))
