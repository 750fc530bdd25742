"""The Performance area as tables: what the page charts and what the API (v1 and legacy ``/performance``) returns.

Every count is a number of distinct visits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from data import performance, shapes, visits, visits_report
from data.filters import VISIT_FIELDS, Filters
from data.scope import Scope, users, visible_users

#: The filters this area accepts (API): the sidebar's.
FIELDS = VISIT_FIELDS
#: Every known code of each partner dimension, in display order, with its French label.
CATEGORIES: dict[str, dict[str, str]] = {
    "type": {"MEDE": "Médecins", "PHAR": "Pharmacies"},
    "statut": {"CREE": "Créés (en attente)", "VALI": "Validés", "REJE": "Rejetés", "MIGR": "Migrés"},
    "potentiel": {code: code for code in ("A+", "A", "B", "C", "D")},
}
#: Legacy key of each dimension's code.
LEGACY_CODE_KEYS = {"type": "code_type_partenaire", "statut": "code_statut_partenaire", "potentiel": "code_potentiel"}
REP_ROLES = ("DEL", "KAM")
ACTIVE = "ACTI"
TOP = 5
LEGACY_KEYS = {
    "type": "nombre_compte_visite_par_type_compte",
    "statut": "nombre_compte_visite_par_status",
    "potentiel": "nombre_visites_par_potenciel",
    "region": "nombre_visites_par_region",
    "top": "utilisateurs_plus_grand_nombre_visites",
    "bottom": "delegues_moins_nombre_visites",
    "jour": "nombre_compte_visite_par_jour",
}


def category_table(filters: Filters, scope: Scope, dimension: str) -> pd.DataFrame:
    """Every code of a partner dimension (zeros included, known codes first): ``code, libelle, visites``."""
    frame = performance.breakdown(filters, scope)
    counts = frame[frame["dimension"] == dimension].set_index("code")["visites"]
    known = CATEGORIES[dimension]
    extra = sorted(set(counts.index) - set(known))
    table = pd.DataFrame({"code": [*known, *extra], "libelle": [*known.values(), *extra]})
    table["visites"] = table["code"].map(counts).fillna(0).astype("int64")
    return table


def regions(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every région, every ville with its région): ``code, libelle, visites`` (the Visites page's numbers)."""
    parents, children = visits_report.regions(filters, scope, "visites")
    return parents.rename(columns={"n": "visites"}), children.rename(columns={"n": "visites"})


def rank_reps(people: pd.DataFrame, counts: pd.DataFrame, allowed: tuple[int, ...] | None) -> pd.DataFrame:
    """Active reps (DEL, KAM) among ``allowed`` with their visits, 0 included, fewest first, ties by name.

    ``people``: ``id_utilisateur, nom, role, statut``; ``counts``: ``id_utilisateur, visites``.
    Output: ``id_utilisateur, delegue, visites``.
    """
    keep = people["role"].isin(REP_ROLES) & (people["statut"] == ACTIVE)
    if allowed is not None:
        keep &= people["id_utilisateur"].isin(allowed)
    reps = people.loc[keep, ["id_utilisateur", "nom"]].rename(columns={"nom": "delegue"})
    reps["visites"] = reps["id_utilisateur"].map(counts.set_index("id_utilisateur")["visites"])
    reps["visites"] = reps["visites"].fillna(0).astype("int64")
    return reps.sort_values(["visites", "delegue", "id_utilisateur"]).reset_index(drop=True)


def name_users(people: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Users with visits, most first, ties by name: ``id_utilisateur, delegue, visites``."""
    names = people.set_index("id_utilisateur")["nom"]
    table = counts.copy()
    table["delegue"] = [names.get(uid, f"Utilisateur {uid}") for uid in table["id_utilisateur"]]
    table = table.sort_values(["visites", "delegue", "id_utilisateur"], ascending=[False, True, True])
    return table[["id_utilisateur", "delegue", "visites"]].reset_index(drop=True)


def reps(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Every active rep the caller and the filters allow, with their visits (0 included), fewest first."""
    return rank_reps(users(), performance.per_user(filters, scope), visible_users(filters, scope))


def top_users(filters: Filters, scope: Scope) -> pd.DataFrame:
    """The 5 users with the most visits: ``id_utilisateur, delegue, visites``."""
    return name_users(users(), performance.per_user(filters, scope)).head(TOP)


def bottom_reps(filters: Filters, scope: Scope) -> pd.DataFrame:
    """The 5 active reps with the fewest visits, reps without any visit included."""
    return reps(filters, scope).head(TOP)


def days(filters: Filters, scope: Scope, granularity: str = "jour") -> pd.DataFrame:
    """Visits per day, week or month over a continuous calendar (0 when none): ``periode, visites``."""
    return visits.calendar(filters, scope, granularity)[["periode", "visites"]]


def working_days(filters: Filters, scope: Scope) -> int:
    """Monday-to-Friday days of the period: the filters' dates, else the first and last days with visits."""
    seen = visits.timeline(filters, scope)["jour"]
    first = filters.start_date or (seen.min().date() if not seen.empty else None)
    last = filters.end_date or (seen.max().date() if not seen.empty else None)
    if first is None or last is None or first > last:
        return 0
    return int(np.busday_count(first, last + dt.timedelta(days=1)))


def kpis(filters: Filters, scope: Scope) -> dict[str, Any]:
    """Headline numbers: visits, working days, active reps, visits per working day (and per rep), A+/A visits.

    A working day is a Monday to Friday of the period's calendar; an active rep has at least one visit.
    """
    totals = performance.totals(filters, scope)
    team = reps(filters, scope)
    open_days = working_days(filters, scope)
    active = int((team["visites"] > 0).sum())
    per_rep = int(team["visites"].sum()) / active if active else None
    return {
        "visites": totals["visites"],
        "jours_ouvres": open_days,
        "visites_par_jour_ouvre": round(totals["visites"] / open_days, 2) if open_days else None,
        "delegues": len(team),
        "delegues_actifs": active,
        "delegues_sans_visite": len(team) - active,
        "visites_par_delegue_actif": None if per_rep is None else round(per_rep, 1),
        "visites_par_delegue_par_jour_ouvre": round(per_rep / open_days, 2) if per_rep and open_days else None,
        "visites_potentiel_fort": totals["visites_potentiel_fort"],
    }


def _legacy_items(table: pd.DataFrame, key: str, label: str = "code") -> list[dict[str, Any]]:
    """``[{key: table[label], "nombre_visites": table.visites}, ...]``, JSON-ready."""
    return [{key: name, "nombre_visites": int(n)} for name, n in zip(table[label], table["visites"], strict=True)]


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /performance`` body: 7 lists, in the legacy key order, every count in distinct visits."""
    out = {LEGACY_KEYS[d]: _legacy_items(category_table(filters, scope, d), key) for d, key in LEGACY_CODE_KEYS.items()}
    out[LEGACY_KEYS["region"]] = _legacy_items(regions(filters, scope)[0], "region", "libelle")
    out[LEGACY_KEYS["top"]] = _legacy_items(top_users(filters, scope), "delegue", "delegue")
    out[LEGACY_KEYS["bottom"]] = _legacy_items(bottom_reps(filters, scope), "delegue", "delegue")
    per_day = days(filters, scope)
    per_day = per_day.assign(jour=per_day["periode"].dt.strftime("%Y-%m-%d"))
    out[LEGACY_KEYS["jour"]] = _legacy_items(per_day, "date_visite", "jour")
    return out


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: the legacy lists with codes, labels and user ids added, plus the headline numbers."""
    out: dict[str, Any] = {"filtres": filters.to_dict(), "indicateurs": kpis(filters, scope)}
    for dimension, key in LEGACY_CODE_KEYS.items():
        table = category_table(filters, scope, dimension)
        out[LEGACY_KEYS[dimension]] = [
            {key: code, "libelle": label, "nombre_visites": int(n)}
            for code, label, n in zip(table["code"], table["libelle"], table["visites"], strict=True)
        ]
    parents = regions(filters, scope)[0]
    out[LEGACY_KEYS["region"]] = [
        {"code_region_partenaire": code, "region": label, "nombre_visites": int(n)}
        for code, label, n in zip(parents["code"], parents["libelle"], parents["visites"], strict=True)
    ]
    for name, table in (("top", top_users(filters, scope)), ("bottom", bottom_reps(filters, scope))):
        out[LEGACY_KEYS[name]] = shapes.frame_records(table.rename(columns={"visites": "nombre_visites"}))
    per_day = days(filters, scope).rename(columns={"periode": "date_visite", "visites": "nombre_visites"})
    out[LEGACY_KEYS["jour"]] = shapes.frame_records(per_day)
    return out
