"""Configuration from environment variables prefixed ``MEDIVIZ_`` (see the README)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # the CRM database; None: the embedded SQLite demo database
    "APP_DATABASE_URL": None,  # dash_ tables; defaults to DATABASE_URL
    "SECRET_KEY": None,
    "CACHE_TYPE": "SimpleCache",  # or RedisCache (with CACHE_REDIS_URL), NullCache
    "CACHE_REDIS_URL": None,
    "CACHE_DEFAULT_TIMEOUT": 300,
    "CACHE_KEY_PREFIX": "mediviz:",
    "REFRESH_SECONDS": 60,
    "REPLICA_PATH": None,  # a DuckDB file to serve aggregates from (built from the CRM database); None: the CRM
    "DEMO_VISITS": 60_000,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
}


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
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(instance)


def _instance_secret(instance: Path) -> str:
    """A random secret key kept in the instance folder, so sessions survive a restart."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
