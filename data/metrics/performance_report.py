"""The Performance area as tables: what the page charts and what the API (v1 and legacy ``/performance``) returns.

Every count is a number of distinct visits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from data import side_by_side
from data.cache import reference
from data.metrics import performance, periods, visites, visites_report
from data.metrics.filters import VISIT_FIELDS, VISIT_V1_FIELDS, Filters
from data.metrics.scope import ACTIVE, REP_ROLES, Scope, users, visible_users

#: The filters this area accepts (API): the sidebar's.
FIELDS = VISIT_FIELDS
#: The v1 route's: the sidebar's and the cross-filters a click on a chart sets.
V1_FIELDS = VISIT_V1_FIELDS
#: Every known code of each partner dimension, in display order, with its French label.
CATEGORIES: dict[str, dict[str, str]] = {
    "type": {"MEDE": "Médecins", "PHAR": "Pharmacies"},
    "statut": {"CREE": "Créés (en attente)", "VALI": "Validés", "REJE": "Rejetés", "MIGR": "Migrés"},
    "potentiel": {code: code for code in ("A+", "A", "B", "C", "D")},
}
#: Legacy key of each dimension's code.
LEGACY_CODE_KEYS = {"type": "code_type_partenaire", "statut": "code_statut_partenaire", "potentiel": "code_potentiel"}
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


Rep = tuple[int, str, int]  # id_utilisateur, delegue, visites


def category_rows(filters: Filters, scope: Scope, dimension: str) -> list[tuple[str, str, int]]:
    """Every code of a partner dimension (zeros included, known codes first): ``(code, libelle, visites)``."""
    counts = {code: n for name, code, n in performance.breakdown_rows(filters, scope) if name == dimension}
    known = CATEGORIES[dimension]
    extra = sorted(set(counts) - set(known))
    return [(code, known.get(code, code), counts.get(code, 0)) for code in [*known, *extra]]


def category_table(filters: Filters, scope: Scope, dimension: str) -> pd.DataFrame:
    """``category_rows`` as a DataFrame: ``code, libelle, visites``."""
    return pd.DataFrame(category_rows(filters, scope, dimension), columns=["code", "libelle", "visites"])


def regions(filters: Filters, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every région, every ville with its région): ``code, libelle, visites`` (the Visites page's numbers)."""
    parents, children = visites_report.regions(filters, scope, "visites")
    return parents.rename(columns={"n": "visites"}), children.rename(columns={"n": "visites"})


def _people(people: Any) -> list[tuple[Any, ...]]:
    """``(id_utilisateur, nom, role, statut)`` rows of a ``users()`` DataFrame."""
    columns = ("id_utilisateur", "nom", "role", "statut")
    return list(zip(*(people[column] for column in columns), strict=True))


@reference
def people_rows() -> tuple[tuple[Any, ...], ...]:
    """``_people`` of every CRM user, kept for the data version (an Équipe answer read them five times: 1 ms a
    pass over the DataFrame)."""
    return tuple(_people(users()))


def ranked_reps(
    people: Sequence[tuple[Any, ...]], counts: dict[int, int], allowed: tuple[int, ...] | None
) -> list[Rep]:
    """Active reps (DEL, KAM) among ``allowed`` with their visits, 0 included, fewest first, ties by name."""
    reps = [
        (int(uid), nom, counts.get(int(uid), 0))
        for uid, nom, role, statut in people
        if role in REP_ROLES and statut == ACTIVE and (allowed is None or uid in allowed)
    ]
    return sorted(reps, key=lambda rep: (rep[2], *_name_key(rep[1]), rep[0]))


def named_users(people: Sequence[tuple[Any, ...]], counts: list[tuple[int, int]]) -> list[Rep]:
    """Users with visits, most first, ties by name: ``(id_utilisateur, delegue, visites)``."""
    names = {int(uid): nom for uid, nom, _, _ in people}
    rows = [(uid, names.get(uid, f"Utilisateur {uid}"), n) for uid, n in counts]
    return sorted(rows, key=lambda row: (-row[2], *_name_key(row[1]), row[0]))


def _name_key(name: Any) -> tuple[bool, str]:
    """Sort key of a name, a missing one last (as pandas sorts them)."""
    return (not isinstance(name, str), name if isinstance(name, str) else "")


REP_COLUMNS = ["id_utilisateur", "delegue", "visites"]


def rank_reps(people: pd.DataFrame, counts: pd.DataFrame, allowed: tuple[int, ...] | None) -> pd.DataFrame:
    """``ranked_reps`` of DataFrames: ``people`` (``users()``), ``counts`` (``id_utilisateur, visites``)."""
    visits_of = dict(zip(counts["id_utilisateur"].astype(int), counts["visites"].astype(int), strict=True))
    return _reps_frame(ranked_reps(_people(people), visits_of, allowed))


def name_users(people: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """``named_users`` of DataFrames: ``id_utilisateur, delegue, visites``."""
    pairs = list(zip(counts["id_utilisateur"].astype(int), counts["visites"].astype(int), strict=True))
    return _reps_frame(named_users(_people(people), pairs))


def _reps_frame(rows: list[Rep]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=REP_COLUMNS).astype({"id_utilisateur": "int64", "visites": "int64"})


def rep_rows(filters: Filters, scope: Scope) -> list[Rep]:
    """Every enabled rep the caller and the filters allow, with their visits (0 included), fewest first."""
    counts = dict(performance.per_user_rows(filters, scope))
    return ranked_reps(people_rows(), counts, visible_users(filters, scope))


def top_rows(filters: Filters, scope: Scope) -> list[Rep]:
    """The 5 users with the most visits."""
    return named_users(people_rows(), performance.per_user_rows(filters, scope))[:TOP]


def reps(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``rep_rows`` as a DataFrame."""
    return _reps_frame(rep_rows(filters, scope))


def top_users(filters: Filters, scope: Scope) -> pd.DataFrame:
    """The 5 users with the most visits: ``id_utilisateur, delegue, visites``."""
    return _reps_frame(top_rows(filters, scope))


def bottom_reps(filters: Filters, scope: Scope, *, working_there: bool = False) -> pd.DataFrame:
    """The 5 enabled reps with the fewest visits, reps without any visit included; ``working_there``: only
    those with a visit in the slice (under a région or gamme filter, the page's chart: a rep without a visit
    there works elsewhere, and is not "behind")."""
    reps = rep_rows(filters, scope)
    return _reps_frame([rep for rep in reps if rep[2] > 0 or not working_there][:TOP])


def days(filters: Filters, scope: Scope, granularity: str = "jour") -> pd.DataFrame:
    """Visits per day, week or month over a continuous calendar (0 when none): ``periode, visites``."""
    return visites.calendar(filters, scope, granularity)[["periode", "visites"]]


def working_days(filters: Filters, scope: Scope) -> int:
    """Monday-to-Friday days of the period: the filters' dates, else the first and last days with visits."""
    first, last = filters.start_date, filters.end_date
    if first is None or last is None:  # the days with visits bound it (not needed for dates: one statement less)
        seen = visites.timeline_rows(filters, scope)
        first = first or (seen[0][0] if seen else None)
        last = last or (seen[-1][0] if seen else None)
    if first is None or last is None or first > last:
        return 0
    return int(np.busday_count(first, last + dt.timedelta(days=1)))


def team_reps(filters: Filters, scope: Scope, counts: dict[int, int] | None = None) -> list[tuple[int, bool, int]]:
    """The reps (DEL, KAM) of the selection: ``(id_utilisateur, disabled, visites)`` for every enabled rep (0
    visits included) and every disabled rep who made visits in the slice (they count, marked); ``counts``: the
    visits per user if the caller has them already."""
    if counts is None:
        counts = dict(performance.per_user_rows(filters, scope))
    return _team(counts, visible_users(filters, scope))


def _team(counts: dict[int, int], allowed: tuple[int, ...] | None) -> list[tuple[int, bool, int]]:
    """``team_reps`` of the visits per user ``counts`` and the users the filters allow."""
    reps = []
    for uid, _nom, role, statut in people_rows():
        visits = counts.get(int(uid), 0)
        if role in REP_ROLES and (allowed is None or uid in allowed) and (statut == ACTIVE or visits > 0):
            reps.append((int(uid), statut != ACTIVE, visits))
    return reps


def disabled_active_reps(filters: Filters, scope: Scope) -> int:
    """Disabled reps who made visits in the slice (counted among the active reps, shown apart)."""
    return sum(1 for _, disabled, visits in team_reps(filters, scope) if disabled and visits > 0)


def kpis(filters: Filters, scope: Scope) -> dict[str, Any]:
    """Headline numbers: visits, working days, active reps, visits per working day (and per rep), A+/A visits.

    A working day is a Monday to Friday of the period's calendar. An active rep (the one definition, the
    Utilisateurs page's DEL + KAM) is a rep with at least one visit in the slice, disabled or not; the reps of
    the selection are the enabled ones, plus the disabled ones who made visits.
    """
    return _kpis(performance.totals(filters, scope), team_reps(filters, scope), working_days(filters, scope))


def kpis_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpis`` over each span of days instead of the filters' period (the comparisons), from one statement."""
    allowed = visible_users(filters, scope)
    out = []
    for span, rows in zip(spans, performance.user_rows_over(filters, scope, spans), strict=True):
        totals = {"visites": sum(row[2] for row in rows), "visites_potentiel_fort": sum(row[3] for row in rows)}
        team = _team({uid: visits for uid, _, visits, _ in rows}, allowed)
        out.append(_kpis(totals, team, working_days(periods.over(filters, span), scope)))
    return out


def _kpis(totals: dict[str, int], team: list[tuple[int, bool, int]], open_days: int) -> dict[str, Any]:
    """``kpis`` of the slice's totals, its reps (``team_reps``) and its working days."""
    active = sum(1 for _, _, n in team if n > 0)
    per_rep = sum(n for _, _, n in team) / active if active else None
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


def legacy_payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The legacy ``POST /performance`` body: 7 lists, in the legacy key order, every count in distinct visits."""
    out: dict[str, Any] = {
        LEGACY_KEYS[d]: [{key: code, "nombre_visites": n} for code, _, n in category_rows(filters, scope, d)]
        for d, key in LEGACY_CODE_KEYS.items()
    }
    parents, _ = visites_report.region_levels(filters, scope, "visites")
    out[LEGACY_KEYS["region"]] = [{"region": label, "nombre_visites": n} for _, label, n in parents]
    out[LEGACY_KEYS["top"]] = [{"delegue": name, "nombre_visites": n} for _, name, n in top_rows(filters, scope)]
    bottom = rep_rows(filters, scope)[:TOP]
    out[LEGACY_KEYS["bottom"]] = [{"delegue": name, "nombre_visites": n} for _, name, n in bottom]
    per_day = visites.calendar_rows(filters, scope)
    out[LEGACY_KEYS["jour"]] = [{"date_visite": day.isoformat(), "nombre_visites": n} for day, _, n in per_day]
    return out


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: the legacy lists with codes, labels and user ids added, plus the headline numbers."""
    side_by_side.compute(
        (performance.breakdown_rows, (filters, scope)),
        (performance.totals, (filters, scope)),
        (performance.per_user_rows, (filters, scope)),
        (visites.region_rows, (filters, scope)),
        (visites.calendar_rows, (filters, scope)),
        *periods.over_earlier(performance.user_rows_over, filters, scope),
    )
    out: dict[str, Any] = {"filtres": filters.to_dict(), "indicateurs": kpis(filters, scope)}
    out.update(periods.compared_over(lambda spans: kpis_over(filters, scope, spans), filters))
    for dimension, key in LEGACY_CODE_KEYS.items():
        out[LEGACY_KEYS[dimension]] = [
            {key: code, "libelle": label, "nombre_visites": n}
            for code, label, n in category_rows(filters, scope, dimension)
        ]
    parents, _ = visites_report.region_levels(filters, scope, "visites")
    out[LEGACY_KEYS["region"]] = [
        {"code_region_partenaire": code, "region": label, "nombre_visites": n} for code, label, n in parents
    ]
    for name, rows in (("top", top_rows(filters, scope)), ("bottom", rep_rows(filters, scope)[:TOP])):
        out[LEGACY_KEYS[name]] = [
            {"id_utilisateur": uid, "delegue": delegue, "nombre_visites": n} for uid, delegue, n in rows
        ]
    per_day = visites.calendar_rows(filters, scope)
    out[LEGACY_KEYS["jour"]] = [{"date_visite": day.isoformat(), "nombre_visites": n} for day, _, n in per_day]
    return out
