"""``/health`` (public): what each dependency is doing and how fresh the data is, without ever waiting on one.

The answer comes from the process's dependency monitor (``data.source.health``): engines report their failures as
they happen, and a bounded probe refreshes the state in the background when it is older than a second.
200 while the service can answer (``"status": "ok"``, or ``"degraded"`` when something is wrong that users do
not feel yet: the CRM down behind the replica, the cache down, refreshing failing); 503 when it cannot (the
accounts database, or the data it serves from, unreachable).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import Any

from flask import Flask, current_app, jsonify

from data.errors import UnavailableError
from data.source import db, freshness, replica
from data.source.monitor import STATE_MAX_AGE

log = logging.getLogger(__name__)


def health() -> Any:
    """The public health check (JSON)."""
    monitor = db.monitor()
    monitor.watch(STATE_MAX_AGE)
    state = current_app.extensions["mediviz"]
    source = "replique" if state.get("replica_path") is not None else "crm"
    replica_part = replica_health() if source == "replique" else None  # opens the served version if need be
    components = {name: dependency.snapshot() for name, dependency in monitor.dependencies.items()}
    can_answer = all(monitor[name].answering() for name in ("comptes", source))
    body: dict[str, Any] = {
        "status": "ok",
        "database": "ok" if monitor["crm"].answering() else "indisponible",
        "components": components,
    }
    degraded = any(component["etat"] in ("indisponible", "ne répond pas") for component in components.values())
    if replica_part is not None:
        body["replica"] = replica_part
        degraded = degraded or not replica_part["last_refresh_ok"]
    if not can_answer:
        body["status"] = "error"
        return jsonify(body), 503
    body["status"] = "degraded" if degraded else "ok"
    return jsonify(body), 200


def replica_health() -> dict[str, Any]:
    """The served version and the refreshes' state (the driver's message stays in the log and status file)."""
    state = current_app.extensions["mediviz"]
    config = current_app.config
    status = replica.status(state["replica_path"])
    with contextlib.suppress(UnavailableError):  # nothing readable yet: the status file still says why
        db.read_engine()
    meta = state.get("replica_meta") or {}
    fresh = freshness.of(
        status,
        meta.get("built_at"),
        float(config["REFRESH_SECONDS"]),
        int(config["STALE_PERIODS"]),
        dt.datetime.now(),
        source_down=not db.monitor()["crm"].answering(),
    )
    return {
        "version": meta.get("signature"),
        "built_at": meta.get("built_at"),
        "checked_at": status.get("checked_at"),
        "data_age_seconds": round(fresh.age_seconds) if fresh.age_seconds is not None else None,
        "last_refresh": status.get("kind"),
        "last_refresh_ok": not fresh.failing,
        "last_error": "échec de l'actualisation (détails dans le journal)" if fresh.failing else None,
        "cause": fresh.cause,
        "refresh_running_since": status.get("attempt_at") if status.get("running") else None,
    }


def init_app(app: Flask) -> None:
    app.add_url_rule("/health", "health", health)
