"""Answers for what no user should ever meet: malformed requests, unknown API routes, framing, crashes.

* A callback request that is not what Dash's own page sends (no ``output``, an unknown or client-side callback,
  a list, a trigger that is none of its inputs, deep nesting, a value in the wrong shape) gets 400 JSON instead of
  a crash inside Dash or a callback: ``BadInputError``, raised before Dash runs (``dashboard.callback_requests``)
  or by the callbacks' parsers (``components.inputs``), is answered by ``forged``.
* A path under ``/api/`` that names no route gets the API's JSON 404, not the dashboard's HTML page (Dash
  answers every other path with its page).
* A bad path under ``/_dash-component-suites/`` is a 404, not a 500.
* Every answer forbids framing (clickjacking of the account and token pages) and MIME sniffing; every answer but
  the static files is ``Cache-Control: no-store``: after a logout, Back shows no page or number from the cache.
* Anything that still fails answers a short French 500 (JSON for the API and Dash, a page otherwise); the
  details go to the log only.
"""

from __future__ import annotations

import logging
from typing import Any

from dash.exceptions import DependencyException
from flask import Flask, Response, abort, jsonify, redirect, request
from werkzeug.exceptions import InternalServerError, MethodNotAllowed

from components.inputs import BadInputError
from dashboard import callback_requests

log = logging.getLogger(__name__)

INVALID = "Requête de rappel invalide."
CRASH = "Une erreur inattendue est survenue ; elle a été signalée. Réessayez dans un instant."
HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def wants_json() -> bool:
    """Does this request come from a tool or from Dash (JSON answers), rather than a browser page or form?"""
    from dashboard.auth import LEGACY_PATHS

    path = request.path
    return (
        path.startswith(("/api/", "/_dash-"))
        or path in LEGACY_PATHS
        or (path == "/performance" and request.method != "GET")
        or request.is_json
        or request.accept_mimetypes.best == "application/json"
    )


def check_request(callbacks: dict[str, Any]) -> Any:
    """Refuse malformed callback requests, unknown API routes and public paths that name no file."""
    from dashboard.auth import PUBLIC_PATHS, PUBLIC_PREFIXES

    if request.path == "/_dash-update-component" and request.method == "POST":
        callback_requests.check(callbacks)
    if isinstance(request.routing_exception, MethodNotAllowed):
        return None  # a known route, a wrong method: the 405 follows
    if request.path.startswith("/api/") and not (request.endpoint or "").startswith("api."):
        abort(404)  # the API's JSON 404 (dashboard.api.http_error)
    if request.endpoint in DASH_INDEX and (request.path in PUBLIC_PATHS or request.path.startswith(PUBLIC_PREFIXES)):
        abort(404)  # /assets/, /static/, /favicon.ico: Dash's page shell, served without a login
    return None


#: Dash's catch-all routes, which answer the page shell for any path.
DASH_INDEX = ("/", "/<path:path>")


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status


#: The static files (scripts, styles, the icon): the same for everyone, cached by the browser as Dash says.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon", "/static/")


def secure_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith(STATIC_PREFIXES):  # pages, Dash's answers, the API: never kept by a browser
        response.headers["Cache-Control"] = "no-store"
    return response


def forged(exc: BadInputError) -> tuple[Response, int]:
    """400 for a callback request unlike the page's (checked before Dash, or by a callback's parser); no trace."""
    log.warning("malformed callback request (%s)", exc)
    return _error(INVALID, 400)


def refuse_forged(exc: Exception) -> None:
    """Re-raise ``BadInputError``, for ``forged`` to answer 400 (called first by Dash's ``on_error`` handler).

    Dash hands every exception of a callback to its error handler, which shows the banner and logs a trace: a
    forged value must leave the callback as it came, a malformed request.
    """
    if isinstance(exc, BadInputError):
        raise exc


def not_found(_exc: Exception) -> Any:
    return _error("Ressource inconnue.", 404) if wants_json() else ("Ressource inconnue.", 404)


def crashed(exc: Exception) -> Any:
    """The last resort: a French 500, without any detail (they are in the log)."""
    original = getattr(exc, "original_exception", None) or exc
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    if wants_json():
        return _error(CRASH, 500)
    page = f"<!doctype html><html lang=fr><meta charset=utf-8><title>Mediviz</title><h1>Mediviz</h1><p>{CRASH}</p>"
    return Response(page, status=500, mimetype="text/html")


def init_app(server: Flask, app: Any) -> None:
    """Register the checks, the headers and the handlers; after Dash's own setup (its callbacks are known)."""
    server.before_request(lambda: check_request(app.callback_map))
    # browsers ask for /favicon.ico on their own: Dash's icon (it was the page shell, served without a login)
    server.add_url_rule("/favicon.ico", "favicon", lambda: redirect("/_favicon.ico", 301))
    server.after_request(secure_headers)
    server.register_error_handler(DependencyException, not_found)
    server.register_error_handler(BadInputError, forged)
    server.register_error_handler(InternalServerError, crashed)
