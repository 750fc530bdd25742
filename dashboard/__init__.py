"""The Mediviz app factory: Flask server, Dash pages, cache, login, API and CLI."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click
import dash
from flask import Flask, redirect, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import (
    accounts_page,
    api,
    auth,
    cli,
    config,
    demo_setup,
    hardening,
    health,
    outage,
    settings_page,
    shell,
    tokens_page,
)
from dashboard.extensions import cache
from data.app import tables
from data.metrics.scope import request_scope
from data.source import db

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)

#: Dash's page shell, in French (screen readers pronounce the page in the right language), with a skip link to
#: the page's content past the navbar and the filters (WCAG 2.4.1).
INDEX = """<!DOCTYPE html>
<html lang="fr">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        <a class="visually-hidden-focusable skip-link" href="#contenu">Aller au contenu</a>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def create_app(overrides: dict[str, Any] | None = None) -> dash.Dash:
    """Build the Dash app and its Flask server (``app.server``) from the environment and ``overrides``."""
    instance = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("MEDIVIZ_INSTANCE_PATH") or ROOT / "instance"
    server = Flask(__name__, instance_path=str(instance))
    server.json.sort_keys = False  # type: ignore[attr-defined]  # keep the legacy key order
    config.load(server, overrides)
    _trust_proxies(server)
    db.init_app(server)
    cache.init_app(server)
    _watch_cache(server)
    server.before_request(_require_app_tables)  # before the login guard, which reads the accounts
    auth.init_app(server)
    api.init_app(server)
    outage.init_app(server)
    tokens_page.init_app(server)
    accounts_page.init_app(server)
    settings_page.init_app(server)
    cli.init_app(server)
    with server.app_context():
        tables.init_app(server)  # created now, or retried in the background: a worker boots without them
        if server.config["DEMO"]:
            demo_setup.ensure_demo(server)  # a local SQLite file: its tables were just created
        if server.config["SERVE_FROM"] == "replica":
            db.open_replica(server)
            # A local file cannot hang: its replica is built here (the demo serves at once). A server's is built
            # by the refresher, so that a CRM that does not answer never holds a worker's boot.
            local = db.crm_engine().dialect.name not in db.NETWORK_DIALECTS
            if not _start_refresher(server) or local:
                _build_replica_now(server)
    health.init_app(server)
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
    app.index_string = INDEX
    app.layout = shell.layout
    shell.register_callbacks(app)
    hardening.init_app(server, app)
    # Dash's once-a-process setup and its pages router run as before_request hooks of the first request: a
    # booting worker's first requests at once race in them (a 500, plotly/dash#3971). Run them now instead.
    with server.test_request_context("/health"):
        server.preprocess_request()
    return app


def _trust_proxies(server: Flask) -> None:
    """Behind ``PROXY_FIX`` reverse proxies, take the client's address, scheme and host from their headers.

    Without it every request would come from the proxy's address (one login throttle for everybody); with it
    set and no such proxy in front, clients could choose their address: set it to the real number of proxies.
    """
    hops = int(server.config["PROXY_FIX"])
    if hops > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _start_refresher(server: Flask) -> bool:
    """Refresh the replica every ``REFRESH_SECONDS`` (one process per host does it; see data.source.refresher).

    It also builds the replica when there is none: a worker never builds it itself (a CRM that does not answer
    would stop the worker's boot, and gunicorn with it). False when no refresher runs here.
    """
    from data.source.refresher import Refresher

    seconds = float(server.config["REFRESH_SECONDS"])
    command = click.get_current_context(silent=True)
    if seconds <= 0 or (command is not None and command.command.name != "run"):  # CLI commands serve nothing
        return False
    refresher = Refresher(
        server.config["DATABASE_URL"],
        Path(server.config["REPLICA_PATH"]),
        seconds=seconds,
        window_days=int(server.config["REFRESH_WINDOW_DAYS"]),
        full_hours=float(server.config["FULL_REFRESH_HOURS"]),
        timeout=float(server.config["REFRESH_TIMEOUT_SECONDS"]),
        read_timeout=float(server.config["QUERY_TIMEOUT_SECONDS"]) + 5,
    )
    server.extensions["mediviz"]["refresher"] = refresher
    refresher.start()
    # gunicorn --preload forks workers from this process: threads do not follow, so each worker starts its own
    os.register_at_fork(after_in_child=refresher.start)
    return True


def _build_replica_now(server: Flask) -> None:
    """Build a missing replica here, once (a local CRM file, or no background refresher: tests, CLI commands);
    a failure is logged, not raised (requests get 503 "données en préparation" until a refresh builds it)."""
    from data.source import replica

    try:
        replica.ensure(db.crm_engine(), Path(server.config["REPLICA_PATH"]))
    except Exception:
        log.exception("replica: could not be built at start (flask --app wsgi refresh builds it)")


def _watch_cache(server: Flask) -> None:
    """Show a Redis cache's state in ``/health`` (its breaker is its dependency state)."""
    backend = server.extensions.get("cache", {}).get(cache)
    breaker = getattr(backend, "breaker", None)
    if breaker is not None:
        server.extensions["mediviz"]["monitor"].adopt(breaker)


def _require_app_tables() -> None:
    """Requests that read accounts wait for Mediviz's tables (503 with the banner until they exist)."""
    if request.path not in ("/health", "/favicon.ico", "/_favicon.ico") and not request.path.startswith(
        auth.PUBLIC_PREFIXES
    ):
        tables.require()


def _home() -> Any:
    """The home page is the Visites page (the query string is kept). Without a query it opens on the account's
    default saved view, else on a recent bounded period, never all time: the current month, on the caller's own
    team's Équipe page when their account is linked to a CRM user who manages someone (issue 13)."""
    if request.path != "/":
        return None
    query = request.query_string.decode()
    if query:
        return redirect("/visites?" + query)
    from flask import g

    from data.app import views

    account = g.get("mediviz_account")
    saved = views.default_path(account.id) if account is not None else None
    return redirect(saved or default_view())


def default_view() -> str:
    """The caller's default view: the current month; a manager's team on the Équipe page (who is behind, issue 13),
    else the Visites page."""
    from flask import g

    from data.metrics import options
    from data.metrics.periods import DEFAULT_PRESET

    pairs = [("periode", DEFAULT_PRESET)]
    account = g.get("mediviz_account")
    linked = getattr(account, "id_utilisateur", None)
    if linked is not None and int(linked) in set(options.managers(request_scope())["id_utilisateur"]):
        return "/equipe?" + urlencode([("id_responsable", str(linked)), *pairs])
    return "/visites?" + urlencode(pairs)
