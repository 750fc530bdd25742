"""The Mediviz app factory: Flask server, Dash pages, cache, login, API and CLI."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import click
import dash
from flask import Flask, jsonify, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import accounts_page, api, auth, cli, config, demo_setup, hardening, outage, shell, tokens_page
from dashboard.extensions import cache
from data import accounts, db

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def create_app(overrides: dict[str, Any] | None = None) -> dash.Dash:
    """Build the Dash app and its Flask server (``app.server``) from the environment and ``overrides``."""
    server = Flask(__name__, instance_path=str(ROOT / "instance"))
    server.json.sort_keys = False  # type: ignore[attr-defined]  # keep the legacy key order
    config.load(server, overrides)
    _trust_proxies(server)
    db.init_app(server)
    cache.init_app(server)
    auth.init_app(server)
    api.init_app(server)
    outage.init_app(server)
    tokens_page.init_app(server)
    accounts_page.init_app(server)
    cli.init_app(server)
    with server.app_context():
        accounts.create_tables(db.app_engine())
        if server.config["DEMO"]:
            demo_setup.ensure_demo(server)
        if server.config["SERVE_FROM"] == "replica":
            db.open_replica(server)
            _start_refresher(server)
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
        on_error=outage.callback_error,  # a banner, never a stack trace (see dashboard/outage.py)
    )
    app.layout = shell.layout
    shell.register_callbacks(app)
    hardening.init_app(server, app)
    return app


def _trust_proxies(server: Flask) -> None:
    """Behind ``PROXY_FIX`` reverse proxies, take the client's address, scheme and host from their headers.

    Without it every request would come from the proxy's address (one login throttle for everybody); with it
    set and no such proxy in front, clients could choose their address: set it to the real number of proxies.
    """
    hops = int(server.config["PROXY_FIX"])
    if hops > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _start_refresher(server: Flask) -> None:
    """Refresh the replica every ``REFRESH_SECONDS`` (one process per host does it; see data.refresher)."""
    from data.refresher import Refresher

    seconds = float(server.config["REFRESH_SECONDS"])
    command = click.get_current_context(silent=True)
    if seconds <= 0 or (command is not None and command.command.name != "run"):  # CLI commands serve nothing
        return
    refresher = Refresher(
        server.config["DATABASE_URL"],
        Path(server.config["REPLICA_PATH"]),
        seconds=seconds,
        window_days=int(server.config["REFRESH_WINDOW_DAYS"]),
        full_hours=float(server.config["FULL_REFRESH_HOURS"]),
    )
    server.extensions["mediviz"]["refresher"] = refresher
    refresher.start()
    # gunicorn --preload forks workers from this process: threads do not follow, so each worker starts its own
    os.register_at_fork(after_in_child=refresher.start)


def _health() -> Any:
    """Public health check: is the CRM database reachable, and how fresh is the replica?"""
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    code = 200
    try:
        with db.crm_engine().connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception:
        log.exception("health check: database unreachable")
        body.update(status="error", database="indisponible")
        code = 503
    try:
        info = db.replica_info()
    except Exception:
        log.exception("health check: replica unreadable")
        body.update(status="error", replica="illisible")
        return jsonify(body), 503
    if info is not None:
        status = info["status"]
        body["replica"] = {
            "version": info["signature"],
            "built_at": info["built_at"],
            "checked_at": status.get("checked_at"),
            "last_refresh": status.get("kind"),
            "last_refresh_ok": status.get("ok"),
            # the driver's message names hosts and users: only in the log (and the status file), never here
            "last_error": "échec de l'actualisation (détails dans le journal)" if status.get("error") else None,
        }
    return jsonify(body), code


def _home() -> Any:
    """The home page is the Visites page (the query string is kept)."""
    if request.path != "/":
        return None
    query = request.query_string.decode()
    return redirect("/visites" + (f"?{query}" if query else ""))
