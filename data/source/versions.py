"""The replica's files: each version is a file of its own, ``path`` a symbolic link to the one served, swapped
with one atomic rename; the previous version is kept as a fallback until the next refresh."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from data.source.replica_copy import META


def url(path: Path) -> str:
    """The SQLAlchemy URL of a replica file."""
    return f"duckdb:///{path}"


def current(path: Path) -> Path | None:
    """The version file served at ``path`` (the link's target; ``path`` itself if it is a plain file); None if
    there is none, or if the link points at a file that is gone (it is then rebuilt)."""
    try:
        if path.is_symlink():
            target = path.with_name(os.readlink(path))
            return target if target.exists() else None
        return path if path.exists() else None
    except FileNotFoundError:
        return None


def previous(path: Path) -> Path | None:
    """The version served before the current one, kept on disk until the next refresh (a fallback)."""
    return current(previous_link(path))


def previous_link(path: Path) -> Path:
    return path.with_name(path.name + ".previous")


def readable(version: Path) -> bool:
    """Can ``version`` be opened and its metadata read (not deleted, truncated or otherwise damaged)?"""
    try:
        metadata(version)
    except duckdb.ConnectionException as exc:  # open in this process with other settings: it was readable
        return "different configuration" in str(exc)
    except Exception:  # noqa: BLE001 - whatever DuckDB says about a damaged file
        return False
    return True


def metadata(version: Path) -> dict[str, str]:
    """The metadata of a version file (``built_at``, ``kind``, ``signature``, …)."""
    with duckdb.connect(str(version), read_only=True) as conn:
        return dict(conn.execute(f"SELECT key, value FROM {META}").fetchall())


def new_version(path: Path) -> Path:
    """A fresh file name for the next version, beside the link."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{path.name}.v{stamp}-{os.getpid()}")
    discard(target)
    return target


def discard(version: Path) -> None:
    for leftover in (version, version.with_name(version.name + ".wal")):
        leftover.unlink(missing_ok=True)


def publish(path: Path, target: Path) -> None:
    """Point the link at ``target`` (one atomic rename), then remove versions older than the previous one."""
    previous = current(path)
    link = path.with_name(f".{path.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    if path.exists() and not path.is_symlink():  # a plain file from an older layout
        path.unlink()
        previous = None
    os.replace(link, path)
    if previous is not None:  # kept as a fallback for a process that cannot open the new one
        spare = path.with_name(f".{path.name}.previous-{os.getpid()}")
        spare.unlink(missing_ok=True)
        spare.symlink_to(previous.name)
        os.replace(spare, previous_link(path))
    keep = {target.name, previous.name if previous else ""}  # a reader may still be opening the previous one
    for old in path.parent.glob(f"{path.name}.v*"):
        if old.name.removesuffix(".wal") not in keep:
            old.unlink(missing_ok=True)
