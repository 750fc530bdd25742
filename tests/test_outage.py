"""A database that stops answering, then comes back: 503 and a French message, then recovery without a restart.

The CRM database is the real MariaDB, reached through a TCP proxy that the tests cut and restore (so the
server itself keeps serving the other tests).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dashboard.faultproxy import FaultProxy
from data.cache import cache
from tests.browser import choose, open_logged_in
from tests.conftest import build_app, csrf, login


@pytest.fixture
def proxy(mariadb_proxy: FaultProxy) -> FaultProxy:
    return mariadb_proxy


@pytest.fixture
def outage_app(mariadb_url: str, proxy: FaultProxy, tmp_path: Path) -> Any:
    """An app whose CRM is MariaDB through the proxy (accounts in SQLite, so logging in does not need it)."""
    url = sa.make_url(mariadb_url).set(port=proxy.port).render_as_string(hide_password=False)
    return build_app(url, APP_DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite'}")


def test_the_api_answers_503_while_the_database_is_down_and_recovers(
    outage_app: Any, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    client = login(outage_app.server.test_client(), "admin")
    assert client.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 6
    proxy.refuse()
    with outage_app.server.app_context():
        cache.clear()
    with caplog.at_level(logging.WARNING):
        down = client.get("/api/v1/visites?mois=1")
        legacy = client.post("/data", json={"annee": 2025})
        health = outage_app.server.test_client().get("/health")
        page = client.get("/visites")
    assert down.status_code == 503 and down.get_json()["error"].startswith("Base de données indisponible")
    assert down.headers["Retry-After"] == "5"
    assert legacy.status_code == 503 and "error" in legacy.get_json()
    assert health.status_code == 503 and health.get_json()["database"] == "indisponible"
    assert "Traceback" not in down.get_data(as_text=True)
    assert page.status_code == 200  # the page's shell reads no CRM data: its callbacks show the banner (below)
    assert "database unavailable" in caplog.text
    proxy.restore()  # same port: the app is not restarted
    again = client.get("/api/v1/visites?mois=1")
    assert again.status_code == 200 and again.get_json()["indicateurs"]["visites"] == 3  # V1, V2, V6
    assert outage_app.server.test_client().get("/health").status_code == 200


def test_with_redis_down_the_app_answers_uncached_and_logs_it(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app(sqlite_url, CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    client = login(app.server.test_client(), "admin")
    with caplog.at_level(logging.WARNING):
        first = client.get("/api/v1/visites")
        again = client.get("/api/v1/visites")
    assert first.status_code == again.status_code == 200
    assert first.get_json()["indicateurs"]["visites"] == 6
    # Said once (not a traceback per cache call, as Flask-Caching did), then the cache is skipped for a while.
    said = [r.getMessage() for r in caplog.records if r.name == "data.source.health"]
    assert len(said) == 1 and said[0].startswith("cache: ConnectionError") and "skipped" in said[0]
    assert not [r for r in caplog.records if r.exc_info]


def test_the_page_shows_a_banner_while_the_database_is_down_then_recovers(
    dash_duo: Any, outage_app: Any, proxy: FaultProxy
) -> None:
    open_logged_in(dash_duo, outage_app, "/visites", "#visites-kpi-visites")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "6", timeout=20)
    proxy.refuse()
    choose(dash_duo, "f-mois", "Janvier")  # a question not in the cache
    dash_duo.wait_for_contains_text("#shell-flash", "Base de données indisponible", timeout=20)
    proxy.restore()
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "3", timeout=30)  # V1, V2, V6: computed again
    dash_duo.wait_for_text_to_equal("#shell-flash", "", timeout=10)
    assert not [entry for entry in dash_duo.get_logs() or [] if "Traceback" in str(entry)]


@pytest.fixture
def accounts_outage_app(sqlite_url: str, mariadb_url: str, proxy: FaultProxy) -> Any:
    """An app whose accounts live in MariaDB through the proxy (the CRM in SQLite keeps answering)."""
    url = sa.make_url(mariadb_url).set(port=proxy.port).render_as_string(hide_password=False)
    return build_app(sqlite_url, APP_DATABASE_URL=url)


def test_a_form_posted_while_the_accounts_database_is_down_gets_the_french_page(
    accounts_outage_app: Any, proxy: FaultProxy
) -> None:
    """The login form showed raw JSON with \\u escapes: a browser's form gets the page that reloads itself."""
    client = accounts_outage_app.server.test_client()
    token = csrf(client)
    proxy.refuse()
    answer = client.post("/login", data={"username": "admin", "password": "x", "csrf_token": token})
    assert answer.status_code == 503 and answer.mimetype == "text/html"
    assert "Base de données indisponible" in answer.get_data(as_text=True)
    api = client.post("/api/v1/visites", json={})
    assert api.status_code in (401, 503) and api.is_json  # tools still get JSON
    proxy.restore()
    assert client.post("/login", data={"username": "admin", "password": "x", "csrf_token": token}).status_code == 401


def test_with_the_accounts_database_down_the_page_shows_the_banner_then_recovers(
    dash_duo: Any, accounts_outage_app: Any, proxy: FaultProxy
) -> None:
    """The session cannot be checked, so no callback runs (503 before Dash): the browser shows the banner."""
    open_logged_in(dash_duo, accounts_outage_app, "/visites", "#visites-kpi-visites")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "6", timeout=20)
    proxy.refuse()
    choose(dash_duo, "f-mois", "Janvier")
    dash_duo.wait_for_contains_text("#shell-flash", "Base de données indisponible", timeout=20)
    assert dash_duo.find_element("#visites-kpi-visites").text == "6"  # the old figure stays, under the banner
    proxy.restore()
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "3", timeout=30)  # V1, V2, V6: computed again
    dash_duo.wait_for_text_to_equal("#shell-flash", "", timeout=10)


def test_a_page_change_that_met_the_outage_is_made_once_the_database_answers(
    dash_duo: Any, accounts_outage_app: Any, proxy: FaultProxy
) -> None:
    """The URL and the menu said Performance, the page stayed Visites (the router's request was refused)."""
    open_logged_in(dash_duo, accounts_outage_app, "/visites?annee=2025", "#visites-kpi-visites")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "5", timeout=20)
    proxy.refuse()
    dash_duo.find_element('a[href^="/performance"]').click()
    dash_duo.wait_for_contains_text("#shell-flash", "Base de données indisponible", timeout=20)
    assert dash_duo.find_elements("#performance-kpi-visites") == []  # still the Visites page under the banner
    proxy.restore()
    dash_duo.wait_for_text_to_equal("#performance-kpi-visites", "5", timeout=30)  # 2025: V1, V2, V3, V5, V7
    assert "annee=2025" in dash_duo.driver.current_url
    dash_duo.wait_for_text_to_equal("#shell-flash", "", timeout=10)


def test_a_session_closed_under_an_open_page_asks_to_log_in_again(dash_duo: Any, sqlite_url: str) -> None:
    """Disabling the account ends its session: the next callback answers 401 and the page says so, with a link."""
    from data.app import accounts

    app = build_app(sqlite_url)
    open_logged_in(dash_duo, app, "/visites", "#visites-kpi-visites", user="chef")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "4", timeout=20)  # team 2, 3, 4: V1, V2, V3, V7
    with app.server.app_context():
        accounts.update("chef", active=False)
    choose(dash_duo, "f-mois", "Janvier")
    dash_duo.wait_for_contains_text("#shell-flash", "Votre session a expiré ou a été fermée", timeout=20)
    assert not dash_duo.find_element("#visites-kpi-visites").is_displayed()  # the team's numbers: gone from sight
    assert not [e for e in dash_duo.get_logs() or [] if "body stream" in e.get("message", "")]
    link = dash_duo.find_element("#shell-flash a")
    assert link.get_attribute("href").endswith("/login?next=%2Fvisites")  # the URL the page had
    link.click()
    dash_duo.wait_for_element("#username")


def test_a_slow_statement_is_stopped_by_the_timeout(mariadb_url: str) -> None:
    """MariaDB stops a statement after ``QUERY_TIMEOUT_SECONDS``: the worker gets an error, not a hang."""
    import time

    from data.source import db

    engine = db.make_engine(mariadb_url, statement_timeout=1)
    started = time.perf_counter()
    with pytest.raises(sa.exc.OperationalError, match="max_statement_time"), engine.connect() as conn:
        conn.exec_driver_sql("SELECT SLEEP(5) FROM tab_visite")
    assert time.perf_counter() - started < 4
    engine.dispose()


def test_a_slow_statement_on_the_replica_is_interrupted(duckdb_url: str, tmp_path: Path) -> None:
    """DuckDB has no statement timeout: the read is interrupted after ``QUERY_TIMEOUT_SECONDS`` instead."""
    import time

    from data.source import db

    app = build_app(duckdb_url, QUERY_TIMEOUT_SECONDS=0.5)
    slow = sa.select(sa.func.count()).select_from(sa.text("range(100000000000) AS r(x), range(10) AS s(y)"))
    with app.server.app_context():
        started = time.perf_counter()
        with pytest.raises(db.QueryTimeout):
            db.read(slow)
        assert time.perf_counter() - started < 5
        assert db.read(sa.select(sa.literal(1))) == [(1,)]  # the engine keeps serving
