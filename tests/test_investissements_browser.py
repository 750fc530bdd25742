"""In headless Chromium: log in, open Investissements, change the sidebar and the page's own filters, drill down."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until

from tests import browser
from tests.browser import choose, click_csv, drill_into, figure_data
from tests.conftest import build_app

pytestmark = pytest.mark.browser
BUDGET = "#investissements-kpi-budget_total"
CASES = "#investissements-kpi-business_cases"


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def open_page(dash_duo: Any, app: Any, path: str = "/investissements") -> str:
    return browser.open_logged_in(dash_duo, app, path, BUDGET)


def bars(dash_duo: Any, name: str) -> dict[str, int]:
    """Label -> budget of a horizontal budget chart."""
    trace = figure_data(dash_duo, f"investissements-graph-{name}")[0]
    return dict(zip(trace["y"], trace["x"], strict=True))


def test_sidebar_region_changes_kpis_and_charts(dash_duo: Any, duo_app: Any) -> None:
    open_page(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal(BUDGET, "20 000 MAD")  # BC1..BC4
    dash_duo.wait_for_text_to_equal(CASES, "4")
    dash_duo.wait_for_text_to_equal("#investissements-kpi-budget_realise", "10 000 MAD")  # BC1
    choose(dash_duo, "f-region", "Agadir")
    dash_duo.wait_for_text_to_equal(BUDGET, "15 000 MAD")  # P1: BC1, BC2
    dash_duo.wait_for_text_to_equal(CASES, "2")
    dash_duo.wait_for_text_to_equal("#investissements-kpi-partenaires", "1")
    until(
        lambda: bars(dash_duo, "type") == {"Congrès / symposium": 10_000, "Formation médicale continue (EPU)": 5_000},
        timeout=10,
    )
    assert dash_duo.get_logs() == []


def test_page_filters_type_and_partner(dash_duo: Any, duo_app: Any) -> None:
    open_page(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal(BUDGET, "20 000 MAD")
    choose(dash_duo, "investissements-types", "Congrès")
    dash_duo.wait_for_text_to_equal(BUDGET, "13 000 MAD")  # TI00001: BC1, BC3
    until(lambda: bars(dash_duo, "categorie") == {"Médical": 10_000, "Pharmaceutique": 3_000}, timeout=10)
    choose(dash_duo, "investissements-partenaire", "centrale")  # by name: PHARMACIE CENTRALE (n° 3)
    dash_duo.wait_for_text_to_equal(BUDGET, "3 000 MAD")  # P3 with TI00001: BC3
    dash_duo.wait_for_text_to_equal(CASES, "1")
    assert dash_duo.get_logs() == []


def test_drill_down_from_gamme_to_specialties_and_back(dash_duo: Any, duo_app: Any) -> None:
    open_page(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal(BUDGET, "20 000 MAD")
    until(lambda: bars(dash_duo, "gamme").get("DERMATO") == 17_000, timeout=10)  # BC1, BC2, BC4
    drill_into(dash_duo, "investissements", "gamme", "DERMATO", "Spécialités")
    dash_duo.wait_for_contains_text("#investissements-title-gamme", "Spécialités de la gamme : DERMATO")
    until(lambda: bars(dash_duo, "gamme") == {"Chirurgie Plastique": 2_000, "Dermatologie": 15_000}, timeout=10)
    dash_duo.find_element("#investissements-back-gamme").click()
    dash_duo.wait_for_contains_text("#investissements-title-gamme", "Par gamme")
    assert dash_duo.get_logs() == []


def test_empty_slice_and_csv_download(dash_duo: Any, duo_app: Any) -> None:
    base = open_page(dash_duo, duo_app, "/investissements?annee=2026")
    dash_duo.wait_for_text_to_equal(BUDGET, "2 000 MAD")  # BC4 (created 2026-01-10)
    dash_duo.find_element("#investissements-graph-statut .bars")
    click_csv(dash_duo, "investissements", "statut")
    path = Path(dash_duo.download_path) / f"mediviz-investissements-statut-{dt.date.today().isoformat()}.csv"
    until(path.exists, timeout=10)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Code;Libellé;Budget (MAD);Business cases;Partenaires"  # French headers (issue 12)
    assert lines[1:] == [
        "ENAT;En attente;0;0;0", "VALI;Validé;0;0;0", "REAL;Réalisé;0;0;0",
        "REJE;Rejeté;0;0;0", "REFU;Refusé;0;0;0", "ANNU;Annulé;2000;1;1",
    ]  # fmt: skip
    dash_duo.driver.get(f"{base}/investissements?annee=2030")
    dash_duo.wait_for_text_to_equal(BUDGET, "0 MAD")
    dash_duo.wait_for_contains_text("#investissements-graph-statut", "Aucune donnée pour ces filtres")
    assert dash_duo.get_logs() == []
