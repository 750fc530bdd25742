"""The contact fact: the replica's table (with first-occurrence flags) and the SELECT over the CRM give the same
answers, byte for byte, on every area, its v1 and legacy routes, under a dozen filter combinations; its flags
count what a distinct count counts; an incremental refresh leaves it as a full build would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlalchemy as sa

from dashboard.api import AREAS
from data import demo
from data.metrics import facts
from data.source import replica
from data.source.fact import FACT, FLAGS, TABLE, TABLE_BY_REP, TABLE_DAYS
from tests import fixture_data
from tests.conftest import build_app, login

FIXTURE_FILTERS: list[dict[str, Any]] = [
    {},
    {"annee": 2025},
    {"annee": 2025, "mois": 1},
    {"mois": 2},
    {"region": "RE00001"},
    {"gamme": "GA00001"},
    {"region": "RE00001,RE00002", "gamme": "GA00001"},
    {"id_responsable": 2},
    {"id_utilisateur": 3},
    {"start_date": "2025-01-10", "end_date": "2025-02-20"},
    {"id_responsable": 2, "region": "RE00001"},
    {"code_categorie": "CAEV01"},
    {"code_type_investissement": "TINV01"},
]
#: The cross-filters a click on a chart sets (the visit areas' v1 routes; elsewhere a 400 on both sides).
CROSS_FILTERS: list[dict[str, Any]] = [
    {"potentiel": "A"},
    {"potentiel": "B", "annee": 2025},
    {"type_partenaire": "PHAR"},
    {"etablissement": "ETPU", "region": "RE00001"},
    {"statut_partenaire": "VALI", "forme": "G"},
    {"code_type_visite": "PLAN", "accompagnement": "N"},
    {"role": "DEL", "id_responsable": 2},
]


def bodies(app: Any, filters: list[dict[str, Any]]) -> dict[tuple[str, str, int], tuple[int, bytes]]:
    """Every area's v1 (GET) and legacy (POST) answer under every filter set: status and exact bytes (a rep's page
    is rep 3's when the set names no rep)."""
    client = login(app.server.test_client(), "admin")
    out = {}
    for area, (_module, legacy) in AREAS.items():
        for number, values in enumerate(filters):
            query = {key: str(value) for key, value in values.items()}
            if area == "delegue" and "id_utilisateur" not in query and "id_responsable" not in query:
                query["id_utilisateur"] = "3"
            answer = client.get(f"/api/v1/{area}", query_string=query)
            out[(area, "v1", number)] = (answer.status_code, answer.data)
            if legacy is None:
                continue
            body = {key: value.split(",") if key in ("region", "gamme") else value for key, value in values.items()}
            answer = client.post(legacy, json=body)
            out[(area, "legacy", number)] = (answer.status_code, answer.data)
    return out


def same_answers(crm_url: str, tmp_path: Path, filters: list[dict[str, Any]], answered: float = 0.75) -> None:
    straight = bodies(build_app(crm_url, APP_DATABASE_URL=f"sqlite:///{tmp_path / 'a.sqlite'}"), filters)
    app = build_app(
        crm_url,
        APP_DATABASE_URL=f"sqlite:///{tmp_path / 'b.sqlite'}",
        SERVE_FROM="replica",
        REPLICA_PATH=str(tmp_path / "replica.duckdb"),
    )
    with app.server.app_context():
        assert facts.materialised()  # the answers below come from the table, with its flags
    from_replica = bodies(app, filters)
    assert sum(status == 200 for status, _ in straight.values()) >= len(straight) * answered  # mostly answers
    different = [key for key in straight if straight[key] != from_replica[key]]
    assert not different, different[:5]


def test_the_replica_and_the_crm_give_the_same_answers_on_the_fixture(crm: str, tmp_path: Path) -> None:
    same_answers(crm, tmp_path, FIXTURE_FILTERS)


def test_the_replica_and_the_crm_give_the_same_answers_under_cross_filters(crm: str, tmp_path: Path) -> None:
    same_answers(crm, tmp_path, CROSS_FILTERS, answered=4 / 12)  # 4 areas' v1 of 6 areas × 2 routes


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """A generated CRM of 4 000 visits in SQLite, and codes that occur in it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('generated') / 'crm.sqlite'}"
    engine = sa.create_engine(url)
    demo.generate(engine, visits=4_000, end=dt.date(2026, 6, 30), months=12)
    with engine.connect() as conn:
        regions = conn.execute(sa.text("SELECT DISTINCT code_region_partenaire FROM tab_partenaire_visite")).scalars()
        gammes = conn.execute(sa.text("SELECT DISTINCT code_gamme_partenaire FROM tab_partenaire_visite")).scalars()
        manager = conn.execute(sa.text("SELECT min(id_responsable) FROM tab_visite")).scalar()
        rep = conn.execute(sa.text("SELECT min(id_utilisateur) FROM tab_visite")).scalar()
        region_codes, gamme_codes = sorted(r for r in regions if r), sorted(g for g in gammes if g)
    codes = {"regions": region_codes, "gammes": gamme_codes, "manager": manager, "rep": rep}
    engine.dispose()
    return url, codes


def test_the_replica_and_the_crm_give_the_same_answers_on_a_generated_crm(
    generated: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    url, codes = generated
    regions, gammes = codes["regions"], codes["gammes"]
    filters: list[dict[str, Any]] = [
        {},
        {"annee": 2026},
        {"annee": 2026, "mois": 3},
        {"mois": 12},
        {"region": regions[0]},
        {"gamme": gammes[0]},
        {"region": f"{regions[0]},{regions[1]}", "gamme": f"{gammes[0]},{gammes[1]}"},
        {"id_responsable": codes["manager"]},
        {"id_utilisateur": codes["rep"]},
        {"start_date": "2025-10-05", "end_date": "2026-01-20"},
        {"id_responsable": codes["manager"], "region": regions[0]},
        {"gamme": gammes[1], "annee": 2025},
        {"potentiel": "A", "region": regions[0]},
        {"type_partenaire": "PHAR", "annee": 2026},
        {"etablissement": "ETPR", "id_responsable": codes["manager"]},
        {"code_type_visite": "HOPL", "forme": "G"},
        {"role": "KAM"},
    ]
    same_answers(url, tmp_path, filters, answered=0.6)


def test_every_flag_counts_what_a_distinct_count_counts(generated: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    url, _ = generated
    path = tmp_path / "replica.duckdb"
    replica.build(sa.create_engine(url), path)
    con = duckdb.connect(str(replica.current(path)), read_only=True)
    for flag, keys in FLAGS.items():
        group = ", ".join(keys) or "1"
        stmt = (
            f"SELECT {group}, sum({flag}) AS flagged, count(DISTINCT id_visite) AS counted "
            f"FROM {TABLE} GROUP BY ALL HAVING flagged <> counted"
        )
        assert con.execute(stmt).fetchall() == [], flag
    (rows,) = con.execute(f"SELECT count(*) FROM {TABLE}").fetchall()[0]
    (contacts,) = con.execute(
        "SELECT count(*) FROM tab_visite v LEFT JOIN tab_partenaire_visite pv USING (id_visite)"
        " WHERE v.code_statut_visite <> 'SUPP'"
    ).fetchall()[0]
    assert rows == contacts > 4_000
    con.close()


def test_an_incremental_refresh_leaves_the_fact_as_a_full_build_would(crm: str, tmp_path: Path) -> None:
    """New visits, a deleted one, and a partner's potential changed (a current attribute on old visits)."""
    path = tmp_path / "replica.duckdb"
    replica.build(sa.create_engine(crm), path)
    with sa.create_engine(crm).begin() as conn:
        conn.execute(sa.text("UPDATE tab_partenaire SET code_potentiel = ' A' WHERE id_partenaire = 2"))
        conn.execute(sa.text("UPDATE tab_visite SET code_statut_visite = 'SUPP' WHERE id_visite = 7"))
    assert replica.refresh(sa.create_engine(crm), path, window_days=100_000) == "incremental"
    incremental = fact_rows(path)
    replica.build(sa.create_engine(crm), tmp_path / "full.duckdb")
    assert incremental == fact_rows(tmp_path / "full.duckdb")
    assert any(row[FACT.c.keys().index("potentiel")] == "A" for row in incremental)
    assert fact_rows(path, TABLE_BY_REP) == incremental  # the copy sorted by rep holds the same rows
    assert fact_rows(path, TABLE_DAYS) == fact_rows(tmp_path / "full.duckdb", TABLE_DAYS)  # the sums per rep and day


def test_an_incremental_refresh_counts_again_the_days_its_visits_leave_and_join(crm: str, tmp_path: Path) -> None:
    """A new visit on a day the rep already has (rep 4, 3 Feb 2025: visit 3), a visit moved to another day (visit
    6, rep 6: 8 -> 9 Jan 2026): the sums per rep and day follow, as a full build has them."""
    path = tmp_path / "replica.duckdb"
    replica.build(sa.create_engine(crm), path)
    with sa.create_engine(crm).begin() as conn:
        fixture_data.add_visits(conn, [(8, dt.datetime(2025, 2, 3, 15), 4, "PLAN", "REAL", "S", "N", [1])])
        conn.execute(sa.text("UPDATE tab_visite SET date_visite = '2026-01-09 08:15:00' WHERE id_visite = 6"))
    assert replica.refresh(sa.create_engine(crm), path, window_days=100_000) == "incremental"
    replica.build(sa.create_engine(crm), tmp_path / "full.duckdb")
    days = fact_rows(path, TABLE_DAYS)
    assert days == fact_rows(tmp_path / "full.duckdb", TABLE_DAYS)
    by_key = {(row[0], row[1].date()): row[2:] for row in days}
    # role, visites, visites_potentiel_fort, planifiees, planifiees_realisees, REAL, ABSE, REPL, ENAT
    assert by_key[(4, dt.date(2025, 2, 3))] == ("DEL", 2, 1, 1, 1, 2, 0, 0, 0)
    assert (6, dt.date(2026, 1, 8)) not in by_key
    assert by_key[(6, dt.date(2026, 1, 9))] == ("DEL", 1, 0, 0, 0, 1, 0, 0, 0)


def test_an_incremental_refresh_follows_a_rep_s_role_and_a_partner_s_status(crm: str, tmp_path: Path) -> None:
    """Old visits (outside any window) whose rep or partner changed are rebuilt as a full build would have them
    (the refresh finds them by comparing the partners' and reps' attributes before and after the copy)."""
    path = tmp_path / "replica.duckdb"
    replica.build(sa.create_engine(crm), path)
    with sa.create_engine(crm).begin() as conn:
        conn.execute(sa.text("UPDATE tab_utilisateur SET role = 'KAM' WHERE id_utilisateur = 3"))
        conn.execute(sa.text("UPDATE tab_partenaire SET code_statut_partenaire = 'MIGR' WHERE id_partenaire = 1"))
    assert replica.refresh(sa.create_engine(crm), path, window_days=0) == "incremental"
    replica.build(sa.create_engine(crm), tmp_path / "full.duckdb")
    assert fact_rows(path) == fact_rows(tmp_path / "full.duckdb")
    assert fact_rows(path, TABLE_BY_REP) == fact_rows(tmp_path / "full.duckdb")
    assert fact_rows(path, TABLE_DAYS) == fact_rows(tmp_path / "full.duckdb", TABLE_DAYS)
    roles = {row[FACT.c.keys().index("role")] for row in fact_rows(path) if row[2] == 3}
    assert roles == {"KAM"}


def test_a_replica_built_before_the_copy_sorted_by_rep_is_rebuilt_in_full(crm: str, tmp_path: Path) -> None:
    path = tmp_path / "replica.duckdb"
    replica.build(sa.create_engine(crm), path)
    version = replica.current(path)
    assert version is not None
    with duckdb.connect(str(version)) as con:  # as Mediviz wrote it before: fact version 1, no copy by rep
        con.execute(f"DROP TABLE {TABLE_BY_REP}")
        con.execute(f"UPDATE {replica.META} SET value = '1' WHERE key = 'fact'")
    assert replica.refresh(sa.create_engine(crm), path) == "full"
    assert fact_rows(path, TABLE_BY_REP) == fact_rows(path)


def fact_rows(path: Path, table: str = TABLE) -> list[tuple[Any, ...]]:
    version = replica.current(path)
    assert version is not None
    with duckdb.connect(str(version), read_only=True) as con:
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
