"""A bounded load test on loopback (``python -m dashboard.loadtest``): nothing fails, nothing leaks.

It generates a demo CRM (SQLite), serves it with ``gunicorn -w 2 --threads 4`` from the replica with a shared
Redis cache, creates an admin and a manager's account (linked to the manager with the largest team) with an API
token each, then runs concurrent clients for a while, each asking a random area with random filters as one of
the two accounts. Every answer of the manager to the Visites area is compared with the admin's answer for the
same filters restricted to that manager's team (computed before the load): any difference is a leak. The
manager asking for someone outside the team must get 403 every time. Prints the figures (and writes them to
``docs/loadtest.md``).
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

from dashboard.bench import AREAS, REDIS, ROOT, gunicorn

SECRET = "loadtest-secret-key-loadtest-secret-key"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.loadtest", description=__doc__)
    parser.add_argument("--visits", type=int, default=60_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "loadtest.md")
    args = parser.parse_args(argv)

    from dashboard import create_app
    from data import accounts, demo, tokens

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
        admin = accounts.create("admin", "admin-password-0", role="admin")
        chef = accounts.create("chef", "chef-password-0", id_utilisateur=int(manager))
        admin_token, _ = tokens.create(admin, "charge")
        chef_token, _ = tokens.create(chef, "charge")
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

    results: list[tuple[str, int, float, str]] = []  # (who, status, seconds, problem)
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def client(seed: int) -> None:
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
                results.append((who, status, seconds, problem))

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    process.terminate()
    process.wait(timeout=30)

    times = sorted(seconds for _, _, seconds, _ in results)
    problems = [problem for *_, problem in results if problem]
    refused = sum(1 for _, status, _, _ in results if status == 403)
    lines = [
        "# Load test",
        "",
        f"`python -m dashboard.loadtest` on {dt.datetime.now():%Y-%m-%d %H:%M}: demo CRM of {args.visits} visits "
        f"(SQLite, served from the replica), gunicorn 2 workers × 4 threads, Redis cache, {args.clients} concurrent "
        f"clients for {args.seconds:.0f} s, as an admin or as the manager of the largest team ({team_size} "
        "direct reports), with API tokens; 10 % of the manager's questions name someone outside the team.",
        "",
        f"* requests: {len(results)} ({len(results) / elapsed:.0f}/s), of which {refused} refused with 403 as expected",
        f"* latency: p50 {statistics.median(times) * 1000:.0f} ms, p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f}"
        f" ms, max {times[-1] * 1000:.0f} ms",
        f"* failures (5xx, unexpected status) and leaks (the manager's numbers differing from the admin's for "
        f"the team): **{len(problems)}**" + (f": {problems[:5]}" if problems else ""),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    args.output.write_text(text)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
