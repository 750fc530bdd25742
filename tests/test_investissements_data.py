"""Investissements aggregates and API on the fixture CRM, counted by hand (see tests/fixture_data.py).

The business cases, with the day their date filter uses (réalisation, else création):

    BC  partner  requester (manager)  status  type/category  budget  day
    1   P1       3 (2)                REAL    TI1/CI1        10 000  2025-02-01 (done; created 2025-01-05)
    2   P1       3 (2)                ENAT    TI2/CI1         5 000  2025-03-01
    3   P3       6 (5)                VALI    TI1/CI2         3 000  2025-02-15
    4   P4       4 (2)                ANNU    TI2/—           2 000  2026-01-10

P1: DERMATO/Dermatologie, potential A, Agadir/Agadir; P3: pharmacy (no gamme, no specialty), A+,
Casablanca/Casablanca; P4: DERMATO/Chirurgie Plastique, " B", Casablanca/Azemmour. Each of P1, P3, P4 has
2 non-deleted visits (P1: V1, V2; P3: V2, V5; P4: V3, V6).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.dialects import mysql, sqlite

from data.metrics import investissements, investissements_report
from data.metrics.filters import Filters
from data.metrics.scope import EVERYONE, Scope
from data.source.schema import partenaire_bc
from tests import fixture_data
from tests.conftest import build_app, login

LEGACY_KEYS = [
    "budget_par_visites", "budget_par_gamme", "budget_par_statut", "budget_par_potentiel",
    "budget_par_specialite", "budget_par_region", "budget_par_type_investissement",
    "budget_par_categorie_investissement",
]  # fmt: skip
ITEM_KEYS = {
    "budget_par_visites": ["Nombre de nombre de visites", "budget"],
    "budget_par_gamme": ["code_gamme", "budget", "code_gamme_partenaire", "gamme"],
    "budget_par_statut": ["code_statut_bc", "budget"],
    "budget_par_potentiel": ["code_potentiel", "budget"],
    "budget_par_specialite": ["code_specialite", "budget", "code_specialite_partenaire", "specialite"],
    "budget_par_region": ["code_region_partenaire", "budget", "region"],
    "budget_par_type_investissement": ["code_type_investissement", "budget"],
    "budget_par_categorie_investissement": ["code_categorie_investissement", "budget"],
}


def legacy(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, Any]:
    with app.server.app_context():
        return investissements_report.legacy_payload(Filters.from_body(filters, investissements_report.FIELDS), scope)


def kpis(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, int]:
    with app.server.app_context():
        return investissements_report.kpis(
            investissements.breakdowns(Filters.from_body(filters, investissements_report.FIELDS), scope)
        )


def budgets(items: list[dict[str, Any]], key: str) -> dict[Any, int]:
    return {item[key]: item["budget"] for item in items}


def test_kpis_count_every_business_case(app: Any) -> None:
    assert kpis(app) == {
        "budget_total": 20_000,  # 10 000 + 5 000 + 3 000 + 2 000: P1's two cases both count
        "business_cases": 4,
        "partenaires": 3,  # P1, P3, P4
        "budget_realise": 10_000,  # BC1 only is REAL
    }


def test_legacy_lists_with_every_code_and_a_not_set_bucket(app: Any) -> None:
    body = legacy(app)
    assert list(body) == LEGACY_KEYS
    for key, item_keys in ITEM_KEYS.items():
        assert all(list(item) == item_keys for item in body[key]), key
    # Every partner has 2 visits, so all four cases sit at 2.
    assert body["budget_par_visites"] == [{"Nombre de nombre de visites": 2, "budget": 20_000}]
    assert body["budget_par_gamme"] == [
        {"code_gamme": "GA00001", "budget": 17_000, "code_gamme_partenaire": "GA00001", "gamme": "DERMATO"},  # 1, 2, 4
        {"code_gamme": "GA00002", "budget": 0, "code_gamme_partenaire": "GA00002", "gamme": "GYNECO"},
        {"code_gamme": "GA00003", "budget": 0, "code_gamme_partenaire": "GA00003", "gamme": "RHUMATO"},
        {"code_gamme": None, "budget": 3_000, "code_gamme_partenaire": None, "gamme": "Non renseigné"},  # BC3 (P3)
    ]
    assert budgets(body["budget_par_statut"], "code_statut_bc") == {
        "ANNU": 2_000, "ENAT": 5_000, "REAL": 10_000, "REFU": 0, "REJE": 0, "VALI": 3_000,
    }  # fmt: skip
    assert [i["code_statut_bc"] for i in body["budget_par_statut"]] == ["ANNU", "ENAT", "REAL", "REFU", "REJE", "VALI"]
    # " B" (P4) is trimmed to "B"; A: BC1 + BC2 (P1); A+: BC3 (P3).
    assert body["budget_par_potentiel"] == [
        {"code_potentiel": "A", "budget": 15_000},
        {"code_potentiel": "A+", "budget": 3_000},
        {"code_potentiel": "B", "budget": 2_000},
        {"code_potentiel": "C", "budget": 0},
        {"code_potentiel": "D", "budget": 0},
    ]
    assert budgets(body["budget_par_specialite"], "code_specialite") == {
        "SP00001": 2_000, "SP00002": 15_000, "SP00003": 0, None: 3_000,  # P4; P1; none; P3 has no specialty
    }  # fmt: skip
    assert body["budget_par_specialite"][-1]["specialite"] == "Non renseigné"
    assert body["budget_par_region"] == [
        {"code_region_partenaire": "RE00001", "budget": 15_000, "region": "Agadir"},  # P1: BC1, BC2
        {"code_region_partenaire": "RE00002", "budget": 5_000, "region": "Casablanca"},  # P3: BC3, P4: BC4
        {"code_region_partenaire": "RE00003", "budget": 0, "region": "Rabat"},
    ]
    assert budgets(body["budget_par_type_investissement"], "code_type_investissement") == {
        "TI00001": 13_000,  # BC1 + BC3
        "TI00002": 7_000,  # BC2 + BC4
    }
    assert body["budget_par_categorie_investissement"] == [
        {"code_categorie_investissement": "CI00001", "budget": 15_000},  # BC1 + BC2
        {"code_categorie_investissement": "CI00002", "budget": 3_000},  # BC3
        {"code_categorie_investissement": None, "budget": 2_000},  # BC4 has no category
    ]


@pytest.mark.parametrize(
    "filters",
    [{}, {"id_responsable": 2}, {"annee": 2025}, {"region": "RE00002"}, {"code_type_investissement": "TI00002"}],
)
def test_every_breakdown_sums_to_the_total(app: Any, filters: dict[str, Any]) -> None:
    body = legacy(app, **filters)
    total = kpis(app, **filters)["budget_total"]
    assert total > 0
    for key in LEGACY_KEYS:
        assert sum(item["budget"] for item in body[key]) == total, key


@pytest.mark.parametrize(
    ("filters", "expected_budget", "expected_cases"),
    [
        ({"id_responsable": 2}, 17_000, 3),  # team 2, 3, 4: BC1, BC2 (by 3), BC4 (by 4)
        ({"id_responsable": 5}, 3_000, 1),  # team 5, 6, 7: BC3 (by 6)
        ({"id_responsable": 8}, 0, 0),  # the 8 ↔ 9 cycle: ends, with nothing
        ({"id_utilisateur": 3}, 15_000, 2),  # BC1, BC2
        ({"annee": 2025}, 18_000, 3),  # BC1, BC2, BC3
        ({"annee": 2026}, 2_000, 1),  # BC4
        ({"mois": 2}, 13_000, 2),  # BC1 (realised 1 Feb, created in January), BC3
        ({"mois": 1}, 2_000, 1),  # BC4 only: BC1's January creation does not count once realised
        ({"start_date": "2025-02-01", "end_date": "2025-02-01"}, 10_000, 1),  # a one-day range: BC1
        ({"end_date": "2025-03-01"}, 18_000, 3),  # inclusive last day: BC2 (1 March) counts
        ({"start_date": "2025-03-01"}, 7_000, 2),  # either bound alone: BC2, BC4
        ({"region": "RE00001"}, 15_000, 2),  # P1
        ({"region": ["RE00001", "RE00002"]}, 20_000, 4),
        ({"region": "RE00003"}, 0, 0),
        ({"gamme": "GA00001"}, 17_000, 3),  # P1, P4
        ({"gamme": "GA00002"}, 0, 0),  # P2, P5 have no business case
        ({"code_type_investissement": "TI00001"}, 13_000, 2),  # BC1, BC3
        ({"code_type_investissement": ["TI00001", "TI00002"]}, 20_000, 4),
        ({"id_partenaire": 1}, 15_000, 2),
        ({"id_partenaire": 5}, 0, 0),
        ({"id_business_case": 4}, 2_000, 1),  # ignored by the legacy API, applied here
        ({"annee": 2025, "id_responsable": 2}, 15_000, 2),  # BC1, BC2
    ],
)
def test_filters(app: Any, filters: dict[str, Any], expected_budget: int, expected_cases: int) -> None:
    numbers = kpis(app, **filters)
    assert (numbers["budget_total"], numbers["business_cases"]) == (expected_budget, expected_cases)


def test_empty_slice_gives_zeros_for_every_known_code(app: Any) -> None:
    body = legacy(app, annee=2030)
    assert kpis(app, annee=2030) == {"budget_total": 0, "business_cases": 0, "partenaires": 0, "budget_realise": 0}
    assert body["budget_par_visites"] == []  # no known domain of visit counts
    assert [i["code_statut_bc"] for i in body["budget_par_statut"]] == ["ANNU", "ENAT", "REAL", "REFU", "REJE", "VALI"]
    assert len(body["budget_par_type_investissement"]) == 2  # TI00001, TI00002
    assert len(body["budget_par_categorie_investissement"]) == 2  # CI00001, CI00002; no empty bucket
    assert all(item["budget"] == 0 for key in LEGACY_KEYS for item in body[key])


def test_scope_restricts_and_is_never_widened(app: Any) -> None:
    team = Scope((5, 6, 7))
    assert kpis(app, team)["budget_total"] == 3_000  # BC3
    assert kpis(app, team, id_responsable=1)["budget_total"] == 3_000
    assert kpis(app, Scope(()))["budget_total"] == 0
    assert legacy(app, team)["budget_par_gamme"][-1]["gamme"] == "Non renseigné"  # BC3 is P3's (a pharmacy)


def test_v1_adds_labels_counts_and_nested_children(app: Any) -> None:
    with app.server.app_context():
        body = investissements_report.payload(Filters(), EVERYONE)
    assert body["indicateurs"]["budget_total"] == 20_000
    assert [(i["libelle"], i["business_cases"]) for i in body["budget_par_type_investissement"]] == [
        ("Congrès / symposium", 2),
        ("Formation médicale continue (EPU)", 2),
    ]
    assert [i["libelle"] for i in body["budget_par_categorie_investissement"]] == [
        "Médical", "Pharmaceutique", "Non renseigné",
    ]  # fmt: skip
    assert body["budget_par_gamme"][0]["specialites"] == [
        {"code_specialite": "SP00001", "specialite": "Chirurgie Plastique", "budget": 2_000, "business_cases": 1,
         "partenaires": 1},  # BC4 (P4)
        {"code_specialite": "SP00002", "specialite": "Dermatologie", "budget": 15_000, "business_cases": 2,
         "partenaires": 1},  # BC1, BC2 (P1)
    ]  # fmt: skip
    casablanca = body["budget_par_region"][1]
    assert [(v["ville"], v["budget"]) for v in casablanca["villes"]] == [("Casablanca", 3_000), ("Azemmour", 2_000)]
    assert (casablanca["business_cases"], casablanca["partenaires"]) == (2, 2)


def test_a_case_without_requester_belongs_to_its_manager(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    engine = sa.create_engine(url)
    fixture_data.load(engine)
    with engine.begin() as conn:  # BC5: no requester, manager 5, 1 000 MAD for P2, created 2025-04-01
        conn.execute(
            partenaire_bc.insert().values(
                id_business_case=5, id_partenaire=2, id_utilisateur=None, id_responsable=5, code_statut_bc="ENAT",
                code_type_investissement="TI00001", budget=1_000, date_creation=dt.datetime(2025, 4, 1),
            )
        )  # fmt: skip
    engine.dispose()
    app = build_app(url)
    assert kpis(app, Scope((5, 6, 7)))["budget_total"] == 4_000  # BC3 (requester 6) + BC5 (manager 5)
    assert kpis(app, id_responsable=5)["budget_total"] == 4_000
    assert kpis(app, id_utilisateur=6)["budget_total"] == 3_000  # manager 5 is not the rep 6
    assert kpis(app, id_responsable=2)["budget_total"] == 17_000  # unchanged


@pytest.mark.parametrize("dialect", [sqlite.dialect(), mysql.dialect()], ids=["sqlite", "mysql"])
def test_filter_values_are_bound_never_inlined(dialect: sa.Dialect) -> None:
    filters = Filters(region=("RE00009",), gamme=("GA00007",), code_type_investissement=("TI00042",), annee=2024)
    compiled = investissements.breakdowns_stmt(filters, (3, 4)).compile(dialect=dialect)
    for literal in ("RE00009", "GA00007", "TI00042", "2024"):
        assert literal not in str(compiled)


# API


def test_legacy_invest_route_keeps_the_legacy_shape(client: FlaskClient) -> None:
    legacy_body = {"id_responsable": 2, "code_type_investissement": "TI00002", "id_business_case": None,
                   "id_partenaire": None, "region": None, "start_date": None, "end_date": None}  # fmt: skip
    response = client.post("/invest", json=legacy_body)
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == LEGACY_KEYS
    assert budgets(body["budget_par_statut"], "code_statut_bc")["ENAT"] == 5_000  # BC2 (BC4 is ANNU)
    assert sum(i["budget"] for i in body["budget_par_region"]) == 7_000  # BC2 + BC4
    assert response.data.index(b'"budget_par_visites"') < response.data.index(b'"budget_par_gamme"')
    assert client.get("/invest").status_code == 405


def test_v1_get_and_post_agree_and_hold_the_legacy_numbers(client: FlaskClient) -> None:
    got = client.get("/api/v1/investissements?code_type_investissement=TI00001,TI00002&annee=2025").get_json()
    posted = client.post(
        "/api/v1/investissements", json={"code_type_investissement": ["TI00002", "TI00001"], "annee": 2025}
    ).get_json()
    assert got == posted
    assert got["filtres"] == {"annee": 2025, "code_type_investissement": ["TI00001", "TI00002"]}
    assert got["indicateurs"] == {
        "budget_total": 18_000,
        "business_cases": 3,
        "partenaires": 2,
        "budget_realise": 10_000,
    }
    legacy_body = client.post("/invest", json={"annee": 2025}).get_json()
    for key in LEGACY_KEYS:
        assert [{k: i[k] for k in ITEM_KEYS[key]} for i in got[key]] == legacy_body[key]


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/v1/investissements?code_categorie=CE00001", None, "code_categorie"),  # not this area's
        ("get", "/api/v1/investissements?code_type_investissement=CI00001", None, "code_type_investissement"),
        ("get", "/api/v1/investissements?id_partenaire=abc", None, "id_partenaire"),
        ("get", "/api/v1/investissements?id_business_case=-3", None, "id_business_case"),
        ("get", "/api/v1/investissements?mois=13", None, "mois"),
        ("post", "/invest", {"start_date": "2025-02-31"}, "start_date"),
        ("post", "/invest", {"start_date": "2025-03-01", "end_date": "2025-01-01"}, "start_date"),
        ("post", "/invest", {"pays": "MA"}, "pays"),
    ],
)
def test_bad_filters_get_400_with_the_field(client: FlaskClient, method: str, url: str, body: Any, field: str) -> None:
    response = client.get(url) if method == "get" else client.post(url, json=body)
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert response.get_json()["error"]


def test_a_manager_sees_only_their_team(sqlite_app: Any) -> None:
    chef = login(sqlite_app.server.test_client(), "chef")  # linked to user 2: team 2, 3, 4
    assert chef.get("/api/v1/investissements").get_json()["indicateurs"]["budget_total"] == 17_000  # BC1, 2, 4
    for response in (
        chef.get("/api/v1/investissements?id_responsable=5"),
        chef.post("/invest", json={"id_responsable": 5}),
    ):
        assert response.status_code == 403
        assert response.get_json()["field"] == "id_responsable"


def funded(app: Any, scope: Scope = EVERYONE, **filters: Any) -> list[tuple[int, str]]:
    with app.server.app_context():
        return investissements.funded_partner_rows(Filters.from_body(filters, investissements_report.FIELDS), scope)


def test_the_partner_filter_offers_the_funded_partners_of_the_slice_by_name(app: Any) -> None:
    """The page's partner filter took a bare number; it lists the funded partners by name (P2, P5: none).
    Doctors have the first name TEST in the fixture, the pharmacy none."""
    assert funded(app) == [(1, "AMRANI TEST (n° 1)"), (4, "CHAOUI TEST (n° 4)"), (3, "PHARMACIE CENTRALE (n° 3)")]
    assert funded(app, annee=2026) == [(4, "CHAOUI TEST (n° 4)")]  # BC4 only
    assert funded(app, Scope((5, 6, 7))) == [(3, "PHARMACIE CENTRALE (n° 3)")]  # BC3, requested by 6
    assert funded(app, id_partenaire=1) == funded(app)  # the partner chosen does not narrow its own list


def test_the_engaged_budget_leaves_refused_and_cancelled_cases_apart(client: FlaskClient) -> None:
    """ "Budget total" added rejected, refused and cancelled business cases: the page leads with the engaged one."""
    body = client.get("/api/v1/investissements").get_json()
    numbers = {**body["indicateurs"], **body["engagement"]}
    assert numbers["budget_engage"] == 18_000  # BC1 REAL 10 000 + BC2 ENAT 5 000 + BC3 VALI 3 000
    assert numbers["business_cases_engages"] == 3
    assert (numbers["budget_refuse_ou_annule"], numbers["business_cases_refuses_ou_annules"]) == (2_000, 1)  # BC4
    assert numbers["budget_total"] == 20_000  # every status, as before
