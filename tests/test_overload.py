"""More work than the replica's memory holds: statements queue for a slot, one that runs out of memory is tried
again alone, and only then the answer is 503 "service surchargé" (never "base de données indisponible")."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from data.errors import OverloadedError
from data.source import db
from tests import fixture_data
from tests.conftest import build_app, login

#: A statement that needs far more than 64 MB (a list of thirty million integers).
HEAVY = sa.text("SELECT list(x) FROM range(30000000) t(x)")


@pytest.fixture
def small_replica_app(tmp_path: Path) -> Any:
    crm = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    fixture_data.load(sa.create_engine(crm))
    return build_app(
        crm,
        SERVE_FROM="replica",
        REPLICA_PATH=str(tmp_path / "replica.duckdb"),
        REPLICA_MEMORY_LIMIT="64MB",
        REPLICA_CONCURRENCY=1,
        ADMISSION_SECONDS=0.5,
    )


def test_out_of_memory_is_tried_alone_then_answered_as_overload(small_replica_app: Any, monkeypatch: Any) -> None:
    client = login(small_replica_app.server.test_client(), "admin")
    assert client.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 6  # the real ones fit
    with small_replica_app.server.app_context(), pytest.raises(OverloadedError):
        db.read(HEAVY)  # DuckDB's own OutOfMemory, twice: in its slot, then alone
    runs: list[int] = []
    real = db._read_replica

    def heavy(engine: sa.Engine, _stmt: Any, seconds: float) -> list[Any]:
        runs.append(1)
        return real(engine, HEAVY, seconds)

    monkeypatch.setattr(db, "_read_replica", heavy)
    answer = client.get("/api/v1/visites?mois=2")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.get_json()["error"].startswith("Service surchargé")
    assert len(runs) == 2
    monkeypatch.setattr(db, "_read_replica", real)
    assert client.get("/api/v1/visites?mois=2").get_json()["indicateurs"]["visites"] == 1  # V3 (Feb. 2025)


def test_a_statement_that_waits_too_long_for_its_turn_is_overload(small_replica_app: Any) -> None:
    client = login(small_replica_app.server.test_client(), "admin")
    gate = small_replica_app.server.extensions["mediviz"]["admission"]
    busy = threading.Thread(target=lambda: gate.run(lambda: time.sleep(2)))  # the only slot, for 2 s
    busy.start()
    time.sleep(0.2)
    started = time.perf_counter()
    answer = client.get("/api/v1/visites?mois=3")
    assert answer.status_code == 503 and answer.get_json()["error"].startswith("Service surchargé")
    assert time.perf_counter() - started < 1.5  # the admission wait (0.5 s), not the busy statement
    busy.join()
    assert client.get("/api/v1/visites?mois=3").status_code == 200  # its turn now
