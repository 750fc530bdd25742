"""The columnar replica: a DuckDB copy of the CRM columns the metrics read, refreshed and swapped in whole.

Layout, beside the configured path (``REPLICA_PATH``, say ``instance/replica.duckdb``):

* ``replica.duckdb`` is a symbolic link to the version being served, ``replica.duckdb.v<stamp>``;
* every refresh writes a new version file and then swaps the link with one ``rename`` (atomic): a reader
  never sees a half-built replica, a failed refresh leaves the old version serving, and a reader that has the
  old file open keeps reading it until it notices the new link (every version has a path of its own, so
  DuckDB's per-process instance cache can never hand out a stale one);
* ``replica.duckdb.status.json`` says when the CRM was last read, by whom, and the last error if any.

A version carries its own metadata (table ``_mediviz_replica``): when it was built, how (full or incremental)
and its content signature (row count and a hash of every row of every table). The signature is the data
version of the cache keys: two hosts that read the same CRM content share cached results, and a refresh
that finds nothing new keeps every cached result valid.

An incremental refresh copies the current version, then re-reads the visits that are new (``id_visite`` above
the replica's highest) or dated within the last ``window_days`` days (recent and planned visits are the ones
whose status still changes), replaces those that changed (with their contacts and fact rows), and copies every
small table whole (users, partners, codes, evaluations, business cases). If the row counts then differ from
the CRM's (rows deleted or changed outside the window), it falls back to a full build.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import sqlalchemy as sa

from data.source import fact_table
from data.source.fact import TABLE as FACT_TABLE
from data.source.fact import TABLE_VERSION as FACT_VERSION
from data.source.refresh_status import describe, mark_attempt, record_failure, status, write_status
from data.source.replica_copy import COLUMNS, META, apply_changes, copy_table, finish
from data.source.versions import current, discard, metadata, new_version, previous, publish, readable, url

log = logging.getLogger(__name__)
__all__ = [
    "COLUMNS",
    "META",
    "current",
    "describe",
    "mark_attempt",
    "metadata",
    "previous",
    "readable",
    "record_failure",
    "status",
    "url",
]


class RefreshError(RuntimeError):
    """A refresh that could not complete (the served version is unchanged)."""


#: Seconds a build waits for another one to finish before giving up (it is then reported, not queued forever).
LOCK_WAIT = 600.0


@contextmanager
def build_lock(path: Path, wait: float | None = None) -> Iterator[None]:
    """One build at a time per replica on this host (the refresher's child, the CLI).

    The wait is bounded: a build that cannot have the lock within ``wait`` seconds fails with the holder's
    process id and since when (the refresh job's own deadline means no holder keeps it for ever).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
    with open(path.with_name(path.name + ".lock"), "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "?"
                    raise RefreshError(f"another build holds the replica's lock ({holder})") from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {dt.datetime.now().isoformat(timespec='seconds')}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(source: sa.Engine, path: Path) -> dict[str, int]:
    """Build a new version of the replica of ``source`` from scratch and serve it; the row count per table."""
    with build_lock(path):
        return _build(source, path)


def refresh(source: sa.Engine, path: Path, *, window_days: int = 31, now: dt.datetime | None = None) -> str:
    """Bring the replica up to date incrementally (a full build when there is none yet, or when the counts
    show changes outside the window); what was done: ``"full"``, ``"incremental"`` or ``"unchanged"``."""
    with build_lock(path):
        return _refresh(source, path, window_days=window_days, now=now)


def ensure(source: sa.Engine, path: Path) -> None:
    """Build the replica if there is none yet (workers starting together build it once)."""
    if current(path) is None:
        with build_lock(path):
            if current(path) is None:  # another process may have built it while this one waited
                _build(source, path)


def _build(source: sa.Engine, path: Path) -> dict[str, int]:
    started = time.perf_counter()
    target = new_version(path)
    try:
        with duckdb.connect(str(target)) as replica, source.connect() as conn:
            counts = {name: copy_table(conn, replica, name, columns) for name, columns in COLUMNS.items()}
            counts[FACT_TABLE] = fact_table.build(replica)
            finish(replica, "full", started)
    except BaseException as exc:
        discard(target)
        write_status(path, ok=False, kind="full", error=describe(exc))
        raise
    publish(path, target)
    write_status(path, ok=True, kind="full", seconds=time.perf_counter() - started, rows=counts)
    log.info("replica: full build in %.1f s: %s", time.perf_counter() - started, counts)
    return counts


def _refresh(source: sa.Engine, path: Path, *, window_days: int, now: dt.datetime | None) -> str:
    served = current(path)
    if served is None:
        _build(source, path)
        return "full"
    started = time.perf_counter()
    since = (now or dt.datetime.now()) - dt.timedelta(days=window_days)
    target = new_version(path)
    try:  # a copy of the served version: if it cannot be read (truncated, damaged), a full build repairs it
        shutil.copyfile(served, target)
        replica = duckdb.connect(str(target))
        old = dict(replica.execute(f"SELECT key, value FROM {META}").fetchall())
    except (OSError, duckdb.Error) as exc:
        discard(target)
        log.error("replica: the served version %s cannot be read (%s); rebuilding in full", served.name, exc)
        _build(source, path)
        return "full"
    if old.get("fact") != FACT_VERSION:  # built by an older Mediviz: its fact has other tables or none
        replica.close()
        discard(target)
        log.info("replica: the served version holds fact %s, not %s; rebuilding in full", old.get("fact"), FACT_VERSION)
        _build(source, path)
        return "full"
    try:
        with replica, source.connect() as conn:
            consistent = apply_changes(conn, replica, since)
            if consistent:
                signature = finish(replica, "incremental", started, old.get("full_built_at"))
    except duckdb.Error as exc:  # the replica's side (its tables do not take the change): a full build repairs it
        discard(target)
        log.error("replica: the incremental refresh failed on the replica (%s); rebuilding in full", describe(exc))
        _build(source, path)
        return "full"
    except BaseException as exc:
        discard(target)
        write_status(path, ok=False, kind="incremental", error=describe(exc))
        raise
    if not consistent:
        discard(target)
        log.warning("replica: rows changed outside the %d-day window, rebuilding in full", window_days)
        _build(source, path)
        return "full"
    seconds = time.perf_counter() - started
    if signature == old.get("signature"):
        discard(target)  # nothing new: keep serving the same file (and every cached result stays valid)
        write_status(path, ok=True, kind="unchanged", seconds=seconds)
        log.info("replica: checked in %.2f s, unchanged", seconds)
        return "unchanged"
    publish(path, target)
    write_status(path, ok=True, kind="incremental", seconds=seconds)
    log.info("replica: incremental refresh in %.2f s", seconds)
    return "incremental"
