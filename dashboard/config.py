"""Configuration from environment variables prefixed ``MEDIVIZ_`` (see the README)."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # the CRM database; None: the embedded SQLite demo database
    "APP_DATABASE_URL": None,  # dash_ tables; defaults to DATABASE_URL
    "SECRET_KEY": None,
    "CACHE_TYPE": "SimpleCache",  # or RedisCache (with CACHE_REDIS_URL), NullCache
    "CACHE_REDIS_URL": None,
    "CACHE_DEFAULT_TIMEOUT": 300,
    "CACHE_KEY_PREFIX": "mediviz:",
    "SERVE_FROM": "replica",  # or "crm": aggregates straight from the CRM database (tiny databases, tests)
    "REPLICA_PATH": None,  # the replica's link; None: instance/replica-<hash of DATABASE_URL>.duckdb
    "REFRESH_SECONDS": 60,  # the legacy "délai de mise à jour"; 0: no background refresh
    "REFRESH_WINDOW_DAYS": 31,  # visits dated within these last days are re-read at every refresh
    "FULL_REFRESH_HOURS": 24,  # a full rebuild at least this often (catches old rows changed or deleted)
    "REPLICA_MEMORY_LIMIT": "256MB",  # DuckDB's memory per worker process (see README: 96MB trades speed for memory)
    "REPLICA_THREADS": 2,
    "DEMO_VISITS": 60_000,
    "QUERY_TIMEOUT_SECONDS": 60,  # a statement (MariaDB, or the replica) is stopped after this long
    "CONNECT_TIMEOUT_SECONDS": 5,  # a database connection attempt gives up after this long
    "ACCOUNTS_TIMEOUT_SECONDS": 10,  # a read of the accounts database (every request) gives up after this long
    "BREAKER_SECONDS": 5,  # a dependency that hung is skipped for this long (requests get 503 at once)
    "CACHE_SOCKET_TIMEOUT": 0.5,  # seconds a Redis call may take before the cache is skipped
    "REFRESH_TIMEOUT_SECONDS": 300,  # a refresh of the replica still running after this long is stopped
    "STALE_PERIODS": 3,  # the data is called stale after this many refresh periods without a successful refresh
    "REPLICA_CONCURRENCY": 2,  # replica statements at once per process (what the memory limit holds)
    "ADMISSION_SECONDS": 30,  # how long a statement may wait for its turn before "service surchargé"
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # request bodies (filters fit in far less): 413 beyond
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_IDLE_MINUTES": 120,  # a login session ends after this long without a request
    "SESSION_HOURS": 12,  # and this long after the login, whatever happens
    "PROXY_FIX": 0,  # reverse proxies in front of the app whose X-Forwarded-* headers are trusted
}


MIN_SECRET_LENGTH = 32


def load(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Defaults, then ``MEDIVIZ_*`` environment variables, then explicit overrides (tests)."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("MEDIVIZ")
    app.config.update(overrides or {})
    instance = Path(app.instance_path)
    app.config["DEMO"] = not app.config["DATABASE_URL"]
    if app.config["DEMO"]:
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'mediviz-demo.sqlite'}"
    if app.config["CACHE_TYPE"] in ("RedisCache", "redis"):  # with short timeouts and a circuit breaker
        app.config["CACHE_TYPE"] = "data.redis_cache.ResilientRedisCache"
    if app.config["SERVE_FROM"] not in ("replica", "crm"):
        raise ValueError(f"MEDIVIZ_SERVE_FROM must be 'replica' or 'crm', not {app.config['SERVE_FROM']!r}")
    if app.config["SERVE_FROM"] == "replica" and not app.config["REPLICA_PATH"]:
        app.config["REPLICA_PATH"] = str(instance / f"replica-{_url_key(app.config['DATABASE_URL'])}.duckdb")
    if app.config["DEMO"] and not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance)
    elif not app.config.get("TESTING") and len(app.config["SECRET_KEY"] or "") < MIN_SECRET_LENGTH:
        raise RuntimeError(
            f"MEDIVIZ_SECRET_KEY must be set to a random string of at least {MIN_SECRET_LENGTH} characters "
            "outside the demo (sessions are signed with it), e.g. python -c 'import secrets; "
            "print(secrets.token_hex(32))'"
        )


def _url_key(url: str) -> str:
    """A short stable key of a database URL (its replica's file name; the password plays no part)."""
    rendered = sa.make_url(url).render_as_string(hide_password=True)
    return hashlib.sha1(rendered.encode()).hexdigest()[:10]


def _instance_secret(instance: Path) -> str:
    """A random secret key kept in the instance folder, so sessions survive a restart."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
