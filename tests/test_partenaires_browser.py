"""In headless Chromium: log in, explore Partenaires, change a filter, drill down, download; the console stays clean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until

from tests import browser
from tests.browser import choose, click_bar, click_csv, figure_data
from tests.conftest import build_app

pytestmark = pytest.mark.browser


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def open_logged_in(dash_duo: Any, app: Any, path: str = "/partenaires") -> str:
    return browser.open_logged_in(dash_duo, app, path, "#partenaires-kpi-comptes_visites")


def bars(dash_duo: Any, chart: str) -> list[Any]:
    """The values of a chart's first trace (``y`` for vertical bars)."""
    traces = figure_data(dash_duo, f"partenaires-graph-{chart}")
    return traces[0]["y"] if traces else []


def test_login_pick_a_region_and_see_kpis_and_charts_change(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-comptes_visites", "4")  # P1..P4
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-visites_moyennes", "2,00")
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-couverture", "80,0 %")  # 4 of P1..P5
    until(lambda: bars(dash_duo, "potentiel") == [1, 1, 2, 0, 0], timeout=10)  # A+ P3, A P1, B P2 and P4
    choose(dash_duo, "f-region", "Agadir")
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-comptes_visites", "2")  # P1, P2
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-couverture", "100,0 %")  # Agadir's base: P1, P2
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-couverture-detail", "2 sur 2 comptes du portefeuille")
    until(lambda: bars(dash_duo, "potentiel") == [0, 1, 1, 0, 0], timeout=10)
    assert "region=RE00001" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_drill_down_from_region_to_cities_and_back(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-comptes_visites", "4")
    until(lambda: len(figure_data(dash_duo, "partenaires-graph-region")) == 1, timeout=10)
    click_bar(dash_duo, "partenaires-graph-region", "Casablanca")
    dash_duo.wait_for_contains_text("#partenaires-title-region", "Villes de la région : Casablanca")
    until(
        lambda: sorted(figure_data(dash_duo, "partenaires-graph-region")[0]["y"]) == ["Azemmour", "Casablanca"],
        timeout=10,
    )
    dash_duo.find_element("#partenaires-back-region").click()
    dash_duo.wait_for_contains_text("#partenaires-title-region", "Comptes visités par région")
    assert dash_duo.get_logs() == []


def test_an_empty_period_shows_zeros_and_the_csv_holds_the_chart(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app, "/partenaires?annee=2030")
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-comptes_visites", "0")
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-visites_moyennes", "0,00")
    dash_duo.wait_for_text_to_equal("#partenaires-kpi-couverture", "0,0 %")
    dash_duo.wait_for_contains_text("#partenaires-graph-potentiel", "Aucune donnée pour ces filtres")
    click_csv(dash_duo, "partenaires", "couverture")
    path = Path(dash_duo.download_path) / f"mediviz-partenaires-couverture-{dt.date.today().isoformat()}.csv"
    until(path.exists, timeout=10)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[:3] == ["Potentiel;Comptes du portefeuille;Comptes visités;Couverture (%)", "A+;1;0;0,0", "A;1;0;0,0"]
    assert lines[-1] == "D;0;0;"  # no D account in the base: no share
    assert dash_duo.get_logs() == []
