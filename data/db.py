"""The engines of one app (CRM database and app database), bound at ``init_app``."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app


def make_engine(url: str, statement_timeout: float | None = None, **kwargs: Any) -> sa.Engine:
    """An engine for any SQLAlchemy URL, with settings that suit a multi-threaded web server.

    ``statement_timeout`` (seconds) bounds every statement on MariaDB (``max_statement_time``) and the wait
    for an answer on MySQL/MariaDB (the driver's read timeout), so that a slow query cannot hold a worker.
    """
    # A local DuckDB file needs no liveness check (it was one extra query per checkout).
    options: dict[str, Any] = {"pool_pre_ping": not url.startswith("duckdb"), **kwargs}
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    elif url.startswith("mysql") or url.startswith("mariadb"):
        options.setdefault("pool_recycle", 3600)
        connect_args: dict[str, Any] = {"connect_timeout": 5, "charset": "utf8mb4"}
        if statement_timeout:
            connect_args["read_timeout"] = int(statement_timeout) + 5
        options.setdefault("connect_args", connect_args)
    engine = sa.create_engine(url, **options)
    if statement_timeout and engine.dialect.name in ("mysql", "mariadb"):

        @sa.event.listens_for(engine, "connect")
        def _bound_statements(dbapi_connection: Any, _record: Any) -> None:
            if "MariaDB" in dbapi_connection.get_server_info():
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET SESSION max_statement_time = {float(statement_timeout)}")

    return engine


def init_app(app: Flask) -> None:
    """Create the CRM and app engines from ``DATABASE_URL`` and ``APP_DATABASE_URL``."""
    crm_url = app.config["DATABASE_URL"]
    app_url = app.config.get("APP_DATABASE_URL") or crm_url
    crm = make_engine(crm_url, statement_timeout=app.config.get("QUERY_TIMEOUT_SECONDS"))
    state = app.extensions.setdefault("mediviz", {})
    state["crm_engine"] = crm
    state["app_engine"] = crm if app_url == crm_url else make_engine(app_url)
    state["data_version"] = app.config.get("DATA_VERSION") or f"{time.time():.0f}"
    state["token"] = uuid.uuid4().hex  # tells apps apart in process-wide memos (tests build many)


def open_replica(app: Flask) -> None:
    """Serve reads from the replica at ``REPLICA_PATH`` (built first if missing), kept fresh by a refresher."""
    from data import replica  # duckdb is only needed when a replica is configured

    path = Path(app.config["REPLICA_PATH"])
    state = app.extensions["mediviz"]
    state["replica_path"] = path
    state["replica_version"] = None
    replica.ensure(state["crm_engine"], path)


def crm_engine() -> sa.Engine:
    """The engine of the CRM database itself (the source: health check, demo data, replica builds)."""
    engine: sa.Engine = current_app.extensions["mediviz"]["crm_engine"]
    return engine


_SWAP = threading.Lock()


def read_engine() -> sa.Engine:
    """The engine aggregates read from: the replica when configured, else the CRM database.

    A new replica version (the link now points at another file) is opened on the next call, and its content
    signature becomes the data version, so that cached results of other contents are never served.
    """
    state = current_app.extensions["mediviz"]
    path: Path | None = state.get("replica_path")
    if path is None:
        return crm_engine()
    from data import replica

    version = replica.current(path)
    if version != state["replica_version"] and version is not None:
        with _SWAP:
            if version != state["replica_version"]:
                _swap(state, version)
    engine: sa.Engine = state["read_engine"]
    return engine


def _swap(state: dict[str, Any], version: Path) -> None:
    """Open ``version`` read-only and make it the engine reads go to."""
    from data import replica

    config = current_app.config
    engine = make_engine(
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
    with engine.connect() as conn:  # through the engine: DuckDB refuses a second configuration of one file
        meta: dict[str, str] = dict(conn.exec_driver_sql(f"SELECT key, value FROM {replica.META}").all())
    old = state.get("read_engine")
    state["read_engine"] = engine
    state["replica_version"] = version
    state["replica_meta"] = meta
    state["data_version"] = f"r{meta['signature']}"
    if old is not None:
        old.dispose()


def replica_info() -> dict[str, Any] | None:
    """The served replica's metadata and the last refresh's status (None when serving from the CRM)."""
    state = current_app.extensions["mediviz"]
    path: Path | None = state.get("replica_path")
    if path is None:
        return None
    from data import replica

    read_engine()
    return {**state["replica_meta"], "status": replica.status(path)}


def app_engine() -> sa.Engine:
    """The engine of the app database (``dash_`` tables) of the current app."""
    engine: sa.Engine = current_app.extensions["mediviz"]["app_engine"]
    return engine


class QueryTimeout(sa.exc.OperationalError):
    """A statement on the replica ran past ``QUERY_TIMEOUT_SECONDS`` and was interrupted."""


def read(stmt: sa.Executable) -> list[Any]:
    """Run a read statement (on the replica when configured, else on the CRM database) and return its rows.

    On the replica, a statement still running after ``QUERY_TIMEOUT_SECONDS`` is interrupted (DuckDB has no
    statement timeout of its own; MariaDB's is set on its connections), so that it cannot hold a worker.
    """
    engine = read_engine()
    with engine.connect() as conn:
        if engine.dialect.name != "duckdb":
            return list(conn.execute(stmt).all())  # fetchall: DuckDB's row-by-row fetchone costs 0.2 ms a row
        seconds = float(current_app.config.get("QUERY_TIMEOUT_SECONDS") or 0)
        raw: Any = conn.connection.dbapi_connection
        running = [True]
        guard = threading.Lock()

        def interrupt() -> None:  # only while this statement runs: never the next one on a pooled connection
            with guard:
                if running[0]:
                    raw.interrupt()

        timer = threading.Timer(seconds, interrupt) if seconds > 0 else None
        if timer is not None:
            timer.start()
        try:
            return list(conn.execute(stmt).all())
        except sa.exc.DBAPIError as exc:
            if "INTERRUPT" in str(exc).upper():
                raise QueryTimeout(str(stmt)[:200], None, exc.orig) from exc  # type: ignore[arg-type]
            raise
        finally:
            with guard:
                running[0] = False
            if timer is not None:
                timer.cancel()
