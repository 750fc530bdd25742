"""The Markdown report of ``make chaos`` (``docs/reliability.md``): the setup, the table, a paragraph per failure."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from typing import Any

import sqlalchemy as sa

from dashboard import _chaos_setup as setup
from dashboard._chaos_faults import WATCH
from dashboard._chaos_judge import GRACE, LIMIT, SETTLE, Outcome
from dashboard.bench import ROOT


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def verdict(out: Outcome) -> str:
    return "✓" if out.ok else "✗ " + "; ".join(out.problems)[:160]


def cells(out: Outcome) -> list[str]:
    stampede = out.row.key == "12"  # no dependency comes back: no recovery, no refresh to wait for
    requests = f"{out.requests}" + (f" ({out.dropped} cut)" if out.dropped else "")
    errors = f"{out.n503} / {out.n5xx}" + (f" (+{out.after_errors} after)" if out.after_errors else "")
    return [
        out.row.key,
        out.row.fault,
        requests,
        errors,
        _seconds(out.max_latency),
        "n/a" if stampede else _seconds(out.recovery),
        "n/a" if stampede or out.row.key == "8e" else _seconds(out.fresh_after),
        f"{out.health} (slowest {out.health_max * 1000:.0f} ms)",
        verdict(out),
    ]


def line(out: Outcome) -> str:
    """One row, for the progress printed while the matrix runs."""
    return " | ".join(cells(out))


def _order(out: Outcome) -> tuple[int, str]:
    match = re.match(r"(\d+)(.*)", out.row.key)
    return (int(match.group(1)), match.group(2)) if match else (99, out.row.key)


def machine() -> str:
    """Cores, memory, Python, MariaDB, Redis, gunicorn."""
    import gunicorn

    with sa.create_engine(setup.db_url("mysql")).connect() as conn:
        mariadb = conn.exec_driver_sql("SELECT version()").scalar()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GB of memory, Linux {platform.release()}, Python "
        f"{platform.python_version()}, MariaDB {mariadb}, gunicorn {gunicorn.__version__}"
    )


def commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return found.stdout.strip() + (" (with uncommitted changes)" if dirty.strip() else "")


def render(outcomes: list[Outcome], problems: list[str], facts: dict[str, Any], args: Any) -> str:
    """The whole report."""
    failed = [out for out in sorted(outcomes, key=_order) if not out.ok]
    tmpfs = facts.get("tmpfs")
    lines = [
        "# Reliability: the fault matrix",
        "",
        f"Measured by `make chaos` (`python -m dashboard.chaos`) on commit `{commit()}`, "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, on this machine: {machine()}, Redis {facts.get('redis_version')}. "
        f"The run took {facts['seconds'] / 60:.1f} min; {len(outcomes) - len(failed)} of {len(outcomes)} rows "
        "passed.",
        "",
        f"**Setup.** A CRM of {args.visits:,} visits made by the project's generator in MariaDB (database "
        f"`{setup.CRM_DB}`), the accounts in another database (`{setup.APP_DB}`), each reached through its own "
        "`dashboard.faultproxy.FaultProxy` (refuse: connections refused and cut; freeze: accepted, never answered), "
        "and a private `redis-server` behind a proxy too. `gunicorn -w 2 --threads 4` serves from the replica with "
        "the Redis cache; " + ", ".join(f"`{k}={v}`" for k, v in setup.TIMEOUTS.items()) + ". The replica's "
        "folder is "
        + (f"a {setup.TMPFS_MB} MB tmpfs" if not tmpfs else f"a plain folder (tmpfs refused: {tmpfs})")
        + ". "
        "Rows 5a–5b run a second gunicorn whose accounts live in the CRM's database (one MariaDB behind one "
        "proxy); row 13 a third, started with no replica and the CRM refused.",
        "",
        "**Load.** Four API clients with a Bearer token ask `/api/v1/<area>` (a 0.15 s pause between requests): "
        "80 % from 48 fixed questions (6 areas × 8 filter sets) whose right answers the CRM itself gave before any "
        "fault (the app in the driver, straight on MariaDB, no replica, no cache; the cache is emptied as each "
        "fault starts, so each is computed once, then cached), 20 % windows of days never asked before (always "
        "computed; status checked). `/health` is asked twice a second, the footer's Dash callback once a second "
        "with a login session.",
        "",
        f"**Each row.** The fault is held {args.hold:.0f} s (a worker of the refresh leader killed with SIGKILL "
        "half-way in rows 8), then the dependency comes back (rows 9–10 repair themselves: counted from the "
        f"fault). The watch ends when the answers have been right for {SETTLE:.0f} s and `/health` says `ok` "
        f"after a refresh that read the CRM after the return, or after {WATCH:.0f} s. **recovery**: seconds from "
        "the return to the first request from which every API answer is 200 and the CRM's own answer. **fresh "
        "after**: seconds until `/health` showed `last_refresh_ok` with a `checked_at` after the return. "
        f"**/health during**: its answers during the fault (status: the parts it called failing). A row passes "
        f"(✓) if the answers are right again within {LIMIT:.0f} s, a refresh succeeded within {LIMIT:.0f} s, no "
        "500, no wrong number, no lost login, no 503 where the replica could answer, and `/health` told the "
        f"truth: it named the failing part from {GRACE:.0f} s into the fault, its status agreed with what the API "
        "answered at the same moment, it said `ok` at the end, and the footer's warning agreed with it.",
        "",
        "| # | fault | requests during | 503 / other 5xx | max latency | recovery | fresh after | /health during "
        "| verdict |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    lines += ["| " + " | ".join(cells(out)) + " |" for out in sorted(outcomes, key=_order)]
    lines += ["", "## After the matrix", ""]
    lines += [
        f"* gunicorn's master: {'the same process answered from start to end' if facts.get('master_ok') else 'LOST'}",
        f"* visits: the service counts {facts.get('served_visits')}, the CRM itself {facts.get('crm_visits')} "
        f"(before the matrix {facts.get('visits_before')}; rows in `tab_visite`: {facts.get('crm_rows')} + "
        f"{facts.get('inserted')} = {facts.get('crm_rows_after')})",
        f"* the dashboard's login session still answered at the end: {facts.get('session_ok')}",
    ]
    lines += [f"* **{problem}**" for problem in problems]
    if failed:
        lines += ["", "## Rows that failed", ""]
    for out in failed:
        lines += [f"### Row {out.row.key}: {out.row.fault}", ""]
        lines += [f"* {problem}" for problem in out.problems]
        lines += [f"* {note}" for note in out.notes]
        lines.append("")
    return "\n".join(lines) + "\n"
