"""The speed benchmark (``make bench``): MariaDB straight, replica uncached, cached; builds; memory; browser.

For each size (100k, 300k and 1M visits by default) it generates the MariaDB database with the project's
generator (or reuses it: ``mediviz_bench_<size>``), builds the replica, times an incremental refresh after a
realistic change (new visits of the day, statuses of recent visits changed), then asks every area's JSON API
(``/api/v1/<area>``) for four filter sets in three modes. At the largest size it also serves the replica
with gunicorn (2 workers, Redis cache), reads each worker's peak resident memory and times whole pages in
headless Chromium after a filter change. It prints the tables and writes them to ``docs/benchmarks.md``.

Targets (issue 4) are checked at the largest size; a miss is printed with its factor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("MEDIVIZ_BENCH_MARIADB", "mysql+pymysql://root:@127.0.0.1:3306")
REDIS = os.environ.get("MEDIVIZ_BENCH_REDIS", "redis://127.0.0.1:6379/14")
AREAS = ("visites", "performance", "partenaires", "evaluations", "investissements", "utilisateurs")
PASSWORD = "bench-password"
END = dt.date.today()

#: Issue 11's targets at 1M visits (p50): what ``checks`` compares the largest size with.
LIGHT_AREAS = ("evaluations", "investissements")  # ≤ 30 ms whole period; the others ≤ 100 ms


@dataclass
class SizeResult:
    visits: int
    generate_s: float | None = None  # None: reused
    generate_note: str = ""
    build_s: float = 0.0
    build_rss_mb: float = 0.0
    replica_mb: float = 0.0
    incremental_s: float = 0.0
    incremental_kind: str = ""
    timings: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)  # (mode, area, set) -> s
    worker_rss_mb: list[float] = field(default_factory=list)
    page_s: list[float] = field(default_factory=list)
    page_cached_s: list[float] = field(default_factory=list)


# --- databases -----------------------------------------------------------------------------------------------


def database(visits: int) -> tuple[str, float | None, str]:
    """The MariaDB database of ``visits`` visits (generated unless an earlier run left it); URL, seconds, note."""
    name = f"mediviz_bench_{visits // 1000}k"
    server = sa.create_engine(SERVER)
    with server.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE IF NOT EXISTS {name} CHARACTER SET utf8mb4")
    server.dispose()
    url = f"{SERVER}/{name}?charset=utf8mb4"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.exec_driver_sql("SELECT count(*) FROM tab_visite").scalar()
            note = conn.exec_driver_sql("SELECT note FROM bench_meta").scalar()
        if count == visits:
            return url, None, f"reused ({note})"
    except sa.exc.DBAPIError:
        pass
    from data import demo

    started = time.perf_counter()
    demo.generate(engine, visits=visits, end=END)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS bench_meta")
        conn.exec_driver_sql("CREATE TABLE bench_meta (note VARCHAR(200))")
        note = f"generated {dt.date.today()} in {seconds:.1f} s"
        conn.exec_driver_sql("INSERT INTO bench_meta VALUES (%s)", (note,))
    engine.dispose()
    return url, seconds, note


def change_crm(url: str, new_visits: int = 1_000, changed: int = 300) -> Callable[[], None]:
    """A day's worth of CRM activity: ``new_visits`` new visits dated today (copies of recent ones, with their
    contacts) and ``changed`` recent visits whose status changes. Returns the function that undoes it."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        top = int(conn.exec_driver_sql("SELECT max(id_visite) FROM tab_visite").scalar_one())
        conn.exec_driver_sql(
            "INSERT INTO tab_visite (id_visite, id_utilisateur, role_utilisateur, id_responsable, code_type_visite,"
            " code_statut_visite, type_visite, flag_accompagnee, date_visite, date_creation)"
            " SELECT id_visite + %s, id_utilisateur, role_utilisateur, id_responsable, code_type_visite, 'REAL',"
            " type_visite, flag_accompagnee, NOW(), NOW() FROM tab_visite WHERE id_visite > %s",
            (new_visits, top - new_visits),
        )
        conn.exec_driver_sql(
            "INSERT INTO tab_partenaire_visite (id_visite, id_partenaire, order_partenaire, code_region_partenaire,"
            " code_ville_partenaire, code_type_partenaire, code_gamme_partenaire, code_specialite_partenaire)"
            " SELECT id_visite + %s, id_partenaire, order_partenaire, code_region_partenaire, code_ville_partenaire,"
            " code_type_partenaire, code_gamme_partenaire, code_specialite_partenaire"
            " FROM tab_partenaire_visite WHERE id_visite > %s",
            (new_visits, top - new_visits),
        )
        rows = conn.exec_driver_sql(
            "SELECT id_visite, code_statut_visite FROM tab_visite WHERE date_visite >= NOW() - INTERVAL 20 DAY"
            " AND id_visite <= %s ORDER BY id_visite LIMIT %s",
            (top, changed),
        ).all()
        for vid, _status in rows:
            conn.exec_driver_sql("UPDATE tab_visite SET code_statut_visite = 'ABSE' WHERE id_visite = %s", (vid,))

    def undo() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM tab_partenaire_visite WHERE id_visite > %s", (top,))
            conn.exec_driver_sql("DELETE FROM tab_visite WHERE id_visite > %s", (top,))
            for vid, status in rows:
                conn.exec_driver_sql(
                    "UPDATE tab_visite SET code_statut_visite = %s WHERE id_visite = %s", (status, vid)
                )
        engine.dispose()

    return undo


def refresh_job(url: str, path: Path, *, full: bool) -> tuple[float, str]:
    """Run the refresher's own child process once; its seconds (as it reports them) and what it did."""
    command = [sys.executable, "-m", "data.refresh_job", str(path)] + (["--full"] if full else [])
    env = {**os.environ, "MEDIVIZ_REFRESH_SOURCE": url}
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    kind, _, seconds = done.stdout.strip().partition(" in ")
    return float(seconds.removesuffix(" s")), kind


# --- the JSON API, in process ------------------------------------------------------------------------------


def filter_sets(url: str) -> dict[str, dict[str, Any]]:
    """Realistic filter sets: the whole period, the last year, a team over two months, one rep."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        last: dt.datetime = conn.exec_driver_sql("SELECT max(date_visite) FROM tab_visite").scalar_one()
        team = conn.exec_driver_sql(
            "SELECT u.id_utilisateur FROM tab_utilisateur u JOIN tab_utilisateur d ON d.id_responsable ="
            " u.id_utilisateur WHERE u.role = 'DSM' GROUP BY u.id_utilisateur ORDER BY count(*) DESC LIMIT 1"
        ).scalar()
        rep = conn.exec_driver_sql(
            "SELECT id_utilisateur FROM tab_visite GROUP BY id_utilisateur ORDER BY count(*) DESC LIMIT 1"
        ).scalar()
    engine.dispose()
    end = last.date()
    start = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return {
        "whole period": {},
        "a year": {"annee": end.year},
        "team, 2 months": {"id_responsable": team, "start_date": start.isoformat(), "end_date": end.isoformat()},
        "one rep": {"id_utilisateur": rep},
    }


def make_app(url: str, mode: str, replica_path: Path, app_db: Path) -> Any:
    """An app over ``url`` in one of the modes, with a logged-in test client."""
    import dash._callback
    import dash._pages

    from dashboard import create_app
    from data import accounts

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
            raise RuntimeError(f"{area} {filters}: HTTP {response.status_code} {body[:200]!r}")
    return times


# --- gunicorn and the browser ---------------------------------------------------------------------------------


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


NOTES = "## Reading the figures"
MONTH_NAMES = ["Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre", "Octobre",
               "Novembre", "Décembre"]  # fmt: skip


# --- the run -------------------------------------------------------------------------------------------------


def run_size(visits: int, work: Path, repeats: int, maria_repeats: int, browser: bool) -> SizeResult:
    result = SizeResult(visits)
    print(f"\n== {visits:,} visits ==".replace(",", " "), flush=True)
    url, result.generate_s, result.generate_note = database(visits)
    print(f"MariaDB database: {result.generate_note}", flush=True)
    replica_path = work / f"replica-{visits}.duckdb"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.build_s, _ = refresh_job(url, replica_path, full=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.build_rss_mb = peak / 1024 if peak > before else float("nan")
    from data import replica

    version = replica.current(replica_path)
    assert version is not None
    result.replica_mb = version.stat().st_size / 2**20
    print(f"replica full build: {result.build_s:.1f} s, {result.replica_mb:.0f} MB on disk", flush=True)
    undo = change_crm(url)
    try:
        result.incremental_s, result.incremental_kind = refresh_job(url, replica_path, full=False)
    finally:
        undo()
    print(f"incremental refresh ({result.incremental_kind}): {result.incremental_s:.2f} s", flush=True)
    refresh_job(url, replica_path, full=False)  # back in step with the CRM (the change was undone)

    sets = filter_sets(url)
    app_db = work / "bench-app.sqlite"
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    for mode, reps, budget in (
        ("mariadb", maria_repeats, 30.0),
        ("replica", repeats, 10.0),
        ("cached", repeats * 3, 0),
    ):
        client = make_app(url, mode, replica_path, app_db)
        for area in AREAS:
            for name, filters in sets.items():
                if mode == "cached":
                    time_api(client, area, filters, 1)  # the first answer fills the cache
                times = time_api(client, area, filters, reps, budget)
                result.timings[(mode, area, name)] = times
            whole = statistics.median(result.timings[(mode, area, "whole period")]) * 1000
            print(f"{mode:>8} {area:<16} whole period p50 {whole:9.1f} ms", flush=True)

    if browser:
        process, base = serve(url, replica_path, app_db)
        try:
            http_load(base, sets)
            result.page_s = browser_pages(base, "visites", [1, 2, 3, 4, 5])
            result.page_cached_s = browser_pages(base, "visites", [1, 2, 3])
            result.worker_rss_mb = worker_peaks(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        print(f"page after a filter change: {fmt_list(result.page_s)} s (cached: {fmt_list(result.page_cached_s)})")
        print(f"gunicorn workers' peak RSS: {fmt_list(result.worker_rss_mb, 0)} MB", flush=True)
    return result


def fmt_list(values: list[float], decimals: int = 2) -> str:
    return ", ".join(f"{v:.{decimals}f}" for v in values)


def p(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def report(results: list[SizeResult], commit: str, elapsed: float) -> str:
    """The Markdown report (also printed)."""
    big = results[-1]
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `make bench` on commit `{commit}`, {dt.datetime.now():%Y-%m-%d %H:%M}, on this machine: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, MariaDB on 127.0.0.1 (default settings), "
        f"Redis for the cache. The run took {elapsed / 60:.0f} min.",
        "",
        "Each figure is the time to answer `GET /api/v1/<area>` with the filters shown (Flask test client in "
        "process: routing, filters, every query of the area and the JSON body), p50 / p95 over the repeats "
        "(n: how many; MariaDB questions stop repeating after 30 s, replica ones after 10 s). "
        "Modes: **MariaDB** = the CRM database straight (`MEDIVIZ_SERVE_FROM=crm`, no cache); **replica** = the "
        "DuckDB replica, no cache; **cached** = the replica behind the Redis cache (a repeated question).",
        "",
    ]
    for result in results:
        lines += [f"## {result.visits:,} visits".replace(",", " "), ""]
        generated = result.generate_note if result.generate_s is None else f"generated in {result.generate_s:.1f} s"
        lines += [
            f"* MariaDB database: {generated}",
            f"* replica full build: {result.build_s:.1f} s ({result.replica_mb:.0f} MB on disk, build process peak "
            f"{result.build_rss_mb:.0f} MB)",
            f"* incremental refresh after 1 000 new visits and 300 changed statuses: {result.incremental_s:.2f} s "
            f"({result.incremental_kind})",
            "",
            "| area | filters | MariaDB p50 / p95 (n) | replica p50 / p95 (n) | cached p50 / p95 (n) | speed-up |",
            "|---|---|---:|---:|---:|---:|",
        ]
        sets = sorted({key[2] for key in result.timings}, key=list(filter_order()).index)
        for area in AREAS:
            for name in sets:
                cells = []
                for mode in ("mariadb", "replica", "cached"):
                    times = result.timings[(mode, area, name)]
                    cells.append(f"{ms(p(times, 0.5))} / {ms(p(times, 0.95))} ({len(times)})")
                ratio = p(result.timings[("mariadb", area, name)], 0.5) / p(
                    result.timings[("replica", area, name)], 0.5
                )
                lines.append(f"| {area} | {name} | {' | '.join(cells)} | {ratio:.0f}× |")
        if result.page_s:
            lines += [
                "",
                f"* whole Visites page in headless Chromium after choosing a month (uncached): "
                f"p50 {statistics.median(result.page_s):.2f} s ({fmt_list(result.page_s)}); the same months again "
                f"(cached): p50 {statistics.median(result.page_cached_s):.2f} s",
                f"* gunicorn, 2 workers, replica + Redis: each worker's peak resident memory after every area and "
                f"filter set: {fmt_list(result.worker_rss_mb, 0)} MB",
            ]
        lines.append("")
    lines += ["## Targets (at the largest size)", "", "| target | measured | verdict |", "|---|---|---|"]
    for label, measured, limit, lower_is_better in checks(big):
        ok = measured <= limit if lower_is_better else measured >= limit
        factor = measured / limit if lower_is_better else limit / measured
        verdict = "met" if ok else f"**missed** by ×{factor:.1f}"
        lines.append(f"| {label} | {measured:.1f} | {verdict} |")
    return "\n".join(lines) + "\n"


def filter_order() -> tuple[str, ...]:
    return ("whole period", "a year", "team, 2 months", "one rep")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def checks(result: SizeResult) -> list[tuple[str, float, float, bool]]:
    """(label, measured, limit, lower is better) of every target (issue 11, at 1M visits)."""

    def worst(mode: str, names: tuple[str, ...], areas: tuple[str, ...] = AREAS) -> tuple[float, str]:
        found = [(p(result.timings[(mode, a, n)], 0.5) * 1000, f"{a}, {n}") for a in areas for n in names]
        return max(found)

    def row(label: str, limit: float, found: tuple[float, str]) -> tuple[str, float, float, bool]:
        return (f"{label} ≤ {limit:g} (slowest: {found[1]})", found[0], limit, True)

    big = ("whole period", "a year")
    heavy = tuple(a for a in AREAS if a not in LIGHT_AREAS)
    speedups = [
        (
            p(result.timings[("mariadb", a, "whole period")], 0.5)
            / p(result.timings[("replica", a, "whole period")], 0.5),
            a,
        )
        for a in AREAS
    ]
    lowest = min(speedups)
    rows = [
        row("replica, whole period or a year, p50 ms", 100.0, worst("replica", big, heavy)),
        row("replica, Évaluations and Investissements, whole period or a year, p50 ms", 30.0,
            worst("replica", big, LIGHT_AREAS)),
        row("replica, a team over 2 months or one rep, p50 ms", 30.0, worst("replica", ("team, 2 months", "one rep"))),
        row("cached, p50 ms", 5.0, worst("cached", filter_order())),
        ("replica full build, s ≤ 20", result.build_s, 20.0, True),
        ("incremental refresh (1 000 new visits, 300 changed), s ≤ 2", result.incremental_s, 2.0, True),
        (f"speed-up vs MariaDB, whole period, every area, × ≥ 20 (lowest: {lowest[1]})", lowest[0], 20.0, False),
    ]  # fmt: skip
    if result.generate_s is not None:
        rows.append(("demo generator into MariaDB, s ≤ 120", result.generate_s, 120.0, True))
    if result.page_s:
        rows.append(("page after a filter change, p50 s ≤ 0.5", statistics.median(result.page_s), 0.5, True))
        rows.append(("peak RSS per worker, MB ≤ 300", max(result.worker_rss_mb), 300.0, True))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench", description=__doc__)
    parser.add_argument("--sizes", default="100000,300000,1000000", help="visit counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=15, help="repeats per question from the replica")
    parser.add_argument("--mariadb-repeats", type=int, default=5, help="repeats per question from MariaDB (30 s max)")
    parser.add_argument("--no-browser", action="store_true", help="skip gunicorn and Chromium")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--regenerate", action="store_true", help="generate the databases even if present")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    started = time.perf_counter()
    if args.regenerate:
        server = sa.create_engine(SERVER)
        with server.begin() as conn:
            for size in sizes:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS mediviz_bench_{size // 1000}k")
    work = Path(tempfile.mkdtemp(prefix="mediviz-bench-"))
    try:
        results = [
            run_size(size, work, args.repeats, args.mariadb_repeats, not args.no_browser and size == sizes[-1])
            for size in sizes
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    text = report(
        results, commit + (" (with uncommitted changes)" if dirty.strip() else ""), time.perf_counter() - started
    )
    print("\n" + text)
    notes = ""
    if args.output.exists():  # the hand-written reading of the figures, below NOTES, is kept
        previous = args.output.read_text()
        if NOTES in previous:
            notes = "\n" + previous[previous.index(NOTES) :]
    args.output.write_text(text + notes)
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
