"""The team's numbers (issue 13): portfolio and coverage, reach × frequency, outcomes and plan adherence, the
scorecard and one rep's page, counted by hand on the fixture (tests/fixture_data.py) on the three engines.

Visits (V4 deleted): V1 2025-01-10 rep 3 PLAN REAL P1; V2 2025-01-15 rep 3 HOPL REAL P1 P2 P3; V3 2025-02-03
rep 4 REAL P4; V5 2025-03-05 16:30 rep 6 PLAN ABSE P3; V6 2026-01-08 rep 6 REAL P4; V7 2025-03-31 rep 3 ENAT P2.
Potentials: P1 A, P2 B, P3 A+, P4 " B" (B), P5 C (never visited). Teams: 2 -> 3, 4; 5 -> 6, 7 (7: no visit).
Default targets per month: A+ 2, A 1, B 0.5, C 0.25, D 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask.testing import FlaskClient

from data.metrics import filters as filters_module
from tests.conftest import login

D = dt.date


def equipe(client: FlaskClient, **query: Any) -> dict[str, Any]:
    response = client.get("/api/v1/equipe", query_string=query)
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def rows(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {row["id_utilisateur"]: row for row in body["delegues"]}


def test_a_team_s_portfolio_is_what_its_reps_saw_in_the_twelve_months(client: FlaskClient) -> None:
    """January 2025, team 2: the window is 2024-02-01..2025-01-31, where reps 3 and 4 saw P1, P2, P3 (V2; V3 on
    P4 is 3 February): all three seen in January. Months = 31 / 30.44: A needs 1 visit (P1 had 2: at target),
    A+ needs 2 (P3 had 1: not)."""
    body = equipe(client, annee=2025, mois=1, id_responsable=2)
    k = body["indicateurs"]
    assert (k["portefeuille"], k["portefeuille_visites"], k["couverture"]) == (3, 3, 100.0)
    assert (k["portefeuille_potentiel_fort"], k["potentiel_fort_a_la_cible"], k["atteinte_potentiel_fort"]) == (
        2, 1, 50.0,
    )  # fmt: skip
    tiers = {row["libelle"]: row for row in body["portefeuille_par_potentiel"]}
    assert [tier for tier in tiers] == ["A+", "A", "B", "C", "D", "Non renseigné"]
    assert tiers["A+"]["visites_par_nombre"] == {"0": 0, "1": 1, "2": 0, "3": 0, "4+": 0}
    assert (tiers["A+"]["visites_requises"], tiers["A"]["visites_requises"], tiers["B"]["visites_requises"]) == (
        2,
        1,
        1,
    )
    assert tiers["A"]["a_la_cible"] == 1 and tiers["A"]["atteinte"] == 100.0
    assert tiers["B"]["visites_par_nombre"]["1"] == 1  # P2 by V2
    assert tiers["D"]["atteinte"] is None and tiers["D"]["visites_requises"] is None  # no target for D


@pytest.mark.parametrize(("end", "portfolio", "coverage"), [("2026-03-04", 2, 50.0), ("2026-03-05", 1, 100.0)])
def test_the_portfolio_window_edges(client: FlaskClient, end: str, portfolio: int, coverage: float) -> None:
    """Rep 6 saw P3 on 2025-03-05 (V5) and P4 on 2026-01-08 (V6). Ending 2026-03-04, the 12 months start on
    2025-03-05: P3 is in (its first day counts); ending 2026-03-05 they start on the 6th: P3 is out."""
    body = equipe(client, start_date="2026-01-01", end_date=end, id_utilisateur=6)
    row = rows(body)[6]
    assert (row["portefeuille"], row["portefeuille_visites"], row["couverture"]) == (portfolio, 1, coverage)


def test_the_company_s_portfolio_is_the_partner_base_with_visits_per_bucket(client: FlaskClient) -> None:
    """2025, no team: the base is P1..P5 (none rejected); P1 (A) 2 visits, P2 (B) 2, P3 (A+) 2 (V5, absent, is a
    visit), P4 (B) 1, P5 (C) 0. Over 12 months the targets ask for 24 (A+), 12 (A), 6 (B) and 3 (C) visits."""
    body = equipe(client, annee=2025)
    k = body["indicateurs"]
    assert (k["portefeuille"], k["portefeuille_visites"], k["couverture"]) == (5, 4, 80.0)
    tiers = {row["libelle"]: row for row in body["portefeuille_par_potentiel"]}
    assert tiers["B"]["visites_par_nombre"] == {"0": 0, "1": 1, "2": 1, "3": 0, "4+": 0}
    assert tiers["C"]["visites_par_nombre"]["0"] == 1 and tiers["C"]["atteinte"] == 0.0
    assert [tiers[t]["visites_requises"] for t in ("A+", "A", "B", "C")] == [24, 12, 6, 3]


def test_changed_targets_change_the_attainment_at_once(client: FlaskClient, app: Any) -> None:
    from data.app import settings

    assert equipe(client, annee=2025)["portefeuille_par_potentiel"][0]["atteinte"] == 0.0  # A+ (P3): 2 of 24
    values = {f"frequence:{tier or 'NR'}": "0" for tier in settings.TIERS}
    values |= {"frequence:A+": "0,1", "portefeuille_mois": "12", "portefeuille_visites_min": "1", "relance_jours": "60"}
    with app.server.app_context():
        try:
            settings.save(values, "admin")
            body = equipe(client, annee=2025)
        finally:
            settings.save(
                {**values, **{f"frequence:{t or 'NR'}": str(v) for t, v in settings.DEFAULT_TARGETS.items()}}, "t"
            )
    a_plus = body["portefeuille_par_potentiel"][0]
    assert (a_plus["cible_par_mois"], a_plus["visites_requises"], a_plus["atteinte"]) == (0.1, 1, 100.0)
    assert body["reglages"]["frequences_cibles"]["A+"] == 0.1


@pytest.mark.parametrize(
    ("today", "company", "team_5"),
    [
        # V5 (PLAN, 5 March) is not due yet: team 5 has no planned visit due
        (D(2025, 3, 4), (1, 1, 100.0), (0, 0, None)),
        # due on its day: absent (ABSE), so not done
        (D(2025, 3, 5), (2, 1, 50.0), (1, 0, 0.0)),
    ],
)
def test_plan_adherence_counts_the_planned_visits_due_by_today(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, today: dt.date, company: Any, team_5: Any
) -> None:
    monkeypatch.setattr(filters_module, "today", lambda: today)
    for query, expected in (({}, company), ({"id_responsable": 5}, team_5)):
        k = equipe(client, start_date="2025-01-01", end_date="2025-03-31", **query)["indicateurs"]
        assert (k["planifiees_dues"], k["planifiees_realisees"], k["respect_planning"]) == expected


def test_visits_by_outcome_leave_the_deleted_out(client: FlaskClient) -> None:
    body = equipe(client, annee=2025)
    assert [(row["code_statut_visite"], row["visites"]) for row in body["visites_par_issue"]] == [
        ("REAL", 3), ("ABSE", 1), ("REPL", 0), ("ENAT", 1),
    ]  # fmt: skip  # V1 V2 V3 done, V5 absent, V7 pending; V4 (SUPP) nowhere
    assert body["indicateurs"]["visites"] == 5


def test_the_scorecard_has_every_rep_of_the_selection(client: FlaskClient) -> None:
    """Q1 2025 against Q4 2024: rep 7 (no visit) is listed with zeros; rep 3 made 3 visits on 3 days, 2 of them
    to an A+/A partner, engaged 15 000 MAD (BC1 done 1 February, BC2 pending), was evaluated 60/100 on 20 January."""
    body = equipe(client, start_date="2025-01-01", end_date="2025-03-31")
    by_rep = rows(body)
    assert sorted(by_rep) == [3, 4, 6, 7]
    three = by_rep[3]
    assert (three["visites"], three["jours_terrain"], three["visites_par_jour_terrain"]) == (3, 3, 1.0)
    assert three["part_visites_potentiel_fort"] == 66.7 and three["budget_engage"] == 15_000
    assert three["derniere_evaluation"] == {"points": 60, "sur": 100, "date": "2025-01-20"}
    assert three["precedent"]["visites"] == 0 and body["precedent"]["start_date"] == "2024-10-03"
    seven = by_rep[7]
    assert (seven["visites"], seven["portefeuille"], seven["couverture"], seven["derniere_evaluation"]) == (
        0, 0, None, None,
    )  # fmt: skip
    assert body["indicateurs"]["delegues"] == 4 and body["indicateurs"]["delegues_sans_visite"] == 1


def test_a_disabled_rep_is_marked_and_one_without_visits_left_out(crm: str) -> None:
    import sqlalchemy as sa

    from data.source.schema import utilisateur
    from tests.conftest import build_app

    with sa.create_engine(crm).begin() as conn:
        conn.execute(
            utilisateur.update().where(utilisateur.c.id_utilisateur.in_((4, 7))).values(code_statut_utilisateur="DESA")
        )
    client = login(build_app(crm).server.test_client(), "admin")
    by_rep = rows(equipe(client, start_date="2025-01-01", end_date="2025-03-31"))
    assert sorted(by_rep) == [3, 4, 6]  # 7, disabled, made no visit
    assert by_rep[4]["desactive"] is True and by_rep[4]["visites"] == 1 and by_rep[3]["desactive"] is False


def test_a_rep_s_page_numbers(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rep 3 in January 2026: their 12 months (from 2025-02-01) hold P2 only (V7, 31 March 2025), not seen
    since: 306 days on 31 January 2026. Team 2's average: reps 3 and 4, no visit in January 2026."""
    monkeypatch.setattr(filters_module, "today", lambda: D(2026, 11, 29))
    body = client.get("/api/v1/delegue", query_string={"annee": 2026, "mois": 1, "id_utilisateur": 3}).get_json()
    assert body["delegue"]["nom"] == "CHRAIBI OMAR" and body["delegue"]["responsable"] == "BENANI SARA"
    k = body["indicateurs"]
    assert (k["visites"], k["portefeuille"], k["couverture"]) == (0, 1, 0.0)
    revisit = [
        (a["id_partenaire"], a["potentiel"], a["derniere_visite"], a["jours_sans_visite"])
        for a in body["comptes_a_relancer"]
    ]
    assert revisit == [(2, "B", "2025-03-31", 306)]
    assert body["moyenne_equipe"]["delegues"] == 2 and body["moyenne_equipe"]["visites"] == 0
    assert [e["points"] for e in body["evaluations"]] == [60] and body["evaluations"][0]["evaluateur"] == "BENANI SARA"
    assert [bc["id_business_case"] for bc in body["business_cases"]] == []  # none in January 2026


def test_a_rep_s_page_over_a_year_most_valuable_first(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """2025 for rep 3, on 2025-12-31: P3 (A+) and P1 (A) last seen 15 January (350 days), P2 (B) on 31 March."""
    monkeypatch.setattr(filters_module, "today", lambda: D(2026, 11, 29))
    body = client.get("/api/v1/delegue", query_string={"annee": 2025, "id_utilisateur": 3}).get_json()
    assert [(a["id_partenaire"], a["jours_sans_visite"]) for a in body["comptes_a_relancer"]] == [
        (3, 350),
        (1, 350),
        (2, 275),
    ]
    assert [(bc["id_business_case"], bc["budget"], bc["statut"]) for bc in body["business_cases"]] == [
        (2, 5_000, "En attente"), (1, 10_000, "Réalisé"),
    ]  # fmt: skip
    assert [(w["semaine"], w["visites"]) for w in body["visites_par_semaine"] if w["visites"]] == [
        ("2025-01-06", 1), ("2025-01-13", 1), ("2025-03-31", 1),
    ]  # fmt: skip
    assert body["precedent"]["indicateurs"]["visites"] == 0  # 2024


def test_scope_refusals(app: Any) -> None:
    chef = login(app.server.test_client(), "chef")  # team of user 2: 2, 3, 4
    assert chef.get("/api/v1/delegue", query_string={"id_utilisateur": 6}).status_code == 403
    assert chef.get("/api/v1/equipe", query_string={"id_responsable": 5}).status_code == 403
    assert chef.get("/api/v1/delegue", query_string={"id_utilisateur": 3}).status_code == 200
    assert sorted(rows(equipe(chef, annee=2025))) == [3, 4]  # only their team
    missing = chef.get("/api/v1/delegue")
    assert missing.status_code == 400 and missing.get_json()["field"] == "id_utilisateur"
    admin = login(app.server.test_client(), "admin")
    unknown = admin.get("/api/v1/delegue", query_string={"id_utilisateur": 99})
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "utilisateur inconnu (99)"
    assert chef.get("/api/v1/delegue", query_string={"id_utilisateur": 99}).status_code == 403  # not theirs either


def test_a_minimum_of_visits_leaves_the_occasional_contacts_out(
    client: FlaskClient, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At least 2 visits in the 12 months to 31 March 2025: rep 3 keeps P1 (V1, V2) and P2 (V2, V7), not P3 (V2
    alone); rep 4 saw P4 once (V3): an empty portfolio. Rep 3's accounts to revisit in 2025 lose P3."""
    from data.app import settings

    monkeypatch.setattr(filters_module, "today", lambda: D(2026, 11, 29))
    values = {f"frequence:{tier or 'NR'}": str(v) for tier, v in settings.DEFAULT_TARGETS.items()}
    values |= {"portefeuille_mois": "12", "relance_jours": "60"}
    with app.server.app_context():
        settings.save({**values, "portefeuille_visites_min": "2"}, "admin")
    try:
        body = equipe(client, start_date="2025-01-01", end_date="2025-03-31", id_responsable=2)
        rep = client.get("/api/v1/delegue", query_string={"annee": 2025, "id_utilisateur": 3}).get_json()
    finally:
        with app.server.app_context():
            settings.save({**values, "portefeuille_visites_min": "1"}, "admin")
    assert body["indicateurs"]["portefeuille"] == 2 and body["reglages"]["portefeuille_visites_min"] == 2
    assert (rows(body)[3]["portefeuille"], rows(body)[4]["portefeuille"], rows(body)[4]["couverture"]) == (2, 0, None)
    assert [(a["id_partenaire"], a["jours_sans_visite"]) for a in rep["comptes_a_relancer"]] == [(1, 350), (2, 275)]
