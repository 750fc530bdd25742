"""In headless Chromium: log in, open Utilisateurs, change filters and controls; the console stays clean."""

from __future__ import annotations

from typing import Any

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from tests import browser
from tests.browser import choose, drill_into, figure_data
from tests.conftest import build_app

pytestmark = pytest.mark.browser
KPI = "#utilisateurs-kpi-utilisateurs_actifs"


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def open_logged_in(dash_duo: Any, app: Any, path: str = "/utilisateurs") -> str:
    return browser.open_logged_in(dash_duo, app, path, KPI)


def bars(dash_duo: Any, name: str) -> list[dict[str, Any]]:
    return figure_data(dash_duo, f"utilisateurs-graph-{name}")


def test_pick_a_region_and_see_kpis_and_charts_change(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal(KPI, "3")  # u3, u4, u6
    dash_duo.wait_for_text_to_equal("#utilisateurs-kpi-visites_par_utilisateur", "2,0")  # 6 visits / 3
    until(lambda: bars(dash_duo, "mois") and bars(dash_duo, "mois")[0]["y"][:3] == [1, 1, 2], timeout=10)
    assert len(bars(dash_duo, "mois")[0]["y"]) == 13  # 2025-01 … 2026-01, empty months at 0
    choose(dash_duo, "f-region", "Agadir")
    dash_duo.wait_for_text_to_equal(KPI, "1")  # V1, V2, V7: all by u3
    until(lambda: bars(dash_duo, "mois")[0]["y"] == [1, 0, 1], timeout=10)  # janv., févr., mars 2025
    assert bars(dash_duo, "mois")[0]["x"] == ["janv. 2025", "févr. 2025", "mars 2025"]
    assert "region=RE00001" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_visits_per_team_as_counts_then_as_share(dash_duo: Any, duo_app: Any) -> None:
    """Teams of the current hierarchy, as the Responsable filter counts them (issue 12: the chart counted the
    manager at visit time); bars, the share one click away (an 18-slice donut was the default on the demo)."""
    open_logged_in(dash_duo, duo_app, "/utilisateurs?annee=2025")
    dash_duo.wait_for_text_to_equal(KPI, "3")
    names = ["EL FASSI YASSINE", "BENANI SARA", "ALAOUI KARIM"]
    until(lambda: bars(dash_duo, "responsables")[0]["y"] == names, timeout=10)
    # 5: V5 (u6); 2: V1, V2, V3, V7 (u3, u4); 1, the director above both: all five visits of 2025
    assert bars(dash_duo, "responsables")[0]["x"] == [1, 4, 5]
    dash_duo.driver.find_element(By.XPATH, "//label[normalize-space()='Part (%)']").click()
    until(lambda: bars(dash_duo, "responsables")[0]["x"] == [20.0, 80.0, 100.0], timeout=10)
    dash_duo.wait_for_contains_text("#utilisateurs-graph-responsables", "80,0")  # 4 of 5 visits in 2025
    page = dash_duo.driver.find_element(By.TAG_NAME, "body").text
    assert "les barres ne s'additionnent pas" in page
    choose(dash_duo, "f-id_responsable", "BENANI SARA")  # the same number as her bar: her team's 4 visits
    dash_duo.wait_for_text_to_equal("#utilisateurs-kpi-visites", "4")
    assert dash_duo.get_logs() == []


def test_drill_down_from_region_to_cities_and_back(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal(KPI, "3")
    until(lambda: len(bars(dash_duo, "region")) == 1, timeout=10)

    drill_into(dash_duo, "utilisateurs", "region", "Casablanca", "par ville de la région : Casablanca")
    # Azemmour: P4 seen by u4, u6; Casablanca: P3 seen by u3, u6.
    until(lambda: bars(dash_duo, "region")[0]["y"] == ["Casablanca", "Azemmour"], timeout=10)
    assert bars(dash_duo, "region")[0]["x"] == [2, 2]
    dash_duo.find_element("#utilisateurs-back-region").click()
    dash_duo.wait_for_contains_text("#utilisateurs-title-region", "Utilisateurs actifs par région")
    dash_duo.driver.get(dash_duo.driver.current_url.split("?")[0] + "?annee=2030")
    dash_duo.wait_for_text_to_equal(KPI, "0")
    dash_duo.wait_for_contains_text("#utilisateurs-graph-role", "Aucune donnée pour ces filtres")
    assert dash_duo.get_logs() == []
