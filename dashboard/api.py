"""The JSON API: ``/api/v1/<area>`` (GET query string or POST body) and the legacy POST routes."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException

from data.app import settings
from data.cache import memoized
from data.metrics import (
    delegue_report,
    equipe_report,
    evaluations_report,
    investissements_report,
    partenaires_report,
    performance_report,
    utilisateurs_report,
    visites_report,
)
from data.metrics.filters import FilterError, Filters, UnknownError
from data.metrics.scope import OUTSIDE, Scope, outside, request_scope

Report = Callable[[Filters, Scope], dict[str, Any]]
#: v1 area -> (report module, legacy route or None for the new areas). A report module has ``FIELDS`` (the filters
#: it accepts), ``payload`` (the v1 body) and, with a legacy route, ``legacy_payload`` (the legacy body), both
#: ``(Filters, Scope) -> dict``.
AREAS: dict[str, tuple[ModuleType, str | None]] = {
    "visites": (visites_report, "/data"),
    "performance": (performance_report, "/performance"),
    "partenaires": (partenaires_report, "/partenaire"),
    "evaluations": (evaluations_report, "/evaluation"),
    "investissements": (investissements_report, "/invest"),
    "utilisateurs": (utilisateurs_report, "/users"),
    "equipe": (equipe_report, None),
    "delegue": (delegue_report, None),
}
#: Areas whose numbers depend on the settings (``data.app.settings``): they are part of their body's cache key.
WITH_SETTINGS = (equipe_report, delegue_report, partenaires_report)

#: Legacy routes that are also the path of a page.
PAGE_PATHS = ("/performance",)
#: The methods each API route answers, OPTIONS included: what OPTIONS and every 405 name in ``Allow``. A legacy
#: route is POST only (a GET gets the JSON 405), unless it is also a page.
ALLOW = {
    "/api/openapi.json": "GET, HEAD, OPTIONS",
    **{f"/api/v1/{area}": "GET, HEAD, OPTIONS, POST" for area in AREAS},
    **{
        route: "GET, HEAD, OPTIONS, POST" if route in PAGE_PATHS else "OPTIONS, POST"
        for _, route in AREAS.values()
        if route is not None
    },
}


class ScopeError(Exception):
    """The filters ask for users outside the caller's scope."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def request_filters(allowed: tuple[str, ...]) -> Filters:
    """Filters from the query string (GET) or the JSON body (POST); fields outside ``allowed`` fail."""
    Filters.check_query_size(request.args)  # 10 000 parameters: one answer, whatever their names
    # Filters where they are not read would be ignored without a word: refused instead.
    if request.method == "GET":
        if request.content_length or request.headers.get("Transfer-Encoding"):
            raise FilterError("body", "un GET prend ses filtres dans l'URL, pas dans un corps")
        return Filters.from_query(request.args, allowed)
    if request.args:
        raise FilterError(next(iter(request.args)), "sur un POST, les filtres vont dans le corps JSON")
    if request.mimetype.startswith("multipart/") or request.mimetype == "application/x-www-form-urlencoded":
        raise FilterError("body", "corps JSON attendu (Content-Type: application/json), pas un formulaire")
    if not request.data:
        return Filters()
    try:
        body = request.get_json(force=True)
    except BadRequest as exc:
        raise FilterError("body", "corps JSON invalide") from exc
    except RecursionError as exc:  # the JSON decoder gives up on very deep nesting
        raise FilterError("body", "corps JSON trop imbriqué") from exc
    return Filters.from_body(body, allowed)


def check_scope(filters: Filters, scope: Scope) -> None:
    """Refuse (403) a manager or a rep outside the caller's team, rather than widen or narrow silently."""
    field = outside(filters, scope)
    if field is not None:
        raise ScopeError(field)


#: "module.function" -> report, for the memoized JSON bodies (their cache key names the report).
REPORTS: dict[str, Report] = {}


def answer(report: Report, allowed: tuple[str, ...], with_settings: bool = False) -> Response:
    """Validate the request's filters, check the scope, and return the report as JSON."""
    filters = request_filters(allowed)
    scope = request_scope()
    check_scope(filters, scope)
    name = f"{report.__module__}.{report.__name__}"
    REPORTS.setdefault(name, report)
    targets = settings.current() if with_settings else None
    body = json_body(name, filters, scope, targets)
    return Response(body, mimetype=current_app.json.mimetype)  # type: ignore[attr-defined]


@memoized
def json_body(report: str, filters: Filters, scope: Scope, targets: settings.Targets | None = None) -> str:
    """The JSON text of a report, cached whole: a repeated question costs one cache read, not the shaping
    (``targets``: the settings in force, for the areas that read them, so that a change is seen at once)."""
    return current_app.json.dumps(REPORTS[report](filters, scope)) + "\n"


def _endpoint(
    report: Report, allowed: tuple[str, ...], post_only: bool = False, with_settings: bool = False
) -> Callable[[], Response | tuple[Response, int]]:
    """A view answering ``report``; legacy routes are POST only (a GET gets 405, not the dashboard's HTML)."""

    def view() -> Response | tuple[Response, int]:
        if post_only and request.method != "POST":
            response = jsonify(error="Méthode non autorisée : cette route ancienne s'appelle en POST.")
            response.headers["Allow"] = ALLOW[request.path]
            return response, 405
        return answer(report, allowed, with_settings)

    return view


def _register_areas(bp: Blueprint) -> None:
    """Routes for every area: ``/api/v1/<area>`` and the legacy route."""
    for area, (module, legacy_route) in AREAS.items():
        fields = tuple(module.FIELDS)
        v1_fields = tuple(getattr(module, "V1_FIELDS", fields))  # the visit areas' v1 adds the cross-filters
        v1 = _endpoint(module.payload, v1_fields, with_settings=module in WITH_SETTINGS)
        bp.add_url_rule(f"/api/v1/{area}", f"v1_{area}", v1, methods=["GET", "POST"])
        if legacy_route is None:
            continue
        # "/performance" is also a page: there only POST is the API, and a GET falls through to the page.
        methods = ["POST"] if legacy_route in PAGE_PATHS else ["GET", "POST"]
        bp.add_url_rule(legacy_route, f"legacy_{area}", _endpoint(module.legacy_payload, fields, True), methods=methods)


def filter_error(exc: FilterError) -> tuple[Response, int]:
    """400 with the field and a French message (404 when it names something that does not exist)."""
    return jsonify(error=exc.message, field=exc.field), 404 if isinstance(exc, UnknownError) else 400


def forbidden(exc: ScopeError) -> tuple[Response, int]:
    """403: outside the caller's team."""
    return jsonify(error=OUTSIDE, field=exc.field), 403


#: HTTP errors raised before a view runs (no route, wrong method, body too large), in French.
HTTP_ERRORS = {
    400: "Requête invalide.",
    404: "Route inconnue.",
    405: "Méthode non autorisée sur cette route.",
    413: "Corps de requête trop volumineux (1 Mo au plus).",
}


def _is_api(path: str) -> bool:
    from dashboard.auth import LEGACY_PATHS

    return path.startswith("/api/") or path in LEGACY_PATHS or path == "/performance"


def http_error(exc: HTTPException) -> Any:
    """JSON for the API's clients (a tool parses it); the usual page for browsers elsewhere."""
    code = exc.code or 500
    if not _is_api(request.path) or code not in HTTP_ERRORS:
        return exc
    response = jsonify(error=HTTP_ERRORS[code])
    response.status_code = code
    if code == 405:
        response.headers["Allow"] = ALLOW.get(request.path) or ", ".join(getattr(exc, "valid_methods", None) or [])
    return response


def options() -> Response | None:
    """OPTIONS on an API route: 204 and the methods it answers (after the login, like every API answer).

    Flask's own answer was an empty HTML page naming GET on the POST-only legacy routes (Dash's page route
    matches every path).
    """
    if request.method != "OPTIONS" or request.path not in ALLOW:
        return None
    response = current_app.response_class(status=204)
    response.headers["Allow"] = ALLOW[request.path]
    del response.headers["Content-Type"]
    return response


def init_app(app: Flask) -> None:
    """Register the API routes and their JSON error answers."""
    from dashboard import openapi

    bp = Blueprint("api", __name__)
    bp.before_request(options)
    _register_areas(bp)
    openapi.init_app(bp)
    bp.register_error_handler(FilterError, filter_error)
    bp.register_error_handler(ScopeError, forbidden)
    app.register_blueprint(bp)
    for code in HTTP_ERRORS:
        app.register_error_handler(code, http_error)
