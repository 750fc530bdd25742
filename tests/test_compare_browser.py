"""In headless Chromium (issue 13): each KPI card compares its value with the previous period and the same period
one year earlier. Fixture visits: V1 2025-01-10, V2 2025-01-15, V3 2025-02-03, V5 2025-03-05, V6 2026-01-08,
V7 2025-03-31 (V4 deleted); the CRM's first visit is V1."""

from __future__ import annotations

from typing import Any

import pytest

from tests import browser
from tests.conftest import build_app

pytestmark = pytest.mark.browser


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


def test_kpis_compare_with_the_previous_period_and_the_year_before(dash_duo: Any, duo_app: Any) -> None:
    kpi = "#visites-kpi-visites"
    base = browser.open_logged_in(dash_duo, duo_app, "/visites?annee=2026&mois=1", kpi)
    dash_duo.wait_for_text_to_equal(kpi, "1")  # V6
    # December 2025 had no visit (no change to compute); January 2025 had 2 (V1, V2): down 50 %, in red
    dash_duo.wait_for_text_to_equal(f"{kpi}-compare", "– vs période préc.\n▼ -50,0 % vs N-1")
    down = dash_duo.find_element(f"{kpi}-compare .kpi-down")
    assert down.text == "▼ -50,0 % vs N-1"
    hover = dash_duo.find_element(f"{kpi}-compare").get_attribute("title")
    assert hover == ("Période précédente (01/12/2025 – 31/12/2025) : 0 ; Un an plus tôt (01/01/2025 – 31/01/2025) : 2")
    kpi = "#performance-kpi-visites"
    dash_duo.driver.get(f"{base}/performance?start_date=2025-02-01&end_date=2025-03-31")
    dash_duo.wait_for_text_to_equal(kpi, "3")  # V3, V5, V7
    # the 59 days before (2024-12-04 … 2025-01-31): V1, V2, up 50 %, in green; a year earlier: before the CRM
    dash_duo.wait_for_text_to_equal(f"{kpi}-compare", "▲ +50,0 % vs période préc.\n– vs N-1")
    assert dash_duo.find_element(f"{kpi}-compare .kpi-up").text == "▲ +50,0 % vs période préc."
    assert "Un an plus tôt (01/02/2024 – 31/03/2024) : pas de données" in dash_duo.find_element(
        f"{kpi}-compare"
    ).get_attribute("title")
    dash_duo.driver.get(f"{base}/performance")  # all time: nothing to compare with
    dash_duo.wait_for_text_to_equal(kpi, "6")
    dash_duo.wait_for_text_to_equal(f"{kpi}-compare", "choisissez une période pour comparer")
    assert dash_duo.get_logs() == []
