"""Évaluations aggregates and API on the fixture CRM, counted by hand (see tests/fixture_data.py).

Evaluations (score /100; items: category, sub-category, score /5):
    E1 by 2 (DSM) of 3, 60, 2025-01-20 15:30: CE1/SEV1 3, CE1/SEV2 2, CE5/SEV16 4
    E2 by 2 (DSM) of 4, 70, 2025-02-10 09:00: CE1/SEV1 4, CE5/SEV16 5
    E3 by 1 (DIR) of 6, 80, 2025-03-31 17:00: CE1/SEV2 1, CE5/SEV16 3
    E4 by 5 (DSM) of 6, 50, 2026-01-15 10:00: CE1/SEV1 2
Non-deleted visits of the evaluated reps, all time: 3 → V1, V2, V7 (3); 4 → V3 (1; V4 is deleted); 6 → V5, V6 (2).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.dialects import mysql, sqlite

from data.metrics import evaluations, evaluations_report
from data.metrics.filters import Filters
from data.metrics.scope import EVERYONE, Scope, team_ids
from data.source.schema import evaluation, evaluation_detailed
from tests import fixture_data
from tests.conftest import build_app, login

LEGACY_KEYS = [
    "Nombre_visites_par_moyen_evaluation",
    "Nombre_evaluation_par_Mois",
    "pourcentage_evaluations_role",
    "moyenne_points_utilisateurs",
    "categories",
]


def legacy(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, Any]:
    with app.server.app_context():
        return evaluations_report.legacy_payload(Filters.from_body(filters), scope)


def v1(app: Any, scope: Scope = EVERYONE, **filters: Any) -> dict[str, Any]:
    with app.server.app_context():
        return evaluations_report.payload(Filters.from_body(filters), scope)


def test_kpis_count_evaluations_not_items(app: Any) -> None:
    assert v1(app)["indicateurs"] == {
        "evaluations": 4,  # E1..E4 (9 items: the legacy counted 9)
        "note_moyenne": 65.0,  # (60 + 70 + 80 + 50) / 4
        "delegues_evalues": 3,  # 3, 4, 6
        "evaluateurs": 3,  # 2, 1, 5
    }


def test_legacy_aggregates_count_each_evaluation_once(app: Any) -> None:
    body = legacy(app)
    assert list(body) == LEGACY_KEYS
    # One evaluation per score; its rep's visits once (the legacy multiplied them by the items).
    assert body["Nombre_visites_par_moyen_evaluation"] == [
        {"points_obtenus": 50, "nombre_visites": 2},  # E4 of 6: V5, V6
        {"points_obtenus": 60, "nombre_visites": 3},  # E1 of 3: V1, V2, V7
        {"points_obtenus": 70, "nombre_visites": 1},  # E2 of 4: V3
        {"points_obtenus": 80, "nombre_visites": 2},  # E3 of 6
    ]
    months = body["Nombre_evaluation_par_Mois"]
    assert months[:4] == [
        {"date_integration": "2025-01", "Nombre_evaluation": 1},  # E1 (3 items)
        {"date_integration": "2025-02", "Nombre_evaluation": 1},  # E2
        {"date_integration": "2025-03", "Nombre_evaluation": 1},  # E3
        {"date_integration": "2025-04", "Nombre_evaluation": 0},  # the months between are listed with 0
    ]
    assert len(months) == 13 and months[-1] == {"date_integration": "2026-01", "Nombre_evaluation": 1}  # E4
    assert body["pourcentage_evaluations_role"] == [
        {"role_createur": "DIR", "Nombre_evaluation": 1},  # E3 by 1
        {"role_createur": "DRG", "Nombre_evaluation": 0},
        {"role_createur": "DSM", "Nombre_evaluation": 3},  # E1, E2 by 2; E4 by 5
        {"role_createur": "KAM", "Nombre_evaluation": 0},
    ]
    assert body["moyenne_points_utilisateurs"] == [
        {"FullName_utilisateur": "CHRAIBI OMAR", "points_obtenus": 60.0},  # E1
        {"FullName_utilisateur": "DAOUDI NADIA", "points_obtenus": 70.0},  # E2
        {"FullName_utilisateur": "FILALI HIND", "points_obtenus": 65.0},  # (80 + 50) / 2, each evaluation once
    ]


def test_categories_average_item_scores_sorted_by_code(app: Any) -> None:
    assert legacy(app)["categories"] == [
        {
            "code_categorie": "CE00001",
            "categorie": "Connaissance produit",
            "moyenne_points_categorie": 2.4,  # (3 + 2 + 4 + 1 + 2) / 5 items
            "sous_categories": [
                {"code_sous_categorie": "SEV00001", "sous_categorie": "Argumentaire produit",
                 "moyenne_points_sous_categorie": 3.0},  # (3 + 4 + 2) / 3
                {"code_sous_categorie": "SEV00002", "sous_categorie": "Connaissance concurrence",
                 "moyenne_points_sous_categorie": 1.5},  # (2 + 1) / 2
            ],
        },
        {
            "code_categorie": "CE00005",
            "categorie": "Preparation de la visite",  # label trimmed
            "moyenne_points_categorie": 4.0,  # (4 + 5 + 3) / 3
            "sous_categories": [
                {"code_sous_categorie": "SEV00016", "sous_categorie": "Plannification semaine de travail sur CRM",
                 "moyenne_points_sous_categorie": 4.0},
            ],
        },
    ]  # fmt: skip


def test_v1_adds_counts_shares_and_the_score_distribution(app: Any) -> None:
    body = v1(app)
    assert [(b["tranche"], b["Nombre_evaluation"]) for b in body["distribution_notes"]] == [
        ("< 50", 0), ("50–59", 1), ("60–69", 1), ("70–79", 1), ("80–89", 1), ("≥ 90", 0),  # 50, 60, 70, 80
    ]  # fmt: skip
    roles = {
        r["role_createur"]: (r["Nombre_evaluation"], r["pourcentage"]) for r in body["pourcentage_evaluations_role"]
    }
    assert roles == {"DIR": (1, 25.0), "DRG": (0, 0.0), "DSM": (3, 75.0), "KAM": (0, 0.0)}
    filali = body["moyenne_points_utilisateurs"][2]
    assert filali == {"id_utilisateur": 6, "FullName_utilisateur": "FILALI HIND", "points_obtenus": 65.0,
                      "Nombre_evaluation": 2}  # fmt: skip
    ce1 = body["categories"][0]
    assert (ce1["nombre_items"], ce1["Nombre_evaluation"]) == (5, 4)  # 5 items in E1, E1, E2, E3, E4
    assert [(s["nombre_items"], s["Nombre_evaluation"]) for s in ce1["sous_categories"]] == [(3, 3), (2, 2)]


@pytest.mark.parametrize(
    ("filters", "expected_count", "expected_mean"),
    [
        ({"id_responsable": 2}, 2, 65.0),  # team 2, 3, 4: E1 (60), E2 (70)
        ({"id_responsable": 5}, 2, 65.0),  # team 5, 6, 7: E3, E4 (rep 6), E3's evaluator 1 being outside
        ({"id_responsable": 8}, 0, None),  # the 8 ↔ 9 cycle ends, with nothing
        ({"id_utilisateur": 4}, 1, 70.0),  # the evaluated rep, not the evaluator: E2
        ({"id_utilisateur": 2}, 0, None),  # 2 evaluates but is never evaluated
        ({"annee": 2025}, 3, 70.0),  # E1, E2, E3
        ({"mois": 1}, 2, 55.0),  # January of any year: E1 (60), E4 (50)
        ({"annee": 2025, "mois": 3}, 1, 80.0),  # E3
        ({"end_date": "2025-03-31"}, 3, 70.0),  # inclusive last day: E3 at 17:00 counts
        ({"start_date": "2025-03-31"}, 2, 65.0),  # E3, E4
        ({"start_date": "2025-01-21", "end_date": "2025-02-10"}, 1, 70.0),  # E2 (09:00 on the end day)
        ({"code_categorie": "CE00005"}, 3, 70.0),  # evaluations with a CE5 item: E1, E2, E3
        ({"code_categorie": ["CE00001", "CE00005"]}, 4, 65.0),
        ({"annee": 2026, "id_responsable": 2}, 0, None),
    ],
)
def test_filters(app: Any, filters: dict[str, Any], expected_count: int, expected_mean: float | None) -> None:
    numbers = v1(app, **filters)["indicateurs"]
    assert (numbers["evaluations"], numbers["note_moyenne"]) == (expected_count, expected_mean)


def test_category_filter_keeps_that_category_only(app: Any) -> None:
    body = legacy(app, code_categorie="CE00005")
    assert [(c["code_categorie"], c["moyenne_points_categorie"]) for c in body["categories"]] == [("CE00005", 4.0)]
    # The evaluations with a CE5 item keep their total score: E1 60, E2 70, E3 80.
    assert [s["points_obtenus"] for s in body["Nombre_visites_par_moyen_evaluation"]] == [60, 70, 80]
    only_ce1 = legacy(app, code_categorie="CE00001", id_utilisateur=6)["categories"]
    assert only_ce1[0]["moyenne_points_categorie"] == 1.5  # E3 SEV2 1, E4 SEV1 2


def test_an_empty_slice_gives_zeros_and_no_averages(app: Any) -> None:
    body = v1(app, annee=2030)
    assert body["indicateurs"] == {"evaluations": 0, "note_moyenne": None, "delegues_evalues": 0, "evaluateurs": 0}
    assert body["Nombre_evaluation_par_Mois"] == []  # 2030 is still to come: no months of zeros
    assert [r["Nombre_evaluation"] for r in body["pourcentage_evaluations_role"]] == [0, 0, 0, 0]
    assert body["Nombre_visites_par_moyen_evaluation"] == [] and body["moyenne_points_utilisateurs"] == []
    assert [(c["code_categorie"], c["moyenne_points_categorie"], c["sous_categories"]) for c in body["categories"]] == [
        ("CE00001", None, []),
        ("CE00005", None, []),
    ]


def test_scope_restricts_to_the_evaluated_reps_of_the_team(app: Any) -> None:
    with app.server.app_context():
        team = Scope(team_ids(5))
    assert team.user_ids == (5, 6, 7)
    assert v1(app, team)["indicateurs"]["evaluations"] == 2  # E3, E4
    assert v1(app, team, id_responsable=1)["indicateurs"]["evaluations"] == 2  # never widened by a filter
    assert v1(app, Scope(()))["indicateurs"]["evaluations"] == 0


def test_unknown_codes_and_users_are_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    engine = sa.create_engine(url)
    fixture_data.load(engine)
    with engine.begin() as conn:  # SQLite does not enforce the foreign keys: evaluator 42 and rep 77 do not exist
        conn.execute(
            evaluation.insert().values(
                id=5,
                id_createur=42,
                id_utilisateur_evalue=77,
                points_obtenu=90,
                points_total=100,
                date_integration=dt.datetime(2025, 6, 1, 12),
            )
        )
        conn.execute(evaluation_detailed.insert(), [
            {"id_evaluation": 5, "code_categorie": "CE00009", "code_sous_categorie": "SEV00099", "point_obtenu": 5,
             "point_sur": 5},
            {"id_evaluation": 5, "code_categorie": "CE00001", "code_sous_categorie": "SEV00001", "point_obtenu": 1,
             "point_sur": 5},
        ])  # fmt: skip
    body = v1(build_app(url))
    assert body["indicateurs"]["evaluations"] == 5
    assert body["pourcentage_evaluations_role"][-1] == {
        "role_createur": None, "libelle": "Évaluateur inconnu", "Nombre_evaluation": 1, "pourcentage": 20.0,
    }  # fmt: skip
    assert body["moyenne_points_utilisateurs"][-1]["FullName_utilisateur"] == "Utilisateur n° 77"
    assert body["Nombre_visites_par_moyen_evaluation"][-1] == {
        "points_obtenus": 90, "nombre_visites": 0, "Nombre_evaluation": 1,
    }  # fmt: skip
    categories = {c["code_categorie"]: c for c in body["categories"]}
    assert categories["CE00001"]["moyenne_points_categorie"] == 2.17  # (12 + 1) / 6
    assert categories["CE00009"]["categorie"] == "CE00009"
    assert categories["CE00009"]["sous_categories"][0]["sous_categorie"] == "SEV00099"


@pytest.mark.parametrize("dialect", [sqlite.dialect(), mysql.dialect()], ids=["sqlite", "mysql"])
def test_statements_bind_every_filter_value(dialect: sa.Dialect) -> None:
    filters = Filters(code_categorie=("CE00007",), annee=2024, mois=2)
    for stmt in (evaluations.summary_stmt(filters, (3, 4)), evaluations.categories_stmt(filters, (3, 4))):
        sql = str(stmt.compile(dialect=dialect))
        assert "CE00007" not in sql and "2024" not in sql


# API


def test_legacy_route_keeps_the_legacy_shape_and_key_order(client: FlaskClient) -> None:
    response = client.post("/evaluation", json={"id_utilisateur": "6", "start_date": "2025-01-01",
                                                "end_date": "2025-03-31"})  # fmt: skip
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == LEGACY_KEYS
    assert response.data.index(b'"Nombre_visites_par_moyen_evaluation"') < response.data.index(b'"categories"')
    assert body["moyenne_points_utilisateurs"] == [{"FullName_utilisateur": "FILALI HIND", "points_obtenus": 80.0}]
    assert list(body["Nombre_evaluation_par_Mois"][0]) == ["date_integration", "Nombre_evaluation"]
    assert list(body["pourcentage_evaluations_role"][0]) == ["role_createur", "Nombre_evaluation"]
    assert list(body["categories"][0]) == ["code_categorie", "categorie", "moyenne_points_categorie", "sous_categories"]
    assert list(body["categories"][0]["sous_categories"][0]) == [
        "code_sous_categorie", "sous_categorie", "moyenne_points_sous_categorie",
    ]  # fmt: skip


def test_v1_get_and_post_agree_and_hold_the_legacy_numbers(client: FlaskClient) -> None:
    got = client.get("/api/v1/evaluations?code_categorie=CE00001&code_categorie=CE00005&annee=2025").get_json()
    posted = client.post("/api/v1/evaluations", json={"code_categorie": ["CE00005", "CE00001"], "annee": 2025})
    assert got == posted.get_json()
    assert got["filtres"] == {"annee": 2025, "code_categorie": ["CE00001", "CE00005"]}
    assert got["indicateurs"]["evaluations"] == 3  # E1, E2, E3
    old = client.post("/evaluation", json={"annee": 2025, "code_categorie": ["CE00001", "CE00005"]}).get_json()
    assert got["Nombre_evaluation_par_Mois"] == old["Nombre_evaluation_par_Mois"]
    assert [
        {k: r[k] for k in ("FullName_utilisateur", "points_obtenus")} for r in got["moyenne_points_utilisateurs"]
    ] == (old["moyenne_points_utilisateurs"])


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/evaluations?mois=13", None, "mois"),
        ("/api/v1/evaluations?gamme=GA00001", None, "gamme"),  # not a filter of this area
        ("/api/v1/evaluations?code_categorie=GA00001", None, "code_categorie"),
        ("/api/v1/evaluations?start_date=2025-03-01&end_date=2025-01-01", None, "start_date"),
        ("/evaluation", {"region": "RE00001"}, "region"),
        ("/evaluation", {"id_utilisateur": "abc"}, "id_utilisateur"),
    ],
)
def test_bad_filters_get_400_with_the_field(client: FlaskClient, url: str, body: Any, field: str) -> None:
    response = client.post(url, json=body) if body is not None else client.get(url)
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert response.get_json()["error"]


def test_a_manager_sees_only_their_team_and_is_refused_outside_it(sqlite_app: Any) -> None:
    chef = login(sqlite_app.server.test_client(), "chef")  # linked to user 2: team 2, 3, 4
    assert chef.get("/api/v1/evaluations").get_json()["indicateurs"]["evaluations"] == 2  # E1, E2
    for response in (
        chef.get("/api/v1/evaluations?id_responsable=5"),
        chef.post("/evaluation", json={"id_responsable": 5}),
    ):
        assert response.status_code == 403
        assert response.get_json()["field"] == "id_responsable"
    assert chef.get("/api/v1/evaluations?id_utilisateur=6").status_code == 403


def test_category_averages_are_drawn_on_the_whole_five_point_scale_with_their_spread() -> None:
    """3,16 to 3,21 were drawn on an axis that stopped at 4 for a /5 scale: the bars looked alike and wrong."""
    import pandas as pd

    from pages._evaluations import MEAN_ITEM, chart_figure

    table = pd.DataFrame(
        {"code": ["CE1", "CE2"], "libelle": ["Connaissance produit", "Relation client"],
         MEAN_ITEM: [3.16, 3.21], "Items notés": [40, 35], "Évaluations": [10, 9]}
    )  # fmt: skip
    figure = chart_figure("categories", table)
    axis = figure.layout.xaxis
    assert (axis.tick0, axis.dtick, list(axis.range)) == (0, 1, [0, 5 * 1.08])  # ticks 0, 1, ..., 5
    assert [a.text for a in figure.layout.annotations] == ["de 3,16 à 3,21 sur 5 (écart 0,05)"]


def test_each_evaluated_rep_is_one_point_score_against_visits_of_the_period(app: Any) -> None:
    """ "Visites des délégués évalués, par note" summed each evaluation's all-time visits (319 583 on the demo,
    5.4 times every visit): each rep is now one point, mean score against visits over the same period."""
    from data.metrics.scope import EVERYONE
    from pages._evaluations import MEAN_SCORE, VISITS_IN_PERIOD, chart_table

    with app.server.app_context():
        year = chart_table("visites", Filters(annee=2025), EVERYONE)
        whole = chart_table("visites", Filters(), EVERYONE)
    points = list(zip(year["Délégué"], year[VISITS_IN_PERIOD], year[MEAN_SCORE], strict=True))
    # 2025: 3 made V1, V2, V7 (V4 of 4 is deleted); 4 made V3; 6 made V5
    assert points == [("CHRAIBI OMAR", 3, 60.0), ("DAOUDI NADIA", 1, 70.0), ("FILALI HIND", 1, 80.0)]
    six = whole[whole["Délégué"] == "FILALI HIND"]
    assert (int(six[VISITS_IN_PERIOD].iloc[0]), float(six[MEAN_SCORE].iloc[0])) == (2, 65.0)  # V5, V6; (80 + 50) / 2


def test_the_per_rep_chart_shows_the_lowest_averages_unless_every_rep_is_asked() -> None:
    """A 70-bar "note moyenne par délégué" made the page 4 000 px tall: the 15 lowest by default, all on demand."""
    import pandas as pd

    from pages._evaluations import EVALUATIONS, LOWEST, MEAN_SCORE, chart_figure

    table = pd.DataFrame(
        {"id_utilisateur": range(1, 21), "Délégué": [f"REP {n:02d}" for n in range(1, 21)],
         EVALUATIONS: [1] * 20, MEAN_SCORE: [float(100 - n) for n in range(1, 21)]}
    )  # fmt: skip
    shown = chart_figure("delegues", table, every=False).data[0]
    assert LOWEST == 15 and len(shown.y) == 15
    assert set(shown.y) == {f"REP {n:02d}" for n in range(6, 21)}  # 80 to 94: the 15 lowest of 80..99
    assert len(chart_figure("delegues", table, every=True).data[0].y) == 20
    assert len(chart_figure("delegues", table.head(10), every=False).data[0].y) == 10  # few reps: all of them
