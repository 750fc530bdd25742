"""In headless Chromium: log in, explore Visites, change filters, share a link; the console stays clean."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from tests import browser
from tests.browser import choose, click_csv, drill_into, figure_data
from tests.conftest import build_app

pytestmark = pytest.mark.browser


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def open_logged_in(dash_duo: Any, app: Any, path: str = "/visites") -> str:
    return browser.open_logged_in(dash_duo, app, path, "#visites-kpi-visites")


def traces(dash_duo: Any) -> dict[str, list[int]]:
    """The partner-type chart's series: name -> values (médecins, pharmacies)."""
    return {t["name"]: t["y"] for t in figure_data(dash_duo, "visites-graph-type_partenaire")}


def count_in(dash_duo: Any, unit: str) -> None:
    """Choose the page's unit ("Visites" or "Contacts")."""
    path = f"//*[@id='visites-unit']//label[starts-with(normalize-space(), '{unit}')]"
    dash_duo.driver.find_element(By.XPATH, path).click()


def test_login_pick_a_region_and_see_kpis_and_charts_change(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "6")
    dash_duo.wait_for_text_to_equal("#visites-kpi-contacts", "8")
    choose(dash_duo, "f-region", "Agadir")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "3")  # V1, V2, V7
    dash_duo.wait_for_text_to_equal("#visites-kpi-contacts", "4")
    assert "region=RE00001" in dash_duo.driver.current_url
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites_planifiees-detail", "33,3 % des visites")
    # Counted in visits by default (médecins / pharmacies): planned V1; unplanned V2, V7
    until(lambda: traces(dash_duo) == {"Planifiées": [1, 0], "Non planifiées": [2, 0]}, timeout=10)
    count_in(dash_duo, "Contacts")
    # In contacts: planned V1:P1; unplanned V2:P1, V2:P2, V7:P2
    until(lambda: traces(dash_duo) == {"Planifiées": [1, 0], "Non planifiées": [3, 0]}, timeout=10)
    assert dash_duo.get_logs() == []


def test_choosing_a_month_leaves_the_sidebar_whole(dash_duo: Any, duo_app: Any) -> None:
    """The month menu is wider than its half-width column: focusing its search scrolled the sidebar sideways,
    and the labels stayed cut on the left (seen on a screenshot)."""
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "6")
    choose(dash_duo, "f-mois", "Janvier")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "3")  # V1, V2 (2025-01), V6 (2026-01)
    assert dash_duo.driver.execute_script("return document.querySelector('.sidebar').scrollLeft") == 0


def test_the_date_picker_opens_in_french_over_the_page_on_the_last_month(dash_duo: Any, duo_app: Any) -> None:
    """It opened in English, under the KPI cards (its second month hidden), on the first month of data."""
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "6")
    dash_duo.find_element("#f-dates-wrapper").click()
    calendar = dash_duo.wait_for_element(".dash-datepicker-content")
    dash_duo.wait_for_contains_text(".dash-datepicker-content", "janvier 2026")  # the last visit: 2026-01-08
    assert "février 2026" in calendar.text and "lu" in calendar.text and "January" not in calendar.text
    on_top = dash_duo.driver.execute_script(
        """const box = document.querySelector('.dash-datepicker-content').getBoundingClientRect();
           const hit = document.elementFromPoint(box.right - 20, box.top + box.height / 2);
           return !!hit.closest('.dash-datepicker-content');"""
    )
    assert on_top  # the calendar's far side is over the main column, not under its cards
    assert dash_duo.get_logs() == []


def test_the_chart_toolbar_is_french_and_cannot_send_a_chart_to_the_cloud(dash_duo: Any, duo_app: Any) -> None:
    """plotly.js 3 showed "Share chart..." (an upload of the chart, names and counts, to Plotly's cloud)."""
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_element("#visites-graph-type_partenaire .modebar-btn")
    titles = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#visites-graph-type_partenaire .modebar-btn'))"
        ".map(b => b.getAttribute('data-title'));"
    )
    assert "Télécharger le graphique (PNG)" in titles and "Réinitialiser les axes" in titles
    assert not [t for t in titles if "Share" in t or "Download" in t or "Zoom in" in t]


def test_the_chart_toolbar_has_two_buttons_out_of_the_tab_order(dash_duo: Any, duo_app: Any) -> None:
    """Plotly's toolbar was seven buttons (seven tab stops) on every chart, 70 on this page; now two, download
    and reset axes, for the mouse only: no tab stop. (It shows on hover; headless Chromium has no hover.)"""
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_element("#visites-graph-type_partenaire .modebar-btn")
    labels = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".map(g => Array.from(g.querySelectorAll('.modebar-btn')).map(b => b.getAttribute('aria-label')));"
    )
    assert len(labels) >= 6
    assert all(chart == ["Télécharger le graphique (PNG)", "Réinitialiser les axes"] for chart in labels), labels
    until(
        lambda: dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('.modebar-btn')).every(b => b.tabIndex === -1);"
        ),
        timeout=5,
    )
    assert dash_duo.get_logs() == []


def test_an_unknown_page_says_so_in_french(dash_duo: Any, duo_app: Any) -> None:
    browser.open_logged_in(dash_duo, duo_app, "/nulle-part", "#not-found-home")
    dash_duo.wait_for_text_to_equal("h1", "Page introuvable")
    assert dash_duo.find_element("#not-found-home").get_attribute("href").endswith("/visites")


def test_a_shared_link_applies_its_filters(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app, "/visites?id_responsable=5&annee=2025")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "1")  # team of 5 in 2025: V5 only
    dash_duo.wait_for_contains_text("#f-id_responsable", "EL FASSI YASSINE (DSM)")
    dash_duo.wait_for_contains_text("#f-annee", "2025")
    assert "id_responsable=5" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_drill_down_from_region_to_cities_and_back(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app)
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "6")
    until(lambda: len(figure_data(dash_duo, "visites-graph-region")) == 1, timeout=10)
    drill_into(dash_duo, "visites", "region", "Casablanca", "Villes de la région : Casablanca")
    until(
        lambda: sorted(figure_data(dash_duo, "visites-graph-region")[0]["y"]) == ["Azemmour", "Casablanca"], timeout=10
    )
    dash_duo.find_element("#visites-back-region").click()
    dash_duo.wait_for_contains_text("#visites-title-region", "Par région")
    assert dash_duo.get_logs() == []


def test_invalid_and_empty_filters_get_clear_messages(dash_duo: Any, duo_app: Any) -> None:
    base = open_logged_in(dash_duo, duo_app, "/visites?start_date=2025-03-01&end_date=2025-01-01")
    dash_duo.wait_for_contains_text("#filter-error", "après la date de fin")
    dash_duo.wait_for_contains_text("#visites-graph-timeline", "Filtres invalides")
    dash_duo.driver.get(f"{base}/visites?annee=2030")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "0")
    dash_duo.wait_for_contains_text("#visites-graph-type_partenaire", "Aucune donnée pour ces filtres")
    assert dash_duo.get_logs() == []


def test_login_page_is_french_and_guarded_paths_redirect(dash_duo: Any, duo_app: Any) -> None:
    base = browser.start(dash_duo, duo_app)
    dash_duo.driver.get(f"{base}/visites?annee=2025")
    dash_duo.wait_for_contains_text("h1", "Mediviz")
    assert dash_duo.driver.current_url.endswith("/login?next=" + quote("/visites?annee=2025", safe="/?"))
    assert "Se connecter" in dash_duo.find_element("#login-submit").text


def test_csv_download_holds_what_the_chart_shows(dash_duo: Any, duo_app: Any) -> None:
    open_logged_in(dash_duo, duo_app, "/visites?region=RE00001")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "3")
    dash_duo.find_element("#visites-graph-region .bars")  # the chart is drawn
    count_in(dash_duo, "Contacts")
    until(lambda: max(figure_data(dash_duo, "visites-graph-region")[0]["x"]) == 4, timeout=10)  # Agadir: 4 contacts
    click_csv(dash_duo, "visites", "region")
    path = Path(dash_duo.download_path) / f"mediviz-visites-region-{dt.date.today().isoformat()}.csv"
    until(path.exists, timeout=10)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    # The other regions are excluded by the filter: neither drawn nor downloaded as zeros (issue 12)
    assert lines == ["Code;Libellé;Contacts", "RE00001;Agadir;4"]  # French headers
    assert dash_duo.get_logs() == []
