"""The refresh status file beside the replica (``<path>.status.json``): when the CRM was last read, by whom, the
last error. Written atomically into a spare allocated in advance, so that a full disk cannot stop it."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

import sqlalchemy as sa

log = logging.getLogger(__name__)


def status(path: Path) -> dict[str, Any]:
    """The last refresh's status (``checked_at``, ``ok``, ``error``, …); empty before the first one."""
    try:
        loaded: dict[str, Any] = json.loads(status_path(path).read_text())
        return loaded
    except (FileNotFoundError, ValueError):
        return {}


def status_path(path: Path) -> Path:
    return path.with_name(path.name + ".status.json")


def mark_attempt(path: Path) -> None:
    """Say that a refresh starts, before anything that can fail: a hung or killed one is then visible."""
    save_status(path, {**status(path), "attempt_at": timestamp(), "running": os.getpid()})


def record_failure(path: Path, kind: str, error: str) -> None:
    """Record a refresh that failed without saying so itself (killed after its deadline, crashed)."""
    write_status(path, ok=False, kind=kind, error=error)


def write_status(path: Path, *, ok: bool, kind: str, **details: Any) -> None:
    """Record the outcome of a refresh (atomically) for the footer, the health route and the other workers."""
    previous = status(path)
    now = timestamp()
    record = {
        "ok": ok,
        "kind": kind,
        "checked_at": now if ok else previous.get("checked_at"),
        "failed_at": None if ok else now,
        "error": None if ok else details.pop("error", None),
        "attempt_at": previous.get("attempt_at") or now,
        "running": None,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "parent": os.getppid(),  # the worker that leads the refreshes, when run by the refresher
        **details,
    }
    save_status(path, record)


#: The status file's fixed size: it is written into a spare file allocated in advance, so that a full disk
#: (the very failure it must report) does not stop it from being written.
STATUS_BYTES = 4096


def save_status(path: Path, record: dict[str, Any]) -> None:
    """Write the status file atomically (fill the spare in place, rename it over the status, allocate the
    next spare with the space just freed); any failure is logged (the data's age then tells the story)."""
    payload = json.dumps(record, default=str).encode()
    if len(payload) > STATUS_BYTES:
        payload = json.dumps({**record, "error": str(record.get("error"))[:500], "rows": None}, default=str).encode()
    spare = path.with_name(f".{path.name}.status-spare")
    try:
        with open(path.with_name(path.name + ".status-lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer at a time: they share the spare
            fill(spare, payload.ljust(STATUS_BYTES))
            os.replace(spare, status_path(path))
            fill(spare, b" " * STATUS_BYTES)
    except OSError as exc:
        log.error("replica: cannot write the refresh status (%s)", exc)


def fill(spare: Path, content: bytes) -> None:
    """Write ``content`` at the start of ``spare``, allocated to ``STATUS_BYTES`` (in place if it exists)."""
    descriptor = os.open(spare, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if os.fstat(descriptor).st_size < STATUS_BYTES:
            os.posix_fallocate(descriptor, 0, STATUS_BYTES)
        os.pwrite(descriptor, content, 0)
    finally:
        os.close(descriptor)


def timestamp() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def describe(exc: BaseException) -> str:
    """A one-line description of a failure (no stack, no credentials)."""
    if isinstance(exc, sa.exc.DBAPIError):
        return f"{type(exc.orig).__name__}: {str(exc.orig)[:200]}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"
