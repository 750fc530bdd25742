"""The contact fact: one row per non-deleted visit × partner, with every column the metrics filter or group on.

A visit without partner keeps one row (the left join). Columns: the visit's own (date, rep, manager at the
time, type, form, accompaniment), the rep's current role, the partner snapshot on the visit (type, région,
ville, gamme, spécialité), the partner's current attributes (status, trimmed potential, establishment kind).

Every aggregate is written once, over ``rows(filters, users, materialised)``, the fact's slice for the shared
filters, in one of two forms with the same columns:

* materialised: the replica's table ``fait_contact`` (``data.fact_table``), sorted by visit date, with
  *first-occurrence flags*: ``p_<key>`` is 1 on exactly one contact of each (visit, key) group, so that the
  distinct visits of a group are ``SUM(p_<key>)`` (``visits()``), not a ``COUNT(DISTINCT)`` after joins;
* otherwise (straight from the CRM, or a replica version without the table), ``fact_select()``: the same join
  over the CRM tables, as a subquery; ``visits()`` then counts distinct visits.

Under a gamme or région filter a visit may keep only some of its contacts, maybe not the flagged one: distinct
visits are then counted over the slice (smaller, and exact).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from data.filters import Filters
from data.schema import codification, partenaire, partenaire_visite, utilisateur, visite

V = visite.alias("v")
PV = partenaire_visite.alias("pv")
DELETED = "SUPP"
#: Potentials counted as high (trimmed codes).
HIGH_POTENTIAL = ("A+", "A")
TABLE = "fait_contact"
#: Written in a replica version's metadata when it holds the table as defined here.
TABLE_VERSION = "1"
#: Flag -> the columns whose (visit, columns) groups it marks once; ``p_visite`` marks each visit once.
FLAGS: dict[str, tuple[str, ...]] = {
    "p_visite": (),
    "p_type": ("code_type_partenaire",),
    "p_etablissement": ("etablissement",),
    "p_region": ("code_region_partenaire",),
    "p_ville": ("code_region_partenaire", "code_ville_partenaire"),
    "p_gamme": ("code_gamme_partenaire",),
    "p_specialite": ("code_gamme_partenaire", "code_specialite_partenaire"),
    "p_statut": ("statut_partenaire",),
    "p_potentiel": ("potentiel",),
    "p_fort": ("potentiel_fort",),
}


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


def fact_select(
    filters: Filters | None = None, users: tuple[int, ...] | None = None, visit_ids: Any = None
) -> sa.Select[Any]:
    """The fact's rows over the CRM tables, without flags: those of the shared ``filters`` and ``users`` if
    given, or of the visits ``visit_ids`` (a selectable of ids) selects."""
    p = partenaire.alias("p")
    u = utilisateur.alias("u")
    etab = codification.alias("etab")
    potential = sa.func.trim(p.c.code_potentiel)
    source = (
        V.outerjoin(PV, PV.c.id_visite == V.c.id_visite)
        .outerjoin(p, p.c.id_partenaire == PV.c.id_partenaire)
        .outerjoin(  # at most one row: codes are unique across types (uq_codif_code)
            etab,
            sa.and_(
                etab.c.code_codification == p.c.code_type_etablissement,
                etab.c.type_codification.in_(("ETPR", "ETPU")),
            ),
        )
        .outerjoin(u, u.c.id_utilisateur == V.c.id_utilisateur)
    )
    columns: list[sa.ColumnElement[Any]] = [V.c[name] for name in VISIT_COLUMNS]
    columns += [u.c.role, *(PV.c[name] for name in CONTACT_COLUMNS)]
    columns += [
        p.c.code_statut_partenaire.label("statut_partenaire"),
        potential.label("potentiel"),
        sa.case((potential.in_(HIGH_POTENTIAL), 1), else_=0).label("potentiel_fort"),
        etab.c.type_codification.label("etablissement"),
    ]
    where = visit_conditions(filters or Filters(), users)
    if visit_ids is not None:
        where.append(V.c.id_visite.in_(visit_ids))
    return sa.select(*columns).select_from(source).where(*where)


VISIT_COLUMNS = (
    "id_visite", "date_visite", "id_utilisateur", "id_responsable", "code_type_visite", "type_visite",
    "flag_accompagnee",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id_partenaire", "code_type_partenaire", "code_region_partenaire", "code_ville_partenaire",
    "code_gamme_partenaire", "code_specialite_partenaire",
)  # fmt: skip


def materialised() -> bool:
    """Does the current app serve a replica version that holds the fact's table? (Opens the version to serve.)"""
    state = current_app.extensions["mediviz"]
    if state.get("replica_path") is None:
        return False
    from data import db

    db.read_engine()
    return (state.get("replica_meta") or {}).get("fact") == TABLE_VERSION


def rows(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Subquery:
    """The fact's slice for the shared filters and ``users`` (all when None), as subquery ``f``."""
    if not materialised:
        return fact_select(filters, users).subquery("f")
    where: list[sa.ColumnElement[bool]] = []
    if users is not None:
        where.append(FACT.c.id_utilisateur.in_(users))
    where += period_conditions(filters, FACT.c.date_visite)
    if filters.gamme:
        where.append(FACT.c.code_gamme_partenaire.in_(filters.gamme))
    if filters.region:
        where.append(FACT.c.code_region_partenaire.in_(filters.region))
    return sa.select(FACT).where(*where).subquery("f")


def visits(
    f: sa.FromClause, filters: Filters, flag: str = "p_visite", when: sa.ColumnElement[bool] | None = None
) -> sa.ColumnElement[int]:
    """Distinct visits of each group (of the contacts matching ``when``), the groups' keys being those of
    ``flag`` or finer: a sum of flags where they hold, else a distinct count."""
    if flag in f.c and not (filters.gamme or filters.region):
        marked = f.c[flag] if when is None else sa.case((when, f.c[flag]), else_=0)
        return sa.func.coalesce(sa.func.sum(marked), 0)
    counted = f.c.id_visite if when is None else sa.case((when, f.c.id_visite))
    return sa.func.count(sa.distinct(counted))


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


#: The replica's table, as statements see it.
FACT = sa.Table(
    TABLE,
    sa.MetaData(),
    *(sa.Column(column.name, column.type) for column in fact_select().selected_columns),
    *(sa.Column(flag, sa.Integer) for flag in FLAGS),
)
