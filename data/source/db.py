"""The engines of one app (CRM database and app database), bound at ``init_app``, and the one read path.

Every wait is bounded: on MySQL/MariaDB a connection attempt gives up after ``CONNECT_TIMEOUT_SECONDS`` and a
read after its engine's read timeout (the handshake and the pre-ping included), a lost or timed-out connection
is thrown away by the pool (PyMySQL closes it, SQLAlchemy invalidates it), and a dependency that hung is
skipped for a few seconds (``data.source.health``) rather than waited on by every request.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import duckdb_engine
import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import registry

from data.errors import UnavailableError
from data.source import admission, health, served
from data.source.monitor import Monitor

NETWORK_DIALECTS = ("mysql", "mariadb", "postgresql")


class CachingDuckDBDialect(duckdb_engine.Dialect):
    """duckdb-engine's dialect with SQLAlchemy's compiled-statement cache on.

    duckdb-engine declares ``supports_statement_cache = False`` (it inherits psycopg2's compiler and has not
    vouched for caching), so every statement was compiled anew: 3-6 ms an aggregate, on every uncached answer.
    Mediviz's statements use bound parameters only (no literal rendering, no dialect-specific state), and
    tests/test_fact.py proves the replica's bodies byte-identical to the CRM's with the cache on.
    """

    supports_statement_cache = True


registry.register("duckdb.cached", __name__, "CachingDuckDBDialect")


def make_engine(
    url: str,
    statement_timeout: float | None = None,
    *,
    read_timeout: float | None = None,
    connect_timeout: float = 5,
    **kwargs: Any,
) -> sa.Engine:
    """An engine for any SQLAlchemy URL, with settings that suit a multi-threaded web server.

    ``statement_timeout`` (seconds) bounds every statement on MariaDB (``max_statement_time``); on
    MySQL/MariaDB the driver stops waiting for an answer after ``read_timeout`` (default: the statement
    timeout plus 5 s), and for a connection after ``connect_timeout``.
    """
    # A local DuckDB file needs no liveness check (it was one extra query per checkout).
    options: dict[str, Any] = {"pool_pre_ping": not url.startswith("duckdb"), **kwargs}
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    elif url.startswith("mysql") or url.startswith("mariadb"):
        if options.get("poolclass") is not sa.pool.NullPool:
            options.setdefault("pool_recycle", 3600)
            options.setdefault("pool_timeout", 10)  # a request waits this long at most for a pooled connection
        wait = read_timeout or ((statement_timeout + 5) if statement_timeout else None)
        connect_args: dict[str, Any] = {"connect_timeout": max(1, int(connect_timeout)), "charset": "utf8mb4"}
        if wait:
            connect_args["read_timeout"] = connect_args["write_timeout"] = max(1, int(wait))
        options.setdefault("connect_args", connect_args)
    if url.startswith("duckdb:"):
        url = "duckdb+cached:" + url.removeprefix("duckdb:")
    engine = sa.create_engine(url, **options)
    if statement_timeout and engine.dialect.name in ("mysql", "mariadb"):

        @sa.event.listens_for(engine, "connect")
        def _bound_statements(dbapi_connection: Any, _record: Any) -> None:
            if "MariaDB" in dbapi_connection.get_server_info():
                with dbapi_connection.cursor() as cursor:
                    cursor.execute(f"SET SESSION max_statement_time = {float(statement_timeout)}")

    return engine


def probe_engine(url: str, engine: sa.Engine) -> sa.Engine:
    """The engine a health probe uses: for a server, a pool-less one with short timeouts, 2 s (a probe must not
    hang where requests would); a local file (SQLite, DuckDB) cannot hang and is probed through ``engine``."""
    if engine.dialect.name not in NETWORK_DIALECTS:
        return engine
    return make_engine(url, read_timeout=2, connect_timeout=2, poolclass=sa.pool.NullPool, pool_pre_ping=False)


def init_app(app: Flask) -> None:
    """Create the CRM and app engines from ``DATABASE_URL`` and ``APP_DATABASE_URL``, and their monitor."""
    config = app.config
    crm_url = config["DATABASE_URL"]
    app_url = config.get("APP_DATABASE_URL") or crm_url
    connect = float(config["CONNECT_TIMEOUT_SECONDS"])
    crm = make_engine(crm_url, statement_timeout=config.get("QUERY_TIMEOUT_SECONDS"), connect_timeout=connect)
    # The accounts are read at every request: a short read timeout, whatever the CRM's statements may need.
    accounts_wait = float(config["ACCOUNTS_TIMEOUT_SECONDS"])
    app_engine = (
        crm
        if app_url == crm_url and crm.dialect.name not in NETWORK_DIALECTS
        else make_engine(app_url, read_timeout=accounts_wait, connect_timeout=connect)
    )
    state = app.extensions.setdefault("mediviz", {})
    state["crm_engine"] = crm
    state["app_engine"] = app_engine
    state["data_version"] = config.get("DATA_VERSION") or f"{time.time():.0f}"
    state["token"] = uuid.uuid4().hex  # tells apps apart in process-wide memos (tests build many)
    state["admission"] = admission.Admission(int(config["REPLICA_CONCURRENCY"]), float(config["ADMISSION_SECONDS"]))
    _monitor(app, state, crm, app_engine)


def _monitor(app: Flask, state: dict[str, Any], crm: sa.Engine, app_engine: sa.Engine) -> None:
    """The dependencies this app watches: each engine reports to its own; probes are short and pool-less."""

    def run_in_app(probe: Any) -> Any:
        with app.app_context():
            return probe()

    cooldown = float(app.config["BREAKER_SECONDS"])
    connect = float(app.config["CONNECT_TIMEOUT_SECONDS"])
    monitor = Monitor(run_in_app)
    probes = {"crm": probe_engine(app.config["DATABASE_URL"], crm)}
    crm_dep = monitor.add("crm", lambda: _ping(probes["crm"]), cooldown=cooldown, trial=connect + 70)
    health.watch(crm, crm_dep)
    if app_engine is not crm:
        app_url = app.config.get("APP_DATABASE_URL") or app.config["DATABASE_URL"]
        probes["comptes"] = probe_engine(app_url, app_engine)
        accounts_wait = float(app.config["ACCOUNTS_TIMEOUT_SECONDS"])
        dep = monitor.add("comptes", lambda: _ping(probes["comptes"]), cooldown=cooldown, trial=connect + accounts_wait)
        health.watch(app_engine, dep)
    else:
        monitor.adopt(crm_dep, "comptes")
    state["monitor"] = monitor


def _ping(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")


def monitor() -> Monitor:
    """The current app's dependency monitor."""
    found: Monitor = current_app.extensions["mediviz"]["monitor"]
    return found


def crm_engine() -> sa.Engine:
    """The engine of the CRM database itself (the source: health check, demo data, replica builds)."""
    engine: sa.Engine = current_app.extensions["mediviz"]["crm_engine"]
    return engine


def app_engine() -> sa.Engine:
    """The engine of the app database (``dash_`` tables); ``UnavailableError`` while it is skipped after a hang."""
    monitor()["comptes"].check()
    engine: sa.Engine = current_app.extensions["mediviz"]["app_engine"]
    return engine


def read_engine() -> sa.Engine:
    """The engine aggregates read from: the replica when configured (see ``data.source.served``), else the CRM."""
    if current_app.extensions["mediviz"].get("replica_path") is None:
        monitor()["crm"].check()
        return crm_engine()
    return served.engine()


def open_replica(app: Flask) -> None:
    """Serve reads from the replica at ``REPLICA_PATH`` (see ``data.source.served``)."""
    served.init_app(app)


def replica_info() -> dict[str, Any] | None:
    """The served replica's metadata and the last refresh's status (None when serving from the CRM)."""
    return served.info()


class QueryTimeout(sa.exc.OperationalError):
    """A statement on the replica ran past ``QUERY_TIMEOUT_SECONDS`` and was interrupted."""


def read(stmt: sa.Executable) -> list[Any]:
    """Run a read statement (on the replica when configured, else on the CRM database) and return its rows.

    On the replica, statements are admitted a few at a time (``data.source.admission``: what DuckDB's memory limit
    holds), and a statement still running after ``QUERY_TIMEOUT_SECONDS`` is interrupted (DuckDB has no
    statement timeout of its own; MariaDB's is set on its connections), so that it cannot hold a worker.
    """
    engine = read_engine()
    if engine.dialect.name != "duckdb":
        with engine.connect() as conn:
            return list(conn.execute(stmt).all())  # fetchall: DuckDB's row-by-row fetchone costs 0.2 ms a row
    gate: admission.Admission = current_app.extensions["mediviz"]["admission"]
    seconds = float(current_app.config.get("QUERY_TIMEOUT_SECONDS") or 0)
    try:
        return gate.run(lambda: _read_replica(engine, stmt, seconds))
    except sa.exc.DBAPIError as exc:
        if served.damaged(exc):
            served.forget(engine, exc)
            raise UnavailableError("replique", health.describe(exc), served.REPLICA_MISSING) from exc
        raise


def _read_replica(engine: sa.Engine, stmt: sa.Executable, seconds: float) -> list[Any]:
    """One statement on the replica, interrupted if it runs past ``seconds``."""
    with engine.connect() as conn:
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
