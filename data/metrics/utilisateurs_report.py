"""The Utilisateurs area as tables: what the page charts and what the API (v1 and legacy ``/users``) returns."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data import side_by_side
from data.metrics import codes, performance, periods, utilisateurs
from data.metrics.filters import VISIT_FIELDS, VISIT_V1_FIELDS, Filters
from data.metrics.scope import REP_ROLES, Scope
from data.metrics.utilisateurs_tables import (
    Row,
    _frame,
    direct_managers,
    manager_rows,
    managers_of,
    month_rows,
    team_rows,
)

#: The filters this area accepts (API): the sidebar's.
FIELDS = VISIT_FIELDS
#: The v1 route's: the sidebar's and the cross-filters a click on a chart sets.
V1_FIELDS = VISIT_V1_FIELDS
#: Every CRM role (section 6.1 of the legacy document), in hierarchy order.
ROLES = {
    "DEL": "Délégué médical", "KAM": "Key account manager", "DSM": "Superviseur (DSM)",
    "DRG": "Directeur régional", "DIR": "Directeur", "PM": "Chef de produit", "ACH": "Achats",
    "ADMI": "Administrateur",
}  # fmt: skip
#: Every partner status (``tab_partenaire.code_statut_partenaire``), in lifecycle order.
STATUTS = {"CREE": "Créé (en attente)", "VALI": "Validé", "REJE": "Rejeté", "MIGR": "Migré"}
TABLE_COLUMNS = ["code", "libelle", "utilisateurs", "visites"]


def _parents(levels: list[tuple[Any, ...]], dimension: str) -> dict[Any, tuple[int, int]]:
    """``{code_parent: (utilisateurs, visites)}`` of the parent rows of one dimension of ``level_rows``."""
    return {row[1]: (row[3], row[4]) for row in levels if row[0] == dimension and row[2] is None}


def dimension_rows(levels: list[tuple[Any, ...]], dimension: str, catalogue: dict[str, str]) -> list[Row]:
    """Every code of ``catalogue`` in its order (zeros included), then unknown codes found in the data, with
    their active users and distinct visits (``TABLE_COLUMNS``)."""
    counts = _parents(levels, dimension)
    extra = sorted(set(counts) - set(catalogue))
    return [
        dict(zip(TABLE_COLUMNS, (code, catalogue.get(code, code), *counts.get(code, (0, 0))), strict=True))
        for code in [*catalogue, *extra]
    ]


def catalogue(type_codification: str, by: str = "libelle") -> dict[str, str]:
    """``{code: label}`` of a codification type, ordered by label or by code (then code)."""
    rows = [(code, label) for code, label, _ in codes.catalogue(type_codification)]
    key = 1 if by == "libelle" else 0
    return dict(sorted(rows, key=lambda row: (row[key] is None, row[key] or "", row[0])))


def table_rows(filters: Filters, scope: Scope) -> dict[str, list[Row]]:
    """The four dimension tables (gamme by code, région by label, statut, rôle), as ``TABLE_COLUMNS`` rows."""
    levels = utilisateurs.level_rows(filters, scope)
    return {
        "gamme": dimension_rows(levels, "gamme", catalogue("GAMM", "code")),
        "region": dimension_rows(levels, "region", catalogue("REGI")),
        "statut": dimension_rows(levels, "statut", STATUTS),
        "role": dimension_rows(levels, "role", ROLES),
    }


def tables(filters: Filters, scope: Scope) -> dict[str, pd.DataFrame]:
    """``table_rows`` as DataFrames (the page's charts)."""
    return {name: _frame(rows, TABLE_COLUMNS) for name, rows in table_rows(filters, scope).items()}


CHILD_COLUMNS = ["code_parent", "code", "libelle", "utilisateurs", "visites"]


def child_rows(filters: Filters, scope: Scope, dimension: str) -> list[Row]:
    """Villes (``region``) or spécialités (``gamme``) by label then code: ``CHILD_COLUMNS``."""
    labels = codes.labels("VILL" if dimension == "region" else "SPEC")
    rows = [
        (parent, code, labels.get(code, code), users_, visits)
        for name, parent, code, users_, visits in utilisateurs.level_rows(filters, scope)
        if name == dimension and code is not None
    ]
    rows.sort(key=lambda row: (row[2], row[1]))
    return [dict(zip(CHILD_COLUMNS, row, strict=True)) for row in rows]


def children(filters: Filters, scope: Scope, dimension: str) -> pd.DataFrame:
    """``child_rows`` as a DataFrame."""
    return _frame(child_rows(filters, scope, dimension), CHILD_COLUMNS)


def kpis(filters: Filters, scope: Scope) -> dict[str, Any]:
    """Active users, visits, visits per active user (1 decimal, ``None`` if no user), managers, active reps."""
    levels = utilisateurs.level_rows(filters, scope)
    total = [row for row in levels if row[0] == "total"]
    actifs = sum(row[3] for row in total)
    visites = sum(row[4] for row in total)
    roles = _parents(levels, "role")
    return {
        "utilisateurs_actifs": actifs,
        "visites": visites,
        "visites_par_utilisateur": round(visites / actifs, 1) if actifs else None,
        "managers": direct_managers(filters, scope),  # current direct managers, as the team filter
        # the one definition of an active rep (Performance's too): a DEL or KAM user with a visit in the slice
        "delegues_actifs": sum(roles.get(role, (0, 0))[0] for role in REP_ROLES),
    }


def kpis_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpis`` over each span of days instead of the filters' period (the comparisons), from one statement: the
    visiting users with their visits and current role (each visit has one user)."""
    out = []
    for rows in performance.user_rows_over(filters, scope, spans):
        actifs, visites = len(rows), sum(row[2] for row in rows)
        out.append(
            {
                "utilisateurs_actifs": actifs,
                "visites": visites,
                "visites_par_utilisateur": round(visites / actifs, 1) if actifs else None,
                "managers": managers_of({row[0] for row in rows}),
                "delegues_actifs": sum(1 for row in rows if row[1] in REP_ROLES),
            }
        )
    return out


def _records(rows: list[Row], keys: dict[str, str]) -> list[dict[str, Any]]:
    """JSON records of ``rows`` with their columns renamed to ``keys`` (in ``keys`` order)."""
    return [{new: row[old] for old, new in keys.items()} for row in rows]


MONTH_KEYS = {"mois": "mois", "utilisateurs": "nombre_utilisateur"}
GAMME_KEYS = {"code": "code_gamme_partenaire", "utilisateurs": "nombre_utilisateur", "libelle": "gamme"}
MANAGER_KEYS = {
    "id_responsable": "id_responsable", "visites": "nombre_visites", "responsable": "responsable",
    "pourcentage": "pourcentage",
}  # fmt: skip
TEAM_KEYS = {**MANAGER_KEYS, "utilisateurs": "nombre_utilisateur"}
REGION_KEYS = {"libelle": "region", "utilisateurs": "nombre_utilisateur", "code": "code_region_partenaire"}
STATUT_KEYS = {"code": "code_statut_partenaire", "utilisateurs": "nombre_utilisateur"}
ROLE_KEYS = {"code": "role", "utilisateurs": "nombre_utilisateur"}
VISITS = {"visites": "nombre_visites"}
VILLE_KEYS = {
    "code_parent": "code_region_partenaire", "code": "code_ville_partenaire", "libelle": "ville",
    "utilisateurs": "nombre_utilisateur", **VISITS,
}  # fmt: skip
SPECIALITE_KEYS = {
    "code_parent": "code_gamme_partenaire", "code": "code_specialite_partenaire", "libelle": "specialite",
    "utilisateurs": "nombre_utilisateur", **VISITS,
}  # fmt: skip


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /users`` body, keys in the legacy order (months as "YYYY-MM", visits distinct)."""
    dims = table_rows(filters, scope)
    return {
        "nombre_nouvelle_utilisateur_par_mois": _records(month_rows(filters, scope), MONTH_KEYS),
        "nombre_utilisateur_par_gammes": _records(dims["gamme"], GAMME_KEYS),
        "pourcentage_visites_par_responsable": _records(manager_rows(filters, scope), MANAGER_KEYS),
        "nombre_utilisateur_par_regions": _records(dims["region"], REGION_KEYS),
        "nombre_utilisateur_par_status": _records(dims["statut"], STATUT_KEYS),
        "nombre_utilisateur_par_role": _records(dims["role"], ROLE_KEYS),
    }


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: headline numbers, the legacy lists with visits and labels added, villes and spécialités."""
    side_by_side.compute(
        (utilisateurs.level_rows, (filters, scope)),
        (utilisateurs.month_rows, (filters, scope)),
        (utilisateurs.manager_rows, (filters, scope)),
        (performance.per_user_rows, (filters, scope)),
        *periods.over_earlier(performance.user_rows_over, filters, scope),
    )
    dims = table_rows(filters, scope)
    return {
        "filtres": filters.to_dict(),
        "indicateurs": kpis(filters, scope),
        **periods.compared_over(lambda spans: kpis_over(filters, scope, spans), filters),
        "nombre_nouvelle_utilisateur_par_mois": _records(month_rows(filters, scope), {**MONTH_KEYS, **VISITS}),
        "nombre_utilisateur_par_gammes": _records(dims["gamme"], {**GAMME_KEYS, **VISITS}),
        "pourcentage_visites_par_responsable": _records(
            manager_rows(filters, scope), {**MANAGER_KEYS, "utilisateurs": "nombre_utilisateur"}
        ),
        "nombre_utilisateur_par_regions": _records(dims["region"], {**REGION_KEYS, **VISITS}),
        "nombre_utilisateur_par_status": _records(dims["statut"], {**STATUT_KEYS, "libelle": "statut", **VISITS}),
        "nombre_utilisateur_par_role": _records(dims["role"], {**ROLE_KEYS, "libelle": "libelle", **VISITS}),
        "visites_par_equipe": _records(team_rows(filters, scope), TEAM_KEYS),
        "nombre_utilisateur_par_villes": _records(child_rows(filters, scope, "region"), VILLE_KEYS),
        "nombre_utilisateur_par_specialites": _records(child_rows(filters, scope, "gamme"), SPECIALITE_KEYS),
    }
