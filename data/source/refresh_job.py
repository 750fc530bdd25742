"""One refresh of the replica, run by the refresher in a child process (``python -m data.source.refresh_job PATH``).

The CRM database's URL comes from the environment (``MEDIVIZ_REFRESH_SOURCE``), never from the command line.
A full rebuild replaces the incremental refresh when the last one is older than ``--full-hours``, and when the
served version cannot be read.

Nothing here can hang for ever: the job says it starts (status file) before anything that can fail, its
PyMySQL reads time out, connectorx gives up a connection after 30 s, and the whole job ends after
``--deadline`` seconds whatever it is doing (an alarm whose default action ends the process, even inside Rust
code). It also ends with the worker that started it (``--parent``): no orphan keeps the replica's lock.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import logging
import os
import signal
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from data.source import db, replica

PR_SET_PDEATHSIG = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.source.refresh_job")
    parser.add_argument("path", type=Path)
    parser.add_argument("--window-days", type=int, default=31)
    parser.add_argument("--full-hours", type=float, default=24.0)
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--deadline", type=float, default=0, help="seconds after which the job ends, whatever")
    parser.add_argument("--parent", type=int, default=0, help="end with this process (the refreshing worker)")
    parser.add_argument("--read-timeout", type=float, default=60, help="seconds a CRM read may wait")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    bind_to_parent(args.parent)
    if args.deadline > 0:
        signal.alarm(max(1, int(args.deadline)))  # default action: the process ends, wherever it is
    replica.mark_attempt(args.path)
    url = os.environ["MEDIVIZ_REFRESH_SOURCE"]
    source = db.make_engine(url, read_timeout=args.read_timeout)
    started = time.perf_counter()
    try:
        probe(url, source)  # a CRM that does not answer fails the job in seconds, not after the long reads' timeout
        if args.full or full_due(args.path, args.full_hours):
            replica.build(source, args.path)
            done = "full"
        else:
            done = replica.refresh(source, args.path, window_days=args.window_days)
    except Exception as exc:  # noqa: BLE001 - any failure: into the status file, and this line for the caller's log
        replica.record_failure(args.path, "full" if args.full else "incremental", replica.describe(exc))
        print(f"refresh failed: {replica.describe(exc)}", file=sys.stderr)  # noqa: T201
        return 1
    finally:
        source.dispose()
    print(f"{done} in {time.perf_counter() - started:.2f} s")  # noqa: T201 - read by the refresher
    return 0


def probe(url: str, source: sa.Engine) -> None:
    """``SELECT 1`` on the CRM with short timeouts (2 s to connect, 2 s to read): raises if it does not answer."""
    engine = db.probe_engine(url, source)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    finally:
        if engine is not source:
            engine.dispose()


def bind_to_parent(parent: int) -> None:
    """End this process when ``parent`` ends (Linux: the kernel sends SIGKILL), and at once if it already has."""
    if not parent:
        return
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the deadline still ends the job
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the worker died before the line above: nobody waits for this job
        sys.exit(3)


def full_due(path: Path, hours: float) -> bool:
    """Is the served version's last full build older than ``hours``, missing, or unreadable?"""
    version = replica.current(path)
    if version is None or not replica.readable(version):
        return True
    built = replica.metadata(version).get("full_built_at")
    if not built:
        return True
    return dt.datetime.now() - dt.datetime.fromisoformat(built) > dt.timedelta(hours=hours)


if __name__ == "__main__":
    sys.exit(main())
