"""One refresh of the replica, run by the refresher in a child process (``python -m data.refresh_job PATH``).

The CRM database's URL comes from the environment (``MEDIVIZ_REFRESH_SOURCE``), never from the command line.
A full rebuild replaces the incremental refresh when the last one is older than ``--full-hours``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path

from data import db, replica


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.refresh_job")
    parser.add_argument("path", type=Path)
    parser.add_argument("--window-days", type=int, default=31)
    parser.add_argument("--full-hours", type=float, default=24.0)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    source = db.make_engine(os.environ["MEDIVIZ_REFRESH_SOURCE"])
    started = time.perf_counter()
    try:
        if args.full or full_due(args.path, args.full_hours):
            replica.build(source, args.path)
            done = "full"
        else:
            done = replica.refresh(source, args.path, window_days=args.window_days)
    except Exception as exc:  # noqa: BLE001 - any failure: the status file has it, the caller logs this line
        print(f"refresh failed: {replica._describe(exc)}", file=sys.stderr)  # noqa: T201
        return 1
    finally:
        source.dispose()
    print(f"{done} in {time.perf_counter() - started:.2f} s")  # noqa: T201 - read by the refresher
    return 0


def full_due(path: Path, hours: float) -> bool:
    """Is the served version's last full build older than ``hours`` (or missing)?"""
    version = replica.current(path)
    if version is None:
        return True
    built = replica.metadata(version).get("full_built_at")
    if not built:
        return True
    return dt.datetime.now() - dt.datetime.fromisoformat(built) > dt.timedelta(hours=hours)


if __name__ == "__main__":
    sys.exit(main())
