"""The columnar replica: built from the CRM database, served from, swapped in whole, never half-built."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa

from data import db, replica
from data.schema import partenaire, partenaire_visite, visite
from tests import fixture_data
from tests.conftest import build_app, login


@pytest.fixture
def crm(tmp_path: Path) -> str:
    """A fixture CRM of the test's own (the tests below change it)."""
    url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    fixture_data.load(sa.create_engine(url))
    return url


def visits_seen(app: Any) -> int:
    client = login(app.server.test_client(), "admin")
    return int(client.get("/api/v1/visites").get_json()["indicateurs"]["visites"])


def test_the_app_builds_its_replica_and_serves_from_it(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = build_app(crm, REPLICA_PATH=str(path))
    assert path.exists()
    assert visits_seen(app) == 6  # V1..V7 minus the deleted V4
    with app.server.app_context():
        assert db.read_engine().dialect.name == "duckdb"
        assert db.crm_engine().dialect.name == "sqlite"  # the source stays the CRM database


def test_only_the_needed_columns_are_copied(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    counts = replica.build(sa.create_engine(crm), path)
    assert counts["tab_visite"] == 7 and counts["tab_partenaire_visite"] == 9 and counts["tab_partenaire_bc"] == 4
    with duckdb.connect(str(path), read_only=True) as conn:
        columns = {row[0] for row in conn.execute("DESCRIBE tab_visite").fetchall()}
    assert columns == set(replica.COLUMNS["tab_visite"])
    assert "commentaire" not in columns


def test_a_refresh_picks_up_a_new_visit_a_changed_status_and_a_new_partner(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    app = build_app(crm, REPLICA_PATH=str(path))
    assert visits_seen(app) == 6
    with sa.create_engine(crm).begin() as conn:
        new_partner = {"id_partenaire": 6, "code_type_partenaire": "MEDE", "nom_partenaire": "NOUVEAU",
                       "code_potentiel": "A", "code_region_partenaire": "RE00001"}  # fmt: skip
        new_visit = {"id_visite": 8, "id_utilisateur": 3, "code_type_visite": "HOPL", "code_statut_visite": "REAL",
                     "date_visite": dt.datetime(2025, 4, 2, 9)}  # fmt: skip
        conn.execute(partenaire.insert().values(**new_partner))
        conn.execute(visite.insert().values(**new_visit))
        conn.execute(partenaire_visite.insert().values(id_visite=8, id_partenaire=6, code_type_partenaire="MEDE"))
        conn.execute(visite.update().where(visite.c.id_visite == 5).values(code_statut_visite="SUPP"))
    assert visits_seen(app) == 6  # still the old replica
    result = app.server.test_cli_runner().invoke(args=["refresh", "--full"])
    assert result.exit_code == 0, result.output
    assert "Réplique reconstruite" in result.output
    assert visits_seen(app) == 6 + 1 - 1  # V8 added, V5 now deleted: swapped in without a restart
    client = login(app.server.test_client(), "admin")
    partners = client.post("/partenaire", json={"annee": 2025}).get_json()["Nombre_de_comptes_par_potentiel"]
    # Visited in 2025: P1 (A), P2 (B), P3 (A+, still seen in V2), P4 (" B" → B) and the new P6 (A).
    assert {p["code_potentiel"]: p["nombre_partenaire"] for p in partners}["A"] == 2


def test_a_failed_build_leaves_the_old_replica_serving(
    crm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "replica.duckdb"
    app = build_app(crm, REPLICA_PATH=str(path))
    before = path.stat().st_mtime_ns
    real_copy = replica._copy_table

    def failing_copy(conn: Any, duck: Any, name: str, columns: tuple[str, ...]) -> int:
        if name == "tab_visite":
            raise sa.exc.OperationalError("SELECT", {}, Exception("connexion perdue"))
        return real_copy(conn, duck, name, columns)

    monkeypatch.setattr(replica, "_copy_table", failing_copy)
    result = app.server.test_cli_runner().invoke(args=["refresh", "--full"])
    assert result.exit_code != 0
    assert path.stat().st_mtime_ns == before
    assert not (tmp_path / "replica.duckdb.building").exists()
    assert visits_seen(app) == 6
