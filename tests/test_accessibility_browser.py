"""WCAG 2.1 AA in headless Chromium: axe-core finds no serious or critical violation on any page.

axe-core is Deque's checker, installed from the npm registry by ``make test`` (``node_modules``, pinned in
package-lock.json); it runs inside each page once its numbers are there: the six dashboard pages, the token and
account pages, and the login page.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests import browser
from tests.conftest import build_app
from tests.test_browser_layout import DASH_PAGES, FLASK_PAGES, KPIS_LOADED

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(r => done(JSON.stringify(r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
      why: v.nodes.slice(0, 2).map(n => n.failureSummary + " || " + n.html.slice(0, 160))})))))
  .catch(e => done(JSON.stringify([{id: "axe-error", impact: "critical", help: String(e), nodes: []}])));
"""


@pytest.fixture
def duo_app(sqlite_url: str) -> Any:
    return build_app(sqlite_url)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = f"{AXE} is missing: make test installs it (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


def serious_violations(dash_duo: Any, source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations in the current page."""
    driver = dash_duo.driver
    driver.set_script_timeout(60)
    driver.execute_script(source)
    found = json.loads(driver.execute_async_script(RUN_AXE, WCAG_21_AA))
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_no_page_has_a_serious_accessibility_violation(dash_duo: Any, duo_app: Any, axe_source: str) -> None:
    base = browser.open_logged_in(dash_duo, duo_app, "/visites", "#visites-kpi-visites")
    found: dict[str, list[dict[str, Any]]] = {}
    for path in DASH_PAGES:
        dash_duo.driver.get(f"{base}{path}")
        dash_duo.wait_for_element(".kpi-value")
        until(lambda: dash_duo.driver.execute_script(KPIS_LOADED), timeout=20)
        dash_duo.wait_for_element(".js-plotly-plot")
        found[path] = serious_violations(dash_duo, axe_source)
    for path in FLASK_PAGES:
        dash_duo.driver.get(f"{base}{path}")
        dash_duo.wait_for_element("main h1")
        found[path] = serious_violations(dash_duo, axe_source)
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get(f"{base}/login")
    dash_duo.wait_for_element("#username")
    found["/login"] = serious_violations(dash_duo, axe_source)
    assert {path: violations for path, violations in found.items() if violations} == {}


def test_the_dashboard_is_in_french_and_skips_to_its_content(dash_duo: Any, duo_app: Any) -> None:
    """Only the login page said lang="fr"; a keyboard user crossed the navbar and every filter to reach a chart."""
    browser.open_logged_in(dash_duo, duo_app, "/performance", "#performance-kpi-visites")
    # every Dash page is served by the same page shell (dashboard.INDEX): one page tells for all
    assert dash_duo.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    body = dash_duo.driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)  # the first stop of the page
    skip = dash_duo.driver.switch_to.active_element
    assert skip.text == "Aller au contenu" and skip.is_displayed()
    skip.send_keys(Keys.ENTER)
    assert dash_duo.driver.switch_to.active_element.get_attribute("id") == "contenu"
