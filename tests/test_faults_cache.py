"""Redis down or hung, and many identical questions at once: answers stay correct and quick, computed once.

Redis sits behind a proxy (``dashboard.faultproxy``) that refuses or freezes it, like a Redis stopped or
SIGSTOPped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
import sqlalchemy as sa

from dashboard.faultproxy import FaultProxy
from data.source import db
from tests.conftest import build_app, login

REDIS_DB = 14


@pytest.fixture
def redis_proxy() -> Iterator[FaultProxy]:
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis must run at 127.0.0.1:6379 for these tests: {exc}")
    proxy = FaultProxy(("127.0.0.1", 6379))
    yield proxy
    proxy.close()
    client.flushdb()


def redis_app(sqlite_url: str, proxy: FaultProxy, **overrides: Any) -> Any:
    url = f"redis://127.0.0.1:{proxy.port}/{REDIS_DB}"
    return build_app(sqlite_url, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=url, BREAKER_SECONDS=2, **overrides)


def statements(engine: sa.Engine) -> list[str]:
    """A list that fills with every statement ``engine`` runs from now on."""
    seen: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_hung_redis_costs_one_short_timeout_then_is_skipped_and_comes_back(
    sqlite_url: str, redis_proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    """A SIGSTOPped Redis made one request take 25 s (5 s socket timeout, times five cache calls)."""
    app = redis_app(sqlite_url, redis_proxy)
    client = login(app.server.test_client(), "admin")
    assert client.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 6
    redis_proxy.freeze()
    slowest = 0.0
    with caplog.at_level(logging.WARNING):
        for month in range(1, 11):  # ten questions not in the cache
            started = time.perf_counter()
            answer = client.get(f"/api/v1/visites?mois={month}")
            slowest = max(slowest, time.perf_counter() - started)
            assert answer.status_code == 200
        assert client.get("/api/v1/visites?mois=1").get_json()["indicateurs"]["visites"] == 3  # V1, V2, V6
    assert slowest < 1.5  # one 0.5 s timeout at most, then the cache is skipped
    said = [
        r.getMessage() for r in caplog.records if r.name == "data.source.health" and r.getMessage().startswith("cache")
    ]
    assert len(said) == 1 and "skipped" in said[0]  # once, not a traceback per call
    health = app.server.test_client().get("/health")
    assert health.status_code == 200 and health.get_json()["status"] == "degraded"
    assert health.get_json()["components"]["cache"]["etat"] == "indisponible"
    redis_proxy.restore()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and app.server.test_client().get("/health").get_json()["status"] != "ok":
        time.sleep(0.5)
    assert app.server.test_client().get("/health").get_json()["components"]["cache"]["etat"] == "ok"
    client.get("/api/v1/visites?annee=2025")  # stored in Redis again
    with app.server.app_context():
        seen = statements(db.read_engine())
    assert client.get("/api/v1/visites?annee=2025").get_json()["indicateurs"]["visites"] == 5
    assert [s for s in seen if "dash_" not in s] == []  # answered from Redis


def test_identical_questions_in_flight_are_computed_once(sqlite_app: Any) -> None:
    """Twenty identical uncached questions at once all computed, and exhausted DuckDB's memory."""
    clients = [login(sqlite_app.server.test_client(), "admin") for _ in range(20)]
    with sqlite_app.server.app_context():
        engine = db.read_engine()
    clients[0].get("/api/v1/performance")  # reference data (codes, users, dates) read once per process
    seen = statements(engine)
    clients[0].get("/api/v1/performance?annee=2026")  # how many statements one answer takes
    alone = len([s for s in seen if "dash_" not in s])
    seen.clear()
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda c: c.get("/api/v1/performance?annee=2025"), clients))
    assert {a.status_code for a in answers} == {200}
    assert len({a.get_data() for a in answers}) == 1
    assert len([s for s in seen if "dash_" not in s]) == alone > 0


def test_identical_questions_on_two_workers_are_computed_once_through_redis(
    sqlite_url: str, redis_proxy: FaultProxy
) -> None:
    apps = [redis_app(sqlite_url, redis_proxy, DATA_VERSION="same-crm") for _ in range(2)]  # two workers
    clients = [login(app.server.test_client(), "admin") for app in apps for _ in range(10)]
    # Reference data (codes, users, dates) is read once per process: each worker answers a question of its own
    # first (the same one would come from Redis to the second worker, which would then read its reference data
    # during the question below, if it is the one that computes it).
    for client, query in ((clients[0], ""), (clients[10], "?mois=1")):
        client.get(f"/api/v1/partenaires{query}")
    seen: list[str] = []
    for app in apps:
        with app.server.app_context():
            sa.event.listen(db.read_engine(), "before_cursor_execute", lambda *args: seen.append(args[2]))
    clients[0].get("/api/v1/partenaires?annee=2026")
    alone = len([s for s in seen if "dash_" not in s])
    seen.clear()
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda c: c.get("/api/v1/partenaires?annee=2025"), clients))
    assert {a.status_code for a in answers} == {200} and len({a.get_data() for a in answers}) == 1
    assert len([s for s in seen if "dash_" not in s]) == alone > 0


def test_a_computation_longer_than_the_lease_keeps_its_lock(sqlite_url: str, redis_proxy: FaultProxy) -> None:
    """The renewing thread could not see the lock's token (redis-py keeps it per thread by default): it died
    with AttributeError at its first renewal, and the lock lapsed after one lease, letting another worker
    compute the same question again (seen in make bench at 10M visits)."""
    import threading

    from data.cache import cache
    from data.redis_cache import ResilientRedisCache

    app = redis_app(sqlite_url, redis_proxy)
    with app.server.app_context():
        store = cache.cache
        assert isinstance(store, ResilientRedisCache)
        store.lease_seconds = 0.6  # renewed every 0.2 s
        crashed: list[BaseException | None] = []
        hook = threading.excepthook
        threading.excepthook = lambda args: crashed.append(args.exc_value)
        try:
            with store.lock("longer-than-its-lease"):
                time.sleep(2.0)  # more than three leases
                name = f"{store._get_prefix()}flight:longer-than-its-lease"
                still_held = store._write_client.get(name) is not None
        finally:
            threading.excepthook = hook
    assert crashed == [] and still_held
