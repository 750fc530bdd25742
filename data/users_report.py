"""The Utilisateurs area as tables: what the page charts and what the API (v1 and legacy ``/users``) returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data import codes, options, shapes, user_activity
from data.filters import VISIT_FIELDS, Filters
from data.scope import Scope, users

#: The filters this area accepts (API): the sidebar's.
FIELDS = VISIT_FIELDS
#: Every CRM role (section 6.1 of the legacy document), in hierarchy order.
ROLES = {
    "DEL": "Délégué médical", "KAM": "Key account manager", "DSM": "Superviseur (DSM)",
    "DRG": "Directeur régional", "DIR": "Directeur", "PM": "Chef de produit", "ACH": "Achats",
    "ADMI": "Administrateur",
}  # fmt: skip
#: Every partner status (``tab_partenaire.code_statut_partenaire``), in lifecycle order.
STATUTS = {"CREE": "Créé (en attente)", "VALI": "Validé", "REJE": "Rejeté", "MIGR": "Migré"}
NO_MANAGER = "Sans responsable"
TABLE_COLUMNS = ["code", "libelle", "utilisateurs", "visites"]


def _rows(frame: pd.DataFrame, dimension: str, child: bool = False) -> pd.DataFrame:
    """The rows of one dimension of ``user_activity.levels``: parent rows, or child rows."""
    rows = frame[frame["dimension"] == dimension]
    return rows[rows["code"].notna() if child else rows["code"].isna()]


def dimension_table(frame: pd.DataFrame, dimension: str, catalogue: dict[str, str]) -> pd.DataFrame:
    """Every code of ``catalogue`` in its order (zeros included), then unknown codes found in the data.

    Columns ``TABLE_COLUMNS``: active users and distinct visits per code.
    """
    rows = _rows(frame, dimension).set_index("code_parent")
    extra = sorted(set(rows.index) - set(catalogue))
    table = pd.DataFrame({"code": [*catalogue, *extra], "libelle": [*catalogue.values(), *extra]})
    for column in user_activity.COUNTS:
        table[column] = table["code"].map(rows[column]).fillna(0).astype("int64")
    return table


def catalogue(type_codification: str, by: str = "libelle") -> dict[str, str]:
    """``{code: label}`` of a codification type, ordered by label or by code."""
    frame = codes.codes(type_codification).sort_values([by, "code"])
    return dict(zip(frame["code"], frame["libelle"], strict=True))


def tables(filters: Filters, scope: Scope) -> dict[str, pd.DataFrame]:
    """The four dimension tables (gamme by code, région by label, statut, rôle), as ``TABLE_COLUMNS``."""
    frame = user_activity.levels(filters, scope)
    return {
        "gamme": dimension_table(frame, "gamme", catalogue("GAMM", "code")),
        "region": dimension_table(frame, "region", catalogue("REGI")),
        "statut": dimension_table(frame, "statut", STATUTS),
        "role": dimension_table(frame, "role", ROLES),
    }


def children(filters: Filters, scope: Scope, dimension: str) -> pd.DataFrame:
    """Villes (``region``) or spécialités (``gamme``): ``code_parent, code, libelle, utilisateurs, visites``."""
    rows = _rows(user_activity.levels(filters, scope), dimension, child=True)
    labels = codes.labels("VILL" if dimension == "region" else "SPEC")
    table = rows[["code_parent", "code", *user_activity.COUNTS]].copy()
    table.insert(2, "libelle", [labels.get(code, code) for code in table["code"]])
    return table.sort_values(["libelle", "code"]).reset_index(drop=True)


def kpis(filters: Filters, scope: Scope) -> dict[str, Any]:
    """Active users, visits, visits per active user (1 decimal, ``None`` if no user), managers, active reps."""
    frame = user_activity.levels(filters, scope)
    total = _rows(frame, "total")
    actifs = int(total["utilisateurs"].sum())
    visites = int(total["visites"].sum())
    roles = _rows(frame, "role").set_index("code_parent")["utilisateurs"]
    bosses = user_activity.managers(filters, scope)["id_responsable"]
    return {
        "utilisateurs_actifs": actifs,
        "visites": visites,
        "visites_par_utilisateur": round(visites / actifs, 1) if actifs else None,
        "managers": int((bosses != 0).sum()),
        "delegues_actifs": int(roles.get("DEL", 0)),
    }


def month_table(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``periode`` (first day), ``mois`` ("YYYY-MM"), ``utilisateurs``, ``visites``: every month of the slice.

    The calendar runs from the filters' first day (dates, year, month), else the first month with visits, to
    their last day, else the last month with visits; with ``mois`` alone, only that month of each year.
    """
    data = user_activity.months(filters, scope)
    pairs = zip(data["annee"], data["mois"], strict=True)
    found = pd.PeriodIndex([pd.Period(year=y, month=m, freq="M") for y, m in pairs], freq="M")
    first, last = _bounds(filters)
    start = pd.Period(first, freq="M") if first else (found.min() if len(found) else None)
    stop = pd.Period(last, freq="M") if last else (found.max() if len(found) else None)
    calendar = pd.period_range(start, stop, freq="M") if start is not None and stop is not None else found[:0]
    if filters.mois is not None:
        calendar = calendar[calendar.month == filters.mois]
    counts = data.set_index(found)[user_activity.COUNTS].reindex(calendar, fill_value=0)
    return pd.DataFrame(
        {
            "periode": calendar.to_timestamp(),
            "mois": calendar.strftime("%Y-%m"),
            **{column: counts[column].astype("int64").to_numpy() for column in user_activity.COUNTS},
        }
    )


def _bounds(filters: Filters) -> tuple[dt.date | None, dt.date | None]:
    """The first and last days the filters allow (``None``: unbounded)."""
    firsts = [d for d in (filters.start_date,) if d]
    lasts = [d for d in (filters.end_date,) if d]
    if filters.annee is not None:
        firsts.append(dt.date(filters.annee, filters.mois or 1, 1))
        lasts.append(dt.date(filters.annee, filters.mois or 12, 28))
    if firsts or lasts:  # never months before or after any visit (the rest of this year's months, at 0)
        first_visit, last_visit = options.date_bounds()
        if first_visit is not None and last_visit is not None:
            firsts.append(dt.date.fromisoformat(first_visit).replace(day=1))
            lasts.append(dt.date.fromisoformat(last_visit))
    return (max(firsts) if firsts else None), (min(lasts) if lasts else None)


def manager_table(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``id_responsable, responsable, visites, pourcentage, utilisateurs`` per manager at visit time (id order).

    ``pourcentage`` is the share of the slice's distinct visits (each visit has one manager), 1 decimal.
    """
    frame = user_activity.managers(filters, scope).sort_values("id_responsable")
    names = dict(zip(users()["id_utilisateur"], users()["nom"], strict=True))
    total = int(frame["visites"].sum())
    return pd.DataFrame(
        {
            "id_responsable": frame["id_responsable"].astype("int64").to_numpy(),
            "responsable": [_manager_name(int(i), names) for i in frame["id_responsable"]],
            "visites": frame["visites"].to_numpy(),
            "pourcentage": [round(100 * int(n) / total, 1) for n in frame["visites"]],
            "utilisateurs": frame["utilisateurs"].to_numpy(),
        }
    )


def _manager_name(manager_id: int, names: dict[Any, str]) -> str:
    """A manager's name; visits without a manager, or with one missing from ``tab_utilisateur``, say so."""
    if manager_id == 0:
        return NO_MANAGER
    return str(names.get(manager_id) or f"Utilisateur {manager_id}")


def _records(table: pd.DataFrame, keys: dict[str, str]) -> list[dict[str, Any]]:
    """JSON records of ``table`` with its columns renamed to ``keys`` (in ``keys`` order)."""
    return shapes.frame_records(table[list(keys)].rename(columns=keys))


MONTH_KEYS = {"mois": "mois", "utilisateurs": "nombre_utilisateur"}
GAMME_KEYS = {"code": "code_gamme_partenaire", "utilisateurs": "nombre_utilisateur", "libelle": "gamme"}
MANAGER_KEYS = {
    "id_responsable": "id_responsable", "visites": "nombre_visites", "responsable": "responsable",
    "pourcentage": "pourcentage",
}  # fmt: skip
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
    dims = tables(filters, scope)
    return {
        "nombre_nouvelle_utilisateur_par_mois": _records(month_table(filters, scope), MONTH_KEYS),
        "nombre_utilisateur_par_gammes": _records(dims["gamme"], GAMME_KEYS),
        "pourcentage_visites_par_responsable": _records(manager_table(filters, scope), MANAGER_KEYS),
        "nombre_utilisateur_par_regions": _records(dims["region"], REGION_KEYS),
        "nombre_utilisateur_par_status": _records(dims["statut"], STATUT_KEYS),
        "nombre_utilisateur_par_role": _records(dims["role"], ROLE_KEYS),
    }


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: headline numbers, the legacy lists with visits and labels added, villes and spécialités."""
    dims = tables(filters, scope)
    return {
        "filtres": filters.to_dict(),
        "indicateurs": kpis(filters, scope),
        "nombre_nouvelle_utilisateur_par_mois": _records(month_table(filters, scope), {**MONTH_KEYS, **VISITS}),
        "nombre_utilisateur_par_gammes": _records(dims["gamme"], {**GAMME_KEYS, **VISITS}),
        "pourcentage_visites_par_responsable": _records(
            manager_table(filters, scope), {**MANAGER_KEYS, "utilisateurs": "nombre_utilisateur"}
        ),
        "nombre_utilisateur_par_regions": _records(dims["region"], {**REGION_KEYS, **VISITS}),
        "nombre_utilisateur_par_status": _records(dims["statut"], {**STATUT_KEYS, "libelle": "statut", **VISITS}),
        "nombre_utilisateur_par_role": _records(dims["role"], {**ROLE_KEYS, "libelle": "libelle", **VISITS}),
        "nombre_utilisateur_par_villes": _records(children(filters, scope, "region"), VILLE_KEYS),
        "nombre_utilisateur_par_specialites": _records(children(filters, scope, "gamme"), SPECIALITE_KEYS),
    }
