"""The contact fact: one row per non-deleted visit × partner, with every column the metrics filter or group on.

A visit without partner keeps one row (the left join). Columns: the visit's own (date, rep, manager at the
time, type, status, form, accompaniment), the rep's current role, the partner snapshot on the visit (type, région,
ville, gamme, spécialité), the partner's current attributes (status, trimmed potential, establishment kind).

Every aggregate is written once, over ``rows(filters, users, materialised)``, the fact's slice for the shared
filters, in one of two forms with the same columns:

* materialised: the replica's table ``fait_contact`` (``data.source.fact``), sorted by visit date, with
  *first-occurrence flags*: ``p_<key>`` is 1 on exactly one contact of each (visit, key) group, so that the
  distinct visits of a group are ``SUM(p_<key>)`` (``visits()``), not a ``COUNT(DISTINCT)`` after joins;
* otherwise (straight from the CRM, or a replica version without the table), ``data.source.fact.fact_select``:
  the same join over the CRM tables, as a subquery; ``visits()`` then counts distinct visits.

Under a gamme, région or partner-attribute filter (``Filters.contact_level``) a visit may keep only some of its
contacts, maybe not the flagged one: distinct visits are then counted over the slice (smaller, and exact).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import current_app

from data.metrics.filters import CROSS_FIELDS, Filters
from data.metrics.periods import Period, over
from data.source.fact import DAYS, DELETED, FACT, FACT_BY_REP, PV, TABLE_VERSION, V, fact_select


def materialised() -> bool:
    """Does the current app serve a replica version that holds the fact's table? (Opens the version to serve.)"""
    state = current_app.extensions["mediviz"]
    if state.get("replica_path") is None:
        return False
    from data.source import db

    db.read_engine()
    return (state.get("replica_meta") or {}).get("fact") == TABLE_VERSION


#: Up to this many reps, a slice reads the copy of the fact sorted by rep (a rep, a supervisor's team); more
#: reps (a region's director, everyone) read the one sorted by date.
FEW_REPS = 60


def rows(
    filters: Filters, users: tuple[int, ...] | None, materialised: bool = False, by_rep: bool = False
) -> sa.Subquery | sa.CTE:
    """The fact's slice for the shared filters and ``users`` (all when None), as subquery ``f``; for a few reps
    on the replica, as a CTE ``f``: their small slices cost DuckDB's planning more than their reading, and the
    CTE is bound once for every branch of a statement (a team's Utilisateurs statements at 1M visits: 74 -> 54 ms)
    where a whole-period slice would be materialised by it (Utilisateurs: 177 -> 232 ms). ``by_rep``: read the
    copy sorted by rep whatever the number of reps: a grouping by rep and partner is faster over it (its groups come
    together: the company's (rep, partner) pairs of 13 months at 1M visits, 31 -> 21 ms)."""
    slice_ = _slice(filters, users, materialised, by_rep)
    few = materialised and users is not None and len(users) <= FEW_REPS
    return slice_.cte("f") if few else slice_.subquery("f")


def spanned(
    filters: Filters, users: tuple[int, ...] | None, materialised: bool, spans: tuple[Period, ...]
) -> sa.Subquery:
    """The fact's slices over each span of days (the filters' own period replaced, the other filters kept),
    stacked, each row with the index of its span in ``spans`` (column ``periode``), as subquery ``f``: the
    comparisons' earlier periods in one statement (a row in two overlapping spans is in both slices)."""
    branches = [
        _slice(over(filters, span), users, materialised).add_columns(sa.literal(index, sa.Integer).label("periode"))
        for index, span in enumerate(spans)
    ]
    return (branches[0] if len(branches) == 1 else sa.union_all(*branches)).subquery("f")


def by_day(filters: Filters, materialised: bool) -> bool:
    """Can a count per rep be read from the replica's sums per rep and day (``days``)? Not under a filter that
    keeps some contacts of a visit or a cross-filter: the sums are of whole visits."""
    return materialised and not filters.contact_level() and not filters.cross()


def days(filters: Filters, users: tuple[int, ...] | None, spans: tuple[Period, ...] | None = None) -> sa.Subquery:
    """The replica's sums per rep and day (``data.source.fact.DAYS``) of the slice, as subquery ``f``; with
    ``spans``, over each of them (the filters' own period replaced) stacked, with the span's index (``periode``)."""

    def one(over_filters: Filters) -> sa.Select[Any]:
        where = [] if users is None else [DAYS.c.id_utilisateur.in_(users)]
        return sa.select(DAYS).where(*where, *period_conditions(over_filters, DAYS.c.date_visite))

    if spans is None:
        return one(filters).subquery("f")
    branches = [
        one(over(filters, span)).add_columns(sa.literal(index, sa.Integer).label("periode"))
        for index, span in enumerate(spans)
    ]
    return (branches[0] if len(branches) == 1 else sa.union_all(*branches)).subquery("f")


def _slice(filters: Filters, users: tuple[int, ...] | None, materialised: bool, by_rep: bool = False) -> sa.Select[Any]:
    """The SELECT of ``rows``."""
    if not materialised:
        if not filters.cross():
            return fact_select(visit_conditions(filters, users))
        crm = fact_select(visit_conditions(filters, users)).subquery("f0")
        return sa.select(crm).where(*cross_conditions(crm, filters))
    fact = FACT_BY_REP if by_rep or (users is not None and len(users) <= FEW_REPS) else FACT
    where: list[sa.ColumnElement[bool]] = []
    if users is not None:
        where.append(fact.c.id_utilisateur.in_(users))
    where += period_conditions(filters, fact.c.date_visite)
    if filters.gamme:
        where.append(fact.c.code_gamme_partenaire.in_(filters.gamme))
    if filters.region:
        where.append(fact.c.code_region_partenaire.in_(filters.region))
    return sa.select(fact).where(*where, *cross_conditions(fact, filters))


def visits(
    f: sa.FromClause, filters: Filters, flag: str = "p_visite", when: sa.ColumnElement[bool] | None = None
) -> sa.ColumnElement[int]:
    """Distinct visits of each group (of the contacts matching ``when``), the groups' keys being those of
    ``flag`` or finer: a sum of flags where they hold, else a distinct count."""
    if flag in f.c and not filters.contact_level():
        marked = f.c[flag] if when is None else sa.case((when, f.c[flag]), else_=0)
        return sa.func.coalesce(sa.func.sum(marked), 0)
    counted = f.c.id_visite if when is None else sa.case((when, f.c.id_visite))
    return sa.func.count(sa.distinct(counted))


def cross_conditions(f: sa.FromClause, filters: Filters) -> list[sa.ColumnElement[bool]]:
    """The cross-filters (``CROSS_FIELDS``) as conditions on the fact's columns."""
    return [f.c[CROSS_FIELDS[name][0]].in_(values) for name, values in filters.cross().items()]


def contacts() -> sa.ColumnElement[int]:
    """Number of contacts: (visit, partner) rows."""
    return sa.func.count().label("contacts")


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
