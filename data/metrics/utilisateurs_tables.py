"""The Utilisateurs area's time and hierarchy tables: active users and visits per month (every month of the period,
empty ones included) and per manager at visit time (rows for the API, DataFrames for the page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data.metrics import options, performance, utilisateurs
from data.metrics.filters import Filters
from data.metrics.scope import Scope, team_ids, users

NO_MANAGER = "Sans responsable"


Row = dict[str, Any]


def _frame(rows: list[Row], columns: list[str]) -> pd.DataFrame:
    """Rows as a DataFrame, counts as int64."""
    frame = pd.DataFrame(rows, columns=columns)
    counts = [column for column in ("utilisateurs", "visites") if column in columns]
    return frame.astype({column: "int64" for column in counts})


def month_rows(filters: Filters, scope: Scope) -> list[Row]:
    """``periode`` (first day), ``mois`` ("YYYY-MM"), ``utilisateurs``, ``visites``: every month of the slice.

    The calendar runs from the filters' first day (dates, year, month), else the first month with visits, to
    their last day, else the last month with visits; with ``mois`` alone, only that month of each year.
    """
    data = {(year, month): (users_, visits) for year, month, users_, visits in utilisateurs.month_rows(filters, scope)}
    first, last = _bounds(filters)
    start = (first.year, first.month) if first else min(data, default=None)
    stop = (last.year, last.month) if last else max(data, default=None)
    months: list[tuple[int, int]] = []
    if start is not None and stop is not None:
        year, month = start
        while (year, month) <= stop:
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if filters.mois is not None:
        months = [(year, month) for year, month in months if month == filters.mois]
    return [
        {
            "periode": dt.date(year, month, 1),
            "mois": f"{year:04d}-{month:02d}",
            "utilisateurs": data.get((year, month), (0, 0))[0],
            "visites": data.get((year, month), (0, 0))[1],
        }
        for year, month in months
    ]


def month_table(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``month_rows`` as a DataFrame (``periode`` as datetime64)."""
    frame = _frame(month_rows(filters, scope), ["periode", "mois", "utilisateurs", "visites"])
    frame["periode"] = pd.to_datetime(frame["periode"])
    return frame


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


MANAGER_COLUMNS = ["id_responsable", "responsable", "visites", "pourcentage", "utilisateurs"]


def manager_rows(filters: Filters, scope: Scope) -> list[Row]:
    """``MANAGER_COLUMNS`` per manager at visit time (id order). ``pourcentage`` is the share of the slice's
    distinct visits (each visit has one manager), 1 decimal."""
    rows = sorted(utilisateurs.manager_rows(filters, scope))
    people = users()
    names = dict(zip(people["id_utilisateur"], people["nom"], strict=True))
    total = sum(visits for _, _, visits in rows)
    return [
        dict(
            zip(
                MANAGER_COLUMNS,
                (manager, _manager_name(manager, names), visits, round(100 * visits / total, 1), users_),
                strict=True,
            )
        )
        for manager, users_, visits in rows
    ]


def manager_table(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``manager_rows`` as a DataFrame."""
    return _frame(manager_rows(filters, scope), MANAGER_COLUMNS).astype({"id_responsable": "int64"})


TEAM_COLUMNS = ["id_responsable", "responsable", "visites", "pourcentage", "utilisateurs"]


def team_rows(filters: Filters, scope: Scope) -> list[Row]:
    """``TEAM_COLUMNS`` per manager of the *current* hierarchy whose team visited in the slice: the team is the
    sidebar's ``id_responsable`` filter's (the manager and everyone below, recursively), so that a manager's bar
    is the number that choosing them in the sidebar gives. Teams nest (a director's holds their supervisors'):
    ``pourcentage`` is each team's share of the slice's visits (1 decimal), and the shares do not add up to 100.
    Most visits first, then name; the visits are those of ``performance.per_user_rows`` (one rep per visit, so
    a team's visits are the sum of its members')."""
    per_user = dict(performance.per_user_rows(filters, scope))
    total = sum(per_user.values())
    rows: list[Row] = []
    for manager, name in zip(*_managers(scope), strict=True):
        members = [uid for uid in team_ids(manager) if uid in per_user]
        if not members:
            continue
        visits = sum(per_user[uid] for uid in members)
        share = round(100 * visits / total, 1) if total else 0.0
        rows.append(dict(zip(TEAM_COLUMNS, (manager, name, visits, share, len(members)), strict=True)))
    rows.sort(key=lambda row: (-row["visites"], row["responsable"], row["id_responsable"]))
    return rows


def _managers(scope: Scope) -> tuple[list[int], list[str]]:
    """Ids and names of the users with someone below them (current hierarchy) that the scope shows."""
    frame = options.managers(scope)
    return [int(uid) for uid in frame["id_utilisateur"]], [str(name) for name in frame["nom"]]


def team_table(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``team_rows`` as a DataFrame."""
    return _frame(team_rows(filters, scope), TEAM_COLUMNS).astype({"id_responsable": "int64"})


def direct_managers(filters: Filters, scope: Scope) -> int:
    """How many distinct current direct managers (``tab_utilisateur.id_responsable``) the slice's active users
    have: the "Managers" KPI, in the current hierarchy as the team filter."""
    return managers_of({uid for uid, _ in performance.per_user_rows(filters, scope)})


def managers_of(active: set[int]) -> int:
    """How many distinct current direct managers the users ``active`` have (``direct_managers``)."""
    frame = users()
    bosses = frame.loc[frame["id_utilisateur"].isin(active), "id_responsable"].dropna()
    return len(set(bosses.astype(int)))


def _manager_name(manager_id: int, names: dict[Any, str]) -> str:
    """A manager's name; visits without a manager, or with one missing from ``tab_utilisateur``, say so."""
    if manager_id == 0:
        return NO_MANAGER
    return str(names.get(manager_id) or f"Utilisateur {manager_id}")
