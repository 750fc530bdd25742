"""In headless Chromium: log in, explore Évaluations, filter by category and rep, drill into a category."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests import browser
from tests.browser import choose, click_csv, figure_data
from tests.conftest import build_app

pytestmark = pytest.mark.browser
PAGE = "evaluations"


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def open_logged_in(dash_duo: Any, app: Any, path: str = "/evaluations") -> str:
    return browser.open_logged_in(dash_duo, app, path, "#evaluations-kpi-evaluations")


def bands(dash_duo: Any) -> list[Any]:
    """The evaluations per score band that the distribution chart draws."""
    return figure_data(dash_duo, "evaluations-graph-distribution")[0]["y"]


def click_bar(dash_duo: Any, graph_id: str, label: str) -> None:
    """Click a horizontal bar, scrolled to at once (Bootstrap's smooth scrolling would move it under the mouse)."""
    labels = figure_data(dash_duo, graph_id)[0]["y"]
    bar = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{graph_id} .bars .point path")[labels.index(label)]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", bar)
    ActionChains(dash_duo.driver).move_to_element(bar).pause(0.3).click().perform()


def test_pick_a_category_then_a_rep_and_see_kpis_and_charts_change(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-evaluations", "4")
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-note_moyenne", "65,0")  # (60 + 70 + 80 + 50) / 4
    until(lambda: bands(dash_duo) == [0, 1, 1, 1, 1, 0], timeout=10)  # 50, 60, 70, 80
    choose(dash_duo, "evaluations-code_categorie", "Preparation")
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-evaluations", "3")  # E1, E2, E3 have a CE5 item
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-note_moyenne", "70,0")
    until(lambda: bands(dash_duo) == [0, 0, 1, 1, 1, 0], timeout=10)
    choose(dash_duo, "f-id_utilisateur", "DAOUDI")
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-evaluations", "1")  # E2
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-delegues_evalues", "1")
    until(lambda: figure_data(dash_duo, "evaluations-graph-delegues")[0]["y"] == ["DAOUDI NADIA"], timeout=10)
    assert dash_duo.get_logs() == []


def test_drill_from_category_to_items_and_back(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-evaluations", "4")
    charts = ("distribution", "mois", "roles", "categories")  # drawn, so the page no longer moves under the mouse
    until(lambda: all(len(figure_data(dash_duo, f"evaluations-graph-{c}")) == 1 for c in charts), timeout=10)
    assert figure_data(dash_duo, "evaluations-graph-categories")[0]["x"] == [2.4, 4.0]  # item averages, best on top
    click_bar(dash_duo, "evaluations-graph-categories", "Connaissance produit")
    dash_duo.wait_for_contains_text("#evaluations-title-categories", "Items de la catégorie : Connaissance produit")
    until(
        lambda: (
            figure_data(dash_duo, "evaluations-graph-categories")[0]["y"]
            == ["Connaissance concurrence", "Argumentaire produit"]
        ),  # 1,5 then 3,0 at the top
        timeout=10,
    )
    dash_duo.find_element("#evaluations-back-categories").click()
    dash_duo.wait_for_contains_text("#evaluations-title-categories", "Note moyenne par catégorie")
    assert dash_duo.get_logs() == []


def test_gamme_is_ignored_with_a_note_and_an_empty_year_says_so(dash_duo: Any, duo_app: Any) -> None:
    base = open_logged_in(dash_duo, duo_app, "/evaluations?gamme=GA00001")
    dash_duo.wait_for_contains_text(f"#{PAGE}-note", "Filtre Gamme ignoré ici")
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-evaluations", "4")  # not narrowed by the gamme
    dash_duo.driver.get(f"{base}/evaluations?annee=2030")
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-evaluations", "0")
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-note_moyenne", "–")
    dash_duo.wait_for_contains_text("#evaluations-graph-distribution", "Aucune donnée pour ces filtres")
    assert dash_duo.get_logs() == []


def test_csv_download_holds_what_the_chart_shows(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app, "/evaluations?id_responsable=2")
    dash_duo.wait_for_text_to_equal("#evaluations-kpi-evaluations", "2")  # E1, E2
    dash_duo.find_element("#evaluations-graph-roles .bars")
    click_csv(dash_duo, PAGE, "roles")
    path = Path(dash_duo.download_path) / f"mediviz-evaluations-roles-{dt.date.today().isoformat()}.csv"
    until(path.exists, timeout=10)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "Code rôle;Rôle;Évaluations;Part (%)",
        "DSM;Superviseur (DSM);2;100,0",  # E1, E2 by 2 (DSM); roles at 0 are not drawn nor downloaded (issue 12)
    ]
    assert dash_duo.get_logs() == []
