"""A stampede at scale (``python -m dashboard.stampede``): 120 concurrent uncached questions, 20 per area, the
whole period, against gunicorn (2 workers x 4 threads, Redis) over a replica of a million visits.

Every answer must be 200 and, within an area, the same body. Before identical questions were computed once and
replica statements admitted a few at a time, this gave 503 "base de données indisponible" (DuckDB out of
memory). Uses the benchmark's MariaDB database of that size (``make bench`` generates it, or this does).
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import sqlalchemy as sa

from dashboard import bench

REDIS_DB = 12
Answer = tuple[str, int, float, bytes]  # area, status, seconds, body


def ask(base: str, token: str, area: str) -> Answer:
    """One uncached whole-period question: area, status, seconds, body."""
    request = urllib.request.Request(f"{base}/api/v1/{area}", headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as answer:
            return area, answer.status, time.perf_counter() - started, answer.read()
    except urllib.error.HTTPError as error:
        return area, error.code, time.perf_counter() - started, error.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.stampede", description=__doc__)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--per-area", type=int, default=20)
    args = parser.parse_args(argv)
    from data.app import accounts, tokens
    from data.source import replica

    url, _, note = bench.database(args.visits)
    with tempfile.TemporaryDirectory(prefix="mediviz-stampede-") as folder:
        work = Path(folder)
        path = work / "replica.duckdb"
        replica.build(sa.create_engine(url), path)
        client = bench.make_app(url, "replica", path, work / "app.sqlite")  # with the account "bench"
        with client.application.app_context():
            account = accounts.find("bench")
            assert account is not None
            token, _ = tokens.create(account, "stampede")
        redis.Redis(db=REDIS_DB).flushdb()  # uncached: nothing of an earlier run
        settings = {"DATABASE_URL": url, "APP_DATABASE_URL": f"sqlite:///{work / 'app.sqlite'}",
                    "SECRET_KEY": "bench-secret-key-bench-secret-key", "REPLICA_PATH": str(path),
                    "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
                    "REFRESH_SECONDS": "0"}  # fmt: skip
        process, base = bench.gunicorn(settings, workers=2, threads=4)
        try:
            areas = [area for area in bench.AREAS for _ in range(args.per_area)]
            started = time.perf_counter()
            with ThreadPoolExecutor(len(areas)) as pool:
                answers = list(pool.map(lambda area: ask(base, token, area), areas))
            total = time.perf_counter() - started
            peaks = bench.worker_peaks(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    return report(args.visits, note, answers, total, peaks)


def report(visits: int, note: str, answers: list[Answer], total: float, peaks: list[float]) -> int:
    """Print the figures; 0 if every answer was 200 and each area's bodies agree."""
    statuses: dict[int, int] = {}
    for _, status, _, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    memory = ", ".join(f"{peak:.0f}" for peak in peaks)
    print(f"{len(answers)} concurrent uncached questions, {visits:,} visits ({note}): statuses {statuses}")
    print(f"all answered within {total:.1f} s; worker peak memory {memory} MB")
    agree = True
    for area in bench.AREAS:
        mine = [a for a in answers if a[0] == area]
        bodies = {a[3] for a in mine if a[1] == 200}
        agree = agree and len(bodies) <= 1
        times = sorted(a[2] for a in mine)
        print(
            f"  {area:<16} p50 {times[len(times) // 2]:6.2f} s  max {times[-1]:6.2f} s  distinct bodies {len(bodies)}"
        )
    errors = [a[3][:160] for a in answers if a[1] != 200]
    if errors:
        print(f"  first error: {errors[0]!r}")
    return 0 if not errors and agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
