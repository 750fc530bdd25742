"""Databases that hang (accept, then never answer) or refuse: every wait is bounded, the answer is a 503 with a
French message, later requests are not held at all, and the service recovers by itself when the database
returns. The real MariaDB sits behind a proxy (``dashboard.faultproxy``) that refuses or freezes it.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from dashboard.faultproxy import FaultProxy
from data.source import replica
from tests.conftest import MARIADB_SERVER, build_app, login

#: Short limits, so that a hang costs seconds in the tests (production defaults: see dashboard/config.py).
QUICK = {"CONNECT_TIMEOUT_SECONDS": 1, "ACCOUNTS_TIMEOUT_SECONDS": 1, "QUERY_TIMEOUT_SECONDS": 2, "BREAKER_SECONDS": 2}


def through(proxy: FaultProxy, url: str) -> str:
    """``url`` with its port replaced by the proxy's."""
    return sa.make_url(url).set(port=proxy.port).render_as_string(hide_password=False)


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def settled(call: Callable[[], Any]) -> tuple[Any, float]:
    """``timed``, after a full garbage collection: late in the suite the test process holds hundreds of apps (720 000
    objects), and a collection falling inside a sub-second bound cost 0.6 s, failing it in 2 clean-clone runs of 4;
    a worker holds one app. What is measured stays the service's waits."""
    gc.collect()
    return timed(call)


def until_ok(client: FlaskClient, path: str, seconds: float = 30) -> float:
    """Ask ``path`` every half second until it answers 200; the seconds it took (fails after ``seconds``)."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if client.get(path).status_code == 200:
            return time.perf_counter() - started
        time.sleep(0.5)
    raise AssertionError(f"{path} did not answer 200 within {seconds} s")


def test_a_frozen_accounts_database_holds_no_request_for_long_and_the_service_recovers(
    sqlite_url: str, mariadb_url: str, mariadb_proxy: FaultProxy
) -> None:
    """It parked every request thread for good (no read timeout on the accounts engine, the pre-ping blocked)."""
    app = build_app(sqlite_url, APP_DATABASE_URL=through(mariadb_proxy, mariadb_url), **QUICK)
    clients = [login(app.server.test_client(), "admin") for _ in range(8)]  # gunicorn 2 x 4: 8 request threads
    with ThreadPoolExecutor(8) as pool:  # eight connections in the pool, idle when it freezes
        assert {a.status_code for a in pool.map(lambda c: c.get("/api/v1/visites"), clients)} == {200}
    mariadb_proxy.freeze()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda c: timed(lambda: c.get("/api/v1/visites?mois=1")), clients))
    assert {answer.status_code for answer, _ in answers} == {503}
    assert max(seconds for _, seconds in answers) < 8  # a read timeout or two, never for good
    assert answers[0][0].get_json()["error"].startswith("Base de données indisponible")
    later, seconds = settled(lambda: clients[0].get("/api/v1/visites"))
    assert later.status_code == 503 and seconds < 0.5  # skipped after the hang: no thread waits on it again
    health, seconds = settled(lambda: app.server.test_client().get("/health"))
    assert health.status_code == 503 and seconds < 0.5
    assert health.get_json()["components"]["comptes"]["etat"] == "indisponible"
    mariadb_proxy.restore()
    assert until_ok(clients[0], "/api/v1/visites?mois=1") < 15  # no restart: the probe sees it back
    assert clients[0].get("/api/v1/visites?mois=1").get_json()["indicateurs"]["visites"] == 3  # V1, V2, V6
    assert all_at_once(app, clients)
    # Once more, with idle connections left in the pool when it freezes: they stay dead after the return (the
    # path dropped them), so they are thrown away as soon as it hangs; no request meets one afterwards.
    mariadb_proxy.freeze()
    assert clients[0].get("/api/v1/visites?mois=2").status_code == 503
    mariadb_proxy.restore()
    health_ok = time.monotonic() + 15
    while app.server.test_client().get("/health").status_code != 200 and time.monotonic() < health_ok:
        time.sleep(0.2)
    assert all_at_once(app, clients)


def all_at_once(app: Any, clients: list[FlaskClient]) -> bool:
    """Do 8 requests at once all get a 200 within a second (no one waits on a dead pooled connection)? (After a
    full garbage collection, as ``settled``.)"""
    gc.collect()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda c: timed(lambda: c.get("/api/v1/visites?annee=2025")), clients))
    return {answer.status_code for answer, _ in answers} == {200} and max(s for _, s in answers) < 1


def test_a_frozen_crm_served_directly_gives_bounded_503s_then_recovers(
    mariadb_url: str, mariadb_proxy: FaultProxy, tmp_path: Path
) -> None:
    app = build_app(
        through(mariadb_proxy, mariadb_url), APP_DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite'}", **QUICK
    )
    client = login(app.server.test_client(), "admin")
    assert client.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 6
    mariadb_proxy.freeze()
    first, seconds = timed(lambda: client.get("/api/v1/visites?mois=1"))
    assert first.status_code == 503 and seconds < 20  # the pre-ping and a reconnection, each bounded
    again, seconds = settled(lambda: client.get("/api/v1/visites?annee=2025"))
    assert again.status_code == 503 and seconds < 0.5
    assert again.headers["Retry-After"] == "5"
    mariadb_proxy.restore()
    assert until_ok(client, "/api/v1/visites?mois=1") < 15
    assert client.get("/api/v1/visites?mois=1").get_json()["indicateurs"]["visites"] == 3


def test_health_never_waits_on_a_frozen_crm_and_the_replica_keeps_serving(
    mariadb_url: str, mariadb_proxy: FaultProxy, tmp_path: Path
) -> None:
    """/health ran SELECT 1 on the CRM with a 65 s read timeout: one call a second parked every thread."""
    path = tmp_path / "replica.duckdb"
    replica.build(sa.create_engine(mariadb_url), path)
    app = build_app(
        through(mariadb_proxy, mariadb_url),
        APP_DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite'}",
        SERVE_FROM="replica",
        REPLICA_PATH=str(path),
        **QUICK,
    )
    app.server.config["REFRESH_SECONDS"] = 60  # as in production (no refresher runs in this test)
    client = login(app.server.test_client(), "admin")
    probe = app.server.test_client()
    deadline = time.monotonic() + 10  # nothing reads the CRM here but the health probe: unknown until it ran
    while probe.get("/health").get_json()["components"]["crm"]["etat"] != "ok" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert probe.get("/health").get_json()["components"]["crm"]["etat"] == "ok"
    mariadb_proxy.freeze()
    slowest, seen = 0.0, None
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and seen != "indisponible":
        answer, seconds = timed(lambda: probe.get("/health"))
        slowest = max(slowest, seconds)
        seen = answer.get_json()["components"]["crm"]["etat"]
        time.sleep(0.2)
    assert seen == "indisponible" and slowest < 0.5  # the background probe found out; no call waited for it
    body = probe.get("/health").get_json()
    assert (
        probe.get("/health").status_code == 200 and body["status"] == "degraded" and body["database"] == "indisponible"
    )
    # Refreshing cannot work while the CRM does not answer: said at once, with why (not after three periods).
    assert body["replica"]["last_refresh_ok"] is False and body["replica"]["cause"] == "base CRM injoignable"
    assert "⚠ actualisation en échec : base CRM injoignable" in footer(app)
    assert client.get("/api/v1/visites?mois=1").get_json()["indicateurs"]["visites"] == 3  # from the replica
    mariadb_proxy.restore()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and probe.get("/health").get_json()["status"] != "ok":
        time.sleep(0.5)
    assert probe.get("/health").get_json()["status"] == "ok"
    assert "⚠" not in footer(app)


def footer(app: Any) -> str:
    """The freshness line of the pages' footer."""
    from dashboard.shell import freshness

    with app.server.test_request_context():
        return freshness()


def test_an_app_boots_without_its_accounts_database_and_serves_once_it_answers(
    sqlite_url: str, mariadb_url: str, mariadb_proxy: FaultProxy
) -> None:
    """create_app created the dash_ tables at start: a database down then made the worker fail to boot, and
    gunicorn stopped altogether ("Worker failed to boot")."""
    from dashboard import create_app

    server = sa.create_engine(MARIADB_SERVER)
    with server.begin() as conn:  # a new, empty accounts database: the tables must be created once it answers
        conn.exec_driver_sql("DROP DATABASE IF EXISTS mediviz_test_boot")
        conn.exec_driver_sql("CREATE DATABASE mediviz_test_boot CHARACTER SET utf8mb4")
    own = sa.make_url(mariadb_url).set(database="mediviz_test_boot").render_as_string(hide_password=False)
    mariadb_proxy.refuse()
    url = through(mariadb_proxy, own)

    app = create_app(
        {"DATABASE_URL": sqlite_url, "APP_DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True,
         "SERVE_FROM": "crm", "REFRESH_SECONDS": 0, **QUICK}
    )  # fmt: skip
    client = app.server.test_client()
    down = client.get("/login")
    assert down.status_code == 503 and "Base de données indisponible" in down.get_data(as_text=True)
    assert client.get("/api/v1/visites").status_code == 503
    mariadb_proxy.restore()
    assert until_ok(client, "/login") < 10  # the tables were created in the background (or by this request)
    with app.server.app_context():
        from data.app import accounts

        accounts.create("admin", "admin-password", role="admin")
    assert sa.inspect(sa.create_engine(own)).has_table("dash_session")
