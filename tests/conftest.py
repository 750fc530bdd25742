"""Shared fixtures: the fixture CRM on SQLite and MariaDB, an app per database, logged-in clients."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash._callback
import dash._pages
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from data.app.schema import app_metadata
from tests import fixture_data

MARIADB_SERVER = os.environ.get("MEDIVIZ_TEST_MARIADB", "mysql+pymysql://root:@127.0.0.1:3306")
MARIADB_DB = os.environ.get("MEDIVIZ_TEST_MARIADB_DB", "mediviz_test")
PASSWORDS = {"admin": "admin-password", "chef": "chef-password", "orphelin": "orphelin-password"}


@pytest.fixture(autouse=True)
def reset_dash_globals() -> Iterator[None]:
    """Dash keeps pages and ``@callback``s in module globals: start every app build from scratch. And no
    background thread of a finished test's app (refresher, probe, table retry) keeps running into the next."""
    yield
    stop_background_threads(join=False)
    dash._pages.PAGE_REGISTRY.clear()
    dash._callback.GLOBAL_CALLBACK_LIST.clear()
    dash._callback.GLOBAL_CALLBACK_MAP.clear()
    dash._callback.GLOBAL_INLINE_SCRIPTS.clear()


def stop_background_threads(*, join: bool) -> None:
    """Stop the background threads of the apps built so far (refreshers, probes, table retries, the side-by-side
    pool); with ``join``, wait (10 s at most each) for every ``mediviz-*`` thread to end."""
    from data import side_by_side
    from data.app import tables
    from data.source import monitor, refresher

    refresher.stop_all()
    monitor.stop_all()
    tables.stop_all()
    side_by_side.stop()
    if join:
        for thread in threading.enumerate():
            if thread.name.startswith("mediviz") and thread is not threading.current_thread():
                thread.join(timeout=10)


@pytest.fixture
def dash_duo(dash_duo: Any) -> Iterator[Any]:
    """dash[testing]'s browser fixture. Its server's stop raises ``SystemExit`` in *every* thread started since
    the server (``KillerThread.kill``: ``PyThreadState_SetAsyncExc``), the app's background threads included:
    landing in the middle of whatever they run, it broke a probe's ``Event.wait`` ("cannot wait on un-acquired
    lock") and, earlier, pytest's own compilation ("AST constructor recursion depth mismatch"). They are
    stopped and joined before the server is."""
    yield dash_duo
    stop_background_threads(join=True)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fixture CRM in a SQLite file."""
    path: Path = tmp_path_factory.mktemp("crm") / "crm.sqlite"
    url = f"sqlite:///{path}"
    fixture_data.load(sa.create_engine(url))
    return url


@pytest.fixture(scope="session")
def mariadb_url() -> str:
    """The fixture CRM in a MariaDB database (required when ``CI`` is set, else skipped if unreachable)."""
    try:
        server = sa.create_engine(MARIADB_SERVER, connect_args={"connect_timeout": 3})
        with server.begin() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS {MARIADB_DB} CHARACTER SET utf8mb4")
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"MariaDB unreachable: {exc}")
    url = f"{MARIADB_SERVER}/{MARIADB_DB}?charset=utf8mb4"
    engine = sa.create_engine(url)
    app_metadata.drop_all(engine)
    fixture_data.load(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def duckdb_url(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fixture CRM's replica in DuckDB: every data test also runs on what the replica holds."""
    from data.source import replica

    path = tmp_path_factory.mktemp("replica") / "crm.duckdb"
    replica.build(sa.create_engine(sqlite_url), path)  # the replica's own build: only the columns it keeps
    return replica.url(path)


@pytest.fixture
def crm(tmp_path: Path) -> str:
    """A fixture CRM of the test's own in SQLite (for tests that change it)."""
    url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    fixture_data.load(sa.create_engine(url))
    return url


@pytest.fixture
def mariadb_proxy(mariadb_url: str) -> Iterator[Any]:
    """A proxy in front of the fixture's MariaDB server that the test refuses, freezes and restores."""
    from dashboard.faultproxy import FaultProxy

    url = sa.make_url(mariadb_url)
    proxy = FaultProxy((url.host or "127.0.0.1", url.port or 3306))
    yield proxy
    proxy.close()


@pytest.fixture(scope="session", params=["sqlite", "mariadb", "duckdb"])
def crm_url(request: pytest.FixtureRequest) -> str:
    """The fixture CRM on each database engine: the same test runs on both."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="session")
def shared_app(crm_url: str) -> Any:
    """One app per database for the tests that only read (building one per test made the suite slow)."""
    return build_app(crm_url)


def build_app(url: str, **overrides: Any) -> Any:
    """A Mediviz app over ``url`` with three accounts: admin, a manager (team of user 2), an unlinked viewer."""
    from dashboard import create_app
    from data.app import accounts

    app_url = overrides.get("APP_DATABASE_URL", url)
    if app_url.startswith("duckdb"):  # accounts live in an ordinary database; DuckDB holds only CRM data
        app_url = "sqlite:///" + url.removeprefix("duckdb:///").replace(".duckdb", "-app.sqlite")
    engine = sa.create_engine(app_url)
    app_metadata.drop_all(engine)
    engine.dispose()
    config = {
        "DATABASE_URL": url,
        "APP_DATABASE_URL": app_url,
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "CACHE_TYPE": "SimpleCache",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # scrypt costs 0.16 s a hash: too slow for 480 tests
        "SERVE_FROM": "crm",  # the statements under test run on the database given (the replica has its tests)
        "REFRESH_SECONDS": 0,
    }
    app = create_app({**config, **overrides})
    with app.server.app_context():
        accounts.create("admin", PASSWORDS["admin"], role="admin")
        accounts.create("chef", PASSWORDS["chef"], role="viewer", id_utilisateur=2)
        accounts.create("orphelin", PASSWORDS["orphelin"], role="viewer")
    return app


def another_worker(app: Any) -> Any:
    """A second app over ``app``'s databases: another gunicorn worker, or the CLI's own process."""
    from dashboard import create_app

    same = ["DATABASE_URL", "APP_DATABASE_URL", "SECRET_KEY", "TESTING", "CACHE_TYPE", "CACHE_REDIS_URL"]
    same += ["PASSWORD_HASH_METHOD", "SERVE_FROM", "REFRESH_SECONDS", "PROXY_FIX"]
    return create_app({key: app.server.config[key] for key in same})


@pytest.fixture
def app(shared_app: Any) -> Any:
    """The app over the fixture CRM (SQLite and MariaDB), its result cache emptied."""
    from data.cache import cache

    with shared_app.server.app_context():
        cache.clear()
    return shared_app


@pytest.fixture
def sqlite_app(sqlite_url: str) -> Any:
    """The app over the fixture CRM on SQLite only (for tests where the engine does not matter)."""
    return build_app(sqlite_url)


def csrf(client: FlaskClient) -> str:
    """The anti-forgery token of ``client``'s session, as the login form carries it."""
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def login(client: FlaskClient, username: str) -> FlaskClient:
    """Log ``client`` in through the login form (with its anti-forgery token)."""
    form = {"username": username, "password": PASSWORDS[username], "csrf_token": csrf(client)}
    response = client.post("/login", data=form)
    assert response.status_code == 302, response.data
    return client


@pytest.fixture
def client(app: Any) -> FlaskClient:
    """A test client logged in as the admin."""
    return login(app.server.test_client(), "admin")
