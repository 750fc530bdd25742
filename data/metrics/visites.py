"""Visites aggregates (the legacy ``/data``): counters, région → ville, gamme → spécialité, timeline.

Units: ``contacts`` count (visit, partner) rows, as the legacy counters did; ``visites`` count distinct visits.
Every function takes the normalised ``Filters`` and the caller's ``Scope``; SUPP visits never count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa

from data.cache import memoized
from data.metrics import facts, shapes
from data.metrics.filters import Filters
from data.metrics.periods import Period
from data.metrics.scope import Scope, visible_users
from data.source import db
from data.source.fact import day

COUNTER_COLUMNS = [
    "code_type_visite", "type_visite", "flag_accompagnee", "contacts", "visites",
    "contacts_MEDE", "contacts_PHAR", "contacts_ETPR", "contacts_ETPU",
    "visites_MEDE", "visites_PHAR", "visites_ETPR", "visites_ETPU",
]  # fmt: skip
LEVEL_COLUMNS = ["code_parent", "code", "contacts", "visites"]


def counters_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Select:
    """Contacts and visits per (type de visite, simple/groupe, accompagnée), split by partner kind."""
    f = facts.rows(filters, users, materialised)
    kinds = {
        "MEDE": (f.c.code_type_partenaire == "MEDE", "p_type"),
        "PHAR": (f.c.code_type_partenaire == "PHAR", "p_type"),
        "ETPR": (f.c.etablissement == "ETPR", "p_etablissement"),
        "ETPU": (f.c.etablissement == "ETPU", "p_etablissement"),
    }
    keys = [f.c.code_type_visite, f.c.type_visite, f.c.flag_accompagnee]
    split = [sa.func.sum(sa.case((cond, 1), else_=0)).label(f"contacts_{k}") for k, (cond, _) in kinds.items()]
    split += [facts.visits(f, filters, flag, cond).label(f"visites_{k}") for k, (cond, flag) in kinds.items()]
    return (
        sa.select(*keys, facts.contacts(), facts.visits(f, filters).label("visites"), *split)
        .group_by(*keys)
        .order_by(*keys)
    )


#: The headline numbers (``visites_report.kpis``): name -> the contacts it counts visits of (None: every one).
KPI_VISITS: dict[str, Any] = {
    "visites": None,
    "visites_planifiees": ("code_type_visite", "PLAN"),
    "visites_non_planifiees": ("code_type_visite", "HOPL"),
    "visites_groupe": ("type_visite", "G"),
    "visites_en_double": ("flag_accompagnee", "O"),
}


def kpis_stmt(
    filters: Filters, users: tuple[int, ...] | None, materialised: bool, spans: tuple[Period, ...]
) -> sa.Select:
    """The headline numbers over each span of days (``facts.spanned``): ``periode``, ``contacts``, then the
    visits of ``KPI_VISITS``; a span without contacts has no row."""
    f = facts.spanned(filters, users, materialised, spans)
    counts = [
        facts.visits(f, filters, "p_visite", None if on is None else f.c[on[0]] == on[1]).label(name)
        for name, on in KPI_VISITS.items()
    ]
    return sa.select(f.c.periode, facts.contacts(), *counts).group_by(f.c.periode)


def two_level_stmt(
    filters: Filters, users: tuple[int, ...] | None, parent: str, child: str, materialised: bool = False
) -> sa.CompoundSelect:
    """Contacts and visits per parent (``code`` NULL) and per (parent, child), in one statement.

    ``parent`` and ``child`` name fact columns: région and ville, or gamme and spécialité (``LEVEL_FLAGS``).
    """
    f = facts.rows(filters, users, materialised)
    parent_flag, child_flag = LEVEL_FLAGS[parent], LEVEL_FLAGS[child]
    by_child = (
        sa.select(
            f.c[parent].label("code_parent"),
            f.c[child].label("code"),
            facts.contacts(),
            facts.visits(f, filters, child_flag).label("visites"),
        )
        .where(f.c[parent].is_not(None), f.c[child].is_not(None))
        .group_by(f.c[parent], f.c[child])
    )
    by_parent = (
        sa.select(
            f.c[parent].label("code_parent"),
            sa.cast(sa.null(), sa.String(12)).label("code"),
            facts.contacts(),
            facts.visits(f, filters, parent_flag).label("visites"),
        )
        .where(f.c[parent].is_not(None))
        .group_by(f.c[parent])
    )
    return sa.union_all(by_parent, by_child)


#: Fact column -> the flag that marks each of its (visit, value) groups once.
LEVEL_FLAGS = {
    "code_region_partenaire": "p_region",
    "code_ville_partenaire": "p_ville",
    "code_gamme_partenaire": "p_gamme",
    "code_specialite_partenaire": "p_specialite",
}


def timeline_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Select:
    """Contacts and visits per calendar day."""
    f = facts.rows(filters, users, materialised)
    jour = day(f.c.date_visite)
    return (
        sa.select(jour.label("jour"), facts.contacts(), facts.visits(f, filters).label("visites"))
        .group_by(jour)
        .order_by(jour)
    )


@memoized
def counter_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``COUNTER_COLUMNS`` rows (tuples, counts as ints): contacts/visits per visit-level attributes, split by
    partner kind."""
    stmt = counters_stmt(filters, visible_users(filters, scope), facts.materialised())
    return [(*row[:3], *(int(value or 0) for value in row[3:])) for row in db.read(stmt)]


@memoized
def kpi_rows_over(filters: Filters, scope: Scope, spans: tuple[Period, ...]) -> list[dict[str, int]]:
    """The headline numbers of ``visites_report.kpis`` over each span of days instead of the filters' period (the
    comparisons), in one statement: ``contacts`` and the visits of ``KPI_VISITS``, 0 in a span without visits."""
    out = [dict.fromkeys(["contacts", *KPI_VISITS], 0) for _ in spans]
    for index, *counts in db.read(kpis_stmt(filters, visible_users(filters, scope), facts.materialised(), spans)):
        out[index] = {name: int(n or 0) for name, n in zip(out[index], counts, strict=True)}
    return out


def counters(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``counter_rows`` as a DataFrame (the pages' charts)."""
    return pd.DataFrame(counter_rows(filters, scope), columns=COUNTER_COLUMNS)


@memoized
def region_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``(code_parent, code, contacts, visites)``: per région (``code`` None) and per (région, ville)."""
    users = visible_users(filters, scope)
    stmt = two_level_stmt(filters, users, "code_region_partenaire", "code_ville_partenaire", facts.materialised())
    return _levels(stmt)


@memoized
def gamme_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``(code_parent, code, contacts, visites)``: per gamme (``code`` None) and per (gamme, spécialité)."""
    users = visible_users(filters, scope)
    stmt = two_level_stmt(filters, users, "code_gamme_partenaire", "code_specialite_partenaire", facts.materialised())
    return _levels(stmt)


def _levels(stmt: sa.Executable) -> list[tuple[Any, ...]]:
    return [(parent, code, int(contacts), int(visits)) for parent, code, contacts, visits in db.read(stmt)]


@memoized
def timeline_rows(filters: Filters, scope: Scope) -> list[tuple[dt.date, int, int]]:
    """``(jour, contacts, visites)`` per day with at least one visit, by day."""
    stmt = timeline_stmt(filters, visible_users(filters, scope), facts.materialised())
    return [(_date(day), int(contacts), int(visits)) for day, contacts, visits in db.read(stmt)]


def _date(value: Any) -> dt.date:
    """A day from any engine (SQLite's DATE() is a string, DuckDB's a date, MariaDB's a date)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def timeline(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``jour`` (datetime64), ``contacts``, ``visites`` per day with at least one visit."""
    frame = pd.DataFrame(timeline_rows(filters, scope), columns=["jour", "contacts", "visites"])
    frame["jour"] = pd.to_datetime(frame["jour"])
    return frame


def calendar_rows(filters: Filters, scope: Scope, granularity: str = "jour") -> list[tuple[dt.date, int, int]]:
    """``(periode, contacts, visites)`` per day, week or month over the filters' period, periods without visits
    at 0.

    The zeros stop at the first and last days the CRM holds visits: a period asked from 1990 to 2100 does not
    make forty thousand empty rows (one request did that with 0001–9999: a 194 MB answer). No row is after
    today, even unbounded: the days after only hold the visits planned ahead.
    """
    from data.metrics.options import date_bounds

    start, end = filters.start_date, filters.end_date
    first, last = date_bounds()
    if first is not None and last is not None:
        start = max(start, dt.date.fromisoformat(first)) if start else None
        end = min(end, dt.date.fromisoformat(last)) if end else None
    if start and end and start > end:  # the period holds no day of the CRM
        return []
    rows = [row for row in timeline_rows(filters, scope) if last is None or row[0].isoformat() <= last]
    return shapes.calendar_rows(rows, granularity, start, end)


def calendar(filters: Filters, scope: Scope, granularity: str = "jour") -> pd.DataFrame:
    """``calendar_rows`` as a DataFrame (``periode`` as datetime64): a page's timeline chart."""
    rows = calendar_rows(filters, scope, granularity)
    return pd.DataFrame(
        {
            "periode": pd.to_datetime([row[0] for row in rows]),
            "contacts": pd.Series([row[1] for row in rows], dtype="int64"),
            "visites": pd.Series([row[2] for row in rows], dtype="int64"),
        }
    )
