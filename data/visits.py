"""Visites aggregates (the legacy ``/data``): counters, région → ville, gamme → spécialité, timeline.

Units: ``contacts`` count (visit, partner) rows, as the legacy counters did; ``visites`` count distinct visits.
Every function takes the normalised ``Filters`` and the caller's ``Scope``; SUPP visits never count.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from data import db, facts, shapes
from data.cache import memoized
from data.facts import day
from data.filters import Filters
from data.scope import Scope, visible_users

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


def _frame(stmt: sa.Executable, columns: list[str]) -> pd.DataFrame:
    """Run a statement and return its rows as a DataFrame with the given columns."""
    return pd.DataFrame(db.read(stmt), columns=columns)


@memoized
def counters(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``COUNTER_COLUMNS``: contacts/visits per visit-level attributes, split by partner kind."""
    frame = _frame(counters_stmt(filters, visible_users(filters, scope), facts.materialised()), COUNTER_COLUMNS)
    numeric = COUNTER_COLUMNS[3:]
    frame[numeric] = frame[numeric].fillna(0).astype("int64")
    return frame


@memoized
def by_region(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``code_parent`` (région), ``code`` (ville, NULL on région rows), ``contacts``, ``visites``."""
    users = visible_users(filters, scope)
    stmt = two_level_stmt(filters, users, "code_region_partenaire", "code_ville_partenaire", facts.materialised())
    return _frame(stmt, LEVEL_COLUMNS)


@memoized
def by_gamme(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``code_parent`` (gamme), ``code`` (spécialité, NULL on gamme rows), ``contacts``, ``visites``."""
    users = visible_users(filters, scope)
    stmt = two_level_stmt(filters, users, "code_gamme_partenaire", "code_specialite_partenaire", facts.materialised())
    return _frame(stmt, LEVEL_COLUMNS)


@memoized
def timeline(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``jour`` (datetime64), ``contacts``, ``visites`` per day with at least one visit."""
    stmt = timeline_stmt(filters, visible_users(filters, scope), facts.materialised())
    frame = _frame(stmt, ["jour", "contacts", "visites"])
    frame["jour"] = pd.to_datetime(frame["jour"])
    return frame


def calendar(filters: Filters, scope: Scope, granularity: str = "jour") -> pd.DataFrame:
    """Contacts and visits per day, week or month over the filters' period, periods without visits at 0.

    The zeros stop at the first and last days the CRM holds visits: a period asked from 1990 to 2100 does not
    make forty thousand empty rows (one request did that with 0001–9999: a 194 MB answer).
    """
    from data.options import date_bounds

    start, end = filters.start_date, filters.end_date
    first, last = date_bounds()
    if first is not None and last is not None:
        start = max(start, dt.date.fromisoformat(first)) if start else None
        end = min(end, dt.date.fromisoformat(last)) if end else None
    if start and end and start > end:  # the period holds no day of the CRM
        return shapes.timeline_table(timeline(filters, scope).iloc[0:0], granularity)
    return shapes.timeline_table(timeline(filters, scope), granularity, start, end)
