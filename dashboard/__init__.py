"""The Mediviz app factory: Flask server, Dash pages, cache, login, API and CLI."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import dash
from flask import Flask, jsonify, redirect, request

from dashboard import api, auth, cli, config, demo_setup, shell
from dashboard.extensions import cache
from data import accounts, db

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def create_app(overrides: dict[str, Any] | None = None) -> dash.Dash:
    """Build the Dash app and its Flask server (``app.server``) from the environment and ``overrides``."""
    server = Flask(__name__, instance_path=str(ROOT / "instance"))
    server.json.sort_keys = False  # type: ignore[attr-defined]  # keep the legacy key order
    config.load(server, overrides)
    db.init_app(server)
    cache.init_app(server)
    auth.init_app(server)
    api.init_app(server)
    cli.init_app(server)
    with server.app_context():
        accounts.create_tables(db.app_engine())
        if server.config["DEMO"]:
            demo_setup.ensure_demo(server)
        if server.config["REPLICA_PATH"]:
            db.open_replica(server)
    server.add_url_rule("/health", "health", _health)
    server.before_request(_home)
    app = dash.Dash(
        __name__,
        server=server,  # type: ignore[arg-type]  # Dash 4 accepts a Flask app; its stub says otherwise
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="Mediviz",
        update_title=None,  # type: ignore[arg-type]  # None: keep the title while callbacks run
        serve_locally=True,
    )
    app.layout = shell.layout
    shell.register_callbacks(app)
    return app


def _health() -> Any:
    """Public health check: is the CRM database reachable?"""
    try:
        with db.crm_engine().connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception:
        log.exception("health check: database unreachable")
        return jsonify(status="error", database="indisponible"), 503
    return jsonify(status="ok", database="ok")


def _home() -> Any:
    """The home page is the Visites page (the query string is kept)."""
    if request.path != "/":
        return None
    query = request.query_string.decode()
    return redirect("/visites" + (f"?{query}" if query else ""))
