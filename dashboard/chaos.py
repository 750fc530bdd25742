"""The fault matrix (``make chaos``): every dependency fails in turn under load; the service must answer right
again within 30 s of its return, without a restart, with ``/health`` and the footer telling the truth
throughout, and nothing lost.

The CRM (MariaDB, 20 000 visits from the project's generator) and the accounts database (MariaDB, another
database) are each reached through their own ``FaultProxy``, and so is a private Redis; gunicorn serves with 2
workers and 4 threads. For each row the light load of ``dashboard._chaos_load`` runs, the fault is held, the
dependency comes back, and the answers are compared with the CRM's own (the app in this process, straight on
MariaDB, before any fault). Prints the table and writes it to ``docs/reliability.md``; exits 1 if a row fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import redis

from dashboard import _chaos_report, bench
from dashboard import _chaos_servers as servers
from dashboard import _chaos_setup as setup
from dashboard._chaos_faults import World, matrix, run
from dashboard._chaos_judge import Outcome, Row
from dashboard._chaos_load import Load
from dashboard._chaos_special import ORPHAN, STAMPEDE, orphan_lock, stampede
from dashboard.faultproxy import FaultProxy

#: Below this line in docs/reliability.md: the hand-written reading of a run (kept when the table is rewritten).
NOTES = "<!-- Hand-written below: kept by make chaos. -->"


def visits_count(status: int, body: bytes) -> int | None:
    return int(json.loads(body)["indicateurs"]["visites"]) if status == 200 else None


def build(work: Path, visits: int) -> tuple[World, setup.Oracle, list[str], Any, dict[str, Any]]:
    """The databases, the oracle's answers, Redis, the proxies and the main server (A)."""
    facts: dict[str, Any] = {"crm_rows": setup.create_databases(visits)["tab_visite"]}
    batch = setup.Batch(setup.INSERTED)
    pool, days = setup.questions()
    token_b = setup.account(setup.CRM_DB)  # server B keeps its accounts in the CRM's database
    oracle = setup.Oracle()
    truths = [oracle.digests(pool)]
    facts["visits_before"] = visits_count(*oracle.answer("/api/v1/visites"))
    batch.insert()
    truths.append(oracle.digests(pool))
    facts["visits_after"] = visits_count(*oracle.answer("/api/v1/visites"))
    batch.delete()
    redis_process, redis_port = servers.start_redis()
    proxies = {name: FaultProxy(setup.MARIADB) for name in ("crm", "accounts", "shared", "cold")}
    proxies["redis"] = FaultProxy(("127.0.0.1", redis_port))
    world = World(work, proxies, redis_process, redis_port, batch, truths)
    facts["tmpfs"] = world.tmpfs_error = servers.mount_tmpfs(work / "a", setup.TMPFS_MB)
    cache = f"redis://127.0.0.1:{proxies['redis'].port}/0"
    main = {"APP_DATABASE_URL": setup.db_url(setup.APP_DB, proxies["accounts"].port), "CACHE_REDIS_URL": cache}
    settings = {
        "A": {**main, "DATABASE_URL": setup.db_url(setup.CRM_DB, proxies["crm"].port)},
        "B": {"DATABASE_URL": setup.db_url(setup.CRM_DB, proxies["shared"].port), "CACHE_REDIS_URL": cache},
        "C": {**main, "DATABASE_URL": setup.db_url(setup.CRM_DB, proxies["cold"].port)},
    }
    settings["B"]["APP_DATABASE_URL"] = settings["B"]["DATABASE_URL"]
    tokens = {"A": oracle.token, "B": token_b, "C": oracle.token}

    def start(name: str, ready: bool = True) -> servers.Server:
        (work / name.lower()).mkdir(exist_ok=True)
        options = {**settings[name], "REPLICA_PATH": str(work / name.lower() / "replica.duckdb")}
        server = servers.serve(name, options, tokens[name], ready=ready)
        world.servers[name] = server
        logs[name] = str(server.log)
        server.log_in()
        return server

    def start_cold() -> None:
        proxies["cold"].refuse()
        world.servers["C"] = start("C", ready=False)

    world.start_cold = start_cold
    logs: dict[str, str] = {}
    facts["logs"] = logs
    main_server = start("A")
    facts["master"] = (main_server.process.pid, psutil.Process(main_server.process.pid).create_time())
    facts["redis_version"] = redis.Redis(port=redis_port).info()["redis_version"]
    return world, oracle, pool, days, {**facts, "start": start}


def baseline(server: servers.Server, truth: dict[str, str]) -> None:
    """Before any fault the service must give the CRM's own answers (else the setup, not a fault, is wrong)."""
    opener = urllib.request.build_opener()
    for path in truth:
        request = urllib.request.Request(server.base + path, headers={"Authorization": f"Bearer {server.token}"})
        with opener.open(request, timeout=60) as answer:
            if setup.digest(answer.read()) != truth[path]:
                raise RuntimeError(f"before any fault, {path} differs from the CRM's own answer")


def finish(world: World, oracle: setup.Oracle, facts: dict[str, Any]) -> list[str]:
    """The checks after the matrix: the same master, nothing lost, the session still open."""
    problems = []
    server = world.servers["A"]
    pid, created = facts["master"]
    alive = server.process.poll() is None and psutil.Process(pid).create_time() == created
    facts["master_ok"] = alive
    if not alive:
        problems.append(f"gunicorn's master {pid} did not live through the matrix")
    request = urllib.request.Request(
        f"{server.base}/api/v1/visites", headers={"Authorization": f"Bearer {server.token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        facts["served_visits"] = visits_count(answer.status, answer.read())
    facts["crm_visits"] = visits_count(*oracle.answer("/api/v1/visites"))
    facts["crm_rows_after"] = setup.crm_visits()
    facts["inserted"] = setup.INSERTED if world.inserted else 0
    expected = facts["visits_after" if world.inserted else "visits_before"]
    if not facts["served_visits"] == facts["crm_visits"] == expected:
        problems.append(f"visits served {facts['served_visits']}, the CRM's own count {facts['crm_visits']}")
    if facts["crm_rows_after"] != facts["crm_rows"] + facts["inserted"]:
        problems.append(
            f"the CRM holds {facts['crm_rows_after']} visits, not {facts['crm_rows']} + {facts['inserted']}"
        )
    footer = urllib.request.Request(
        server.base + "/_dash-update-component",
        json.dumps(server.footer).encode(),
        {"Content-Type": "application/json"},
    )
    with server.opener.open(footer, timeout=30) as answer:
        facts["session_ok"] = answer.status == 200
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.chaos", description=__doc__)
    parser.add_argument("--visits", type=int, default=20_000)
    parser.add_argument("--hold", type=float, default=15.0, help="seconds each fault lasts")
    parser.add_argument("--rows", default="", help="only these rows, comma-separated (e.g. 1,3,8a)")
    parser.add_argument("--output", type=Path, default=bench.ROOT / "docs" / "reliability.md")
    parser.add_argument("--hits", type=Path, default=bench.ROOT / "instance" / "chaos-hits.jsonl",
                        help="where every request and its answer are written (one JSON object a line)")  # fmt: skip
    args = parser.parse_args(argv)
    wanted = {key.strip() for key in args.rows.split(",") if key.strip()}
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="mediviz-chaos-"))
    world, load, outcomes, problems = None, None, [], []
    try:
        world, oracle, pool, days, facts = build(work, args.visits)
        baseline(world.servers["A"], world.truths[0])
        load = Load(pool, days, world.servers["A"])
        load.start()
        for key, server, fault, step in steps(world, load, oracle, days, args.hold):
            if wanted and key not in wanted:
                continue
            for name in [name for name in ("B", "C") if name in world.servers and name != server]:
                world.servers.pop(name).stop()  # the other servers run during their own rows only
                load.point(world.servers["A"])
            if server == "B" and "B" not in world.servers:
                facts["start"]("B")
            outcomes.append(_print(_run(Row(key, fault, lambda _world: None), step)))
        load.point(world.servers["A"])
        for name in [name for name in ("B", "C") if name in world.servers]:
            world.servers.pop(name).stop()
        problems = finish(world, oracle, facts)
    finally:
        if load is not None:
            load.stop()
            args.hits.parent.mkdir(exist_ok=True)
            load.dump(args.hits)
        if world is not None:
            _teardown(world, work)
    facts["seconds"] = time.perf_counter() - started
    text = _chaos_report.render(outcomes, problems, facts, args)
    print("\n" + text)
    notes = ""
    if args.output.exists() and NOTES in args.output.read_text():  # the hand-written reading, below NOTES, is kept
        notes = "\n" + args.output.read_text().split(NOTES, 1)[1].lstrip("\n")
    args.output.write_text(text + "\n" + NOTES + "\n" + notes)
    print(f"written to {args.output}; every request in {args.hits}; gunicorn's logs: {facts.get('logs')}")
    return 0 if all(out.ok for out in outcomes) and not problems else 1


def steps(world: World, load: Load, oracle: setup.Oracle, days: Any, hold: float) -> list[tuple[str, str, str, Any]]:
    """Every row in the order it runs: (key, server, fault, what runs it)."""
    found: list[tuple[str, str, str, Any]] = []
    for row in matrix():
        if row.server != "A" and not any(key == "12" for key, *_ in found):  # once the main server's rows are done
            found.append(("12", "A", STAMPEDE, lambda: stampede(world, load, oracle, days)))
        found.append((row.key, row.server, row.fault, lambda row=row: run(world, load, row, hold)))
        if row.key == "8d":
            found.append(("8e", "A", ORPHAN, lambda: orphan_lock(world, load, oracle, days)))
    return found


def _run(row: Row, step: Any) -> Outcome:
    """One row; a row that cannot run is a failed row (with its reason), and the others still run."""
    try:
        out: Outcome = step()
    except Exception as exc:  # noqa: BLE001 - reported in the table
        out = Outcome(row)
        out.problems.append(f"{type(exc).__name__}: {exc}"[:300])
    return out


def _print(out: Outcome) -> Outcome:
    print(_chaos_report.line(out), flush=True)
    return out


def _teardown(world: World, work: Path) -> None:
    for server in world.servers.values():
        server.stop()
    for proxy in world.proxies.values():
        proxy.close()
    with contextlib.suppress(ProcessLookupError):
        world.redis.send_signal(signal.SIGCONT)
    world.redis.terminate()
    world.redis.wait(timeout=10)
    servers.unmount(work / "a")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
