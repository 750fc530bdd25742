"""Take a screenshot of every page on the demo data (headless Chromium): ``make screenshots``.

Starts the app in demo mode on a free port, logs in with the demo account, opens each page, waits until no
chart says "Chargement…", and saves ``docs/img/<page>.png``.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import create_app, demo_setup  # noqa: E402

PAGES = ["visites", "performance", "partenaires", "evaluations", "investissements", "utilisateurs", "equipe"]
#: The README's views: last month, compared with the month before and the year before, as a manager reads them.
README_QUERY = "periode=mois_dernier"


def browser() -> webdriver.Chrome:
    """Headless Chromium with the flags this machine needs."""
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1400,1800",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def wait_loaded(driver: webdriver.Chrome, timeout: float = 30) -> None:
    """Wait until every chart has left its loading state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(1)
        if "Chargement…" not in driver.find_element(By.TAG_NAME, "body").text:
            time.sleep(1.5)
            return


def main(out: Path = ROOT / "docs" / "img", width: int = 1400, pages: list[str] | None = None) -> None:
    """Serve the demo app in a thread and take one screenshot per page (``out``/<page>.png, ``width`` px);
    ``pages`` may name views with their query (``performance?potentiel=A``: ``performance-potentiel-a.png``)."""
    logging.basicConfig(level=logging.WARNING)
    app = create_app()
    with app.server.app_context():
        creds = demo_setup.ensure_demo(app.server)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)  # a free port, the system's choice
    threading.Thread(target=server.serve_forever, daemon=True).start()
    driver = browser()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        driver.get(f"{base}/login")
        driver.find_element(By.ID, "username").send_keys(creds["username"])
        driver.find_element(By.ID, "password").send_keys(creds["password"])
        driver.find_element(By.ID, "login-submit").click()
        for page in pages or PAGES:
            driver.get(f"{base}/{page}" + ("" if pages else f"?{README_QUERY}"))
            wait_loaded(driver)
            height = driver.execute_script("return document.body.scrollHeight")
            driver.set_window_size(width, min(max(height, 900), 3200))
            wait_loaded(driver)
            name = re.sub(r"[^a-z0-9]+", "-", page.lower()).strip("-")
            driver.save_screenshot(str(out / f"{name}.png"))
            logging.warning("%s/%s.png", out, name)
    finally:
        driver.quit()
        server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]) if len(sys.argv) > 2 else main()
