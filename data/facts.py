"""The visit fact (visit × partner contacts) and the one helper that applies the shared filters to it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from data.filters import Filters
from data.schema import partenaire_visite, visite

V = visite.alias("v")
PV = partenaire_visite.alias("pv")
DELETED = "SUPP"


class day(FunctionElement[dt.date]):  # noqa: N801 (SQL function style)
    """The calendar day of a DATETIME, portable across SQLite, MySQL and DuckDB."""

    type = sa.Date()
    name = "day"
    inherit_cache = True


@compiles(day)
def _day_default(element: day, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day, "sqlite")
@compiles(day, "mysql")
@compiles(day, "mariadb")
def _day_date(element: day, compiler: Any, **kw: Any) -> str:
    return f"DATE({compiler.process(element.clauses, **kw)})"


def contacts_from() -> sa.Join:
    """``tab_visite`` left-joined to its partners: one row per (visit, partner) contact."""
    return V.outerjoin(PV, PV.c.id_visite == V.c.id_visite)


def visit_conditions(
    filters: Filters, users: tuple[int, ...] | None, date_col: Any = None
) -> list[sa.ColumnElement[bool]]:
    """WHERE conditions of the shared filters on the visit fact (deleted visits always excluded)."""
    conditions: list[sa.ColumnElement[bool]] = [V.c.code_statut_visite != DELETED]
    if users is not None:
        conditions.append(V.c.id_utilisateur.in_(users))
    conditions += period_conditions(filters, V.c.date_visite if date_col is None else date_col)
    if filters.gamme:
        conditions.append(PV.c.code_gamme_partenaire.in_(filters.gamme))
    if filters.region:
        conditions.append(PV.c.code_region_partenaire.in_(filters.region))
    return conditions


def period_conditions(filters: Filters, column: Any) -> list[sa.ColumnElement[bool]]:
    """Year, month and inclusive day-range conditions on a DATETIME column, as index-friendly ranges."""
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.annee is not None and filters.mois is not None:
        first = dt.date(filters.annee, filters.mois, 1)
        conditions += _between(column, first, _next_month(first))
    elif filters.annee is not None:
        conditions += _between(column, dt.date(filters.annee, 1, 1), dt.date(filters.annee + 1, 1, 1))
    elif filters.mois is not None:
        conditions.append(sa.extract("month", column) == filters.mois)
    start = filters.start_date
    end = filters.end_date + dt.timedelta(days=1) if filters.end_date else None
    conditions += _between(column, start, end)
    return conditions


def _between(column: Any, start: dt.date | None, stop: dt.date | None) -> list[sa.ColumnElement[bool]]:
    """``start <= column < stop`` with either bound optional."""
    out: list[sa.ColumnElement[bool]] = []
    if start is not None:
        out.append(column >= dt.datetime.combine(start, dt.time()))
    if stop is not None:
        out.append(column < dt.datetime.combine(stop, dt.time()))
    return out


def _next_month(first: dt.date) -> dt.date:
    """The first day of the month after ``first``."""
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def contacts() -> sa.ColumnElement[int]:
    """Number of contacts: (visit, partner) rows."""
    return sa.func.count().label("contacts")


def distinct_visits() -> sa.ColumnElement[int]:
    """Number of distinct visits."""
    return sa.func.count(sa.distinct(V.c.id_visite)).label("visites")
