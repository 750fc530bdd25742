"""A manager's sidebar offers only their team: the managers and reps lists never name anyone outside it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dashboard.shell import sidebar_options
from data.source.schema import partenaire_visite, utilisateur, visite
from tests import fixture_data
from tests.conftest import build_app, login

EMPTY: list[Any] = [None, None, None, None, [], [], None, None]


def options_as(app: Any, username: str, values: list[Any] = EMPTY) -> list[Any]:
    """The sidebar's options as ``username`` gets them (through a real login and its session)."""
    client = login(app.server.test_client(), username)
    with client.session_transaction() as session:
        cookie_session = dict(session)
    with app.server.test_request_context("/visites"):
        from flask import session as flask_session

        flask_session.update(cookie_session)
        app.server.preprocess_request()  # the guard sets the account's scope
        return sidebar_options(values)


def test_a_manager_is_offered_only_their_team(sqlite_app: Any) -> None:
    managers, reps = options_as(sqlite_app, "chef")[:2]  # chef is linked to user 2: team 2, 3, 4
    assert [o["value"] for o in managers] == [2]
    assert sorted(o["value"] for o in reps) == [2, 3, 4]


def test_an_admin_is_offered_everyone_and_an_unlinked_viewer_no_one(sqlite_app: Any) -> None:
    managers, reps = options_as(sqlite_app, "admin")[:2]
    assert {o["value"] for o in managers} == {1, 2, 5, 8, 9}  # every user with someone below them
    assert len(reps) == 9
    managers, reps = options_as(sqlite_app, "orphelin")[:2]
    assert managers == [] and reps == []


def test_a_link_naming_someone_outside_the_team_is_kept_visible_but_refused(sqlite_app: Any) -> None:
    """A shared URL with another team's manager: the value stays (so the error names it), the data is refused."""
    managers = options_as(sqlite_app, "chef", [5, None, None, None, [], [], None, None])[0]
    assert [o["value"] for o in managers] == [2, 5]  # 5 only because the URL asked for it
    chef = login(sqlite_app.server.test_client(), "chef")
    assert chef.get("/api/v1/visites?id_responsable=5").status_code == 403


@pytest.fixture
def cycle_app(tmp_path: Path) -> Any:
    """The fixture CRM with a cycle in the hierarchy: 2's manager is 5, 5's is 30 (new), 30's is 2.

    30 made one visit (V8, to P5); 2 has none, but 3 and 4 (below 2) made V1, V2, V3, V7; 5's own reps 6 and 7
    made V5 and V6.
    """
    url = f"sqlite:///{tmp_path / 'cycle.sqlite'}"
    engine = sa.create_engine(url)
    fixture_data.load(engine)
    u = utilisateur.c
    with engine.begin() as conn:
        conn.execute(
            utilisateur.insert().values(
                id_utilisateur=30, nom_utilisateur="ZIANI", prenom_utilisateur="SAMIR", role="DSM", id_responsable=2
            )
        )
        conn.execute(utilisateur.update().where(u.id_utilisateur == 2).values(id_responsable=5))
        conn.execute(utilisateur.update().where(u.id_utilisateur == 5).values(id_responsable=30))
        conn.execute(
            visite.insert().values(
                id_visite=8, date_visite=dt.datetime(2025, 4, 1, 9), id_utilisateur=30, id_responsable=2,
                code_type_visite="PLAN", code_statut_visite="REAL",
            )
        )  # fmt: skip
        conn.execute(
            partenaire_visite.insert().values(
                id_visite=8, id_partenaire=5, code_type_partenaire="MEDE", code_gamme_partenaire="GA00002",
                code_specialite_partenaire="SP00003", code_region_partenaire="RE00002",
                code_ville_partenaire="VI00008",
            )
        )  # fmt: skip
    engine.dispose()
    return build_app(url)


def test_a_cycle_in_the_hierarchy_never_puts_a_manager_s_own_managers_in_their_team(cycle_app: Any) -> None:
    """With 2 → 5 → 30 → 2, manager 5's team held 30 and 2 (its own managers) and 3 and 4 (below 2)."""
    from data.app import accounts, tokens
    from data.metrics.scope import team_ids

    with cycle_app.server.app_context():
        assert team_ids(5) == (5, 6, 7)
        assert team_ids(2) == (2, 3, 4)  # 30 is below 2 and above it: above wins
        assert team_ids(30) == (30,)
        assert team_ids(1) == (1,)  # 2 and 5 no longer report to 1
        assert team_ids(8) == (8,) and team_ids(9) == (9,)  # the fixture's own 8 ↔ 9 cycle
        secret, _ = tokens.create(accounts.create("chef5", "chef5-password", id_utilisateur=5), "cycle")
    chef5 = cycle_app.server.test_client()
    chef5.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    mine = chef5.get("/api/v1/visites").get_json()["indicateurs"]
    assert (mine["visites"], mine["contacts"]) == (2, 2)  # V5, V6 (6's); not V1–V3, V7 (3, 4) nor V8 (30)
    for query in ("id_utilisateur=2", "id_responsable=30", "id_utilisateur=30", "id_responsable=2"):
        refused = chef5.get(f"/api/v1/visites?{query}")
        assert refused.status_code == 403, query
        assert refused.get_json()["field"] == query.split("=")[0]
    assert chef5.post("/data", json={"id_responsable": 30}).status_code == 403
    users = chef5.get("/api/v1/utilisateurs").get_json()
    assert users["indicateurs"]["visites"] == 2
