"""The benchmark's clients: the app in process (a logged-in test client), gunicorn over the replica, workers'
peak memory, and whole pages timed in headless Chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from dashboard._bench_data import AREAS, PASSWORD, REDIS, ROOT


def make_app(url: str, mode: str, replica_path: Path, app_db: Path) -> Any:
    """An app over ``url`` in one of the modes, with a logged-in test client."""
    import dash._callback
    import dash._pages

    from dashboard import create_app
    from data.app import accounts

    for registry in (dash._pages.PAGE_REGISTRY, dash._callback.GLOBAL_CALLBACK_MAP):
        registry.clear()
    dash._callback.GLOBAL_CALLBACK_LIST.clear()
    config: dict[str, Any] = {
        "DATABASE_URL": url,
        "APP_DATABASE_URL": f"sqlite:///{app_db}",
        "SECRET_KEY": "bench-secret-key-bench-secret-key",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "REFRESH_SECONDS": 0,
        "SERVE_FROM": "crm" if mode == "mariadb" else "replica",
        "REPLICA_PATH": str(replica_path),
        "CACHE_TYPE": "RedisCache" if mode == "cached" else "NullCache",
        "CACHE_REDIS_URL": REDIS,
        # Straight from MariaDB a whole-period question takes minutes at 1M visits: measured, not cut at the
        # production statement timeout (60 s: the service answers 503 then).
        **({"QUERY_TIMEOUT_SECONDS": 900} if mode == "mariadb" else {}),
    }
    app = create_app(config)
    with app.server.app_context():
        if accounts.find("bench") is None:
            accounts.create("bench", PASSWORD, role="admin")
    client = app.server.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    form = {"username": "bench", "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    response = client.post("/login", data=form)
    assert response.status_code == 302, response.data
    return client


def time_api(client: Any, area: str, filters: dict[str, Any], repeats: int, budget: float = 0.0) -> list[float]:
    """Seconds per answer of ``/api/v1/<area>`` for ``filters`` (the body is read and checked): ``repeats``
    answers, or fewer (at least one) once ``budget`` seconds are spent (MariaDB takes a minute at 1M visits)."""
    query = urllib.parse.urlencode(filters)
    times: list[float] = []
    for _ in range(repeats):
        if budget and times and sum(times) > budget:
            break
        started = time.perf_counter()
        response = client.get(f"/api/v1/{area}?{query}")
        body = response.get_data()
        times.append(time.perf_counter() - started)
        if response.status_code != 200 or not body:
            raise AnswerError(f"HTTP {response.status_code} {body[:120].decode(errors='replace')}")
    return times


class AnswerError(RuntimeError):
    """An answer that was not a 200 with a body: the run records it (a finding) and goes on."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, replica_path: Path, app_db: Path, workers: int = 2) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn wsgi:server over the replica with a Redis cache; the process and the base URL."""
    settings = {
        "DATABASE_URL": url,
        "APP_DATABASE_URL": f"sqlite:///{app_db}",
        "SECRET_KEY": "bench-secret-key-bench-secret-key",
        "REPLICA_PATH": str(replica_path),
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": REDIS,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    return gunicorn(settings, workers=workers, threads=4)


def gunicorn(
    settings: dict[str, str], *, workers: int, threads: int = 1, healthy: bool = True
) -> tuple[subprocess.Popen[bytes], str]:
    """``gunicorn wsgi:server`` on a free loopback port with these ``MEDIVIZ_*`` settings, once ``/health``
    answers 200 (``healthy``: the replica built, the databases answering), or answers at all (a 503 is a started
    server): the process and the base URL (also used by the tests)."""
    port = free_port()
    env = {**os.environ, **{f"MEDIVIZ_{name}": value for name, value in settings.items()}}
    command = [str(Path(sys.executable).with_name("gunicorn")), "-w", str(workers), "--threads", str(threads)]
    command += ["-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:server"]
    log = tempfile.NamedTemporaryFile(prefix="mediviz-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    log.close()  # gunicorn has its own copy of the file; ours would only leak
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a replica of a million visits is built in about 6 s before it is healthy
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(f"{base}/health", timeout=2).read()
            return process, base
        except urllib.error.HTTPError:
            if not healthy:
                return process, base
            time.sleep(0.3)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"gunicorn did not start; its log ({log.name}) ends with:\n{Path(log.name).read_text()[-3000:]}")


def worker_peaks(master: int) -> list[float]:
    """Peak resident memory (VmHWM, MB) of each gunicorn worker of ``master``."""
    import psutil

    peaks = []
    for child in psutil.Process(master).children():
        status = Path(f"/proc/{child.pid}/status").read_text()
        line = next(row for row in status.splitlines() if row.startswith("VmHWM:"))
        peaks.append(int(line.split()[1]) / 1024)
    return peaks


def logged_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """An HTTP client holding a browser session of ``username`` (the login form, with its anti-forgery token)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form = {"username": username, "password": password, "csrf_token": token.group(1) if token else ""}
    with opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode(), timeout=30) as answer:
        if urllib.parse.urlsplit(answer.url).path == "/login":
            raise RuntimeError(f"could not log in as {username}")
    return opener


def http_load(base: str, sets: dict[str, dict[str, Any]], rounds: int = 3) -> None:
    """Every area and filter set through the HTTP API (both workers get their share), several rounds."""
    opener = logged_in(base, "bench", PASSWORD)
    for round_ in range(rounds):
        for area in AREAS:
            for filters in sets.values():
                query = urllib.parse.urlencode({**filters, **({"mois": round_ + 1} if round_ else {})})
                opener.open(f"{base}/api/v1/{area}?{query}", timeout=120).read()


PAGE_PROBE = """
window.__mv = {pending: 0, last: performance.now(), requests: 0};
const realFetch = window.fetch;
window.fetch = function (...args) {
  const target = String((args[0] && args[0].url) || args[0]);
  if (!target.includes('_dash-update-component')) { return realFetch.apply(this, args); }
  window.__mv.pending += 1; window.__mv.requests += 1;
  return realFetch.apply(this, args).finally(() => setTimeout(() => {
    window.__mv.pending -= 1; window.__mv.last = performance.now();
  }, 0));
};
new MutationObserver(() => { window.__mv.last = performance.now(); })
  .observe(document.querySelector('main') || document.body, {subtree: true, childList: true, attributes: true});
"""


MONTH_NAMES = ["Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre", "Octobre",
               "Novembre", "Décembre"]  # fmt: skip


def browser_pages(base: str, page: str, months: list[int]) -> list[float]:
    """Seconds from choosing a month in the sidebar to the page fully drawn (every callback answered and
    the DOM quiet for 0.5 s), for each month in turn."""
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options)
    wait = WebDriverWait(driver, 60)
    try:
        driver.get(f"{base}/login?next=/{page}")
        wait.until(lambda d: d.find_elements(By.ID, "username"))
        driver.find_element(By.ID, "username").send_keys("bench")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login-submit").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot"))
        time.sleep(3)  # the first load settles
        driver.execute_script(PAGE_PROBE)
        times = []
        for month in months:
            driver.find_element(By.ID, "f-mois").click()
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".dash-dropdown-search"))
            driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-search").send_keys(MONTH_NAMES[month - 1])
            option = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[role=option]"))[0]
            before = driver.execute_script("window.__mv.requests = 0; return performance.now();")
            option.click()

            def quiet(d: Any) -> bool:
                state = d.execute_script(
                    "return [window.__mv.pending, window.__mv.requests, performance.now() - window.__mv.last]"
                )
                return bool(state[0] == 0 and state[1] > 0 and state[2] > 500)

            wait.until(quiet)
            last = driver.execute_script("return window.__mv.last;")
            times.append((last - before) / 1000)
            driver.find_element(By.TAG_NAME, "body").click()  # close the dropdown
        return times
    finally:
        driver.quit()
