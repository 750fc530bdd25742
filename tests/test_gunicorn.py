"""Under gunicorn with several workers, one of them refreshes the replica; if it dies, another takes over."""

from __future__ import annotations

import os
import signal
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa

from dashboard.bench import gunicorn
from data.source import replica
from tests import fixture_data


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[psutil.Process, Path, str]]:
    """gunicorn -w 3 over a fixture CRM, refreshing every half second: (master, replica path, base URL)."""
    crm = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    fixture_data.load(sa.create_engine(crm))
    path = tmp_path / "replica.duckdb"
    settings = {
        "DATABASE_URL": crm,
        "APP_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
        "SECRET_KEY": "test-secret-key-for-gunicorn-0123456789",
        "REPLICA_PATH": str(path),
        "REFRESH_SECONDS": "0.5",
    }
    process, base = gunicorn(settings, workers=3)
    try:
        yield psutil.Process(process.pid), path, base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def leaders_seen(path: Path, seconds: float) -> list[int]:
    """The worker that ran each refresh seen in ``seconds`` (the status file names the job's parent)."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = replica.status(path)
        if status.get("kind") in ("unchanged", "incremental") and status.get("parent"):
            seen.append(int(status["parent"]))
        time.sleep(0.2)
    return seen


def test_one_worker_refreshes_and_another_takes_over_when_it_dies(served: tuple[psutil.Process, Path, str]) -> None:
    master, path, base = served
    workers = {child.pid for child in master.children()}
    assert len(workers) == 3
    seen = leaders_seen(path, 8)
    assert len(seen) >= 3, "the replica was not refreshed every half second"
    assert len(set(seen)) == 1 and seen[0] in workers  # one refresher for the three workers
    leader = seen[0]
    os.kill(leader, signal.SIGKILL)  # gunicorn starts a new worker; one of the others takes the lock
    deadline = time.monotonic() + 30
    taken_over: list[int] = []
    while time.monotonic() < deadline and not taken_over:
        # A refresh the killed worker had started may still finish (its child is then the init's): skip it.
        living = {child.pid for child in master.children()}
        taken_over = [pid for pid in leaders_seen(path, 1) if pid != leader and pid in living]
    assert taken_over, "no worker took over the refreshes"
    assert len(set(taken_over)) == 1
    health = urllib.request.urlopen(f"{base}/health", timeout=5).read().decode()
    assert '"last_refresh_ok":true' in health.replace(" ", "")
