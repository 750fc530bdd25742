"""In headless Chromium (issue 12): "Exporter (Excel)" downloads the page's workbook; the print layout shows the
page alone, the filters on top, charts two per row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until
from openpyxl import load_workbook

from tests import browser
from tests.conftest import build_app

pytestmark = pytest.mark.browser
KPI = "#partenaires-kpi-comptes_visites"


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def test_the_excel_button_downloads_the_page_s_workbook(dash_duo: Any, duo_app: Any) -> None:
    browser.open_logged_in(dash_duo, duo_app, "/partenaires?annee=2025&potentiel=A", KPI)
    dash_duo.wait_for_text_to_equal(KPI, "1")  # P1, the one A account seen in 2025 (V1, V2)
    dash_duo.find_element("#partenaires-excel").click()
    path = Path(dash_duo.download_path) / f"mediviz-partenaires-{dt.date.today().isoformat()}.xlsx"
    until(path.exists, timeout=15)
    until(lambda: path.stat().st_size > 0, timeout=5)
    book = load_workbook(path)
    context = {row[0]: row[1] for row in book["Filtres"].iter_rows(min_row=3, values_only=True)}
    assert context["Année"] == "2025" and context["Potentiel"] == "A"  # the cross-filter too
    coverage = [row for row in book["Couverture du portefeuille par"].iter_rows(values_only=True)]
    assert ["A", 1, 1, 100.0] in [list(row) for row in coverage]  # one A account in the base, visited
    assert dash_duo.get_logs() == []


def test_the_print_layout_shows_the_page_alone_with_its_filters(dash_duo: Any, duo_app: Any) -> None:
    browser.open_logged_in(dash_duo, duo_app, "/visites?annee=2025&region=RE00001", "#visites-kpi-visites")
    dash_duo.wait_for_text_to_equal("#visites-kpi-visites", "3")
    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = dash_duo.driver.execute_script(
            """
            const visible = s => {
                const e = document.querySelector(s);
                return !!e && e.getClientRects().length > 0;  // drawn (neither it nor a parent hidden)
            };
            const card = document.querySelector('#visites-graph-type_partenaire').closest('[class*="col"]');
            const main = document.querySelector('#contenu');
            return {navbar: visible('.navbar'), sidebar: visible('.sidebar-col'), excel: visible('#visites-excel'),
                    summary: visible('#print-summary'), text: document.querySelector('#print-summary').textContent,
                    share: card.getBoundingClientRect().width / main.getBoundingClientRect().width};
            """
        )
    finally:
        dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert not shown["navbar"] and not shown["sidebar"] and not shown["excel"]
    assert shown["summary"] and "Année : 2025 · Régions : Agadir" in shown["text"]
    assert 0.45 < shown["share"] < 0.55  # two charts per row
    assert not dash_duo.driver.execute_script(
        "return getComputedStyle(document.querySelector('#print-summary')).display !== 'none'"
    )
    assert dash_duo.get_logs() == []
