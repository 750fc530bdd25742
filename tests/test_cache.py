"""Aggregates are memoized: keyed on the filters, the scope and the data version; Redis works as the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
import sqlalchemy as sa

from data.metrics import visites
from data.metrics.filters import Filters
from data.metrics.scope import EVERYONE, Scope
from data.source import db
from tests.conftest import build_app


@contextmanager
def counting_queries(engine: sa.Engine) -> Iterator[list[str]]:
    """Collect the SQL statements ``engine`` runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_the_same_question_is_answered_from_the_cache(sqlite_app: Any) -> None:
    with sqlite_app.server.app_context(), counting_queries(db.crm_engine()) as seen:
        first = visites.counters(Filters(annee=2025), EVERYONE)
        again = visites.counters(Filters.from_query({"annee": "2025"}), EVERYONE)
        assert len(seen) == 1
        assert first.equals(again)


def test_the_scope_is_part_of_the_key(sqlite_app: Any) -> None:
    with sqlite_app.server.app_context():
        everyone = visites.counters(Filters(), EVERYONE)
        team = visites.counters(Filters(), Scope((5, 6, 7)))
    assert int(everyone["visites"].sum()) == 6
    assert int(team["visites"].sum()) == 2


def test_a_new_data_version_invalidates(sqlite_app: Any) -> None:
    with sqlite_app.server.app_context(), counting_queries(db.crm_engine()) as seen:
        visites.counters(Filters(), EVERYONE)
        sqlite_app.server.extensions["mediviz"]["data_version"] = "next"
        visites.counters(Filters(), EVERYONE)
        assert len(seen) == 2


def test_redis_cache_serves_results(sqlite_url: str) -> None:
    client = redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis unreachable: {exc}")
    client.flushdb()
    app = build_app(sqlite_url, CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:6379/15")
    with app.server.app_context(), counting_queries(db.crm_engine()) as seen:
        visites.counters(Filters(mois=1), EVERYONE)
        visites.counters(Filters(mois=1), EVERYONE)
        assert len(seen) == 1
    assert list(client.scan_iter(match="mediviz:*"))
    client.flushdb()


def test_a_repeated_api_question_runs_no_statement(sqlite_app: Any) -> None:
    """The JSON body itself is cached: the second identical request reads the cache and nothing else."""
    from tests.conftest import login

    client = login(sqlite_app.server.test_client(), "admin")
    with sqlite_app.server.app_context():
        engine = db.read_engine()
    first = client.get("/api/v1/visites")
    assert first.get_json()["indicateurs"]["visites"] == 6  # V1..V7 minus the deleted V4
    with counting_queries(engine) as seen:
        again = client.get("/api/v1/visites")
    assert [s for s in seen if "dash_user" not in s] == []  # the session's account is read, nothing else
    assert again.get_json() == first.get_json()
    with counting_queries(engine) as seen:
        other = client.get("/api/v1/visites?mois=1")  # another question: computed
    assert len(seen) > 0 and other.get_json()["indicateurs"]["visites"] == 3  # V1, V2 (Jan. 2025), V6 (Jan. 2026)


def test_filter_options_are_read_once_per_data_version(sqlite_app: Any) -> None:
    """The sidebar's options (managers, reps, years, gammes, régions, date limits) come from memoized
    reference data: a second page load reads nothing from the database."""
    from dashboard.shell import sidebar_options

    values: list[Any] = [None, None, None, None, [], [], None, None]
    with sqlite_app.server.test_request_context():
        engine = db.read_engine()
        first = sidebar_options(values)
        with counting_queries(engine) as seen:
            again = sidebar_options(values)
    assert seen == []
    assert again == first
    assert [o["value"] for o in first[2]] == [2026, 2025]  # the years of the fixture's visits, newest first
