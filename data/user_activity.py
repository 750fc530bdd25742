"""Utilisateurs aggregates (the legacy ``/users``): active users per month, per dimension and per manager.

An *active user* is a distinct ``tab_visite.id_utilisateur`` with at least one non-deleted visit in the slice;
``visites`` count distinct visits. Every function takes the normalised ``Filters`` and the caller's ``Scope``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from data import db
from data.cache import memoized
from data.facts import PV, V, contacts_from, distinct_visits, visit_conditions
from data.filters import Filters
from data.schema import partenaire, utilisateur
from data.scope import Scope, visible_users

LEVEL_COLUMNS = ["dimension", "code_parent", "code", "utilisateurs", "visites"]
MONTH_COLUMNS = ["annee", "mois", "utilisateurs", "visites"]
MANAGER_COLUMNS = ["id_responsable", "utilisateurs", "visites"]
COUNTS = ["utilisateurs", "visites"]


def active_users() -> sa.ColumnElement[int]:
    """Number of active users: distinct visiting users."""
    return sa.func.count(sa.distinct(V.c.id_utilisateur)).label("utilisateurs")


def _no_code() -> sa.ColumnElement[str]:
    """A NULL code column (a union's unused level)."""
    return sa.cast(sa.null(), sa.String(12))


def _level(
    filters: Filters,
    users: tuple[int, ...] | None,
    dimension: str,
    source: sa.FromClause,
    parent: Any = None,
    child: Any = None,
) -> sa.Select:
    """Active users and visits of one dimension: per ``parent`` (``code`` NULL) or per (``parent``, ``child``).

    With neither, the totals of the slice (one row, zeros on an empty slice).
    """
    keys = [key for key in (parent, child) if key is not None]
    stmt = (
        sa.select(
            sa.literal(dimension, sa.String(10)).label("dimension"),
            (_no_code() if parent is None else parent).label("code_parent"),
            (_no_code() if child is None else child).label("code"),
            active_users(),
            distinct_visits(),
        )
        .select_from(source)
        .where(*visit_conditions(filters, users), *[key.is_not(None) for key in keys])
    )
    return stmt.group_by(*keys) if keys else stmt


def levels_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.CompoundSelect:
    """``LEVEL_COLUMNS`` for the totals, région (→ ville), gamme (→ spécialité), partner status and user role.

    Région, ville, gamme and spécialité are the partner's snapshot on the visit (``tab_partenaire_visite``); the
    partner status is the current ``tab_partenaire`` one and the role the current ``tab_utilisateur`` one.
    """
    p = partenaire.alias("p")
    u = utilisateur.alias("u")
    base = contacts_from()
    with_partner = base.outerjoin(p, p.c.id_partenaire == PV.c.id_partenaire)
    with_user = base.outerjoin(u, u.c.id_utilisateur == V.c.id_utilisateur)
    region, ville = PV.c.code_region_partenaire, PV.c.code_ville_partenaire
    gamme, specialite = PV.c.code_gamme_partenaire, PV.c.code_specialite_partenaire
    return sa.union_all(
        _level(filters, users, "total", base),
        _level(filters, users, "region", base, region),
        _level(filters, users, "region", base, region, ville),
        _level(filters, users, "gamme", base, gamme),
        _level(filters, users, "gamme", base, gamme, specialite),
        _level(filters, users, "statut", with_partner, p.c.code_statut_partenaire),
        _level(filters, users, "role", with_user, u.c.role),
    )


def months_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.Select:
    """Active users and visits per calendar month (year and month of ``date_visite``)."""
    year = sa.extract("year", V.c.date_visite)
    month = sa.extract("month", V.c.date_visite)
    return (
        sa.select(year.label("annee"), month.label("mois"), active_users(), distinct_visits())
        .select_from(contacts_from())
        .where(*visit_conditions(filters, users))
        .group_by(year, month)
        .order_by(year, month)
    )


def managers_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.Select:
    """Active users and visits per manager at visit time (``tab_visite.id_responsable``, NULL kept)."""
    return (
        sa.select(V.c.id_responsable, active_users(), distinct_visits())
        .select_from(contacts_from())
        .where(*visit_conditions(filters, users))
        .group_by(V.c.id_responsable)
        .order_by(V.c.id_responsable)
    )


def _frame(stmt: sa.Executable, columns: list[str]) -> pd.DataFrame:
    """Run a statement; its rows as a DataFrame with integer counts."""
    frame = pd.DataFrame(db.read(stmt), columns=columns)
    frame[COUNTS] = frame[COUNTS].fillna(0).astype("int64")
    return frame


@memoized
def levels(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``dimension`` (total, region, gamme, statut, role), ``code_parent``, ``code``, ``utilisateurs``, ``visites``.

    ``code`` is NULL except on ville (under region) and spécialité (under gamme) rows.
    """
    return _frame(levels_stmt(filters, visible_users(filters, scope)), LEVEL_COLUMNS)


@memoized
def months(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``annee``, ``mois`` (1–12), ``utilisateurs``, ``visites`` per month with at least one visit."""
    frame = _frame(months_stmt(filters, visible_users(filters, scope)), MONTH_COLUMNS)
    frame[["annee", "mois"]] = frame[["annee", "mois"]].astype("int64")
    return frame


@memoized
def managers(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``id_responsable`` (0 when the visit has none), ``utilisateurs``, ``visites`` per manager at visit time."""
    frame = _frame(managers_stmt(filters, visible_users(filters, scope)), MANAGER_COLUMNS)
    frame["id_responsable"] = frame["id_responsable"].fillna(0).astype("int64")
    return frame
