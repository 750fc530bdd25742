"""Cross-filters (issue 12): what a click on a bar of a categorical chart sets, counted by hand on the fixture CRM
(see tests/fixture_data.py), through the v1 routes of the four visit areas; the legacy routes refuse them.

Non-deleted visits: V1 u3 PLAN simple alone [P1]; V2 u3 HOPL group alone [P1, P2, P3]; V3 u4 HOPL simple
accompanied [P4]; V5 u6 PLAN simple alone [P3]; V6 u6 HOPL simple alone [P4]; V7 u3 HOPL simple alone [P2].
Partners: P1 MEDE A VALI private; P2 MEDE B VALI public; P3 PHAR A+ CREE (no establishment); P4 MEDE " B" (B once
trimmed) VALI private; P5 MEDE C MIGR public, never visited. Users 3, 4, 6 are DEL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient


def v1(client: FlaskClient, area: str, **query: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/{area}", query_string=query)
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


@pytest.mark.parametrize(
    ("query", "visits", "contacts"),
    [
        ({}, 6, 8),
        ({"potentiel": "A"}, 2, 2),  # P1 in V1, V2
        ({"potentiel": "B"}, 4, 4),  # P2 in V2, V7; P4 (" B") in V3, V6
        ({"potentiel": "A,A+"}, 3, 4),  # P1 in V1, V2; P3 in V2, V5
        ({"type_partenaire": "PHAR"}, 2, 2),  # P3 in V2, V5
        ({"etablissement": "ETPU"}, 2, 2),  # P2 in V2, V7
        ({"statut_partenaire": "VALI"}, 5, 6),  # P1, P2, P4: V1, V2 (two of them), V3, V6, V7
        ({"code_type_visite": "PLAN"}, 2, 2),  # V1, V5
        ({"forme": "G"}, 1, 3),  # V2 and its three partners
        ({"accompagnement": "O"}, 1, 1),  # V3
        ({"role": "DEL"}, 6, 8),  # every visit is a DEL's
        ({"role": "KAM"}, 0, 0),
        ({"potentiel": "B", "code_type_visite": "HOPL", "region": "RE00002"}, 2, 2),  # P4 in V3, V6
    ],
)
def test_each_cross_filter_narrows_the_visits_as_counted_by_hand(
    client: FlaskClient, query: dict[str, str], visits: int, contacts: int
) -> None:
    body = v1(client, "visites", **query)
    assert (body["indicateurs"]["visites"], body["indicateurs"]["contacts"]) == (visits, contacts)
    assert v1(client, "performance", **query)["indicateurs"]["visites"] == visits  # one number on every page
    assert v1(client, "utilisateurs", **query)["indicateurs"]["visites"] == visits


def test_a_partner_cross_filter_narrows_the_partner_base_too(client: FlaskClient) -> None:
    coverage = {row["code_potentiel"]: row for row in v1(client, "partenaires")["couverture_par_potentiel"]}
    assert coverage["B"]["comptes"] == 2  # P2, P4 (P5 is C)
    narrowed = v1(client, "partenaires", potentiel="B")["couverture_par_potentiel"]
    assert [(row["code_potentiel"], row["comptes"], row["comptes_visites"]) for row in narrowed] == [("B", 2, 2)]
    # a visit-level filter leaves the base whole: V3 (accompanied) saw P4 only
    alone = {
        row["code_potentiel"]: row for row in v1(client, "partenaires", accompagnement="O")["couverture_par_potentiel"]
    }
    assert (alone["B"]["comptes"], alone["B"]["comptes_visites"]) == (2, 1)


def test_a_role_cross_filter_narrows_the_reps_listed(client: FlaskClient) -> None:
    kpis = v1(client, "performance", role="KAM")["indicateurs"]
    assert (kpis["delegues"], kpis["delegues_actifs"]) == (0, 0)  # the fixture has no KAM
    assert v1(client, "performance", role="DEL")["indicateurs"]["delegues_actifs"] == 3  # u3, u4, u6


def test_cross_filters_are_validated_and_refused_where_they_are_not_read(client: FlaskClient) -> None:
    bad = client.get("/api/v1/visites", query_string={"potentiel": "A++"})
    assert bad.status_code == 400 and bad.get_json()["field"] == "potentiel"
    assert client.get("/api/v1/evaluations", query_string={"potentiel": "A"}).status_code == 400
    assert client.post("/data", json={"potentiel": "A"}).status_code == 400  # the legacy route keeps its filters
    lower = v1(client, "visites", potentiel="a", forme="g")
    assert lower["filtres"] == {"potentiel": ["A"], "forme": ["G"]}
