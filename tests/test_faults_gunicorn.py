"""Under gunicorn (2 workers), an outage never stops the service for good: a worker restarted during it boots
without its dependencies (gunicorn stopped altogether: "Worker failed to boot"), answers 503 meanwhile, and
every worker serves again once the dependency returns, without a restart.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import sqlalchemy as sa

from dashboard.bench import gunicorn
from dashboard.faultproxy import FaultProxy
from data.app import accounts, tokens
from tests import fixture_data
from tests.conftest import MARIADB_SERVER, build_app

SECRET = "test-secret-key-for-gunicorn-0123456789"
QUICK = {"CONNECT_TIMEOUT_SECONDS": "1", "ACCOUNTS_TIMEOUT_SECONDS": "2", "BREAKER_SECONDS": "2"}


def ask(url: str, token: str) -> tuple[int, dict[str, Any]]:
    """GET ``url`` with the token: the status and the JSON body."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def admin_token(crm: str, app_url: str) -> str:
    """The fixture's accounts in ``app_url`` (made by an app of this process) and an admin's API token."""
    app = build_app(crm, APP_DATABASE_URL=app_url)
    with app.server.app_context():
        admin = accounts.find("admin")
        assert admin is not None
        secret, _ = tokens.create(admin, "gunicorn")
    return secret


def until(condition: Any, seconds: float) -> float:
    """Wait for ``condition()`` to be true; the seconds it took (fails after ``seconds``)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "not within the time allowed"
        time.sleep(0.5)
    return time.monotonic() - started


def kill_a_worker(master: psutil.Process) -> None:
    """Kill one worker (OOM, --max-requests, a crash) and wait for gunicorn to have started a new one."""
    before = {child.pid for child in master.children()}
    os.kill(sorted(before)[0], signal.SIGKILL)
    until(lambda: len({c.pid for c in master.children()} - before) == 1 and len(master.children()) == 2, 30)
    time.sleep(3)  # long enough for a failed boot to have stopped gunicorn


@pytest.fixture
def accounts_db(mariadb_url: str) -> Iterator[tuple[str, FaultProxy]]:
    """An accounts database of its own in MariaDB, and a proxy in front of the server."""
    with sa.create_engine(MARIADB_SERVER).begin() as conn:
        conn.exec_driver_sql("CREATE DATABASE IF NOT EXISTS mediviz_test_gunicorn CHARACTER SET utf8mb4")
    url = sa.make_url(mariadb_url).set(database="mediviz_test_gunicorn")
    proxy = FaultProxy((url.host or "127.0.0.1", url.port or 3306))
    yield url.render_as_string(hide_password=False), proxy
    proxy.close()


@pytest.mark.parametrize("fault", ["refuse", "freeze"])
def test_a_worker_restarted_while_the_accounts_database_is_out_boots_and_the_service_recovers(
    accounts_db: tuple[str, FaultProxy], tmp_path: Path, fault: str
) -> None:
    direct, proxy = accounts_db
    crm = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    fixture_data.load(sa.create_engine(crm))
    token = admin_token(crm, direct)
    proxied = sa.make_url(direct).set(port=proxy.port).render_as_string(hide_password=False)
    settings = {"DATABASE_URL": crm, "APP_DATABASE_URL": proxied, "SECRET_KEY": SECRET, **QUICK,
                "REPLICA_PATH": str(tmp_path / "replica.duckdb"), "REFRESH_SECONDS": "2"}  # fmt: skip
    process, base = gunicorn(settings, workers=2, threads=2)
    master = psutil.Process(process.pid)
    try:
        status, body = ask(f"{base}/api/v1/visites", token)
        assert status == 200 and body["indicateurs"]["visites"] == 6
        getattr(proxy, fault)()
        kill_a_worker(master)
        assert master.is_running() and process.poll() is None  # gunicorn did not stop
        status, body = ask(f"{base}/api/v1/visites?mois=1", token)
        assert status == 503 and body["error"].startswith("Base de données indisponible")
        proxy.restore()
        recovered = until(lambda: all(ask(f"{base}/api/v1/visites?mois=1", token)[0] == 200 for _ in range(6)), 30)
        assert ask(f"{base}/api/v1/visites?mois=1", token)[1]["indicateurs"]["visites"] == 3  # V1, V2, V6
        assert recovered < 30 and len(master.children()) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_workers_start_without_a_replica_while_the_crm_is_out_and_serve_once_it_returns(
    mariadb_url: str, tmp_path: Path
) -> None:
    """With the replica missing and the CRM cut, every worker failed to boot (it built the replica itself)."""
    url = sa.make_url(mariadb_url)
    proxy = FaultProxy((url.host or "127.0.0.1", url.port or 3306))
    app_db = f"sqlite:///{tmp_path / 'app.sqlite'}"
    token = admin_token(mariadb_url, app_db)
    proxy.refuse()
    settings = {"DATABASE_URL": url.set(port=proxy.port).render_as_string(hide_password=False),
                "APP_DATABASE_URL": app_db, "SECRET_KEY": SECRET, "REPLICA_PATH": str(tmp_path / "replica.duckdb"),
                "REFRESH_SECONDS": "1", "REFRESH_TIMEOUT_SECONDS": "20", **QUICK}  # fmt: skip
    process, base = gunicorn(settings, workers=2, threads=2, healthy=False)
    try:
        status, body = ask(f"{base}/api/v1/visites", token)
        assert status == 503 and body["error"].startswith("Données en préparation")
        with pytest.raises(urllib.error.HTTPError) as health:
            urllib.request.urlopen(f"{base}/health", timeout=5)
        assert health.value.code == 503
        assert json.loads(health.value.read())["components"]["replique"]["etat"] == "indisponible"
        time.sleep(3)
        assert process.poll() is None  # gunicorn keeps running
        proxy.restore()
        until(lambda: all(ask(f"{base}/api/v1/visites", token)[0] == 200 for _ in range(6)), 30)
        assert ask(f"{base}/api/v1/visites", token)[1]["indicateurs"]["visites"] == 6
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        proxy.close()
