"""The replica as this process serves it: the version its link points at, opened read-only, swapped in when
the link moves.

A version that cannot be opened (deleted, truncated, damaged) is not retried at every request: it is set
aside for ``BAD_RETRY`` seconds while the version already open keeps serving (or, in a process that has none
open yet, the previous version kept on disk); the refresher sees the damage and rebuilds in full. With no
readable version at all (the very first build is still running), requests get 503 "données en préparation".
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context

from data.errors import REPLICA_MISSING, UnavailableError
from data.source import replica

log = logging.getLogger(__name__)
BAD_RETRY = 30.0  # seconds before a version that failed to open is tried again
_SWAP = threading.Lock()

__all__ = ["REPLICA_MISSING", "damaged", "engine", "forget", "info", "init_app"]


def init_app(app: Flask) -> None:
    """Serve reads from the replica at ``REPLICA_PATH``; its state is watched like any dependency."""
    state = app.extensions["mediviz"]
    state.update(replica_path=Path(app.config["REPLICA_PATH"]), replica_version=None, read_engine=None)
    state["bad_versions"] = {}
    cooldown = float(app.config["BREAKER_SECONDS"])
    state["monitor"].add("replique", _probe, cooldown=cooldown, trial=cooldown)


def _probe() -> None:
    """Is a version open, or can the current one be opened? (A ``SELECT 1`` on an open file would tell nothing
    more: damage shows on the reads of its data, which report it. No query every second from a probe thread.)"""
    engine()


def engine() -> sa.Engine:
    """The engine of the version to serve (opening a new one when the link moved); ``UnavailableError`` if none.

    The link is looked at once per request, not at every call (an Équipe answer made about 50): the engine found
    is kept on the request while it is the one served (a version opened meanwhile by another request, or one
    forgotten after a failed read, is followed as before)."""
    pinned: sa.Engine | None = g.get(PINNED) if has_request_context() else None
    if pinned is not None and pinned is current_app.extensions["mediviz"].get("read_engine"):
        return pinned
    found = _engine()
    if has_request_context():
        setattr(g, PINNED, found)
    return found


#: The request's attribute holding the engine its reads use (see ``engine``).
PINNED = "mediviz_replica_engine"


def _engine() -> sa.Engine:
    state = current_app.extensions["mediviz"]
    path: Path = state["replica_path"]
    version = replica.current(path)
    if version is not None and version != state["replica_version"] and _worth_trying(state, version):
        with _SWAP:
            if version != state["replica_version"]:
                _open(state, version)
    if state["read_engine"] is None:  # nothing open yet and the current version unreadable: the previous one
        with _SWAP:
            previous = replica.previous(path)
            if state["read_engine"] is None and previous is not None and _worth_trying(state, previous):
                _open(state, previous)
    found: sa.Engine | None = state["read_engine"]
    if found is None:
        missing = UnavailableError("replique", "no readable version yet", REPLICA_MISSING)
        state["monitor"]["replique"].failed(missing, hung=False)
        raise missing
    return found


def _worth_trying(state: dict[str, Any], version: Path) -> bool:
    return state["bad_versions"].get(version.name, 0.0) <= time.monotonic()


def _open(state: dict[str, Any], version: Path) -> None:
    """Open ``version`` read-only and serve it; on failure, keep what is served and set the version aside."""
    from data.source.db import make_engine

    config = current_app.config
    dependency = state["monitor"]["replique"]
    try:
        opened = make_engine(
            replica.url(version),
            connect_args={
                "read_only": True,
                "config": {
                    "memory_limit": config["REPLICA_MEMORY_LIMIT"],  # memory stays bounded per worker: beyond it,
                    "temp_directory": str(version.parent / "duckdb-spill"),  # big aggregates spill to disk
                    "preserve_insertion_order": False,  # results are ordered by ORDER BY only: less memory
                    "threads": config["REPLICA_THREADS"],
                },
            },
        )
        with opened.connect() as conn:  # through the engine: DuckDB refuses a second configuration of one file
            meta: dict[str, str] = dict(conn.exec_driver_sql(f"SELECT key, value FROM {replica.META}").all())
    except Exception as exc:  # noqa: BLE001 - any failure to open: serve what we have, the refresher repairs
        state["bad_versions"][version.name] = time.monotonic() + BAD_RETRY
        if state.get("read_engine") is None:  # else the open version keeps serving: degraded, not down
            dependency.failed(exc, hung=False)
        log.error("replica: version %s cannot be opened (%s); keeping the one served", version.name, exc)
        return
    old = state.get("read_engine")
    state.update(read_engine=opened, replica_version=version, replica_meta=meta, data_version=f"r{meta['signature']}")
    dependency.succeeded()
    if old is not None:
        old.dispose()


def damaged(exc: BaseException) -> bool:
    """Does a failed read say that the open version (or DuckDB's instance) can no longer be read?"""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, (duckdb.IOException, duckdb.FatalException, duckdb.InternalException))


def forget(broken: sa.Engine, exc: BaseException) -> None:
    """Stop serving an engine whose reads fail: the next request opens the link's version again (or the
    previous one), after ``BAD_RETRY`` seconds if the file itself is at fault."""
    state = current_app.extensions["mediviz"]
    state["monitor"]["replique"].failed(exc, hung=False)
    with _SWAP:
        if state.get("read_engine") is not broken:
            return
        version: Path | None = state["replica_version"]
        if version is not None and "No space left" not in str(exc):  # a full spill disk is not the file's fault
            state["bad_versions"][version.name] = time.monotonic() + BAD_RETRY
        state.update(read_engine=None, replica_version=None)
    log.error("replica: reads of %s fail (%s); reopening", version.name if version else "?", exc)
    broken.dispose()


def info() -> dict[str, Any] | None:
    """The served replica's metadata and the last refresh's status (None when serving from the CRM)."""
    state = current_app.extensions["mediviz"]
    path: Path | None = state.get("replica_path")
    if path is None:
        return None
    engine()
    return {**state["replica_meta"], "status": replica.status(path)}
