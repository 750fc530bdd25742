"""Utilisateurs aggregates and API on the fixture CRM, counted by hand (see tests/fixture_data.py).

Non-deleted visits (V4 is SUPP): V1 2025-01-10 u3 (mgr 2) P1; V2 2025-01-15 u3 (2) P1 P2 P3; V3 2025-02-03
u4 (2) P4; V5 2025-03-05 u6 (5) P3; V6 2026-01-08 u6 (5) P4; V7 2025-03-31 18:45 u3 (2) P2.
Partners: P1 DERMATO/Dermatologie Agadir/Agadir VALI; P2 GYNECO/Gynécologie Agadir/Inezgane VALI;
P3 pharmacy Casablanca/Casablanca CREE; P4 DERMATO/Chirurgie Plastique Casablanca/Azemmour VALI.
Users 3, 4, 6 are DEL; 2 is BENANI SARA, 5 is EL FASSI YASSINE.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.dialects import mysql, sqlite

from data.metrics import utilisateurs, utilisateurs_report
from data.metrics.filters import Filters
from data.metrics.scope import EVERYONE, Scope
from data.source.schema import crm_metadata
from tests.conftest import login

LEGACY_KEYS = [
    "nombre_nouvelle_utilisateur_par_mois",
    "nombre_utilisateur_par_gammes",
    "pourcentage_visites_par_responsable",
    "nombre_utilisateur_par_regions",
    "nombre_utilisateur_par_status",
    "nombre_utilisateur_par_role",
]
ROLES = ["DEL", "KAM", "DSM", "DRG", "DIR", "PM", "ACH", "ADMI"]


def legacy(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, Any]:
    with app.server.app_context():
        return utilisateurs_report.legacy_payload(Filters.from_body(filters), scope)


def kpis(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, Any]:
    with app.server.app_context():
        return utilisateurs_report.kpis(Filters.from_body(filters), scope)


def months(body: dict[str, Any]) -> dict[str, int]:
    return {m["mois"]: m["nombre_utilisateur"] for m in body["nombre_nouvelle_utilisateur_par_mois"]}


def by(body: dict[str, Any], key: str, code: str) -> dict[str, int]:
    return {item[code]: item["nombre_utilisateur"] for item in body[key]}


def test_headline_numbers(app: Any) -> None:
    assert kpis(app) == {
        "utilisateurs_actifs": 3,  # users 3, 4, 6 (V4 of user 4 is deleted, but V3 counts)
        "visites": 6,  # V1, V2, V3, V5, V6, V7
        "visites_par_utilisateur": 2.0,  # 6 / 3
        "managers": 2,  # 2 (V1, V2, V3, V7) and 5 (V5, V6)
        "delegues_actifs": 3,  # 3, 4, 6 are all DEL
    }


def test_legacy_body_keys_and_shapes(app: Any) -> None:
    body = legacy(app)
    assert list(body) == LEGACY_KEYS
    assert list(body["nombre_nouvelle_utilisateur_par_mois"][0]) == ["mois", "nombre_utilisateur"]
    assert list(body["nombre_utilisateur_par_gammes"][0]) == ["code_gamme_partenaire", "nombre_utilisateur", "gamme"]
    assert list(body["pourcentage_visites_par_responsable"][0]) == [
        "id_responsable", "nombre_visites", "responsable", "pourcentage"
    ]  # fmt: skip
    assert list(body["nombre_utilisateur_par_regions"][0]) == ["region", "nombre_utilisateur", "code_region_partenaire"]
    assert list(body["nombre_utilisateur_par_status"][0]) == ["code_statut_partenaire", "nombre_utilisateur"]
    assert list(body["nombre_utilisateur_par_role"][0]) == ["role", "nombre_utilisateur"]


def test_active_users_per_calendar_month_with_empty_months(app: Any) -> None:
    # 2025-01: u3 (V1, V2); 2025-02: u4 (V3; V4 deleted); 2025-03: u6 (V5), u3 (V7); 2026-01: u6 (V6).
    # Every month from the first to the last is listed; January 2025 and 2026 are not merged (bug 34).
    expected = {f"2025-{m:02d}": 0 for m in range(1, 13)} | {"2025-01": 1, "2025-02": 1, "2025-03": 2}
    assert months(legacy(app)) == {**expected, "2026-01": 1}
    assert list(months(legacy(app))) == sorted(months(legacy(app)))


def test_gammes_regions_status_and_roles_list_every_code(app: Any) -> None:
    body = legacy(app)
    # DERMATO: P1 (u3), P4 (u4, u6); GYNECO: P2 (u3); RHUMATO: never visited; the pharmacy P3 has no gamme.
    assert body["nombre_utilisateur_par_gammes"] == [
        {"code_gamme_partenaire": "GA00001", "nombre_utilisateur": 3, "gamme": "DERMATO"},
        {"code_gamme_partenaire": "GA00002", "nombre_utilisateur": 1, "gamme": "GYNECO"},
        {"code_gamme_partenaire": "GA00003", "nombre_utilisateur": 0, "gamme": "RHUMATO"},
    ]
    # Agadir: P1, P2 seen by u3 only; Casablanca: P3 (u3 in V2, u6 in V5), P4 (u4, u6); Rabat: none.
    assert body["nombre_utilisateur_par_regions"] == [
        {"region": "Agadir", "nombre_utilisateur": 1, "code_region_partenaire": "RE00001"},
        {"region": "Casablanca", "nombre_utilisateur": 3, "code_region_partenaire": "RE00002"},
        {"region": "Rabat", "nombre_utilisateur": 0, "code_region_partenaire": "RE00003"},
    ]
    # CREE: P3 (u3, u6); VALI: P1, P2 (u3), P4 (u4, u6); nobody visited REJE or MIGR (P5) partners.
    assert by(body, "nombre_utilisateur_par_status", "code_statut_partenaire") == {
        "CREE": 2, "VALI": 3, "REJE": 0, "MIGR": 0
    }  # fmt: skip
    assert [s["code_statut_partenaire"] for s in body["nombre_utilisateur_par_status"]] == [
        "CREE",
        "VALI",
        "REJE",
        "MIGR",
    ]
    roles = by(body, "nombre_utilisateur_par_role", "role")
    assert list(roles) == ROLES
    assert roles == {"DEL": 3} | {role: 0 for role in ROLES[1:]}  # u3, u4, u6


def test_visits_per_manager_count_distinct_visits_with_names_and_shares(app: Any) -> None:
    # Manager at visit time: 2 for V1, V2 (3 partners, one visit), V3, V7; 5 for V5, V6. 6 visits in all.
    assert legacy(app)["pourcentage_visites_par_responsable"] == [
        {"id_responsable": 2, "nombre_visites": 4, "responsable": "BENANI SARA", "pourcentage": 66.7},
        {"id_responsable": 5, "nombre_visites": 2, "responsable": "EL FASSI YASSINE", "pourcentage": 33.3},
    ]


def test_cities_and_specialties_under_their_parent(app: Any) -> None:
    with app.server.app_context():
        villes = utilisateurs_report.children(Filters(), EVERYONE, "region")
        specialites = utilisateurs_report.children(Filters(), EVERYONE, "gamme")
    # Agadir (P1: u3), Inezgane (P2: u3), Azemmour (P4: u4, u6), Casablanca (P3: u3, u6).
    assert [tuple(r) for r in villes[["code_parent", "libelle", "utilisateurs"]].itertuples(index=False)] == [
        ("RE00001", "Agadir", 1), ("RE00002", "Azemmour", 2), ("RE00002", "Casablanca", 2), ("RE00001", "Inezgane", 1)
    ]  # fmt: skip
    # Chirurgie Plastique (P4: u4, u6), Dermatologie (P1: u3), Gynécologie (P2: u3).
    assert list(zip(specialites["libelle"], specialites["utilisateurs"], strict=True)) == [
        ("Chirurgie Plastique", 2), ("Dermatologie", 1), ("Gynécologie", 1)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "users", "visits", "month_counts"),
    [
        ({"id_responsable": 2}, 2, 4, None),  # team 2, 3, 4: u3 (V1, V2, V7), u4 (V3)
        ({"id_responsable": 5}, 1, 2, None),  # team 5, 6, 7: u6 (V5, V6)
        ({"id_responsable": 8}, 0, 0, {}),  # the 8 ↔ 9 cycle ends, with nobody
        ({"id_utilisateur": 4}, 1, 1, {"2025-02": 1}),  # V3 only
        ({"mois": 1}, 2, 3, {"2025-01": 1, "2026-01": 1}),  # V1, V2 (u3), V6 (u6): only Januaries listed
        ({"annee": 2025, "mois": 3}, 2, 2, {"2025-03": 2}),  # V5 (u6), V7 (u3)
        ({"end_date": "2025-03-31"}, 3, 5, {"2025-01": 1, "2025-02": 1, "2025-03": 2}),  # V7 at 18:45 counts
        ({"start_date": "2025-02-01", "end_date": "2025-03-05"}, 2, 2, {"2025-02": 1, "2025-03": 1}),  # V3, V5
        ({"region": "RE00001"}, 1, 3, {"2025-01": 1, "2025-02": 0, "2025-03": 1}),  # V1, V2, V7: all u3
        ({"gamme": ["GA00001", "GA00002"]}, 3, 5, None),  # V1, V2, V7 (u3), V3 (u4), V6 (u6); not V5 (pharmacy)
        ({"gamme": "GA00003"}, 0, 0, {}),
    ],
)
def test_filters(
    app: Any, filters: dict[str, Any], users: int, visits: int, month_counts: dict[str, int] | None
) -> None:
    numbers = kpis(app, **filters)
    assert (numbers["utilisateurs_actifs"], numbers["visites"]) == (users, visits)
    if month_counts is not None:
        assert months(legacy(app, **filters)) == month_counts


def test_a_year_lists_its_twelve_months(app: Any) -> None:
    counted = months(legacy(app, annee=2025))
    assert list(counted) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert counted["2025-03"] == 2 and counted["2025-12"] == 0  # u6 (V5), u3 (V7)


def test_region_filter_narrows_every_breakdown(app: Any) -> None:
    body = legacy(app, region="RE00001")  # contacts V1:P1, V2:P1, V2:P2, V7:P2, all by u3 under manager 2
    assert by(body, "nombre_utilisateur_par_gammes", "code_gamme_partenaire") == {
        "GA00001": 1, "GA00002": 1, "GA00003": 0
    }  # fmt: skip
    assert by(body, "nombre_utilisateur_par_status", "code_statut_partenaire")["CREE"] == 0  # P3 is in Casablanca
    assert body["pourcentage_visites_par_responsable"] == [
        {"id_responsable": 2, "nombre_visites": 3, "responsable": "BENANI SARA", "pourcentage": 100.0}
    ]


def test_empty_slice_gives_zeros_not_errors(app: Any) -> None:
    body = legacy(app, annee=2030)
    assert months(body) == {}  # after the CRM's last visit (2026-01-08): no months of zeros in the future
    assert months(legacy(app, annee=2026)) == {"2026-01": 1}  # V6; February to December are still to come
    assert months(legacy(app, annee=2025, mois=2)) == {"2025-02": 1}  # V3 (V4 deleted)
    assert body["pourcentage_visites_par_responsable"] == []
    for key, code in (
        ("nombre_utilisateur_par_gammes", "code_gamme_partenaire"),
        ("nombre_utilisateur_par_role", "role"),
    ):
        assert set(by(body, key, code).values()) == {0}
    assert kpis(app, annee=2030) == {
        "utilisateurs_actifs": 0, "visites": 0, "visites_par_utilisateur": None, "managers": 0, "delegues_actifs": 0
    }  # fmt: skip
    assert months(legacy(app, start_date="2030-01-01")) == {}  # no data and no last day: no calendar


def test_scope_restricts_and_is_never_widened(app: Any) -> None:
    team = Scope((5, 6, 7))
    assert kpis(app, team)["utilisateurs_actifs"] == 1  # u6
    assert kpis(app, team, id_responsable=1)["utilisateurs_actifs"] == 1  # the director's team ∩ scope
    assert [m["id_responsable"] for m in legacy(app, team)["pourcentage_visites_par_responsable"]] == [5]
    assert kpis(app, Scope(()))["utilisateurs_actifs"] == 0


def teams(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[int, tuple[int, float, int]]:
    with app.server.app_context():
        rows = utilisateurs_report.payload(Filters.from_body(filters), scope)["visites_par_equipe"]
    return {r["id_responsable"]: (r["nombre_visites"], r["pourcentage"], r["nombre_utilisateur"]) for r in rows}


def test_visits_per_team_follow_the_current_hierarchy_as_the_team_filter(app: Any) -> None:
    """Issue 12: a manager's team is the filter's (current hierarchy, recursive), so their bar is the number that
    choosing them gives; teams nest, so shares do not add up to 100. Hierarchy: 1 > 2 > {3, 4}, 1 > 5 > {6, 7};
    8 and 9 manage each other (a cycle) and visited nothing."""
    assert teams(app) == {
        1: (6, 100.0, 3),  # the director: every visit, by u3, u4, u6
        2: (4, 66.7, 2),  # V1, V2, V3, V7 by u3, u4: 4 of 6
        5: (2, 33.3, 1),  # V5, V6 by u6
    }
    for manager, (visits, _, _) in teams(app).items():
        assert kpis(app, id_responsable=manager)["visites"] == visits
    assert teams(app, region="RE00002") == {1: (4, 100.0, 3), 2: (2, 50.0, 2), 5: (2, 50.0, 1)}  # V2 V3; V5 V6
    assert teams(app, Scope((5, 6, 7))) == {5: (2, 100.0, 1)}  # the director is outside a supervisor's scope
    assert teams(app, annee=2030) == {}
    # the legacy route keeps its meaning: the manager at the time of the visit (tab_visite.id_responsable)
    assert [m["id_responsable"] for m in legacy(app)["pourcentage_visites_par_responsable"]] == [2, 5]


# Statements


@pytest.mark.parametrize("dialect", [sqlite.dialect(), mysql.dialect()], ids=["sqlite", "mysql"])
def test_statements_bind_every_filter_value(dialect: sa.Dialect) -> None:
    filters = Filters(region=("RE00009",), gamme=("GA00007",), annee=2024)
    for build in (utilisateurs.levels_stmt, utilisateurs.months_stmt, utilisateurs.managers_stmt):
        compiled = build(filters, (3, 4)).compile(dialect=dialect)
        assert not {"RE00009", "GA00007", "2024"} & set(str(compiled).replace("'", " ").split())
        assert "SUPP" in compiled.params.values()


def test_statements_run_on_duckdb(sqlite_url: str, tmp_path: Path) -> None:
    pytest.importorskip("duckdb_engine")
    source, replica = sa.create_engine(sqlite_url), sa.create_engine(f"duckdb:///{tmp_path / 'crm.duckdb'}")
    with replica.begin() as conn:
        for table in crm_metadata.sorted_tables:  # a columnar copy of the fixture tables
            pd.read_sql_table(table.name, source).to_sql(table.name, conn, index=False)
        filters = Filters(region=("RE00001",), annee=2025)
        levels = {(d, p, c): (n, v) for d, p, c, n, v in conn.execute(utilisateurs.levels_stmt(filters, None))}
        month_rows = [tuple(row) for row in conn.execute(utilisateurs.months_stmt(filters, (3, 4, 6)))]
        manager_rows = [tuple(row) for row in conn.execute(utilisateurs.managers_stmt(filters, None))]
    # Agadir in 2025: V1 (P1), V2 (P1, P2), V7 (P2), all by u3 under manager 2.
    assert levels[("total", None, None)] == (1, 3)
    assert levels[("gamme", "GA00001", "SP00002")] == (1, 2)  # P1 in V1, V2
    assert levels[("statut", "VALI", None)] == (1, 3)
    assert month_rows == [(2025, 1, 1, 2), (2025, 3, 1, 1)]
    assert manager_rows == [(2, 1, 3)]
    replica.dispose()


# API


def test_legacy_users_route(client: FlaskClient) -> None:
    response = client.post("/users", json={"id_responsable": "2", "annee": "2025"})
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == LEGACY_KEYS
    assert response.data.index(b'"nombre_nouvelle_utilisateur_par_mois"') < response.data.index(
        b'"nombre_utilisateur_par_role"'
    )
    assert body["nombre_utilisateur_par_role"][0] == {"role": "DEL", "nombre_utilisateur": 2}  # u3, u4
    assert client.get("/users").status_code == 405


def test_v1_get_and_post_agree_and_hold_the_legacy_numbers(client: FlaskClient) -> None:
    got = client.get("/api/v1/utilisateurs?region=RE00001&region=RE00002&annee=2025").get_json()
    posted = client.post("/api/v1/utilisateurs", json={"region": ["RE00001", "RE00002"], "annee": 2025}).get_json()
    assert got == posted
    assert got["filtres"] == {"annee": 2025, "region": ["RE00001", "RE00002"]}
    assert got["indicateurs"]["utilisateurs_actifs"] == 3  # u3, u4, u6 in 2025
    assert got["indicateurs"]["visites"] == 5  # all but V6 (2026)
    legacy_body = client.post("/users", json={"region": ["RE00001", "RE00002"], "annee": 2025}).get_json()
    for key in LEGACY_KEYS:
        assert [{k: item[k] for k in legacy_body[key][0]} for item in got[key]] == legacy_body[key]
    # v1 extras: visits per manager's users, and cities (Azemmour: P4 seen by u4 in V3; u6's V6 is in 2026).
    assert got["pourcentage_visites_par_responsable"][1]["nombre_utilisateur"] == 1  # manager 5: u6
    azemmour = next(v for v in got["nombre_utilisateur_par_villes"] if v["ville"] == "Azemmour")
    assert azemmour == {
        "code_region_partenaire": "RE00002", "code_ville_partenaire": "VI00019", "ville": "Azemmour",
        "nombre_utilisateur": 1, "nombre_visites": 1,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/v1/utilisateurs?mois=13", None, "mois"),
        ("get", "/api/v1/utilisateurs?start_date=2025-13-01", None, "start_date"),
        ("get", "/api/v1/utilisateurs?code_categorie=CE00001", None, "code_categorie"),  # not a filter of this area
        ("post", "/users", {"id_partenaire": 1}, "id_partenaire"),
        ("post", "/users", {"gamme": "DERMATO"}, "gamme"),
        ("post", "/users", {"start_date": "2025-03-01", "end_date": "2025-01-01"}, "start_date"),
    ],
)
def test_bad_filters_get_400_with_the_field(client: FlaskClient, method: str, url: str, body: Any, field: str) -> None:
    response = client.post(url, json=body) if method == "post" else client.get(url)
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert response.get_json()["error"]


def test_a_manager_sees_their_team_and_is_refused_outside_it(sqlite_app: Any) -> None:
    chef = login(sqlite_app.server.test_client(), "chef")  # team 2, 3, 4
    assert chef.get("/api/v1/utilisateurs").get_json()["indicateurs"]["utilisateurs_actifs"] == 2  # u3, u4
    for response in (
        chef.get("/api/v1/utilisateurs?id_responsable=5"),
        chef.post("/users", json={"id_responsable": 5}),
    ):
        assert response.status_code == 403
        assert response.get_json()["field"] == "id_responsable"
