"""Performance aggregates (the legacy ``/performance``): distinct visits per partner attribute and per rep.

Every count is a number of distinct visits (``visites``); a visit with partners in several categories counts
once in each. Partner status and potential are the partner's current values (``tab_partenaire``); type and
region are the snapshot on the visit (``tab_partenaire_visite``). SUPP visits never count.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data.cache import memoized
from data.metrics import facts
from data.metrics.filters import Filters
from data.metrics.periods import Period
from data.metrics.scope import Scope, visible_users
from data.source import db

BREAKDOWN_COLUMNS = ["dimension", "code", "visites"]
#: Dimension -> (fact column, the flag that marks each of its (visit, value) groups once).
DIMENSIONS = {
    "type": ("code_type_partenaire", "p_type"),
    "statut": ("statut_partenaire", "p_statut"),
    "potentiel": ("potentiel", "p_potentiel"),  # trimmed in the fact: " B" is "B"
}


def breakdown_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.CompoundSelect:
    """Distinct visits per partner type, status and potential: ``dimension, code, visites`` (NULL codes dropped)."""
    f = facts.rows(filters, users, materialised)
    parts = [
        sa.select(
            sa.literal(name, sa.String(12)).label("dimension"),
            f.c[column].label("code"),
            facts.visits(f, filters, flag).label("visites"),
        )
        .where(f.c[column].is_not(None), f.c[column] != "")
        .group_by(f.c[column])
        for name, (column, flag) in DIMENSIONS.items()
    ]
    return sa.union_all(*parts)


def per_user_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Select:
    """Distinct visits per visiting user: ``id_utilisateur, visites``."""
    if facts.by_day(filters, materialised):
        d = facts.days(filters, users)
        return sa.select(d.c.id_utilisateur, sa.func.sum(d.c.visites).label("visites")).group_by(d.c.id_utilisateur)
    f = facts.rows(filters, users, materialised)
    return sa.select(f.c.id_utilisateur, facts.visits(f, filters).label("visites")).group_by(f.c.id_utilisateur)


def totals_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Select:
    """Distinct visits, and distinct visits to at least one partner of high potential (A+ or A)."""
    f = facts.rows(filters, users, materialised)
    high = facts.visits(f, filters, "p_fort", f.c.potentiel_fort == 1)
    return sa.select(facts.visits(f, filters).label("visites"), high.label("visites_potentiel_fort"))


def users_over_stmt(
    filters: Filters, users: tuple[int, ...] | None, materialised: bool, spans: tuple[Period, ...]
) -> sa.Select:
    """Per span of days (``facts.spanned``) and visiting user: ``periode, id_utilisateur, role`` (the user's
    current role), ``visites`` and ``visites_potentiel_fort`` (as ``totals_stmt``; each visit has one user)."""
    if facts.by_day(filters, materialised):
        d = facts.days(filters, users, spans)
        keys = [d.c.periode, d.c.id_utilisateur, d.c.role]
        counts = [sa.func.sum(d.c[name]).label(name) for name in ("visites", "visites_potentiel_fort")]
        return sa.select(*keys, *counts).group_by(*keys)
    f = facts.spanned(filters, users, materialised, spans)
    high = facts.visits(f, filters, "p_fort", f.c.potentiel_fort == 1)
    keys = [f.c.periode, f.c.id_utilisateur, f.c.role]
    return sa.select(*keys, facts.visits(f, filters).label("visites"), high.label("visites_potentiel_fort")).group_by(
        *keys
    )


@memoized
def breakdown_rows(filters: Filters, scope: Scope) -> list[tuple[str, str, int]]:
    """``(dimension, code, visites)``, dimension type, statut or potentiel: only the codes that occur."""
    rows = db.read(breakdown_stmt(filters, visible_users(filters, scope), facts.materialised()))
    return [(dimension, code, int(visits)) for dimension, code, visits in rows]


def breakdown(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``breakdown_rows`` as a DataFrame: ``dimension``, ``code``, ``visites``."""
    return pd.DataFrame(breakdown_rows(filters, scope), columns=BREAKDOWN_COLUMNS).astype({"visites": "int64"})


@memoized
def per_user_rows(filters: Filters, scope: Scope) -> list[tuple[int, int]]:
    """``(id_utilisateur, visites)``: every user with at least one visit in the slice."""
    rows = db.read(per_user_stmt(filters, visible_users(filters, scope), facts.materialised()))
    return [(int(user), int(visits)) for user, visits in rows]


def per_user(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``per_user_rows`` as a DataFrame: ``id_utilisateur``, ``visites``."""
    return pd.DataFrame(per_user_rows(filters, scope), columns=["id_utilisateur", "visites"]).astype("int64")


@memoized
def totals(filters: Filters, scope: Scope) -> dict[str, int]:
    """``visites`` and ``visites_potentiel_fort`` (visits to an A+ or A partner) of the slice."""
    row = db.read(totals_stmt(filters, visible_users(filters, scope), facts.materialised()))[0]
    return {"visites": int(row[0] or 0), "visites_potentiel_fort": int(row[1] or 0)}


UserVisits = tuple[int, str | None, int, int]  # id_utilisateur, role, visites, visites_potentiel_fort


@memoized
def user_rows_over(filters: Filters, scope: Scope, spans: tuple[Period, ...]) -> list[list[UserVisits]]:
    """Over each span of days instead of the filters' period (the comparisons), in one statement: every user
    with a visit, ``(id_utilisateur, role, visites, visites_potentiel_fort)``."""
    out: list[list[UserVisits]] = [[] for _ in spans]
    for index, user, role, visits, high in db.read(
        users_over_stmt(filters, visible_users(filters, scope), facts.materialised(), spans)
    ):
        out[index].append((int(user), role, int(visits or 0), int(high or 0)))
    return out
