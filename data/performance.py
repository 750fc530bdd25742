"""Performance aggregates (the legacy ``/performance``): distinct visits per partner attribute and per rep.

Every count is a number of distinct visits (``visites``); a visit with partners in several categories counts
once in each. Partner status and potential are the partner's current values (``tab_partenaire``); type and
region are the snapshot on the visit (``tab_partenaire_visite``). SUPP visits never count.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data import db
from data.cache import memoized
from data.facts import PV, V, contacts_from, distinct_visits, visit_conditions
from data.filters import Filters
from data.schema import partenaire
from data.scope import Scope, visible_users

P = partenaire.alias("p")
#: Potentials counted as high in the KPI (trimmed codes).
HIGH_POTENTIAL = ("A+", "A")
BREAKDOWN_COLUMNS = ["dimension", "code", "visites"]


def potential() -> sa.ColumnElement[str]:
    """The partner's potential without the stray spaces of the CRM data (``" B"`` is ``"B"``)."""
    return sa.func.trim(P.c.code_potentiel)


def _with_partner() -> sa.Join:
    """Contacts joined to the partner's current row."""
    return contacts_from().outerjoin(P, P.c.id_partenaire == PV.c.id_partenaire)


def breakdown_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.CompoundSelect:
    """Distinct visits per partner type, status and potential: ``dimension, code, visites`` (NULL codes dropped)."""
    dimensions = {
        "type": PV.c.code_type_partenaire,
        "statut": P.c.code_statut_partenaire,
        "potentiel": potential(),
    }
    parts = [
        sa.select(sa.literal(name, sa.String(12)).label("dimension"), column.label("code"), distinct_visits())
        .select_from(_with_partner())
        .where(*visit_conditions(filters, users), column.is_not(None), column != "")
        .group_by(column)
        for name, column in dimensions.items()
    ]
    return sa.union_all(*parts)


def per_user_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.Select:
    """Distinct visits per visiting user: ``id_utilisateur, visites``."""
    return (
        sa.select(V.c.id_utilisateur, distinct_visits())
        .select_from(contacts_from())
        .where(*visit_conditions(filters, users))
        .group_by(V.c.id_utilisateur)
    )


def totals_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.Select:
    """Distinct visits, and distinct visits to at least one partner of high potential (A+ or A)."""
    high = sa.case((potential().in_(HIGH_POTENTIAL), V.c.id_visite))
    return (
        sa.select(distinct_visits(), sa.func.count(sa.distinct(high)).label("visites_potentiel_fort"))
        .select_from(_with_partner())
        .where(*visit_conditions(filters, users))
    )


@memoized
def breakdown(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``dimension`` (type, statut, potentiel), ``code``, ``visites``: only the codes that occur."""
    rows = db.read(breakdown_stmt(filters, visible_users(filters, scope)))
    frame = pd.DataFrame(rows, columns=BREAKDOWN_COLUMNS)
    frame["visites"] = frame["visites"].astype("int64")
    return frame


@memoized
def per_user(filters: Filters, scope: Scope) -> pd.DataFrame:
    """``id_utilisateur``, ``visites``: every user with at least one visit in the slice."""
    rows = db.read(per_user_stmt(filters, visible_users(filters, scope)))
    frame = pd.DataFrame(rows, columns=["id_utilisateur", "visites"])
    return frame.astype("int64")


@memoized
def totals(filters: Filters, scope: Scope) -> dict[str, int]:
    """``visites`` and ``visites_potentiel_fort`` (visits to an A+ or A partner) of the slice."""
    row = db.read(totals_stmt(filters, visible_users(filters, scope)))[0]
    return {"visites": int(row[0] or 0), "visites_potentiel_fort": int(row[1] or 0)}
