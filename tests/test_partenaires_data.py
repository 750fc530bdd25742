"""Partenaires aggregates and API on the fixture CRM, counted by hand (tests/fixture_data.py), SQLite and MariaDB.

Visits that count (V4 is deleted): V1 P1; V2 P1, P2, P3; V3 P4; V5 P3; V6 P4; V7 P2. So every partner but P5 is
visited twice: P1 (V1, V2), P2 (V2, V7), P3 (V2, V5), P4 (V3, V6). No partner is rejected: the base is P1..P5.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.dialects import mysql, sqlite

from data.metrics import partenaires, partenaires_report
from data.metrics.filters import Filters
from data.metrics.scope import EVERYONE, Scope, team_ids
from data.source.schema import partenaire, partenaire_visite
from tests.conftest import login

LEGACY_KEYS = [
    "Nombre_de_comptes_par_potentiel",
    "Nombre_de_visites_moyen",
    "Nombre_de_comptes_par_etablissement",
    "region_partenaire",
    "gamme_partenaire",
]


def legacy(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, Any]:
    with app.server.app_context():
        return partenaires_report.legacy_payload(Filters.from_body(filters), scope)


def kpis(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, Any]:
    with app.server.app_context():
        return partenaires_report.kpis(Filters.from_body(filters), scope)


def coverage(app: Any, **filters: Any) -> list[tuple[str, int, int, float | None]]:
    with app.server.app_context():
        table = partenaires_report.coverage(Filters.from_body(filters), EVERYONE)
    return [
        (code, int(base), int(seen), None if share != share else round(float(share), 4))
        for code, base, seen, share in table.itertuples(index=False)
    ]


def counts(items: list[dict[str, Any]], key: str) -> dict[str, int]:
    return {item[key]: item["nombre_partenaire"] for item in items}


@contextmanager
def changed(url: str, statements: Sequence[sa.Executable], undo: Sequence[sa.Executable]) -> Iterator[None]:
    """Run ``statements`` on the fixture CRM, and ``undo`` afterwards whatever happens."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for stmt in statements:
                conn.execute(stmt)
        yield
    finally:
        with engine.begin() as conn:
            for stmt in undo:
                conn.execute(stmt)
        engine.dispose()


def test_whole_period_in_the_legacy_shape(app: Any) -> None:
    body = legacy(app)
    assert list(body) == LEGACY_KEYS
    # P3 A+, P1 A, P2 B and P4 " B" (trimmed to B); nobody C or D, still listed.
    assert body["Nombre_de_comptes_par_potentiel"] == [
        {"code_potentiel": "A+", "nombre_partenaire": 1},
        {"code_potentiel": "A", "nombre_partenaire": 1},
        {"code_potentiel": "B", "nombre_partenaire": 2},
        {"code_potentiel": "C", "nombre_partenaire": 0},
        {"code_potentiel": "D", "nombre_partenaire": 0},
    ]
    assert body["Nombre_de_visites_moyen"] == 2.0  # 4 accounts × 2 distinct visits each / 4
    # Cabinet: P1, P4; Hôpital: P2; P3 is a pharmacy (no establishment).
    assert body["Nombre_de_comptes_par_etablissement"] == [
        {"etablissement": "Cabinet", "nombre_partenaire": 2},
        {"etablissement": "Hôpital", "nombre_partenaire": 1},
    ]


def test_regions_count_distinct_accounts_with_their_cities(app: Any) -> None:
    agadir, casa, rabat = legacy(app)["region_partenaire"]
    assert agadir == {
        "code_region_partenaire": "RE00001",
        "region": "Agadir",
        "total_partenaire": 2,  # P1 and P2, each visited twice but counted once
        "ville": [
            {"code_ville_partenaire": "VI00001", "code_region_partenaire": "RE00001", "ville": "Agadir",
             "region": "Agadir", "nb_partenaire": 1},  # P1
            {"code_ville_partenaire": "VI00002", "code_region_partenaire": "RE00001", "ville": "Inezgane",
             "region": "Agadir", "nb_partenaire": 1},  # P2
        ],
    }  # fmt: skip
    assert casa["total_partenaire"] == 2  # P3 (Casablanca), P4 (Azemmour); P5 never visited
    assert [(v["ville"], v["nb_partenaire"]) for v in casa["ville"]] == [("Azemmour", 1), ("Casablanca", 1)]
    assert rabat == {"code_region_partenaire": "RE00003", "region": "Rabat", "total_partenaire": 0, "ville": []}


def test_gammes_exclude_pharmacies_and_keep_empty_gammes(app: Any) -> None:
    dermato, gyneco, rhumato = legacy(app)["gamme_partenaire"]
    assert (dermato["gamme"], dermato["total_partenaire"]) == ("DERMATO", 2)  # P1, P4
    assert dermato["specialites"] == [
        {"code_specialite": "SP00001", "specialite": "Chirurgie Plastique", "gamme": "DERMATO",
         "code_gamme": "GA00001", "nb_partenaire": 1},  # P4
        {"code_specialite": "SP00002", "specialite": "Dermatologie", "gamme": "DERMATO", "code_gamme": "GA00001",
         "nb_partenaire": 1},  # P1
    ]  # fmt: skip
    assert (gyneco["total_partenaire"], len(gyneco["specialites"])) == (1, 1)  # P2 (P5 never visited)
    assert rhumato == {"code_gamme": "GA00003", "gamme": "RHUMATO", "total_partenaire": 0, "specialites": []}


#: (filters, visited accounts, mean distinct visits per visited account)
FILTER_CASES: list[tuple[dict[str, Any], int, float]] = [
    ({"id_responsable": 2}, 4, 1.5),  # V1, V2, V3, V7: P1 2, P2 2, P3 1, P4 1 → 6 / 4
    ({"id_responsable": 5}, 2, 1.0),  # V5 P3, V6 P4
    ({"id_responsable": 8}, 0, 0.0),  # the 8 ↔ 9 cycle: no visits
    ({"id_utilisateur": 4}, 1, 1.0),  # V3 P4 (V4 deleted)
    ({"annee": 2025}, 4, 1.75),  # all but V6: P1 2, P2 2, P3 2, P4 1 → 7 / 4
    ({"annee": 2026}, 1, 1.0),  # V6 P4
    ({"mois": 1}, 4, 1.25),  # V1, V2, V6: P1 2, P2 1, P3 1, P4 1 → 5 / 4
    ({"annee": 2025, "mois": 1}, 3, 4 / 3),  # V1, V2: P1 2, P2 1, P3 1 → 4 / 3
    ({"end_date": "2025-03-31"}, 4, 1.75),  # inclusive: V7 at 18:45 counts, as for annee=2025
    ({"end_date": "2025-03-30"}, 4, 1.5),  # V1, V2, V3, V5: P1 2, P2 1, P3 2, P4 1 → 6 / 4
    ({"start_date": "2025-03-31"}, 2, 1.0),  # V7 P2, V6 P4
    ({"region": "RE00001"}, 2, 2.0),  # snapshot Agadir: P1 (V1, V2), P2 (V2, V7)
    ({"gamme": "GA00002"}, 1, 2.0),  # P2 in V2, V7
    ({"gamme": ["GA00001", "GA00002"]}, 3, 2.0),  # P1, P2, P4, two visits each
    ({"gamme": "GA00003"}, 0, 0.0),
]


def test_filters(app: Any) -> None:
    # One app per database for every case (an app build is the slow part); mismatches are all reported.
    wrong = []
    for filters, accounts, mean in FILTER_CASES:
        numbers = kpis(app, **filters)
        legacy_mean = legacy(app, **filters)["Nombre_de_visites_moyen"]
        got = (numbers["comptes_visites"], numbers["visites_moyennes"], legacy_mean)
        if got != (accounts, mean, mean):
            wrong.append((filters, got))
    assert wrong == []


def test_region_filter_narrows_potentials_and_establishments(app: Any) -> None:
    body = legacy(app, region="RE00001")  # P1 (A, Cabinet), P2 (B, Hôpital)
    assert counts(body["Nombre_de_comptes_par_potentiel"], "code_potentiel") == {
        "A+": 0,
        "A": 1,
        "B": 1,
        "C": 0,
        "D": 0,
    }
    assert counts(body["Nombre_de_comptes_par_etablissement"], "etablissement") == {"Cabinet": 1, "Hôpital": 1}


def test_an_empty_slice_gives_zeros_not_an_error(app: Any) -> None:
    body = legacy(app, annee=2030)
    assert body["Nombre_de_visites_moyen"] == 0.0
    assert isinstance(body["Nombre_de_visites_moyen"], float)
    assert [p["nombre_partenaire"] for p in body["Nombre_de_comptes_par_potentiel"]] == [0, 0, 0, 0, 0]
    assert [e["nombre_partenaire"] for e in body["Nombre_de_comptes_par_etablissement"]] == [0, 0]
    assert [(r["total_partenaire"], r["ville"]) for r in body["region_partenaire"]] == [(0, [])] * 3
    assert [(g["total_partenaire"], g["specialites"]) for g in body["gamme_partenaire"]] == [(0, [])] * 3


def test_coverage_of_the_whole_base(app: Any) -> None:
    # Base P1..P5 (none rejected): A+ P3, A P1, B P2 and P4, C P5; all but P5 visited.
    assert coverage(app) == [("A+", 1, 1, 1.0), ("A", 1, 1, 1.0), ("B", 2, 2, 1.0), ("C", 1, 0, 0.0), ("D", 0, 0, None)]
    numbers = kpis(app)
    assert numbers["comptes_portefeuille"] == 5
    assert numbers["comptes_portefeuille_visites"] == 4
    assert numbers["comptes_non_visites"] == 1  # P5
    assert numbers["couverture"] == 0.8


def test_coverage_base_follows_the_region_and_gamme_filters(app: Any) -> None:
    # GYNECO accounts: P2 (B, visited in V2, V7) and P5 (C, never visited).
    assert coverage(app, gamme="GA00002") == [
        ("A+", 0, 0, None), ("A", 0, 0, None), ("B", 1, 1, 1.0), ("C", 1, 0, 0.0), ("D", 0, 0, None)
    ]  # fmt: skip
    assert kpis(app, gamme="GA00002")["couverture"] == 0.5
    assert kpis(app, region="RE00001")["couverture"] == 1.0  # Agadir: P1, P2, both visited
    assert kpis(app, gamme="GA00003")["couverture"] is None  # no RHUMATO account at all
    empty = kpis(app, annee=2030)  # nobody visited, the base is still there
    assert (empty["comptes_portefeuille"], empty["couverture"]) == (5, 0.0)


def test_scope_restricts_the_visits_and_the_portfolio(app: Any) -> None:
    """Issue 13: a team covers its portfolio, not the company's base (5 partners). Team 5 visited on 2025-03-05
    (V5, P3) and 2026-01-08 (V6, P4): the 12 months to 2026-01-08 hold P3 and P4, both seen."""
    with app.server.app_context():
        team = Scope(team_ids(5))
    assert team.user_ids == (5, 6, 7)
    mine = kpis(app, team)
    assert (mine["comptes_visites"], mine["comptes_portefeuille"], mine["couverture"]) == (2, 2, 1.0)  # P3, P4
    assert kpis(app, team, id_responsable=1)["comptes_visites"] == 2  # never widened by a filter
    assert counts(legacy(app, team)["Nombre_de_comptes_par_potentiel"], "code_potentiel")["A+"] == 1  # P3
    nobody = kpis(app, Scope(()))
    assert (nobody["comptes_visites"], nobody["visites_moyennes"], nobody["comptes_portefeuille"]) == (0, 0.0, 0)


def test_attributes_come_from_the_current_partner_row(app: Any, crm_url: str) -> None:
    pv = partenaire_visite.c
    v6 = (pv.id_visite == 6) & (pv.id_partenaire == 4)
    moved = [partenaire_visite.update().where(v6).values(code_region_partenaire="RE00001")]
    back = [partenaire_visite.update().where(v6).values(code_region_partenaire="RE00002")]
    with changed(crm_url, moved, back):
        # V6 saw P4 when its visit snapshot said Agadir: the région filter (on the snapshot) keeps it...
        body = legacy(app, region="RE00001")
        assert kpis(app, region="RE00001")["comptes_visites"] == 3  # P1, P2, P4
        # ...but P4 is counted where its current row puts it: Casablanca / Azemmour.
        regions = {r["region"]: r["total_partenaire"] for r in body["region_partenaire"]}
        assert regions == {"Agadir": 2, "Casablanca": 1, "Rabat": 0}
        casa = body["region_partenaire"][1]
        assert [v["ville"] for v in casa["ville"]] == ["Azemmour"]


def test_rejected_accounts_count_as_visited_but_not_in_the_base(app: Any, crm_url: str) -> None:
    p3 = partenaire.c.id_partenaire == 3
    reject = [partenaire.update().where(p3).values(code_statut_partenaire="REJE")]
    restore = [partenaire.update().where(p3).values(code_statut_partenaire="CREE")]
    with changed(crm_url, reject, restore):
        numbers = kpis(app)
        assert numbers["comptes_visites"] == 4  # P3 was still visited
        assert (numbers["comptes_portefeuille"], numbers["comptes_portefeuille_visites"]) == (4, 3)  # P1, P2, P4, P5
        assert numbers["couverture"] == 0.75
        assert coverage(app)[0] == ("A+", 0, 0, None)  # P3, the only A+, left the base


@pytest.mark.parametrize("dialect", [sqlite.dialect(), mysql.dialect()], ids=["sqlite", "mysql"])
def test_filter_values_are_bound_never_inlined(dialect: sa.Dialect) -> None:
    filters = Filters(region=("RE00009",), gamme=("GA00007",), annee=2024)
    for stmt in (partenaires.accounts_stmt(filters, (3, 4)), partenaires.coverage_stmt(filters, (3, 4))):
        sql = str(stmt.compile(dialect=dialect))
        for literal in ("RE00009", "GA00007", "2024", "REJE", "SUPP"):
            assert literal not in sql


# API


def test_legacy_route_keeps_the_legacy_shape_and_key_order(client: FlaskClient) -> None:
    response = client.post("/partenaire", json={"id_responsable": "2", "start_date": "2025-01-01"})
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == LEGACY_KEYS
    positions = [response.data.index(f'"{key}"'.encode()) for key in LEGACY_KEYS]
    assert positions == sorted(positions)
    assert body["Nombre_de_visites_moyen"] == 1.5  # team of 2: P1 2, P2 2, P3 1, P4 1
    assert list(body["Nombre_de_comptes_par_potentiel"][0]) == ["code_potentiel", "nombre_partenaire"]
    assert list(body["Nombre_de_comptes_par_etablissement"][0]) == ["etablissement", "nombre_partenaire"]
    region = body["region_partenaire"][0]
    assert list(region) == ["code_region_partenaire", "region", "total_partenaire", "ville"]
    assert list(region["ville"][0]) == [
        "code_ville_partenaire",
        "code_region_partenaire",
        "ville",
        "region",
        "nb_partenaire",
    ]
    gamme = body["gamme_partenaire"][0]
    assert list(gamme) == ["code_gamme", "gamme", "total_partenaire", "specialites"]
    assert list(gamme["specialites"][0]) == ["code_specialite", "specialite", "gamme", "code_gamme", "nb_partenaire"]


def test_an_empty_slice_is_a_200_with_a_zero_mean(client: FlaskClient) -> None:
    response = client.post("/partenaire", json={"annee": 2030})
    assert response.status_code == 200
    assert response.get_json()["Nombre_de_visites_moyen"] == 0.0


def test_v1_get_and_post_give_the_same_numbers(client: FlaskClient) -> None:
    got = client.get("/api/v1/partenaires?gamme=GA00001&gamme=GA00002&annee=2025").get_json()
    posted = client.post("/api/v1/partenaires", json={"gamme": ["GA00001", "GA00002"], "annee": 2025}).get_json()
    assert got == posted
    assert got["filtres"] == {"annee": 2025, "gamme": ["GA00001", "GA00002"]}
    # 2025, DERMATO or GYNECO contacts: P1 (V1, V2), P2 (V2, V7), P4 (V3) → 3 accounts, 5 / 3 visits.
    assert got["indicateurs"]["comptes_visites"] == 3
    assert got["Nombre_de_visites_moyen"] == pytest.approx(5 / 3)
    # Base: DERMATO or GYNECO accounts P1, P2, P4, P5; visited P1, P2, P4.
    assert got["indicateurs"]["couverture"] == 0.75


def test_v1_holds_the_legacy_numbers_and_the_coverage(client: FlaskClient) -> None:
    v1 = client.get("/api/v1/partenaires?id_responsable=5").get_json()
    old = client.post("/partenaire", json={"id_responsable": 5}).get_json()
    assert {key: v1[key] for key in LEGACY_KEYS} == old
    assert v1["couverture_par_potentiel"][0] == {
        "code_potentiel": "A+",
        "comptes": 1,
        "comptes_visites": 1,
        "couverture": 1.0,
    }
    assert v1["couverture_par_potentiel"][4] == {
        "code_potentiel": "D",
        "comptes": 0,
        "comptes_visites": 0,
        "couverture": None,
    }
    assert v1["etablissements"][0] == {
        "code_type_etablissement": "EPR00001", "etablissement": "Cabinet", "type_etablissement": "ETPR",
        "nombre_partenaire": 1,  # P4 (V6)
    }  # fmt: skip


#: (method, url, body, the field the 400 names)
BAD_FILTERS: list[tuple[str, str, Any, str]] = [
    ("get", "/api/v1/partenaires?mois=13", None, "mois"),
    ("get", "/api/v1/partenaires?end_date=2025-13-01", None, "end_date"),
    ("get", "/api/v1/partenaires?code_categorie=CE00001", None, "code_categorie"),  # an Évaluations filter
    ("post", "/api/v1/partenaires", {"id_partenaire": 1}, "id_partenaire"),  # an Investissements filter
    ("post", "/partenaire", {"region": "Europe"}, "region"),
    ("post", "/partenaire", {"annee": "deux mille"}, "annee"),
    ("post", "/partenaire", {"start_date": "2025-03-01", "end_date": "2025-01-01"}, "start_date"),
    ("post", "/partenaire", ["not", "an", "object"], "body"),
]


def test_bad_filters_get_400_with_the_field(sqlite_app: Any) -> None:
    admin = login(sqlite_app.server.test_client(), "admin")  # validation does not depend on the database
    answers = []
    for method, url, body, _ in BAD_FILTERS:
        response = admin.post(url, json=body) if method == "post" else admin.get(url)
        payload = response.get_json()
        answers.append((response.status_code, payload["field"], bool(payload["error"])))
    assert answers == [(400, field, True) for *_, field in BAD_FILTERS]
    assert admin.get("/partenaire").status_code == 405  # legacy routes are POST only


def test_a_manager_sees_their_team_and_is_refused_outside_it(sqlite_app: Any) -> None:
    chef = login(sqlite_app.server.test_client(), "chef")  # linked to user 2: team 2, 3, 4
    mine = chef.get("/api/v1/partenaires").get_json()["indicateurs"]
    assert (mine["comptes_visites"], mine["comptes_portefeuille"]) == (4, 4)  # V1, V2, V3, V7 see P1..P4: all of
    # the team's portfolio (issue 13: the partners it saw in the 12 months to its last visit, not the base's 5)
    for response in (
        chef.get("/api/v1/partenaires?id_responsable=5"),
        chef.post("/partenaire", json={"id_responsable": 5}),
    ):
        assert response.status_code == 403
        assert response.get_json()["field"] == "id_responsable"
