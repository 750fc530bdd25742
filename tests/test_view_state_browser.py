"""In headless Chromium (issue 12): the whole view is in the URL (reload, Back and a shared link restore it), a
click on a bar of a categorical chart filters the page, a drilled chart filters the page on its parent.

Fixture (tests/fixture_data.py): 6 visits; pharmacies (P3) seen in V2 and V5; Agadir partners (P1, P2) in V1,
V2, V7; users 3, 4, 6 are DEL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By

from tests import browser
from tests.browser import click_bar, drill_into, figure_data
from tests.conftest import build_app

pytestmark = pytest.mark.browser
VISITS = "#visites-kpi-visites"


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def checked(dash_duo: Any, radio_id: str) -> str:
    """The label of the checked option of a dbc.RadioItems."""
    script = f"const i = document.querySelector('#{radio_id} input:checked'); return i ? i.labels[0].textContent : '';"
    return str(dash_duo.driver.execute_script(script)).strip()


def pick(dash_duo: Any, radio_id: str, label: str) -> None:
    path = f"//*[@id='{radio_id}']//label[starts-with(normalize-space(), '{label}')]"
    dash_duo.driver.execute_script("arguments[0].click();", dash_duo.driver.find_element(By.XPATH, path))


def url_has(dash_duo: Any, *parts: str) -> bool:
    return all(part in dash_duo.driver.current_url for part in parts)


def test_unit_and_granularity_live_in_the_url_reload_and_back_restore_them(dash_duo: Any, duo_app: Any) -> None:
    browser.open_logged_in(dash_duo, duo_app, "/visites?annee=2025", VISITS)
    dash_duo.wait_for_text_to_equal(VISITS, "5")
    pick(dash_duo, "visites-unit", "Contacts")
    until(lambda: url_has(dash_duo, "annee=2025", "unite=contacts"), timeout=10)
    pick(dash_duo, "visites-granularity", "Mois")
    until(lambda: url_has(dash_duo, "pas=mois"), timeout=10)
    dash_duo.driver.refresh()  # a reload (or the link, shared) draws the same view
    dash_duo.wait_for_text_to_equal(VISITS, "5")
    assert checked(dash_duo, "visites-unit").startswith("Contacts")
    assert checked(dash_duo, "visites-granularity") == "Mois"
    until(lambda: figure_data(dash_duo, "visites-graph-timeline")[0]["x"][0] == "janv. 2025", timeout=10)
    dash_duo.driver.back()  # undoes the last change: weeks again, contacts still
    until(lambda: checked(dash_duo, "visites-granularity") == "Semaine", timeout=10)
    assert "pas=" not in dash_duo.driver.current_url and checked(dash_duo, "visites-unit").startswith("Contacts")
    dash_duo.driver.back()
    until(lambda: checked(dash_duo, "visites-unit") == "Visites", timeout=10)
    assert dash_duo.driver.current_url.endswith("/visites?annee=2025")
    assert dash_duo.get_logs() == []


def test_a_click_on_a_bar_filters_the_page_and_back_undoes_it(dash_duo: Any, duo_app: Any) -> None:
    browser.open_logged_in(dash_duo, duo_app, "/visites", VISITS)
    dash_duo.wait_for_text_to_equal(VISITS, "6")
    until(
        lambda: figure_data(dash_duo, "visites-graph-type_partenaire")[0]["x"] == ["Médecins", "Pharmacies"], timeout=10
    )

    def filtered() -> bool:
        if "type_partenaire=PHAR" in dash_duo.driver.current_url:
            return True
        click_bar(dash_duo, "visites-graph-type_partenaire", "Pharmacies", axis="x")
        return False

    until(filtered, timeout=20, poll=1)
    dash_duo.wait_for_text_to_equal(VISITS, "2")  # V2, V5: the whole page follows
    dash_duo.wait_for_contains_text("#visites-cross-bar", "Type de partenaire : Pharmacies")
    until(lambda: figure_data(dash_duo, "visites-graph-type_partenaire")[0]["x"] == ["Pharmacies"], timeout=10)
    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(VISITS, "6")
    assert "type_partenaire" not in dash_duo.driver.current_url
    assert dash_duo.find_element("#visites-cross-bar").text == ""
    dash_duo.driver.forward()
    dash_duo.wait_for_text_to_equal(VISITS, "2")
    dash_duo.find_element("#visites-cross-bar button").click()  # the chip removes its filter
    dash_duo.wait_for_text_to_equal(VISITS, "6")
    until(lambda: "type_partenaire" not in dash_duo.driver.current_url, timeout=10)
    assert dash_duo.get_logs() == []


def test_a_drill_level_is_in_the_url_and_filters_the_page_on_its_parent(dash_duo: Any, duo_app: Any) -> None:
    kpi = "#performance-kpi-visites"
    base = browser.open_logged_in(dash_duo, duo_app, "/performance", kpi)
    dash_duo.wait_for_text_to_equal(kpi, "6")
    until(lambda: len(figure_data(dash_duo, "performance-graph-region")) == 1, timeout=10)
    drill_into(dash_duo, "performance", "region", "Agadir", "Villes de la région : Agadir")
    until(lambda: url_has(dash_duo, "detail_region=RE00001"), timeout=10)
    dash_duo.driver.get(f"{base}/performance?detail_region=RE00001")  # a shared link opens drilled
    dash_duo.wait_for_contains_text("#performance-title-region", "Villes de la région : Agadir")
    dash_duo.wait_for_text_to_equal(kpi, "6")
    button = dash_duo.wait_for_element("#performance-drill-filter-region")
    assert button.text == "Filtrer la page sur Agadir"
    button.click()
    dash_duo.wait_for_text_to_equal(kpi, "3")  # V1, V2, V7
    until(
        lambda: url_has(dash_duo, "region=RE00001") and "detail_region" not in dash_duo.driver.current_url, timeout=10
    )
    dash_duo.wait_for_contains_text("#performance-title-region", "Par région")
    assert dash_duo.get_logs() == []


def test_page_state_and_a_cross_filter_from_a_shared_link(dash_duo: Any, duo_app: Any) -> None:
    kpi = "#utilisateurs-kpi-visites"
    browser.open_logged_in(dash_duo, duo_app, "/utilisateurs?vue=part&tout=oui&role=DEL&potentiel=A", kpi)
    dash_duo.wait_for_text_to_equal(kpi, "2")  # P1 (potential A) in V1, V2, both by u3, a DEL
    dash_duo.wait_for_contains_text("#utilisateurs-cross-bar", "Rôle : Délégué médical")
    dash_duo.wait_for_contains_text("#utilisateurs-cross-bar", "Potentiel : A")
    assert checked(dash_duo, "utilisateurs-manager-view") == "Part (%)"
    assert dash_duo.find_element("#utilisateurs-voir-tout").is_selected()
    assert dash_duo.get_logs() == []


def test_a_period_preset_replaces_the_year_and_lives_in_the_url(
    dash_duo: Any, duo_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: presets follow the calendar (today fixed at 2026-02-10 here); a year chosen by hand replaces it."""
    from data.metrics import filters as filters_module
    from tests.browser import choose

    monkeypatch.setattr(filters_module, "today", lambda: dt.date(2026, 2, 10))
    browser.open_logged_in(dash_duo, duo_app, "/visites?annee=2025", VISITS)
    dash_duo.wait_for_text_to_equal(VISITS, "5")
    choose(dash_duo, "f-periode", "12 derniers mois")  # 2025-02-11 … 2026-02-10: V5, V6, V7
    dash_duo.wait_for_text_to_equal(VISITS, "3")
    until(lambda: url_has(dash_duo, "periode=12_derniers_mois") and "annee" not in dash_duo.driver.current_url, 10)
    # the 365 days before, which are also the year before (2024-02-11 … 2025-02-10), held V1, V2, V3
    dash_duo.wait_for_text_to_equal(f"{VISITS}-compare", "= 0,0 % vs période préc.\n= 0,0 % vs N-1")
    choose(dash_duo, "f-annee", "2025")
    dash_duo.wait_for_text_to_equal(VISITS, "5")
    until(lambda: "periode" not in dash_duo.driver.current_url, timeout=10)
    assert dash_duo.get_logs() == []


def test_a_view_saved_as_default_is_where_the_dashboard_opens(dash_duo: Any, duo_app: Any) -> None:
    """Issue 13: "Mes vues" saves the page, its filters and its state; the default one opens at "/"."""
    kpi = "#performance-kpi-visites"
    base = browser.open_logged_in(dash_duo, duo_app, "/performance?region=RE00001&pas=mois", kpi)
    dash_duo.wait_for_text_to_equal(kpi, "3")  # V1, V2, V7
    name = dash_duo.find_element("#saved-view-name")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", name)
    name.send_keys("Agadir par mois")
    dash_duo.driver.execute_script("document.getElementById('saved-view-default').click();")
    dash_duo.driver.execute_script("document.getElementById('saved-view-save').click();")
    dash_duo.wait_for_contains_text("#saved-view-message", "Vue enregistrée")
    dash_duo.driver.get(f"{base}/")
    dash_duo.wait_for_text_to_equal(kpi, "3")
    until(lambda: url_has(dash_duo, "/performance?", "region=RE00001", "pas=mois"), timeout=10)
    assert checked(dash_duo, "performance-granularity") == "Mois"
    assert dash_duo.get_logs() == []
