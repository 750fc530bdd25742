"""The engines of one app (CRM database and app database), bound at ``init_app``."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for any SQLAlchemy URL, with settings that suit a multi-threaded web server."""
    # A local DuckDB file needs no liveness check (it was one extra query per checkout).
    options: dict[str, Any] = {"pool_pre_ping": not url.startswith("duckdb"), **kwargs}
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    elif url.startswith("mysql") or url.startswith("mariadb"):
        options.setdefault("pool_recycle", 3600)
        options.setdefault("connect_args", {"connect_timeout": 5, "charset": "utf8mb4"})
    return sa.create_engine(url, **options)


def init_app(app: Flask) -> None:
    """Create the CRM and app engines from ``DATABASE_URL`` and ``APP_DATABASE_URL``."""
    crm_url = app.config["DATABASE_URL"]
    app_url = app.config.get("APP_DATABASE_URL") or crm_url
    crm = make_engine(crm_url)
    state = app.extensions.setdefault("mediviz", {})
    state["crm_engine"] = crm
    state["app_engine"] = crm if app_url == crm_url else make_engine(app_url)
    state["data_version"] = app.config.get("DATA_VERSION") or f"{time.time():.0f}"


def open_replica(app: Flask) -> None:
    """Serve reads from the replica at ``REPLICA_PATH``, building it from the CRM database if it is missing."""
    from data import replica  # duckdb is only needed when a replica is configured

    path = Path(app.config["REPLICA_PATH"])
    state = app.extensions["mediviz"]
    if not path.exists():
        replica.build(state["crm_engine"], path)
    state["replica_path"] = path
    state["replica_mtime"] = None


def crm_engine() -> sa.Engine:
    """The engine of the CRM database itself (the source: health check, demo data, replica builds)."""
    engine: sa.Engine = current_app.extensions["mediviz"]["crm_engine"]
    return engine


_SWAP = threading.Lock()


def read_engine() -> sa.Engine:
    """The engine aggregates read from: the replica when configured (a newer replica file is swapped in,
    with a new data version so that cached results expire), else the CRM database."""
    state = current_app.extensions["mediviz"]
    path: Path | None = state.get("replica_path")
    if path is None:
        return crm_engine()
    mtime = path.stat().st_mtime_ns
    if mtime != state["replica_mtime"]:
        with _SWAP:
            if mtime != state["replica_mtime"]:
                old = state.get("read_engine")
                state["read_engine"] = make_engine(f"duckdb:///{path}")
                state["replica_mtime"] = mtime
                state["data_version"] = f"replica-{mtime}"
                if old is not None:
                    old.dispose()
    engine: sa.Engine = state["read_engine"]
    return engine


def app_engine() -> sa.Engine:
    """The engine of the app database (``dash_`` tables) of the current app."""
    engine: sa.Engine = current_app.extensions["mediviz"]["app_engine"]
    return engine


def read(stmt: sa.Executable) -> list[Any]:
    """Run a read statement (on the replica when configured, else on the CRM database) and return its rows."""
    with read_engine().connect() as conn:
        return list(conn.execute(stmt))
