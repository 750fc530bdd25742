"""Utilisateurs aggregates (the legacy ``/users``): active users per month, per dimension and per manager.

An *active user* is a distinct ``tab_visite.id_utilisateur`` with at least one non-deleted visit in the slice;
``visites`` count distinct visits. Every function takes the normalised ``Filters`` and the caller's ``Scope``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data.cache import memoized
from data.metrics import facts
from data.metrics.filters import Filters
from data.metrics.scope import Scope, visible_users
from data.source import db

LEVEL_COLUMNS = ["dimension", "code_parent", "code", "utilisateurs", "visites"]
MONTH_COLUMNS = ["annee", "mois", "utilisateurs", "visites"]
MANAGER_COLUMNS = ["id_responsable", "utilisateurs", "visites"]
COUNTS = ["utilisateurs", "visites"]


def active_users(f: sa.FromClause) -> sa.ColumnElement[int]:
    """Number of active users: distinct visiting users."""
    return sa.func.count(sa.distinct(f.c.id_utilisateur)).label("utilisateurs")


def per_user(
    f: sa.FromClause, filters: Filters, keys: Sequence[sa.ColumnElement[Any]], flags: Sequence[str], name: str = "g"
) -> sa.FromClause:
    """``f`` summed per visiting user and ``keys`` first, as CTE ``name`` with the ``keys``' names and each of
    ``flags`` summed, when visits are sums of flags (``facts.visits``): a group's active users are then counted
    over one row per user instead of every contact (the distinct count over every contact is the dear part);
    else ``f`` itself (straight from the CRM, or under a gamme or région filter: visits counted distinct)."""
    if "p_visite" not in f.c or filters.contact_level():
        return f
    sums = [sa.func.sum(f.c[flag]).label(flag) for flag in flags]
    return sa.select(f.c.id_utilisateur, *keys, *sums).group_by(f.c.id_utilisateur, *keys).cte(name)


def _no_code() -> sa.ColumnElement[str]:
    """A NULL code column (a union's unused level)."""
    return sa.cast(sa.null(), sa.String(12))


#: Dimension -> (parent column, child column, flag): the levels of ``levels_stmt``, over the contact fact.
LEVELS: list[tuple[str, str | None, str | None, str]] = [
    ("total", None, None, "p_visite"),
    ("region", "code_region_partenaire", None, "p_region"),
    ("region", "code_region_partenaire", "code_ville_partenaire", "p_ville"),
    ("gamme", "code_gamme_partenaire", None, "p_gamme"),
    ("gamme", "code_gamme_partenaire", "code_specialite_partenaire", "p_specialite"),
    ("statut", "statut_partenaire", None, "p_statut"),
    ("role", "role", None, "p_visite"),  # the rep's: one per visit
]


def levels_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.CompoundSelect:
    """``LEVEL_COLUMNS`` for the totals, région (→ ville), gamme (→ spécialité), partner status and user role.

    Région, ville, gamme and spécialité are the partner's snapshot on the visit (``tab_partenaire_visite``); the
    partner status is the current ``tab_partenaire`` one and the role the current ``tab_utilisateur`` one.
    With no key, the totals of the slice (one row, zeros on an empty slice).
    """
    rows = facts.rows(filters, users, materialised)
    summed: dict[str, sa.FromClause] = {}  # dimension -> the slice summed per user and its keys (``per_user``)
    for dimension in dict.fromkeys(level[0] for level in LEVELS):
        mine = [level for level in LEVELS if level[0] == dimension]
        columns = dict.fromkeys(key for _, parent, child, _ in mine for key in (parent, child) if key)
        flags = list(dict.fromkeys(flag for *_, flag in mine))
        summed[dimension] = per_user(rows, filters, [rows.c[key] for key in columns], flags, f"g_{dimension}")
    branches = []
    for dimension, parent, child, flag in LEVELS:
        f = summed[dimension]
        keys = [f.c[key] for key in (parent, child) if key is not None]
        stmt = sa.select(
            sa.literal(dimension, sa.String(10)).label("dimension"),
            (_no_code() if parent is None else f.c[parent]).label("code_parent"),
            (_no_code() if child is None else f.c[child]).label("code"),
            active_users(f),
            facts.visits(f, filters, flag).label("visites"),
        ).where(*[key.is_not(None) for key in keys])
        branches.append(stmt.group_by(*keys) if keys else stmt)
    return sa.union_all(*branches)


def months_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Select:
    """Active users and visits per calendar month (year and month of ``date_visite``)."""
    if facts.by_day(filters, materialised):  # the sums per rep and day: a user per day they visited
        d = facts.days(filters, users)
        year_of, month_of = sa.extract("year", d.c.date_visite), sa.extract("month", d.c.date_visite)
        return (
            sa.select(year_of.label("annee"), month_of.label("mois"), active_users(d), sa.func.sum(d.c.visites))
            .group_by(year_of, month_of)
            .order_by(year_of, month_of)
        )
    rows = facts.rows(filters, users, materialised)
    year: sa.ColumnElement[Any] = sa.extract("year", rows.c.date_visite)
    month: sa.ColumnElement[Any] = sa.extract("month", rows.c.date_visite)
    f = per_user(rows, filters, [year.label("annee"), month.label("mois")], ["p_visite"])
    if f is not rows:
        year, month = f.c.annee, f.c.mois
    return (
        sa.select(year.label("annee"), month.label("mois"), active_users(f), facts.visits(f, filters).label("visites"))
        .group_by(year, month)
        .order_by(year, month)
    )


def managers_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Select:
    """Active users and visits per manager at visit time (``tab_visite.id_responsable``, NULL kept)."""
    rows = facts.rows(filters, users, materialised)
    f = per_user(rows, filters, [rows.c.id_responsable], ["p_visite"])
    return (
        sa.select(f.c.id_responsable, active_users(f), facts.visits(f, filters).label("visites"))
        .group_by(f.c.id_responsable)
        .order_by(f.c.id_responsable)
    )


def _counts(stmt: sa.Executable, keys: int) -> list[tuple[Any, ...]]:
    """Run a statement: its rows with the ``keys`` first columns as they are and the counts after as ints."""
    return [(*row[:keys], *(int(value or 0) for value in row[keys:])) for row in db.read(stmt)]


@memoized
def level_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``(dimension, code_parent, code, utilisateurs, visites)``, dimension total, region, gamme, statut or role;
    ``code`` is None except on ville (under region) and spécialité (under gamme) rows."""
    return _counts(levels_stmt(filters, visible_users(filters, scope), facts.materialised()), 3)


@memoized
def month_rows(filters: Filters, scope: Scope) -> list[tuple[int, int, int, int]]:
    """``(annee, mois, utilisateurs, visites)`` per month with at least one visit, in order."""
    rows = _counts(months_stmt(filters, visible_users(filters, scope), facts.materialised()), 2)
    return [(int(year), int(month), users, visits) for year, month, users, visits in rows]


@memoized
def manager_rows(filters: Filters, scope: Scope) -> list[tuple[int, int, int]]:
    """``(id_responsable, utilisateurs, visites)`` per manager at visit time (0 when the visit has none)."""
    rows = _counts(managers_stmt(filters, visible_users(filters, scope), facts.materialised()), 1)
    return [(int(manager or 0), users, visits) for manager, users, visits in rows]


def levels(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``level_rows`` as a DataFrame (``LEVEL_COLUMNS``)."""
    return pd.DataFrame(level_rows(filters, scope), columns=LEVEL_COLUMNS).astype({c: "int64" for c in COUNTS})


def months(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``month_rows`` as a DataFrame (``MONTH_COLUMNS``)."""
    return pd.DataFrame(month_rows(filters, scope), columns=MONTH_COLUMNS).astype("int64")


def managers(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``manager_rows`` as a DataFrame (``MANAGER_COLUMNS``)."""
    return pd.DataFrame(manager_rows(filters, scope), columns=MANAGER_COLUMNS).astype("int64")
