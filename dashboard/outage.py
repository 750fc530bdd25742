"""A database that stops answering: a clear French message everywhere, and recovery without a restart.

* API and Dash routes answer 503 with a JSON error; a page answers a short French page that retries by itself.
* In the dashboard, a failing callback shows a banner over the page instead of a stack trace, and a watcher
  (an interval, enabled only while the banner shows) asks the database every few seconds; once it answers,
  the banner goes and every chart is computed again.
* Nothing is kept broken: engines check connections before use (``pool_pre_ping``), so the first request
  after the database returns simply works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
import sqlalchemy as sa
from dash import Input, Output, State, dcc, no_update, set_props
from flask import Flask, Response, jsonify, request

from components import ids
from dashboard.hardening import refuse_forged, wants_json
from data.errors import DATABASE_DOWN, OVERLOADED, OverloadedError, UnavailableError
from data.source import db
from data.source.admission import out_of_memory

log = logging.getLogger(__name__)
MESSAGE = DATABASE_DOWN
RETRY_MS = 5_000

#: Connection-level failures (server down, connection lost or refused, pool exhausted, statement timeout), a
#: dependency skipped after a hang, and too much work at once: all "not now", answered 503 with Retry-After.
UNAVAILABLE: tuple[type[Exception], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
    UnavailableError,
    OverloadedError,
)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 20:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_unavailable(exc: BaseException) -> bool:
    """Is ``exc`` (or what caused it) a dependency not answering, or too much work at once?"""
    return any(isinstance(seen, UNAVAILABLE) for seen in _chain(exc))


def message_of(exc: BaseException) -> str:
    """What the user reads: overloaded (never "base indisponible" then), data in preparation, or database down."""
    chain = _chain(exc)
    if any(isinstance(seen, OverloadedError) or out_of_memory(seen) for seen in chain):
        return OVERLOADED
    found = next((seen for seen in chain if isinstance(seen, UnavailableError)), None)
    return found.message if found is not None else DATABASE_DOWN


def _answer(exc: Exception) -> Any:
    """503 for a dependency that does not answer (JSON for tools and Dash, a French page for browsers)."""
    message = message_of(exc)
    what = {OVERLOADED: "service overloaded", DATABASE_DOWN: "database unavailable"}.get(message, "replica unavailable")
    log.warning("%s on %s %s: %s", what, request.method, request.path, (str(exc).splitlines() or [""])[0][:200])
    if wants_json():  # a browser's form (login, tokens, accounts) gets the French page, not JSON
        response = jsonify(error=message + " Réessayez dans un instant.")
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    page = (
        "<!doctype html><html lang=fr><meta charset=utf-8><meta http-equiv=refresh content=10>"
        f"<title>Mediviz : service indisponible</title><h1>Mediviz</h1><p>{message}</p>"
        "<p>Cette page se recharge toute seule toutes les 10 secondes.</p></html>"
    )
    return Response(page, status=503, mimetype="text/html", headers={"Retry-After": "10"})


def init_app(app: Flask) -> None:
    """503 answers for connection-level database errors raised anywhere."""
    for error in UNAVAILABLE:
        app.register_error_handler(error, _answer)


def callback_error(exc: Exception) -> Any:
    """Dash's error handler for every callback: the banner for an unavailable database, else a generic one.

    Outputs are left as they were (``None``: no update); the details go to the log, never to the page.
    """
    refuse_forged(exc)  # a forged callback value: the 400 of a malformed request, no banner (dashboard.hardening)
    if is_unavailable(exc):
        message = message_of(exc)
        log.warning("unavailable in a callback: %s", (str(exc).splitlines() or [type(exc).__name__])[0][:200])
        set_props(ids.FLASH, {"children": dbc.Alert(f"{message} Nouvel essai automatique…", color="danger")})
        set_props(ids.OUTAGE_TICK, {"disabled": False})
        return None
    log.exception("callback failed", exc_info=exc)
    set_props(ids.FLASH, {"children": dbc.Alert("Une erreur est survenue ; elle a été signalée.", color="warning")})
    return None


def watcher() -> dcc.Interval:
    """The interval that asks the database while the banner shows (disabled otherwise)."""
    return dcc.Interval(id=ids.OUTAGE_TICK, interval=RETRY_MS, disabled=True)


def register_callbacks(app: Any, sidebar: list[State], filters_from: Callable[..., tuple[Any, Any, str]]) -> None:
    """Once the database answers again: the banner goes, the watcher stops, the charts are computed again.

    The filters are taken again from the sidebar (``sidebar`` values through ``filters_from``): the change
    that met the outage may never have reached the filters store (its request was refused before any
    callback ran, when the accounts database was down), and the charts must match what the sidebar shows.
    """

    @app.callback(
        Output(ids.FLASH, "children", allow_duplicate=True),
        Output(ids.OUTAGE_TICK, "disabled"),
        Output(ids.FILTERS_STORE, "data", allow_duplicate=True),
        Output(ids.FILTER_ERROR, "children", allow_duplicate=True),
        Output(ids.URL_SYNC, "data", allow_duplicate=True),
        Output(ids.OUTAGE_RELOAD, "data"),
        Input(ids.OUTAGE_TICK, "n_intervals"),
        State(ids.LOCATION, "pathname"),
        State(ids.PAGE_STORE, "data"),
        *sidebar,
        prevent_initial_call=True,
    )
    def retry(tick: int, pathname: str | None, drawn: dict[str, Any] | None, *values: Any) -> tuple[Any, ...]:
        try:
            db.read(sa.select(sa.literal(1)))
            with db.app_engine().connect() as conn:  # accounts live there
                conn.exec_driver_sql("SELECT 1")
        except UNAVAILABLE:
            return no_update, False, no_update, no_update, no_update, no_update
        store, error, search = filters_from(*values)
        if page_changed_meanwhile(pathname, drawn):  # the page itself never came: load it, with the filters
            return no_update, True, no_update, no_update, no_update, {"search": search, "tick": tick}
        # Marked, so that every chart's callback runs once more even if the filters did not change.
        return None, True, {**store, "retry": tick}, error, search, no_update

    app.clientside_callback(
        """
        function(reload) {
            if (reload) { window.location.assign(window.location.pathname + reload.search); }
            return window.dash_clientside.no_update;
        }
        """,
        Output(ids.OUTAGE_RELOAD, "data", allow_duplicate=True),
        Input(ids.OUTAGE_RELOAD, "data"),
        prevent_initial_call=True,
    )


def page_changed_meanwhile(pathname: str | None, drawn: dict[str, Any] | None) -> bool:
    """Does the page on screen differ from the URL's (a click on another page met the outage)?

    Dash's router writes the drawn page's title in its store; the URL's page is found by its path.
    """
    import dash

    wanted = next((page["title"] for page in dash.page_registry.values() if page["path"] == pathname), None)
    return wanted is not None and (drawn or {}).get("title") != wanted
