"""The JSON API: ``/api/v1/<area>`` (GET query string or POST body) and the legacy POST routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import BadRequest

from data import visits_report
from data.filters import FilterError, Filters
from data.scope import Scope, request_scope

bp = Blueprint("api", __name__)

Report = Callable[[Filters, Scope], dict[str, Any]]
#: v1 area -> (report, legacy route, legacy report).
AREAS: dict[str, tuple[Report, str, Report]] = {
    "visites": (visits_report.payload, "/data", visits_report.legacy_payload),
}


class ScopeError(Exception):
    """The filters ask for users outside the caller's scope."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def request_filters() -> Filters:
    """Filters from the query string (GET) or the JSON body (POST)."""
    if request.method == "GET":
        return Filters.from_query(request.args)
    if not request.data:
        return Filters()
    try:
        body = request.get_json(force=True)
    except BadRequest as exc:
        raise FilterError("body", "corps JSON invalide") from exc
    return Filters.from_body(body)


def check_scope(filters: Filters, scope: Scope) -> None:
    """Refuse (403) a manager or a rep outside the caller's team, rather than widen or narrow silently."""
    for field in ("id_responsable", "id_utilisateur"):
        value = getattr(filters, field)
        if value is not None and not scope.allows(value):
            raise ScopeError(field)


def answer(report: Report) -> Response:
    """Validate the request's filters, check the scope, and return the report as JSON."""
    filters = request_filters()
    scope = request_scope()
    check_scope(filters, scope)
    return jsonify(report(filters, scope))


def _endpoint(report: Report, post_only: bool = False) -> Callable[[], Response | tuple[Response, int]]:
    """A view answering ``report``; legacy routes are POST only (a GET gets 405, not the dashboard's HTML)."""

    def view() -> Response | tuple[Response, int]:
        if post_only and request.method != "POST":
            response = jsonify(error="Méthode non autorisée : cette route ancienne s'appelle en POST.")
            response.headers["Allow"] = "POST"
            return response, 405
        return answer(report)

    return view


for _area, (_report, _route, _legacy_report) in AREAS.items():
    bp.add_url_rule(f"/api/v1/{_area}", f"v1_{_area}", _endpoint(_report), methods=["GET", "POST"])
    bp.add_url_rule(_route, f"legacy_{_area}", _endpoint(_legacy_report, post_only=True), methods=["GET", "POST"])


@bp.errorhandler(FilterError)
def filter_error(exc: FilterError) -> tuple[Response, int]:
    """400 with the field and a French message."""
    return jsonify(error=exc.message, field=exc.field), 400


@bp.errorhandler(ScopeError)
def forbidden(exc: ScopeError) -> tuple[Response, int]:
    """403: outside the caller's team."""
    return jsonify(error="Accès refusé : cette personne n'est pas dans votre équipe.", field=exc.field), 403


def init_app(app: Flask) -> None:
    """Register the API routes."""
    app.register_blueprint(bp)
