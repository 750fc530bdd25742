"""The settings page (``/reglages``, issue 13): admins set the target frequencies, the portfolio's window and the
silence of the accounts to revisit; a bad value changes nothing; viewers cannot reach it."""

from __future__ import annotations

from typing import Any

from data.app import settings
from tests.conftest import csrf, login


def form(**changes: str) -> dict[str, str]:
    values = {f"frequence:{tier or 'NR'}": str(v) for tier, v in settings.DEFAULT_TARGETS.items()}
    return {**values, "portefeuille_mois": "12", "portefeuille_visites_min": "1", "relance_jours": "60", **changes}


def test_an_admin_changes_the_targets_and_the_api_follows(sqlite_app: Any) -> None:
    client = login(sqlite_app.server.test_client(), "admin")
    assert "par défaut : 2" in client.get("/reglages").get_data(as_text=True)  # A+: twice a month
    saved = client.post(
        "/reglages", data={**form(**{"frequence:A+": "0,1", "relance_jours": "30"}), "csrf_token": csrf(client)}
    )
    assert saved.status_code == 200 and "Réglages enregistrés" in saved.get_data(as_text=True)
    body = client.get("/api/v1/equipe", query_string={"annee": 2025}).get_json()
    assert body["reglages"]["frequences_cibles"]["A+"] == 0.1 and body["reglages"]["relance_jours"] == 30
    assert body["portefeuille_par_potentiel"][0]["atteinte"] == 100.0  # P3: 2 visits, 1 needed over 12 months


def test_a_bad_value_is_refused_and_nothing_is_saved(sqlite_app: Any) -> None:
    client = login(sqlite_app.server.test_client(), "admin")
    refused = client.post(
        "/reglages", data={**form(**{"frequence:B": "beaucoup", "relance_jours": "30"}), "csrf_token": csrf(client)}
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Fréquence cible B : un nombre de visites par mois entre 0 et 20." in text
    assert 'value="beaucoup"' in text  # what was typed comes back
    with sqlite_app.server.app_context():
        assert settings.current().relance_jours == 60  # all or nothing
    assert client.post("/reglages", data=form()).status_code == 400  # no anti-forgery token


def test_viewers_cannot_change_settings(sqlite_app: Any) -> None:
    client = login(sqlite_app.server.test_client(), "chef")
    assert client.get("/reglages").status_code == 403
    assert client.post("/reglages", data={**form(), "csrf_token": csrf(client)}).status_code == 403
