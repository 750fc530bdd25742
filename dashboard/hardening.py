"""Answers for what no user should ever meet: malformed requests, unknown API routes, framing, crashes.

* A callback request that is not what Dash's own page sends (no ``output``, an unknown callback, a list)
  gets 400 JSON instead of a crash inside Dash.
* A path under ``/api/`` that names no route gets the API's JSON 404, not the dashboard's HTML page (Dash
  answers every other path with its page).
* A bad path under ``/_dash-component-suites/`` is a 404, not a 500.
* Every answer forbids framing (clickjacking of the account and token pages) and MIME sniffing.
* Anything that still fails answers a short French 500 (JSON for the API and Dash, a page otherwise); the
  details go to the log only.
"""

from __future__ import annotations

import logging
from typing import Any

from dash.exceptions import DependencyException
from flask import Flask, Response, abort, jsonify, request
from werkzeug.exceptions import InternalServerError

log = logging.getLogger(__name__)

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
    """Refuse malformed callback requests and unknown API routes before they reach Dash."""
    if request.path == "/_dash-update-component" and request.method == "POST":
        body = request.get_json(silent=True)
        if not (isinstance(body, dict) and isinstance(body.get("output"), str) and body["output"] in callbacks):
            return _error("Requête de rappel invalide.", 400)
        if not all(isinstance(body.get(key, []), list) for key in ("inputs", "state")):
            return _error("Requête de rappel invalide.", 400)
    if request.path.startswith("/api/") and not (request.endpoint or "").startswith("api."):
        abort(404)  # the API's JSON 404 (dashboard.api.http_error)
    return None


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error=message), status


def secure_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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
    server.after_request(secure_headers)
    server.register_error_handler(DependencyException, not_found)
    server.register_error_handler(InternalServerError, crashed)
