"""A bounded load test on loopback (``python -m dashboard.loadtest``): nothing fails, nothing leaks.

It generates a demo CRM (SQLite), serves it with ``gunicorn -w 2 --threads 4`` from the replica with a shared
Redis cache, creates an admin and a manager's account (linked to the manager with the largest team), then runs
concurrent clients for a while, each as one of the two accounts:

* half of them call the API with a token: a random area with random filters;
* the other half are dashboards: each logs in through the login form (a browser session) and posts what the
  pages' callbacks post (``/_dash-update-component``, every callback fed by the sidebar's filters, on every
  page), with random filters, as the browser does after a filter change.

Every answer of the manager to the Visites area (the API's indicators, the page's KPI cards) is compared with
the admin's answer for the same filters restricted to that manager's team (computed before the load): any
difference is a leak. The manager naming someone outside the team must get 403 from the API every time, and
from the dashboard no number at all (the cards show "–" and the charts say access is refused). Prints the figures
(and writes them to ``docs/loadtest.md``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from components import ids
from dashboard.bench import AREAS, REDIS, ROOT, gunicorn, logged_in

SECRET = "loadtest-secret-key-loadtest-secret-key"
#: What a KPI card shows when its filters are refused.
NOTHING = ("–",)
PASSWORDS = {"admin": "admin-password-0", "chef": "chef-password-0"}


def ask(base: str, token: str, path: str, query: dict[str, Any]) -> tuple[int, Any, float]:
    """GET ``path`` with a Bearer token: status, parsed JSON, seconds."""
    url = f"{base}{path}?{urllib.parse.urlencode(query, doseq=True)}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, json.loads(body or b"null"), time.perf_counter() - started


def page_defaults() -> dict[str, dict[str, Any]]:
    """Every page component's props as its layout first draws them, by id (the values a callback is sent)."""
    import dash

    found: dict[str, dict[str, Any]] = {}
    for page in dash.page_registry.values():
        layout = page["layout"]
        tree = layout() if callable(layout) else layout
        for component in [tree, *tree._traverse()]:
            if isinstance(getattr(component, "id", None), str):
                found[component.id] = component.to_plotly_json()["props"]
    return found


def page_callbacks(base: str, opener: Any) -> list[dict[str, Any]]:
    """The server-side callbacks that the sidebar's filters feed (``/_dash-dependencies``), plain ids only."""
    with opener.open(f"{base}/_dash-dependencies", timeout=30) as answer:
        dependencies = json.loads(answer.read())
    chosen = []
    for callback in dependencies:
        inputs = [dep["id"] for dep in callback["inputs"]]
        plain = all(isinstance(dep["id"], str) for dep in callback["inputs"] + callback["state"])
        plain = plain and "@" not in callback["output"] and "{" not in callback["output"]
        if ids.FILTERS_STORE in inputs and plain and not callback.get("clientside_function"):
            chosen.append(callback)
    return chosen


def callback_body(callback: dict[str, Any], store: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """What the browser posts for ``callback`` when the filters store becomes ``store``."""
    from dash._utils import split_callback_id

    def value(dep: dict[str, Any]) -> Any:
        return store if dep["id"] == ids.FILTERS_STORE else defaults.get(dep["id"], {}).get(dep["property"])

    return {
        "output": callback["output"],
        "outputs": split_callback_id(callback["output"]),
        "inputs": [{**dep, "value": value(dep)} for dep in callback["inputs"]],
        "state": [{**dep, "value": value(dep)} for dep in callback["state"]],
        "changedPropIds": [f"{ids.FILTERS_STORE}.data"],
    }


def post_callback(base: str, opener: Any, body: dict[str, Any]) -> tuple[int, Any, float]:
    """POST a callback as the browser does: status, parsed JSON, seconds."""
    request = urllib.request.Request(
        f"{base}/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=120) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    return status, json.loads(raw or b"null"), time.perf_counter() - started


def visits_card(cards: dict[str, Any]) -> str:
    """The Visites KPI card's text."""
    return str(cards[ids.kpi("visites", "visites")]["children"])


def kpis(answer: Any) -> dict[str, Any]:
    """The KPI cards (values and details) of a Visites counters answer."""
    return {key: value for key, value in answer["response"].items() if key.startswith("visites-kpi-")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.loadtest", description=__doc__)
    parser.add_argument("--visits", type=int, default=60_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "loadtest.md")
    args = parser.parse_args(argv)

    from dashboard import create_app
    from data import demo
    from data.app import accounts, tokens

    work = Path(tempfile.mkdtemp(prefix="mediviz-load-"))
    crm = f"sqlite:///{work / 'crm.sqlite'}"
    demo.generate(sa.create_engine(crm), visits=args.visits)
    with sa.create_engine(crm).connect() as conn:  # the manager with the largest team
        manager, team_size = conn.exec_driver_sql(
            "SELECT id_responsable, count(*) FROM tab_utilisateur WHERE id_responsable IS NOT NULL"
            " GROUP BY id_responsable ORDER BY count(*) DESC LIMIT 1"
        ).one()
        outsider = conn.exec_driver_sql(
            "SELECT id_utilisateur FROM tab_utilisateur WHERE role = 'DSM' AND id_utilisateur != ? LIMIT 1",
            (manager,),
        ).scalar_one()
    settings = {
        "DATABASE_URL": crm,
        "APP_DATABASE_URL": f"sqlite:///{work / 'app.sqlite'}",
        "SECRET_KEY": SECRET,
        "REPLICA_PATH": str(work / "replica.duckdb"),
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": REDIS,
    }
    app = create_app({**settings, "REFRESH_SECONDS": 0})
    with app.server.app_context():
        admin = accounts.create("admin", PASSWORDS["admin"], role="admin")
        chef = accounts.create("chef", PASSWORDS["chef"], id_utilisateur=int(manager))
        admin_token, _ = tokens.create(admin, "charge")
        chef_token, _ = tokens.create(chef, "charge")
    with app.server.test_request_context():
        defaults = page_defaults()
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    process, base = gunicorn(settings, workers=2, threads=4)
    filter_sets: list[dict[str, Any]] = [{}]
    filter_sets += [{"annee": year} for year in (dt.date.today().year - 1, dt.date.today().year)]
    filter_sets += [{"mois": month} for month in range(1, 13)]
    expected = {}
    for index, filters in enumerate(filter_sets):  # the manager's truth, asked as the admin
        status, body, _ = ask(base, admin_token, "/api/v1/visites", {**filters, "id_responsable": manager})
        assert status == 200, body
        expected[index] = body["indicateurs"]

    from data.metrics.filters import Filters

    def store(filters: dict[str, Any]) -> dict[str, Any]:  # what the sidebar puts in the filters store
        return {"filters": Filters.from_mapping(filters).to_dict()}

    admin_session = logged_in(base, "admin", PASSWORDS["admin"])
    callbacks = page_callbacks(base, admin_session)
    counters = next(c for c in callbacks if f"{ids.kpi('visites', 'visites')}.children" in c["output"])
    expected_kpis = {}
    for index, filters in enumerate(filter_sets):  # the manager's cards, as the admin sees them for the team
        body = callback_body(counters, store({**filters, "id_responsable": manager}), defaults)
        status, answer, _ = post_callback(base, admin_session, body)
        assert status == 200, answer
        expected_kpis[index] = kpis(answer)

    results: list[tuple[str, str, int, float, str]] = []  # (kind, who, status, seconds, problem)
    forged_cards: set[tuple[str, ...]] = set()
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def dashboard_client(seed: int) -> None:
        rng = random.Random(seed)
        who = ("admin", "chef")[seed % 2]
        session = logged_in(base, who, PASSWORDS[who])
        while time.monotonic() < stop:
            index = rng.randrange(len(filter_sets))
            filters = dict(filter_sets[index])
            problem = ""
            forged = who == "chef" and rng.random() < 0.1
            if forged:  # a store naming an outsider, which the sidebar never offers: nothing of theirs shows
                callback = counters
                filters.update(id_responsable=outsider)
            elif who == "chef" and rng.random() < 0.4:
                callback = counters
            else:
                callback = rng.choice(callbacks)
            status, answer, seconds = post_callback(base, session, callback_body(callback, store(filters), defaults))
            if status != 200:
                problem = f"HTTP {status} on {callback['output'][:60]}"
            elif forged:
                cards = [card["children"] for key, card in kpis(answer).items() if not key.endswith("-detail")]
                if any(card not in NOTHING for card in cards):
                    problem = f"outsider's numbers shown for {filters}: {cards}"
                forged_cards.add(tuple(cards))
            elif who == "chef" and callback is counters and kpis(answer) != expected_kpis[index]:
                problem = f"leak or wrong cards for {filters}"
            with lock:
                results.append(("dash", who, status, seconds, problem))

    def api_client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            who = rng.choice(("admin", "chef"))
            token = admin_token if who == "admin" else chef_token
            index = rng.randrange(len(filter_sets))
            filters = dict(filter_sets[index])
            problem = ""
            if who == "chef" and rng.random() < 0.1:  # outside the team: always refused
                status, body, seconds = ask(base, token, "/api/v1/visites", {**filters, "id_responsable": outsider})
                problem = "" if status == 403 else f"outsider answered {status}"
            elif who == "chef" and rng.random() < 0.5:
                status, body, seconds = ask(base, token, "/api/v1/visites", filters)
                if status == 200 and body["indicateurs"] != expected[index]:
                    problem = f"leak or wrong numbers for {filters}"
            else:
                status, body, seconds = ask(base, token, f"/api/v1/{rng.choice(AREAS)}", filters)
            if status >= 500 or (status != 200 and not problem and status != 403):
                problem = problem or f"HTTP {status}"
            with lock:
                results.append(("api", who, status, seconds, problem))

    started = time.perf_counter()
    threads = [
        threading.Thread(target=dashboard_client if seed % 4 >= 2 else api_client, args=(seed,))
        for seed in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    process.terminate()
    process.wait(timeout=30)

    problems = [problem for *_, problem in results if problem]
    refused = sum(1 for _, _, status, _, _ in results if status == 403)

    def figures(kind: str) -> str:
        times = sorted(seconds for k, _, _, seconds, _ in results if k == kind)
        return (
            f"{len(times)} ({len(times) / elapsed:.0f}/s); latency p50 {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
        )

    lines = [
        "# Load test",
        "",
        f"`python -m dashboard.loadtest` on {dt.datetime.now():%Y-%m-%d %H:%M}: demo CRM of {args.visits} visits "
        f"(SQLite, served from the replica), gunicorn 2 workers × 4 threads, Redis cache, {args.clients} concurrent "
        f"clients for {args.seconds:.0f} s, as an admin or as the manager of the largest team ({team_size} "
        "direct reports). Half the clients call the API with tokens (10 % of the manager's questions name someone "
        f"outside the team); the other half are dashboards logged in with a session, posting the {len(callbacks)} "
        "page callbacks that the sidebar's filters feed (on every page) with random filters (10 % of the "
        "manager's carry an outsider, as a forged request would).",
        "",
        f"* API requests: {figures('api')}; {refused} refused with 403 as expected",
        f"* dashboard callbacks: {figures('dash')}",
        f"* the manager's Visites cards checked against the admin's for the team (whole period: "
        f"{visits_card(expected_kpis[0])} visits); the forged outsider's cards showed {sorted(forged_cards)}",
        f"* failures (5xx, unexpected status) and leaks (the manager's numbers differing from the admin's for "
        f"the team, or an outsider's numbers shown): **{len(problems)}**" + (f": {problems[:5]}" if problems else ""),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.output.write_text(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
