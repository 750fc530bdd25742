"""In headless Chromium: log in, explore Visites, change filters, share a link; the console stays clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.conftest import PASSWORDS, build_app

pytestmark = pytest.mark.browser
PORT = 8058
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def start(dash_duo: Any, app: Any) -> None:
    """Start the app's server (its home page redirects to the login page, so no wait for Dash)."""
    dash_duo.server(app, port=PORT)
    dash_duo.driver.set_window_size(1400, 1000)


def open_logged_in(dash_duo: Any, app: Any, path: str = "/visites", user: str = "admin") -> None:
    """Start the app, go to ``path``, get sent to the login page, log in, land back on ``path``."""
    start(dash_duo, app)
    dash_duo.driver.get(f"{BASE}{path}")
    dash_duo.wait_for_element("#username").send_keys(user)
    dash_duo.find_element("#password").send_keys(PASSWORDS[user])
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#kpi-visites")


def figure_data(dash_duo: Any, graph_id: str) -> list[dict[str, Any]]:
    """The traces a Plotly graph currently draws (x, y, name)."""
    script = f"""
        const gd = document.querySelector('#{graph_id} .js-plotly-plot');
        const list = v => (v === undefined || v === null) ? null : Array.from(v);
        return JSON.stringify((gd && gd._fullData || []).map(t => ({{x: list(t.x), y: list(t.y), name: t.name}})));
    """
    return list(json.loads(dash_duo.driver.execute_script(script)))


def click_bar(dash_duo: Any, graph_id: str, label: str) -> None:
    """Click the horizontal bar labelled ``label`` (Plotly listens on its top layer, so move there and click)."""
    labels = figure_data(dash_duo, graph_id)[0]["y"]
    bar = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{graph_id} .bars .point path")[labels.index(label)]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", bar)
    ActionChains(dash_duo.driver).move_to_element(bar).pause(0.3).click().perform()


def choose(dash_duo: Any, dropdown_id: str, text: str) -> None:
    """Open a sidebar dropdown, type ``text`` in its search box and pick the first match."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    search = dash_duo.wait_for_element(".dash-dropdown-search")
    search.send_keys(text)
    dash_duo.wait_for_element("[role=option]").click()


def test_login_pick_a_region_and_see_kpis_and_charts_change(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#kpi-visites", "6")
    dash_duo.wait_for_text_to_equal("#kpi-contacts", "8")
    choose(dash_duo, "f-region", "Agadir")
    dash_duo.wait_for_text_to_equal("#kpi-visites", "3")  # V1, V2, V7
    dash_duo.wait_for_text_to_equal("#kpi-contacts", "4")
    assert "region=RE00001" in dash_duo.driver.current_url
    dash_duo.wait_for_text_to_equal("#kpi-visites_planifiees-detail", "33,3 % des visites")
    traces = {t["name"]: t["y"] for t in figure_data(dash_duo, "graph-type_partenaire")}
    # Médicales / Pharmaceutiques: planned V1:P1; unplanned V2:P1, V2:P2, V7:P2
    assert traces == {"Planifiées": [1, 0], "Non planifiées": [3, 0]}
    assert dash_duo.get_logs() == []


def test_a_shared_link_applies_its_filters(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app, "/visites?id_responsable=5&annee=2025")
    dash_duo.wait_for_text_to_equal("#kpi-visites", "1")  # team of 5 in 2025: V5 only
    dash_duo.wait_for_contains_text("#f-id_responsable", "EL FASSI YASSINE (DSM)")
    dash_duo.wait_for_contains_text("#f-annee", "2025")
    assert "id_responsable=5" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_drill_down_from_region_to_cities_and_back(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#kpi-visites", "6")
    until(lambda: len(figure_data(dash_duo, "graph-region")) == 1, timeout=10)
    click_bar(dash_duo, "graph-region", "Casablanca")
    dash_duo.wait_for_contains_text("#title-region", "Villes de la région : Casablanca")
    until(lambda: sorted(figure_data(dash_duo, "graph-region")[0]["y"]) == ["Azemmour", "Casablanca"], timeout=10)
    dash_duo.find_element("#back-region").click()
    dash_duo.wait_for_contains_text("#title-region", "Par région")
    assert dash_duo.get_logs() == []


def test_invalid_and_empty_filters_get_clear_messages(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app, "/visites?start_date=2025-03-01&end_date=2025-01-01")
    dash_duo.wait_for_contains_text("#filter-error", "après la date de fin")
    dash_duo.wait_for_contains_text("#graph-timeline", "Filtres invalides")
    dash_duo.driver.get(f"{BASE}/visites?annee=2030")
    dash_duo.wait_for_text_to_equal("#kpi-visites", "0")
    dash_duo.wait_for_contains_text("#graph-type_partenaire", "Aucune donnée pour ces filtres")
    assert dash_duo.get_logs() == []


def test_login_page_is_french_and_guarded_paths_redirect(dash_duo: Any, duo_app: Any) -> None:
    start(dash_duo, duo_app)
    dash_duo.driver.get(f"{BASE}/visites?annee=2025")
    dash_duo.wait_for_contains_text("h1", "Mediviz")
    assert dash_duo.driver.current_url.endswith("/login?next=" + quote("/visites?annee=2025", safe="/?"))
    assert "Se connecter" in dash_duo.find_element("#login-submit").text


def test_csv_download_holds_what_the_chart_shows(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app, "/visites?region=RE00001")
    dash_duo.wait_for_text_to_equal("#kpi-visites", "3")
    dash_duo.find_element("#graph-region .bars")  # the chart is drawn
    button = dash_duo.driver.find_element(By.CSS_SELECTOR, '[id*="\\"chart\\":\\"region\\""]')
    dash_duo.driver.execute_script("arguments[0].click();", button)  # below the fold; no hover needed
    path = Path(dash_duo.download_path) / "mediviz-region.csv"
    until(path.exists, timeout=10)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["code;libelle;Contacts", "RE00001;Agadir;4", "RE00002;Casablanca;0", "RE00003;Rabat;0"]
    assert dash_duo.get_logs() == []
