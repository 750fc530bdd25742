"""The API's OpenAPI document (``GET /api/openapi.json``), built from the same definitions as the routes.

Every area's route, method and accepted filters come from ``dashboard.api.AREAS`` and the report modules'
``FIELDS``; every filter's type and limits mirror ``data.metrics.filters`` (the tests check that values valid for the
document are accepted and that the document's limits are the ones enforced). Tools can generate clients from
it; the test suite fuzzes the API from it (tests/test_schema_fuzz.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from data.metrics.filters import CODE_FIELDS, CROSS_FIELDS, DATE_FIELDS, LAST_DAY, MAX_CODES, MAX_PARAMETERS

VERSION = "1.0"

#: Field -> (JSON schema of one value, French description).
_INT_LIMITS = {"annee": (1990, 2100), "mois": (1, 12)}
_DESCRIPTIONS = {
    "id_responsable": "Manager : toute son équipe, récursivement (dans votre périmètre, sinon 403).",
    "id_utilisateur": "Délégué (dans votre périmètre, sinon 403) ; pour les évaluations, le délégué évalué.",
    "annee": "Année de la visite (1990 à 2100).",
    "mois": "Mois de la visite (1 à 12).",
    "start_date": "Premier jour inclus (AAAA-MM-JJ).",
    "end_date": "Dernier jour inclus (AAAA-MM-JJ) ; pas avant start_date.",
    "gamme": "Gammes de produits (GA…), plusieurs possibles.",
    "region": "Régions (RE…), plusieurs possibles.",
    "code_categorie": "Catégories d'évaluation (CE…), plusieurs possibles.",
    "code_type_investissement": "Types d'investissement (TI…), plusieurs possibles.",
    "id_partenaire": "Partenaire financé.",
    "id_business_case": "Business case.",
    "type_partenaire": "Type du partenaire vu (MEDE, PHAR), plusieurs possibles (filtre croisé).",
    "etablissement": "Établissement du partenaire vu : ETPR (privé), ETPU (public) (filtre croisé).",
    "statut_partenaire": "Statut du partenaire vu (CREE, VALI, REJE, MIGR) (filtre croisé).",
    "potentiel": "Potentiel du partenaire vu (A+, A, B, C) (filtre croisé).",
    "code_type_visite": "Visites planifiées (PLAN) ou non (HOPL) (filtre croisé).",
    "forme": "Visites simples (S) ou de groupe (G) (filtre croisé).",
    "accompagnement": "Visites seules (N) ou en double (O) (filtre croisé).",
    "role": "Rôle actuel du délégué (DEL, KAM…) (filtre croisé).",
    "periode": "Période prédéfinie, comptée à partir d'aujourd'hui : mois_en_cours, mois_dernier, trimestre_en_cours, "
    "depuis_janvier, 12_derniers_mois, tout ; croisée avec les dates données.",
}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "Le message, en français."},
        "field": {
            "type": "string",
            "description": "Le filtre en cause (400, 403) ; « body » ou « query » pour le corps ou l'URL entiers.",
        },
    },
}
_AUTH_HELP = (
    "Un jeton d'API (page « Jetons d'API » ou `flask --app wsgi token create`), avec les droits du compte qui "
    "l'a créé ; ou la session du navigateur."
)


def value_schema(field: str) -> dict[str, Any]:
    """The JSON schema of one value of ``field``."""
    if field in DATE_FIELDS:  # a day from FIRST_DAY to LAST_DAY (1990-01-01 to 2100-12-31)
        pattern = f"^(199[0-9]|20[0-9][0-9]|{LAST_DAY.year})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
        return {"type": "string", "format": "date", "pattern": pattern}
    if field in CODE_FIELDS:
        return {"type": "string", "pattern": f"^{CODE_FIELDS[field]}[A-Z]?[0-9]{{1,9}}$"}
    if field in CROSS_FIELDS:
        return {"type": "string", "pattern": f"^({CROSS_FIELDS[field][1]})$"}
    if field == "periode":
        from data.metrics.periods import PRESETS

        return {"type": "string", "enum": list(PRESETS)}
    low, high = _INT_LIMITS.get(field, (1, 2**31 - 1))
    return {"type": "integer", "minimum": low, "maximum": high}


#: What every filter also accepts, meaning "not set" (the legacy clients send nulls and empty strings).
UNSET: list[dict[str, Any]] = [{"type": "null"}, {"const": ""}, {"type": "array", "maxItems": 0}]


def _query_parameter(field: str, required: bool = False) -> dict[str, Any]:
    schema = value_schema(field)
    if field in CODE_FIELDS or field in CROSS_FIELDS:  # repeated (gamme=GA1&gamme=GA2) or comma-separated
        schema = {"type": "array", "items": {"anyOf": [schema, {"const": ""}]}, "maxItems": MAX_CODES}
    elif not required:  # "" means "not set", which a required filter cannot be
        schema = {"anyOf": [schema, {"const": ""}]}
    return {
        "name": field,
        "in": "query",
        "required": required,
        "description": _DESCRIPTIONS[field],
        "schema": schema,
        "style": "form",
        "explode": True,
    }


def _body(fields: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for field in fields:
        one = value_schema(field)
        if field in required:
            properties[field] = {**one, "description": _DESCRIPTIONS[field]}
            continue
        if field in CODE_FIELDS or field in CROSS_FIELDS:
            one = {"anyOf": [one, {"type": "array", "items": one, "maxItems": MAX_CODES}]}
        properties[field] = {"anyOf": [one, *UNSET], "description": _DESCRIPTIONS[field]}
    body: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:  # a route that needs a filter needs a body that names it
        return {"required": True, "content": {"application/json": {"schema": {**body, "required": list(required)}}}}
    schema = {"anyOf": [body, {"type": "null"}]}
    return {"required": False, "content": {"application/json": {"schema": schema}}}


def _responses(ok: str) -> dict[str, Any]:
    def error(text: str) -> dict[str, Any]:
        return {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }

    return {
        "200": {"description": ok, "content": {"application/json": {"schema": {"type": "object"}}}},
        "400": error(
            f"Filtre invalide (type, format, limite, filtre inconnu, corps JSON invalide, plus de {MAX_PARAMETERS} "
            "paramètres dans l'URL)."
        ),
        "401": error("Ni session ni jeton valide (jeton révoqué, expiré ou inconnu)."),
        "403": error("Le filtre nomme quelqu'un hors de votre équipe."),
        "404": error("Le délégué demandé n'existe pas (route « delegue »)."),
        "413": error("Corps de requête de plus de 1 Mo."),
        "503": error("La base de données ne répond pas ; réessayez (en-tête Retry-After)."),
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every v1 and legacy route."""
    from dashboard.api import AREAS

    paths: dict[str, Any] = {}
    for area, (module, legacy_route) in AREAS.items():
        fields = tuple(getattr(module, "V1_FIELDS", module.FIELDS))
        required = tuple(getattr(module, "REQUIRED", ()))
        summary = getattr(module, "SUMMARY", f"Indicateurs « {area} »")
        paths[f"/api/v1/{area}"] = {
            "get": {
                "operationId": f"v1_{area}_get",
                "summary": summary,
                "tags": ["v1"],
                "parameters": [_query_parameter(field, field in required) for field in fields],
                "responses": _responses("Les indicateurs de la période et du périmètre demandés."),
            },
            "post": {
                "operationId": f"v1_{area}_post",
                "summary": summary + " (filtres dans un corps JSON)",
                "tags": ["v1"],
                "requestBody": _body(fields, required),
                "responses": _responses("Les indicateurs de la période et du périmètre demandés."),
            },
        }
        if legacy_route is None:
            continue
        paths[legacy_route] = {
            "post": {
                "operationId": f"legacy_{area}",
                "summary": f"Route de l'ancienne API de visites ({area}), même corps et même forme de réponse",
                "tags": ["ancienne API"],
                "requestBody": _body(tuple(module.FIELDS)),
                "responses": _responses("La réponse de l'ancienne API, à l'identique."),
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mediviz API",
            "version": VERSION,
            "description": "Les agrégats du tableau de bord Mediviz, et les routes de l'ancienne API de visites.",
        },
        "servers": [{"url": "/"}],
        "security": [{"jeton": []}, {"session": []}],
        "components": {
            "schemas": {"Error": _ERROR},
            "securitySchemes": {
                "jeton": {"type": "http", "scheme": "bearer", "description": _AUTH_HELP},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
        "paths": paths,
    }


def init_app(bp: Blueprint) -> None:
    """``GET /api/openapi.json`` (behind the same authentication as the API)."""

    @bp.get("/api/openapi.json")
    def openapi_document() -> Response:
        return jsonify(document())
