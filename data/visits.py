"""Visites aggregates (the legacy ``/data``): counters, région → ville, gamme → spécialité, timeline.

Units: ``contacts`` count (visit, partner) rows, as the legacy counters did; ``visites`` count distinct visits.
Every function takes the normalised ``Filters`` and the caller's ``Scope``; SUPP visits never count.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from data import db, shapes
from data.cache import memoized
from data.facts import PV, V, contacts, contacts_from, day, distinct_visits, visit_conditions
from data.filters import Filters
from data.schema import codification, partenaire
from data.scope import Scope, visible_users

COUNTER_COLUMNS = [
    "code_type_visite", "type_visite", "flag_accompagnee", "contacts", "visites",
    "contacts_MEDE", "contacts_PHAR", "contacts_ETPR", "contacts_ETPU",
    "visites_MEDE", "visites_PHAR", "visites_ETPR", "visites_ETPU",
]  # fmt: skip
LEVEL_COLUMNS = ["code_parent", "code", "contacts", "visites"]


def counters_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.Select:
    """Contacts and visits per (type de visite, simple/groupe, accompagnée), split by partner kind.

    Two steps, so that no COUNT(DISTINCT) is needed (five of them over a million rows cost 0.7 s in DuckDB):
    one row per visit first (its contacts of each kind, and whether it has any), then sums per visit-level
    keys, where each visit counts once. The same numbers as distinct counts, on every engine.
    """
    p = partenaire.alias("p")
    etab = codification.alias("etab")
    source = (
        contacts_from()
        .outerjoin(p, p.c.id_partenaire == PV.c.id_partenaire)
        .outerjoin(
            etab,
            sa.and_(
                etab.c.code_codification == p.c.code_type_etablissement,
                etab.c.type_codification.in_(("ETPR", "ETPU")),
            ),
        )
    )
    kinds = {
        "MEDE": PV.c.code_type_partenaire == "MEDE",
        "PHAR": PV.c.code_type_partenaire == "PHAR",
        "ETPR": etab.c.type_codification == "ETPR",
        "ETPU": etab.c.type_codification == "ETPU",
    }
    keys = [V.c.code_type_visite, V.c.type_visite, V.c.flag_accompagnee]
    per_visit = (
        sa.select(
            *keys,
            contacts(),
            *[sa.func.sum(sa.case((cond, 1), else_=0)).label(f"contacts_{k}") for k, cond in kinds.items()],
            *[sa.func.max(sa.case((cond, 1), else_=0)).label(f"visites_{k}") for k, cond in kinds.items()],
        )
        .select_from(source)
        .where(*visit_conditions(filters, users))
        .group_by(V.c.id_visite, *keys)  # the keys are visit-level: one group per visit
        .subquery("per_visit")
    )
    outer_keys = [per_visit.c[key.name] for key in keys]
    sums = [sa.func.sum(per_visit.c[f"contacts_{k}"]).label(f"contacts_{k}") for k in kinds]
    sums += [sa.func.sum(per_visit.c[f"visites_{k}"]).label(f"visites_{k}") for k in kinds]
    return (
        sa.select(*outer_keys, sa.func.sum(per_visit.c.contacts).label("contacts"), sa.func.count().label("visites"))
        .add_columns(*sums)
        .group_by(*outer_keys)
        .order_by(*outer_keys)
    )


def two_level_stmt(
    filters: Filters, users: tuple[int, ...] | None, parent: sa.Column[str], child: sa.Column[str]
) -> sa.CompoundSelect:
    """Contacts and visits per parent (``code`` NULL) and per (parent, child), in one statement."""
    where = [*visit_conditions(filters, users), parent.is_not(None)]
    by_child = (
        sa.select(parent.label("code_parent"), child.label("code"), contacts(), distinct_visits())
        .select_from(contacts_from())
        .where(*where, child.is_not(None))
        .group_by(parent, child)
    )
    by_parent = (
        sa.select(
            parent.label("code_parent"),
            sa.cast(sa.null(), sa.String(12)).label("code"),
            contacts(),
            distinct_visits(),
        )
        .select_from(contacts_from())
        .where(*where)
        .group_by(parent)
    )
    return sa.union_all(by_parent, by_child)


def timeline_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.Select:
    """Contacts and visits per calendar day."""
    jour = day(V.c.date_visite)
    return (
        sa.select(jour.label("jour"), contacts(), distinct_visits())
        .select_from(contacts_from())
        .where(*visit_conditions(filters, users))
        .group_by(jour)
        .order_by(jour)
    )


def _frame(stmt: sa.Executable, columns: list[str]) -> pd.DataFrame:
    """Run a statement and return its rows as a DataFrame with the given columns."""
    return pd.DataFrame(db.read(stmt), columns=columns)


@memoized
def counters(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``COUNTER_COLUMNS``: contacts/visits per visit-level attributes, split by partner kind."""
    frame = _frame(counters_stmt(filters, visible_users(filters, scope)), COUNTER_COLUMNS)
    numeric = COUNTER_COLUMNS[3:]
    frame[numeric] = frame[numeric].fillna(0).astype("int64")
    return frame


@memoized
def by_region(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``code_parent`` (région), ``code`` (ville, NULL on région rows), ``contacts``, ``visites``."""
    stmt = two_level_stmt(
        filters, visible_users(filters, scope), PV.c.code_region_partenaire, PV.c.code_ville_partenaire
    )
    return _frame(stmt, LEVEL_COLUMNS)


@memoized
def by_gamme(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``code_parent`` (gamme), ``code`` (spécialité, NULL on gamme rows), ``contacts``, ``visites``."""
    stmt = two_level_stmt(
        filters, visible_users(filters, scope), PV.c.code_gamme_partenaire, PV.c.code_specialite_partenaire
    )
    return _frame(stmt, LEVEL_COLUMNS)


@memoized
def timeline(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``jour`` (datetime64), ``contacts``, ``visites`` per day with at least one visit."""
    frame = _frame(timeline_stmt(filters, visible_users(filters, scope)), ["jour", "contacts", "visites"])
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
