"""Helpers of the browser tests (dash_duo, headless Chromium): start, log in, read charts, use the sidebar."""

from __future__ import annotations

import contextlib
import json
import socket
from typing import Any

from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.conftest import PASSWORDS


def free_port() -> int:
    """A TCP port nobody listens on now (the system's choice): a test never fails for a port another program took."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(dash_duo: Any, app: Any) -> str:
    """Start the app's server on a free port (its home page redirects to the login page: no wait for Dash); its
    base URL."""
    port = free_port()
    dash_duo.server(app, port=port)
    dash_duo.driver.set_window_size(1400, 1000)
    return f"http://127.0.0.1:{port}"


def open_logged_in(dash_duo: Any, app: Any, path: str, ready: str, user: str = "admin") -> str:
    """Start the app, go to ``path``, get sent to the login page, log in, wait for ``ready`` (a CSS selector)."""
    base = start(dash_duo, app)
    dash_duo.driver.get(f"{base}{path}")
    dash_duo.wait_for_element("#username").send_keys(user)
    dash_duo.find_element("#password").send_keys(PASSWORDS[user])
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element(ready)
    return base


def figure_data(dash_duo: Any, graph_id: str) -> list[dict[str, Any]]:
    """The traces a Plotly graph currently draws: ``x``, ``y`` (typed arrays decoded) and ``name``."""
    script = f"""
        const gd = document.querySelector('#{graph_id} .js-plotly-plot');
        const list = v => (v === undefined || v === null) ? null : Array.from(v);
        return JSON.stringify((gd && gd._fullData || []).map(t => ({{x: list(t.x), y: list(t.y), name: t.name}})));
    """
    return list(json.loads(dash_duo.driver.execute_script(script)))


def click_bar(dash_duo: Any, graph_id: str, label: str, axis: str = "y") -> None:
    """Click the bar labelled ``label`` on its ``axis`` (``y``: horizontal bars, ``x``: vertical ones; of a
    grouped chart, the first series'); Plotly listens on its top layer, so move there and click."""
    labels = figure_data(dash_duo, graph_id)[0][axis]
    bar = dash_duo.driver.find_elements(By.CSS_SELECTOR, f"#{graph_id} .bars .point path")[labels.index(label)]
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", bar)
    ActionChains(dash_duo.driver).move_to_element(bar).pause(0.3).click().perform()


def choose(dash_duo: Any, dropdown_id: str, text: str) -> None:
    """Open a dropdown, type ``text`` in its search box and pick the first match."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    search = dash_duo.wait_for_element(".dash-dropdown-search")
    search.send_keys(text)
    dash_duo.wait_for_element("[role=option]").click()


def click_csv(dash_duo: Any, page: str, chart: str) -> None:
    """Click a chart's CSV button (by script: it may sit below the fold)."""
    selector = f'[id*="\\"chart\\":\\"{chart}\\""][id*="\\"page\\":\\"{page}\\""]'
    button = dash_duo.driver.find_element(By.CSS_SELECTOR, selector)
    dash_duo.driver.execute_script("arguments[0].click();", button)


def drill_into(dash_duo: Any, page: str, chart: str, label: str, title_part: str) -> None:
    """Click the bar ``label`` of a drill-down chart until its title shows ``title_part``.

    A click that lands while the chart is redrawn is lost, so click again until the drill shows.
    """

    def drilled() -> bool:
        if title_part in dash_duo.find_element(f"#{page}-title-{chart}").text:
            return True
        with contextlib.suppress(ValueError, IndexError, StaleElementReferenceException):
            click_bar(dash_duo, f"{page}-graph-{chart}", label)
        return False

    until(drilled, timeout=20, poll=1)
