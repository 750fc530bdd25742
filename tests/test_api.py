"""The JSON API: v1 and legacy routes, their shapes, errors, authentication and scope."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import login

LEGACY_COUNTERS = [
    "nbr_total_visites_non_planifiees", "nbr_total_visites_planifiees",
    "nbr_visites_medicales_non_planifiees", "nbr_visites_pharmaceutiques_non_planifiees",
    "nbr_visites_medicales_planifiees", "nbr_visites_pharmaceutiques_planifiees",
    "nbr_visites_privees_non_planifiees", "nbr_visites_publiques_non_planifiees",
    "nbr_visites_privees_planifiees", "nbr_visites_publiques_planifiees",
    "nbr_visites_groupe_non_planifiees", "nbr_visites_simple_non_planifiees",
    "nbr_visites_groupe_planifiees", "nbr_visites_simple_planifiees",
    "nbr_visites_indiviuel_non_planifiees", "nbr_visites_en_double_non_planifiees",
    "nbr_visites_indiviuel_planifiees", "nbr_visites_en_double_planifiees",
]  # fmt: skip


def test_legacy_data_route_keeps_the_legacy_shape_and_key_order(client: FlaskClient) -> None:
    response = client.post("/data", json={"id_responsable": "2", "start_date": "2025-01-01", "end_date": "2025-03-31"})
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["statistiques"]
    stats = body["statistiques"]
    assert list(stats) == [*LEGACY_COUNTERS, "region", "gammes"]
    assert stats["nbr_total_visites_non_planifiees"] == 5  # team of 2: V2×3, V3, V7
    assert stats["nbr_total_visites_planifiees"] == 1  # V1
    assert list(stats["region"][0]) == ["code_region_partenaire", "region", "nb_visites_total", "ville"]
    assert list(stats["region"][0]["ville"][0]) == [
        "code_ville_partenaire", "code_region_partenaire", "ville", "region", "nb_visites"
    ]  # fmt: skip
    assert list(stats["gammes"][0]) == ["code_gamme", "gamme", "nbr_total_visites", "specialites"]
    assert list(stats["gammes"][0]["specialites"][0]) == [
        "code_specialite", "specialite", "gamme", "code_gamme", "nb_visites_total"
    ]  # fmt: skip
    assert response.data.index(b'"nbr_total_visites_non_planifiees"') < response.data.index(b'"region"')


def test_v1_get_and_post_give_the_same_numbers(client: FlaskClient) -> None:
    got = client.get("/api/v1/visites?region=RE00001&region=RE00002&annee=2025").get_json()
    posted = client.post("/api/v1/visites", json={"region": ["RE00001", "RE00002"], "annee": 2025}).get_json()
    assert got == posted
    assert got["filtres"] == {"annee": 2025, "region": ["RE00001", "RE00002"]}
    assert got["indicateurs"]["visites"] == 5
    assert got["indicateurs"]["contacts"] == 7


def test_v1_holds_the_legacy_numbers(client: FlaskClient) -> None:
    v1 = client.get("/api/v1/visites?id_responsable=5").get_json()
    legacy = client.post("/data", json={"id_responsable": 5}).get_json()["statistiques"]
    assert v1["statistiques"] == {key: legacy[key] for key in LEGACY_COUNTERS}
    assert v1["region"] == legacy["region"]
    assert v1["gammes"] == legacy["gammes"]
    assert v1["statistiques_visites"]["nbr_total_visites_planifiees"] == 1  # V5
    days = [d for d in v1["evolution"] if d["visites"]]
    assert days == [
        {"jour": "2025-03-05", "contacts": 1, "visites": 1},
        {"jour": "2026-01-08", "contacts": 1, "visites": 1},
    ]


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("get", "/api/v1/visites?mois=13", None, "mois"),
        ("get", "/api/v1/visites?annee=abc", None, "annee"),
        ("get", "/api/v1/visites?start_date=2025-02-31", None, "start_date"),
        ("get", "/api/v1/visites?start_date=2025-03-01&end_date=2025-01-01", None, "start_date"),
        ("get", "/api/v1/visites?pays=MA", None, "pays"),
        ("get", "/api/v1/visites?annee=2024&annee=2025", None, "annee"),
        ("post", "/data", {"mois": "13"}, "mois"),
        ("post", "/data", {"region": "Europe"}, "region"),
        ("post", "/data", ["not", "an", "object"], "body"),
    ],
)
def test_bad_filters_get_400_with_the_field(client: FlaskClient, method: str, url: str, body: Any, field: str) -> None:
    response = getattr(client, method)(url, json=body) if body is not None else getattr(client, method)(url)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["field"] == field
    assert payload["error"]


def test_malformed_json_is_a_400(client: FlaskClient) -> None:
    response = client.post("/data", data=b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["field"] == "body"


def test_legacy_routes_are_post_only(client: FlaskClient) -> None:
    assert client.get("/data").status_code == 405


def test_the_api_needs_a_login(sqlite_app: Any) -> None:
    anonymous = sqlite_app.server.test_client()
    for response in (anonymous.get("/api/v1/visites"), anonymous.post("/data", json={})):
        assert response.status_code == 401
        assert "error" in response.get_json()


def test_a_manager_sees_only_their_team_and_is_refused_outside_it(sqlite_app: Any) -> None:
    chef = login(sqlite_app.server.test_client(), "chef")  # linked to user 2: team 2, 3, 4
    mine = chef.get("/api/v1/visites").get_json()
    assert mine["indicateurs"]["visites"] == 4  # V1, V2, V3, V7
    assert chef.get("/api/v1/visites?id_utilisateur=3").get_json()["indicateurs"]["visites"] == 3
    for url in (
        "/api/v1/visites?id_responsable=5",
        "/api/v1/visites?id_utilisateur=6",
        "/api/v1/visites?id_responsable=1",
    ):
        refused = chef.get(url)
        assert refused.status_code == 403
        assert refused.get_json()["field"] in {"id_responsable", "id_utilisateur"}
    assert chef.post("/data", json={"id_responsable": 5}).status_code == 403


def test_an_unlinked_viewer_sees_nothing(sqlite_app: Any) -> None:
    viewer = login(sqlite_app.server.test_client(), "orphelin")
    assert viewer.get("/api/v1/visites").get_json()["indicateurs"]["visites"] == 0
