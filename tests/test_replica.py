"""The columnar replica: built from the CRM database, refreshed (incrementally or in full), swapped in whole,
never half-built, one refreshing process per host."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa

from data.source import db, replica
from data.source.refresher import Refresher
from data.source.schema import crm_metadata, partenaire, partenaire_visite, visite
from tests.conftest import build_app, login

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2025, 4, 10)  # "today" for the refresh window: the fixture's visits are from Jan to Apr 2025


def replica_app(crm: str, path: Path, **overrides: Any) -> Any:
    return build_app(crm, SERVE_FROM="replica", REPLICA_PATH=str(path), **overrides)


def visits_seen(app: Any) -> int:
    client = login(app.server.test_client(), "admin")
    return int(client.get("/api/v1/visites").get_json()["indicateurs"]["visites"])


def add_visit_and_partner(crm: str, *, visit_day: dt.datetime) -> None:
    """The CRM changes: a new partner P6 visited in a new visit V8 (by rep 3), and V5 deleted (SUPP)."""
    with sa.create_engine(crm).begin() as conn:
        conn.execute(
            partenaire.insert().values(
                id_partenaire=6, code_type_partenaire="MEDE", nom_partenaire="NOUVEAU", code_potentiel="A",
                code_region_partenaire="RE00001",
            )
        )  # fmt: skip
        conn.execute(
            visite.insert().values(
                id_visite=8, id_utilisateur=3, code_type_visite="HOPL", code_statut_visite="REAL",
                date_visite=visit_day,
            )
        )  # fmt: skip
        conn.execute(partenaire_visite.insert().values(id_visite=8, id_partenaire=6, code_type_partenaire="MEDE"))
        conn.execute(visite.update().where(visite.c.id_visite == 5).values(code_statut_visite="SUPP"))


def test_the_app_builds_its_replica_and_serves_from_it(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    assert path.is_symlink() and replica.current(path) is not None
    assert visits_seen(app) == 6  # V1..V7 minus the deleted V4
    with app.server.app_context():
        assert db.read_engine().dialect.name == "duckdb"
        assert db.crm_engine().dialect.name == "sqlite"  # the source stays the CRM database
    health = app.server.test_client().get("/health").get_json()
    assert health["replica"]["last_refresh"] == "full" and health["replica"]["last_refresh_ok"] is True


def test_serve_from_crm_reads_the_crm_database(crm: str, tmp_path: Path) -> None:
    app = build_app(crm, SERVE_FROM="crm", REPLICA_PATH=str(tmp_path / "replica.duckdb"))
    assert not (tmp_path / "replica.duckdb").exists()
    with app.server.app_context():
        assert db.read_engine().dialect.name == "sqlite"
    assert "replica" not in app.server.test_client().get("/health").get_json()


def test_only_the_needed_columns_are_copied(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    counts = replica.build(sa.create_engine(crm), path)
    assert counts["tab_visite"] == 7 and counts["tab_partenaire_visite"] == 9 and counts["tab_partenaire_bc"] == 4
    with duckdb.connect(str(replica.current(path)), read_only=True) as conn:
        columns = {row[0] for row in conn.execute("DESCRIBE tab_visite").fetchall()}
    assert columns == set(replica.COLUMNS["tab_visite"])
    assert "commentaire" not in columns


def test_a_full_refresh_picks_up_a_new_visit_a_changed_status_and_a_new_partner(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    assert visits_seen(app) == 6
    add_visit_and_partner(crm, visit_day=dt.datetime(2025, 4, 2, 9))
    assert visits_seen(app) == 6  # still the old replica
    result = app.server.test_cli_runner().invoke(args=["refresh", "--full"])
    assert result.exit_code == 0, result.output
    assert "Réplique reconstruite" in result.output
    assert visits_seen(app) == 6 + 1 - 1  # V8 added, V5 now deleted: swapped in without a restart
    client = login(app.server.test_client(), "admin")
    partners = client.post("/partenaire", json={"annee": 2025}).get_json()["Nombre_de_comptes_par_potentiel"]
    # Visited in 2025: P1 (A), P2 (B), P3 (A+, still seen in V2), P4 (" B" → B) and the new P6 (A).
    assert {p["code_potentiel"]: p["nombre_partenaire"] for p in partners}["A"] == 2


def test_an_incremental_refresh_reads_only_new_and_recent_visits(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    source = sa.create_engine(crm)
    replica.build(source, path)
    first = replica.current(path)
    add_visit_and_partner(crm, visit_day=dt.datetime(2025, 4, 2, 9))
    statements: list[str] = []
    sa.event.listen(source, "before_cursor_execute", lambda *args: statements.append(args[2]))
    # The window starts on 2025-03-01: V5 (2025-03-05) and V6, V7 are re-read; V8 is new (above the watermark).
    assert replica.refresh(source, path, window_days=40, now=NOW) == "incremental"
    assert replica.current(path) != first  # a new version file, swapped in
    with duckdb.connect(str(replica.current(path)), read_only=True) as conn:
        rows = dict(conn.execute("SELECT id_visite, code_statut_visite FROM tab_visite").fetchall())
        partners = {row[0] for row in conn.execute("SELECT id_partenaire FROM tab_partenaire").fetchall()}
        contacts = conn.execute("SELECT id_partenaire FROM tab_partenaire_visite WHERE id_visite = 8").fetchall()
    assert rows[8] == "REAL" and rows[5] == "SUPP" and 6 in partners and contacts == [(6,)]
    visit_reads = [s for s in statements if "FROM tab_visite" in s and "count" not in s.lower()]
    assert visit_reads and all("WHERE" in s for s in visit_reads)  # never the whole visits table
    served = replica.current(path)
    assert served is not None and replica.metadata(served)["kind"] == "incremental"


def test_only_the_changed_visits_have_their_contacts_read_again(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    source = sa.create_engine(crm)
    replica.build(source, path)
    add_visit_and_partner(crm, visit_day=dt.datetime(2025, 4, 2, 9))
    statements: list[tuple[str, Any]] = []
    sa.event.listen(source, "before_cursor_execute", lambda *args: statements.append((args[2], args[3])))
    # V5, V6 and V7 are in the 40-day window; only V5 changed (SUPP) and V8 is new.
    assert replica.refresh(source, path, window_days=40, now=NOW) == "incremental"
    reads = [(s, p) for s, p in statements if "FROM tab_partenaire_visite" in s and "count" not in s.lower()]
    assert len(reads) == 1
    read_ids = {
        v for v in (reads[0][1].values() if isinstance(reads[0][1], dict) else reads[0][1]) if isinstance(v, int)
    }
    assert read_ids == {5, 8}
    with duckdb.connect(str(replica.current(path)), read_only=True) as conn:
        kept = conn.execute("SELECT id_visite, id_partenaire FROM tab_partenaire_visite WHERE id_visite IN (6, 7)")
        unchanged = crm_contacts(crm, (6, 7))
        assert unchanged and sorted(kept.fetchall()) == sorted(unchanged)  # kept, not read again


def crm_contacts(crm: str, ids: tuple[int, ...]) -> list[tuple[int, int]]:
    """The contacts of ``ids`` in the CRM (unchanged by the test: the replica must still hold them)."""
    with sa.create_engine(crm).connect() as conn:
        rows = conn.execute(
            sa.select(partenaire_visite.c.id_visite, partenaire_visite.c.id_partenaire).where(
                partenaire_visite.c.id_visite.in_(ids)
            )
        )
        return [tuple(row) for row in rows]


def test_a_refresh_that_finds_nothing_new_keeps_the_version_and_the_cache(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    served = replica.current(path)
    with app.server.app_context():
        version = db.read_engine() and app.server.extensions["mediviz"]["data_version"]
    assert replica.refresh(sa.create_engine(crm), path, now=NOW) == "unchanged"
    assert replica.current(path) == served
    assert replica.status(path)["kind"] == "unchanged"
    with app.server.app_context():
        db.read_engine()
        assert app.server.extensions["mediviz"]["data_version"] == version


def test_a_change_outside_the_window_falls_back_to_a_full_build(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    source = sa.create_engine(crm)
    replica.build(source, path)
    with source.begin() as conn:  # V1 (January) loses its contacts and is deleted: far outside the window
        conn.execute(partenaire_visite.delete().where(partenaire_visite.c.id_visite == 1))
        conn.execute(visite.delete().where(visite.c.id_visite == 1))
    assert replica.refresh(source, path, window_days=7, now=NOW) == "full"
    with duckdb.connect(str(replica.current(path)), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM tab_visite WHERE id_visite = 1").fetchall() == [(0,)]


def test_a_visit_moved_into_the_window_is_not_duplicated(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    source = sa.create_engine(crm)
    replica.build(source, path)
    with source.begin() as conn:  # V1 rescheduled from January into the window
        conn.execute(visite.update().where(visite.c.id_visite == 1).values(date_visite=dt.datetime(2025, 4, 8, 10)))
    assert replica.refresh(source, path, window_days=7, now=NOW) == "incremental"
    with duckdb.connect(str(replica.current(path)), read_only=True) as conn:
        assert conn.execute("SELECT count(*), min(date_visite) FROM tab_visite WHERE id_visite = 1").fetchall() == [
            (1, dt.datetime(2025, 4, 8, 10))
        ]


def test_the_app_swaps_in_a_new_version_at_the_next_request(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path, REFRESH_WINDOW_DAYS=100_000)  # every fixture visit counts as recent
    assert visits_seen(app) == 6
    add_visit_and_partner(crm, visit_day=dt.datetime(2025, 4, 2, 9))
    result = app.server.test_cli_runner().invoke(args=["refresh"])
    assert result.exit_code == 0, result.output
    assert visits_seen(app) == 6  # V8 in, V5 out: the new version is served without a restart


def test_a_request_looks_at_the_replica_s_link_once(crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = replica_app(crm, tmp_path / "replica.duckdb")
    looked: list[Path] = []
    current = replica.current

    def counted(path: Path) -> Path | None:
        looked.append(path)
        return current(path)

    monkeypatch.setattr(replica, "current", counted)
    for request in (1, 2):
        with app.server.test_request_context():
            engines = {id(db.read_engine()) for _ in range(5)}
            assert db.read(sa.select(sa.literal(1))) == [(1,)]
        assert len(engines) == 1 and len(looked) == request  # each request looks once, not at every read


def test_a_failed_build_leaves_the_old_replica_serving(
    crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    before = replica.current(path)
    assert before is not None
    real_copy = replica.copy_table

    def failing_copy(conn: Any, duck: Any, name: str, columns: tuple[str, ...]) -> int:
        if name == "tab_visite":
            raise sa.exc.OperationalError("SELECT", {}, Exception("connexion perdue"))
        return real_copy(conn, duck, name, columns)

    monkeypatch.setattr(replica, "copy_table", failing_copy)
    result = app.server.test_cli_runner().invoke(args=["refresh", "--full"])
    assert result.exit_code != 0
    assert replica.current(path) == before
    assert sorted(p.name for p in tmp_path.glob("replica.duckdb.v*")) == [before.name]  # no half-built file left
    assert replica.status(path)["ok"] is False and "connexion perdue" in replica.status(path)["error"]
    assert visits_seen(app) == 6
    footer = _freshness(app)
    assert "dernière actualisation échouée" in footer


def test_an_unreachable_crm_fails_the_incremental_refresh_and_keeps_serving(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    dead = sa.create_engine("mysql+pymysql://root@127.0.0.1:9/nowhere", connect_args={"connect_timeout": 1})
    with pytest.raises(sa.exc.OperationalError):
        replica.refresh(dead, path)
    assert visits_seen(app) == 6
    assert replica.status(path)["ok"] is False
    health = app.server.test_client().get("/health").get_json()["replica"]  # public: no driver message
    assert health["last_refresh_ok"] is False
    assert health["last_error"] == "échec de l'actualisation (détails dans le journal)"
    assert "127.0.0.1" in replica.status(path)["error"]  # the details stay in the status file (and the log)


def _freshness(app: Any) -> str:
    from dashboard.shell import freshness

    with app.server.test_request_context():
        return freshness()


def test_the_footer_says_when_the_crm_was_read(crm: str, tmp_path: Path) -> None:
    app = replica_app(crm, tmp_path / "replica.duckdb", REFRESH_SECONDS=60)
    text = _freshness(app)
    assert text.startswith("données du CRM lues le ") and "actualisées toutes les 60 s" in text
    assert "échouée" not in text
    crm_app = build_app(crm)
    assert _freshness(crm_app) == "lus dans la base CRM, mis en cache 5 min au plus"


def test_the_replica_of_mariadb_holds_the_same_rows_as_the_crm(mariadb_url: str, tmp_path: Path) -> None:
    """The MariaDB source is read with connectorx (Arrow): every value arrives as the CRM holds it."""
    path = tmp_path / "replica.duckdb"
    source = sa.create_engine(mariadb_url)
    replica.build(source, path)
    with duckdb.connect(str(replica.current(path)), read_only=True) as conn, source.connect() as crm_conn:
        for name, columns in replica.COLUMNS.items():
            table = crm_metadata.tables[name]
            order = ", ".join(columns)
            copied = conn.execute(f"SELECT {order} FROM {name} ORDER BY {order}").fetchall()
            stmt = sa.select(*(table.c[c] for c in columns)).order_by(*(table.c[c] for c in columns))
            original = [tuple(row) for row in crm_conn.execute(stmt)]
            assert [tuple(_plain(v) for v in row) for row in copied] == [
                tuple(_plain(v) for v in row) for row in original
            ], name


def _plain(value: Any) -> Any:
    """Compare numbers by value (DECIMAL arrives as Decimal from one side, another scale from the other)."""
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def test_one_refreshing_process_per_host(crm: str, tmp_path: Path) -> None:
    """Three workers' refreshers on one host: one of them leads; when it stops, another takes over."""
    path = tmp_path / "replica.duckdb"
    replica.build(sa.create_engine(crm), path)
    script = (
        "import sys, time, logging\n"
        "from pathlib import Path\n"
        "from data.source.refresher import Refresher\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "r = Refresher(sys.argv[1], Path(sys.argv[2]), seconds=0.5, window_days=31, full_hours=24)\n"
        "r.start()\n"
        "time.sleep(float(sys.argv[3]))\n"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, crm, str(path), str(lifetime)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for lifetime in (5, 12, 12)  # long enough for a refresh or two on a busy machine (a job starts in ~1.5 s)
    ]
    logs = [worker.communicate(timeout=60)[1] for worker in workers]
    leaders = [i for i, log in enumerate(logs) if "refreshes this host's replica" in log]
    assert 1 <= len(leaders) <= 2, logs
    refreshed = [i for i, log in enumerate(logs) if "replica: unchanged" in log]
    assert set(refreshed) == set(leaders)
    if len(leaders) == 2:  # the first leader was the short-lived worker; exactly one other took over
        assert leaders[0] == 0 or leaders[1] == 0
    first_leader = logs[leaders[0]]
    assert "refresh failed" not in first_leader


def test_the_refresher_in_process_refreshes_on_its_own(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = replica_app(crm, path)
    refresher = Refresher(crm, path, seconds=0.3, window_days=100_000, full_hours=24)
    add_visit_and_partner(crm, visit_day=dt.datetime(2025, 4, 2, 9))
    refresher.start()
    try:
        deadline = time.monotonic() + 30
        while replica.status(path).get("kind") != "incremental" and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        refresher.stop()
    assert replica.status(path)["kind"] == "incremental"
    assert visits_seen(app) == 6 and os.path.exists(path)
