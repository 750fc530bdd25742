"""The replica and its refresh under faults: a damaged version file is repaired, a hung refresh is stopped and
reported, an orphaned job dies, a full disk is reported, stale data is called stale; nothing is served wrong.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dashboard.faultproxy import FaultProxy
from data.source import refresh_status, replica
from data.source.refresher import Refresher
from tests import fixture_data
from tests.conftest import build_app, login

ROOT = Path(__file__).resolve().parent.parent


def replica_app(crm: str, path: Path, **overrides: Any) -> Any:
    return build_app(crm, SERVE_FROM="replica", REPLICA_PATH=str(path), **overrides)


def visits(app: Any) -> tuple[int, int | None]:
    """The status of ``/api/v1/visites`` and its visit count (None unless 200)."""
    answer = login(app.server.test_client(), "admin").get("/api/v1/visites")
    return answer.status_code, answer.get_json()["indicateurs"]["visites"] if answer.status_code == 200 else None


def refresh(app: Any, *args: str) -> Any:
    return app.server.test_cli_runner().invoke(args=["refresh", *args])


def two_versions(crm: str, path: Path) -> tuple[Any, Path, Path]:
    """An app serving a second version of the replica, the first kept as the previous one."""
    app = replica_app(crm, path)
    first = replica.current(path)
    assert refresh(app, "--full").exit_code == 0
    second = replica.current(path)
    assert first is not None and second is not None and first != second and replica.previous(path) == first
    return app, first, second


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_a_damaged_version_file_is_repaired_and_a_new_worker_serves_the_previous_one(
    crm: str, tmp_path: Path, damage: str
) -> None:
    """It gave 503 on every request, the refresh failed before writing its status, and only --full repaired it."""
    path = tmp_path / "replica.duckdb"
    app, _first, second = two_versions(crm, path)
    assert visits(app) == (200, 6)
    newcomer = replica_app(crm, path)  # a worker whose first request comes after the damage
    if damage == "deleted":
        second.unlink()
    else:
        os.truncate(second, second.stat().st_size // 2)
    assert visits(app)[0] in (200, 503)  # the worker that has it open: right numbers or "en préparation", no 500
    assert visits(newcomer) == (200, 6)  # it cannot open the current version: it serves the previous one
    result = refresh(newcomer)  # a plain refresh repairs it (a full rebuild)
    assert result.exit_code == 0 and "reconstruite en entier" in result.output, result.output
    assert replica.readable(replica.current(path) or path) and replica.status(path)["ok"] is True
    assert visits(app) == (200, 6) and visits(replica_app(crm, path)) == (200, 6)


def test_a_replica_that_does_not_take_an_incremental_refresh_is_rebuilt_in_full(crm: str, tmp_path: Path) -> None:
    """A version whose tables are not as this Mediviz writes them under the same fact version (a table per rep and
    day one column short, as an unreleased build left it) failed every incremental refresh until the daily full
    build, its data frozen meanwhile: the refresh now rebuilds it in full, with the CRM's new visit."""
    import duckdb

    path = tmp_path / "replica.duckdb"
    replica.build(sa.create_engine(crm), path)
    served = replica.current(path)
    assert served is not None
    with duckdb.connect(str(served)) as con:
        con.execute("ALTER TABLE fait_activite_jour DROP COLUMN role")
    with sa.create_engine(crm).begin() as conn:
        fixture_data.add_visits(conn, [(8, dt.datetime(2025, 2, 3, 15), 4, "PLAN", "REAL", "S", "N", [])])
    assert replica.refresh(sa.create_engine(crm), path, window_days=100_000) == "full"
    assert replica.status(path)["ok"] is True
    assert visits(replica_app(crm, path)) == (200, 7)  # the fixture's 6 and the new one


def test_a_refresh_that_cannot_reach_the_crm_says_so_in_one_line(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    app.server.extensions["mediviz"]["crm_engine"] = sa.create_engine("mysql+pymysql://root@127.0.0.1:9/x")
    result = refresh(app)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Error: la réplique n'a pas pu être actualisée (OperationalError")
    assert visits(app) == (200, 6)  # the served version stays


@pytest.fixture
def frozen_crm(mariadb_url: str) -> Iterator[str]:
    """The MariaDB fixture CRM behind a frozen proxy: connections are accepted and never answered."""
    url = sa.make_url(mariadb_url)
    proxy = FaultProxy((url.host or "127.0.0.1", url.port or 3306))
    proxy.freeze()
    yield url.set(port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


def test_a_refresh_on_a_hung_crm_fails_in_seconds_and_says_why(crm: str, frozen_crm: str, tmp_path: Path) -> None:
    """Its reads had no timeout and the worker killed it only after 15 minutes, while /health said ok."""
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    refresher = Refresher(frozen_crm, path, seconds=60, window_days=31, full_hours=24, timeout=60, read_timeout=60)
    started = time.perf_counter()
    assert refresher.run_once() is False
    assert time.perf_counter() - started < 10  # its short probe of the CRM (2 s to connect, 3 s to read)
    status = replica.status(path)
    assert status["ok"] is False and "timed out" in status["error"] and status["running"] is None
    health = app.server.test_client().get("/health").get_json()["replica"]
    assert health["last_refresh_ok"] is False and health["cause"] == "la base CRM ne répond pas (délai dépassé)"
    assert visits(app) == (200, 6)


@pytest.fixture
def crm_locked(crm: str) -> Iterator[str]:
    """The SQLite CRM under an exclusive lock: a job reading it waits (its build lock held meanwhile)."""
    holder = sqlite3.connect(sa.make_url(crm).database or "", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield crm
    holder.execute("ROLLBACK")
    holder.close()


def test_a_refresh_stuck_anywhere_is_stopped_by_its_deadline(crm: str, tmp_path: Path) -> None:
    """Whatever a job waits for (here another build holding the lock), it ends after its deadline, reported."""
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    refresher = Refresher(crm, path, seconds=60, window_days=31, full_hours=24, timeout=3, read_timeout=60)
    with open(path.with_name(path.name + ".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another build that never ends
        started = time.perf_counter()
        assert refresher.run_once() is False
        assert time.perf_counter() - started < 8  # its own alarm, 3 s (the kill from here would come at 13 s)
    status = replica.status(path)
    assert status["ok"] is False and "deadline" in status["error"] and status["running"] is None
    health = app.server.test_client().get("/health").get_json()["replica"]
    assert health["last_refresh_ok"] is False and health["cause"] == "la base CRM ne répond pas (délai dépassé)"


def test_a_refresh_job_dies_with_its_worker_and_frees_the_lock(crm_locked: str, tmp_path: Path) -> None:
    """An orphaned job kept the replica's lock, and every later refresh queued behind it for good."""
    path = tmp_path / "replica.duckdb"
    worker = subprocess.Popen(  # stands for a gunicorn worker: starts a job that hangs, then is killed
        [sys.executable, "-c", _WORKER, str(path)],
        cwd=ROOT,
        env={**os.environ, "MEDIVIZ_REFRESH_SOURCE": crm_locked},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    with worker.stdout:
        job = int(worker.stdout.readline())
    lock_path = path.with_name(path.name + ".lock")
    deadline = time.monotonic() + 15
    while not _held(lock_path) and time.monotonic() < deadline:  # the job holds the lock, waiting on the CRM
        time.sleep(0.1)
    assert _held(lock_path) and replica.status(path)["running"] == job  # it said it started, first
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 5  # a dying process's threads close its files a moment after it is a zombie
    while (_alive(job) or _held(lock_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(job) and not _held(lock_path)  # it died with its worker: the lock is free at once


def _held(lock_path: Path) -> bool:
    """Does some process hold the replica's build lock?"""
    if not lock_path.exists():
        return False
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


_WORKER = """
import os, subprocess, sys, time
job = subprocess.Popen([sys.executable, "-m", "data.source.refresh_job", sys.argv[1], "--full", "--deadline", "120",
                        "--parent", str(os.getpid())])
print(job.pid, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie (dead, not yet reaped by init) counts as dead
        return stat.read().split()[2] != "Z"


def test_stale_data_is_called_stale_in_health_and_the_footer(crm: str, tmp_path: Path) -> None:
    """A status file saying ok is not enough: no successful refresh for three periods is a failing refresh."""
    from dashboard.shell import freshness

    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    app.server.config["REFRESH_SECONDS"] = 60  # as in production (no refresher runs in this test)
    record = replica.status(path)
    record["checked_at"] = (dt.datetime.now() - dt.timedelta(minutes=10)).isoformat(timespec="seconds")
    refresh_status.save_status(path, record)
    body = app.server.test_client().get("/health").get_json()
    assert body["status"] == "degraded" and body["replica"]["last_refresh_ok"] is False
    assert body["replica"]["cause"] == "aucune actualisation réussie depuis 10 min"
    assert 595 <= body["replica"]["data_age_seconds"] <= 700
    with app.server.test_request_context():
        footer = freshness()
    assert "⚠ actualisation en échec : aucune actualisation réussie depuis 10 min" in footer
    assert visits(app) == (200, 6)  # still served: late, and said so


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on an 8 MB tmpfs (mounting needs root; CI runs as root)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs: {done.stderr!r}")
        pytest.skip("mounting a tmpfs needs root")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_fails_the_refresh_and_says_so_then_it_recovers(crm: str, small_disk: Path) -> None:
    path = small_disk / "replica.duckdb"
    app = replica_app(crm, path)
    assert visits(app) == (200, 6)
    filler = small_disk / "filler"
    with open(filler, "wb") as out:  # fill the disk to the last byte
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    failed = refresh(app, "--full")
    assert failed.exit_code == 1 and "Traceback" not in failed.output
    body = app.server.test_client().get("/health").get_json()
    assert body["status"] == "degraded" and body["replica"]["last_refresh_ok"] is False
    assert body["replica"]["cause"] == "disque plein"
    assert json.loads((small_disk / "replica.duckdb.status.json").read_text())["ok"] is False
    assert visits(app) == (200, 6)  # the last good version serves meanwhile
    filler.unlink()
    assert refresh(app, "--full").exit_code == 0
    assert app.server.test_client().get("/health").get_json()["replica"]["last_refresh_ok"] is True
