"""The speed benchmark (``make bench``): MariaDB straight, replica uncached, cached; builds; memory; browser.

For each size (100k, 300k, 1M and 10M visits by default) it generates the MariaDB database with the project's
generator (or reuses it: ``mediviz_bench_<size>``), builds the replica, times an incremental refresh after a
realistic change (new visits of the day, statuses of recent visits changed), then asks every area's JSON API
(``/api/v1/<area>``) for four filter sets in three modes (MariaDB straight only up to ``--mariadb-max`` visits:
a whole-period question takes minutes there at 1M). From 1M visits up it also serves the replica with gunicorn
(2 workers, Redis cache), reads each worker's peak resident memory and times whole pages in headless Chromium
after a filter change. At 1M visits it also times the v1 answers with their comparisons (issue 13: every route
of ``COMPARED``, the company and a team, whole period and bounded periods). It prints the tables, how each
figure grows with the size, and writes them to ``docs/benchmarks.md``; ``--comparisons-only`` measures that
section alone (a few minutes) and replaces it in the report.

Targets (issue 11, at 1M and at 10M visits) are checked at those sizes; a miss is printed with its factor.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from dashboard._bench_data import (
    AREAS,
    COMPARED,
    COMPARED_AT,
    REDIS,
    ROOT,
    SERVER,
    SizeResult,
    change_crm,
    compared_sets,
    database,
    filter_sets,
    refresh_job,
    route_filters,
)
from dashboard._bench_report import COMPARED_HEADING, NOTES, compared_section, fmt_list, replace_section, report
from dashboard._bench_serve import (
    AnswerError,
    browser_pages,
    free_port,
    gunicorn,
    http_load,
    logged_in,
    make_app,
    serve,
    time_api,
    worker_peaks,
)

#: Sizes from which gunicorn's memory and the page in Chromium are measured (the targets' sizes).
BROWSER_FROM = 1_000_000
__all__ = [
    "AREAS",
    "REDIS",
    "ROOT",
    "SERVER",
    "database",
    "filter_sets",
    "free_port",
    "gunicorn",
    "logged_in",
    "make_app",
    "refresh_job",
    "worker_peaks",
]


def run_size(visits: int, work: Path, repeats: int, maria_repeats: int, browser: bool) -> SizeResult:
    """Every measure at one size; ``maria_repeats`` 0 skips the MariaDB-straight mode."""
    result = SizeResult(visits)
    print(f"\n== {visits:,} visits ==".replace(",", " "), flush=True)
    url, result.generate_s, result.generate_note = database(visits)
    print(f"MariaDB database: {result.generate_note}", flush=True)
    replica_path = work / f"replica-{visits}.duckdb"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.build_s, _ = refresh_job(url, replica_path, full=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.build_rss_mb = peak / 1024 if peak > before else float("nan")
    from data.source import replica

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
    modes = [("mariadb", maria_repeats, 30.0)] if maria_repeats else []
    for mode, reps, budget in (*modes, ("replica", repeats, 10.0), ("cached", repeats * 3, 0)):
        client = make_app(url, mode, replica_path, app_db)
        for area in AREAS:
            for name, filters in sets.items():
                try:
                    if mode == "cached":
                        time_api(client, area, filters, 1)  # the first answer fills the cache
                    result.timings[(mode, area, name)] = time_api(client, area, filters, reps, budget)
                except AnswerError as exc:
                    result.failures[(mode, area, name)] = str(exc)
                    print(f"{mode:>8} {area:<16} {name}: {exc}", flush=True)
            whole = result.timings.get((mode, area, "whole period"))
            said = f"{statistics.median(whole) * 1000:9.1f} ms" if whole else "failed"
            print(f"{mode:>8} {area:<16} whole period p50 {said}", flush=True)

    if visits in COMPARED_AT:
        run_compared(result, url, replica_path, app_db, repeats)

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


def run_compared(result: SizeResult, url: str, replica_path: Path, app_db: Path, repeats: int) -> None:
    """The comparisons section: every ``COMPARED`` route and filter set, uncached, from the replica."""
    client = make_app(url, "replica", replica_path, app_db)
    needed = route_filters(url)
    for route in COMPARED:
        for name, sample in compared_sets(url).items():
            filters = {**sample, **needed.get(route, {})}
            try:
                time_api(client, route, filters, 1)  # the first answer after the app's start is not the usual one
                result.compared[(route, name)] = time_api(client, route, filters, repeats, 10.0)
            except AnswerError as exc:
                result.failures[("compared", route, name)] = str(exc)
            times = result.compared.get((route, name))
            said = f"p50 {statistics.median(times) * 1000:7.1f} ms" if times else "failed"
            print(f"compared {route:<16} {name:<20} {said}", flush=True)


def comparisons_only(sizes: list[int], repeats: int, output: Path) -> int:
    """Measure the comparisons section alone (building the replica first) and replace it in ``output``."""
    work = Path(tempfile.mkdtemp(prefix="mediviz-bench-"))
    try:
        for size in sizes:
            result = SizeResult(size)
            url, _, note = database(size)
            print(f"MariaDB database: {note}", flush=True)
            replica_path = work / f"replica-{size}.duckdb"
            refresh_job(url, replica_path, full=True)
            run_compared(result, url, replica_path, work / "bench-app.sqlite", repeats)
            lines = compared_section(result)
            lines[2:2] = [
                f"Measured alone by `make bench-comparisons` on commit `{_commit()}`, {time.strftime('%Y-%m-%d %H:%M')}"
                ".",
                "",
            ]
            section = "\n".join(lines)
            print("\n" + section)
            heading = f"{COMPARED_HEADING} at {size:,} visits".replace(",", " ")
            if output.exists():
                output.write_text(replace_section(output.read_text(), heading, section))
                print(f"written to {output}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _commit() -> str:
    """The short hash of the code measured (and whether it had uncommitted changes)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return commit + (" (with uncommitted changes)" if dirty.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench", description=__doc__)
    parser.add_argument("--sizes", default="100000,300000,1000000,10000000", help="visit counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=15, help="repeats per question from the replica")
    parser.add_argument("--mariadb-repeats", type=int, default=5, help="repeats per question from MariaDB (30 s max)")
    parser.add_argument(
        "--mariadb-max", type=int, default=1_000_000, help="largest size also measured straight from MariaDB"
    )
    parser.add_argument("--no-browser", action="store_true", help="skip gunicorn and Chromium")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--regenerate", action="store_true", help="generate the databases even if present")
    parser.add_argument(
        "--comparisons-only",
        action="store_true",
        help="only the v1 answers with their comparisons, at 1M visits unless --sizes is given (a few minutes)",
    )
    args = parser.parse_args(argv)
    if args.comparisons_only:
        given = "--sizes" in " ".join(argv if argv is not None else sys.argv)
        sizes = sorted(int(size) for size in args.sizes.split(",")) if given else list(COMPARED_AT)
        return comparisons_only(sizes, args.repeats, args.output)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    started = time.perf_counter()
    if args.regenerate:
        server = sa.create_engine(SERVER)
        with server.begin() as conn:
            for size in sizes:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS mediviz_bench_{size // 1000}k")
    work = Path(tempfile.mkdtemp(prefix="mediviz-bench-"))
    try:
        results = []
        for size in sizes:
            maria = args.mariadb_repeats if size <= args.mariadb_max else 0
            browser = not args.no_browser and (size >= BROWSER_FROM or size == sizes[-1])
            results.append(run_size(size, work, args.repeats, maria, browser))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(results, _commit(), time.perf_counter() - started)
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
