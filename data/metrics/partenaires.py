"""Partenaires aggregates (the legacy ``/partenaire``): visited accounts by their attributes, and coverage.

A visited account (``compte``) is a distinct ``id_partenaire`` with at least one visit matching the shared
filters (SUPP excluded; région and gamme on the ``tab_partenaire_visite`` snapshot). Its attributes
(potentiel, établissement, région, ville, gamme, spécialité) come from its current ``tab_partenaire`` row.
Every function takes the normalised ``Filters`` and the caller's ``Scope``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from data.cache import memoized
from data.metrics import facts
from data.metrics.filters import Filters
from data.metrics.periods import Period
from data.metrics.scope import Scope, visible_users
from data.source import db
from data.source.schema import codification, partenaire

ACCOUNT_COLUMNS = ["dimension", "code_parent", "code", "comptes", "visites"]
COVERAGE_COLUMNS = ["code_potentiel", "comptes", "comptes_visites"]
#: Partner status left out of the partner base (rejected accounts).
REJECTED = "REJE"


def potential(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The potential class with the CRM's stray spaces trimmed (``" B"`` is ``"B"``)."""
    return sa.func.trim(column)


def visited_accounts(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Subquery:
    """One row per visited account: ``id_partenaire``, ``visites`` (its distinct visits matching the filters:
    its contacts, since a visit names a partner once, ``uq_pv``)."""
    f = facts.rows(filters, users, materialised)
    return (
        sa.select(f.c.id_partenaire, sa.func.count().label("visites"))
        .where(f.c.id_partenaire.is_not(None))
        .group_by(f.c.id_partenaire)
        .subquery("vp")
    )


def accounts_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.CompoundSelect:
    """Visited accounts and their visits per potentiel, établissement, (région, ville) and (gamme, spécialité).

    Each account has one current row, so the groups of a dimension partition the visited accounts: a
    région's accounts are the sum over its cities (city NULL included), the total the sum over potentials.
    """
    vp = visited_accounts(filters, users, materialised)
    p = partenaire.alias("p")
    # The visited accounts with their attributes, computed once for the four groupings (a CTE: each branch
    # re-aggregated the fact when the join was repeated in it).
    accounts = (
        sa.select(
            vp.c.visites,
            potential(p.c.code_potentiel).label("potentiel"),
            p.c.code_type_etablissement.label("etablissement"),
            p.c.code_region_partenaire.label("region"),
            p.c.code_ville_partenaire.label("ville"),
            p.c.code_gamme.label("gamme"),
            p.c.code_specialite.label("specialite"),
        )
        .select_from(vp.outerjoin(p, p.c.id_partenaire == vp.c.id_partenaire))
        .cte("comptes")
    )
    no_child = sa.cast(sa.null(), sa.String(12))
    groupings: dict[str, tuple[str, str | None]] = {"potentiel": ("potentiel", None)}
    groupings |= {
        "etablissement": ("etablissement", None),
        "region": ("region", "ville"),
        "gamme": ("gamme", "specialite"),
    }
    branches = []
    for name, (parent_key, child_key) in groupings.items():
        parent = accounts.c[parent_key]
        child = None if child_key is None else accounts.c[child_key]
        keys = [parent] if child is None else [parent, child]
        branches.append(
            sa.select(
                sa.literal(name, sa.String(16)).label("dimension"),
                parent.label("code_parent"),
                (no_child if child is None else child).label("code"),
                sa.func.count().label("comptes"),
                sa.func.sum(accounts.c.visites).label("visites"),
            ).group_by(*keys)
        )
    return sa.union_all(*branches)


def visited_over_stmt(
    filters: Filters, users: tuple[int, ...] | None, materialised: bool, spans: tuple[Period, ...]
) -> sa.Select:
    """Per span of days (``facts.spanned``): ``periode``, visited accounts (``comptes``), the sum of their visits
    (``visites``, as ``accounts_stmt``) and how many of them are in the partner base (``comptes_base``, as
    ``coverage_stmt``); a span without visited accounts has no row."""
    f = facts.spanned(filters, users, materialised, spans)
    vp = (
        sa.select(f.c.periode, f.c.id_partenaire, sa.func.count().label("visites"))
        .where(f.c.id_partenaire.is_not(None))
        .group_by(f.c.periode, f.c.id_partenaire)
        .subquery("vp")
    )
    p = partenaire.alias("p")
    in_base = [p.c.code_statut_partenaire != REJECTED, *base_conditions(p, filters)]
    if filters.region:
        in_base.append(p.c.code_region_partenaire.in_(filters.region))
    if filters.gamme:
        in_base.append(p.c.code_gamme.in_(filters.gamme))
    return (
        sa.select(
            vp.c.periode,
            sa.func.count().label("comptes"),
            sa.func.sum(vp.c.visites).label("visites"),
            sa.func.count(sa.case((sa.and_(*in_base), 1))).label("comptes_base"),
        )
        .select_from(vp.outerjoin(p, p.c.id_partenaire == vp.c.id_partenaire))
        .group_by(vp.c.periode)
    )


def coverage_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Select:
    """Accounts of the partner base and those of them visited, per potentiel.

    The base is every ``tab_partenaire`` row not rejected (``REJE``), in the filtered régions and gammes
    (the partner's current codes). The rep scope does not shrink it: accounts are not assigned to reps.
    """
    vp = visited_accounts(filters, users, materialised)
    p = partenaire.alias("p")
    code = potential(p.c.code_potentiel)
    where = [p.c.code_statut_partenaire != REJECTED]
    if filters.region:
        where.append(p.c.code_region_partenaire.in_(filters.region))
    if filters.gamme:
        where.append(p.c.code_gamme.in_(filters.gamme))
    where += base_conditions(p, filters)
    return (
        sa.select(
            code.label("code_potentiel"),
            sa.func.count().label("comptes"),
            sa.func.count(vp.c.id_partenaire).label("comptes_visites"),
        )
        .select_from(p.outerjoin(vp, vp.c.id_partenaire == p.c.id_partenaire))
        .where(*where)
        .group_by(code)
    )


def base_conditions(p: sa.FromClause, filters: Filters) -> list[sa.ColumnElement[bool]]:
    """The cross-filters on partner attributes as conditions on the partner base (``tab_partenaire`` as ``p``):
    a click on "potentiel A" narrows the base to the A accounts too. Visit-level ones (planned, form, role)
    do not shrink the base, as the rep scope does not."""
    where: list[sa.ColumnElement[bool]] = []
    if filters.type_partenaire:
        where.append(p.c.code_type_partenaire.in_(filters.type_partenaire))
    if filters.statut_partenaire:
        where.append(p.c.code_statut_partenaire.in_(filters.statut_partenaire))
    if filters.potentiel:
        where.append(potential(p.c.code_potentiel).in_(filters.potentiel))
    if filters.etablissement:
        kinds = sa.select(codification.c.code_codification).where(
            codification.c.type_codification.in_(filters.etablissement)
        )
        where.append(p.c.code_type_etablissement.in_(kinds))
    return where


def _rows(stmt: sa.Executable, keys: int) -> list[tuple[Any, ...]]:
    """Run a statement: its ``keys`` first columns as codes (blank as None), the rest as int counts."""
    return [
        (*(value if value != "" else None for value in row[:keys]), *(int(value or 0) for value in row[keys:]))
        for row in db.read(stmt)
    ]


@memoized
def account_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``ACCOUNT_COLUMNS`` rows: visited accounts (``comptes``) and the sum of their distinct visits (``visites``).

    ``dimension`` is potentiel, etablissement, region or gamme; ``code_parent`` its code; ``code`` the ville
    or spécialité (None for the first two dimensions). None codes are the accounts without that attribute.
    """
    return _rows(accounts_stmt(filters, visible_users(filters, scope), facts.materialised()), 3)


@memoized
def coverage_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``COVERAGE_COLUMNS`` rows: accounts of the base and visited ones, per potentiel (None: none recorded)."""
    return _rows(coverage_stmt(filters, visible_users(filters, scope), facts.materialised()), 1)


@memoized
def visited_rows_over(filters: Filters, scope: Scope, spans: tuple[Period, ...]) -> list[tuple[int, int, int]]:
    """``(comptes, visites, comptes_base)`` of ``visited_over_stmt`` over each span of days (0 when none)."""
    out = [(0, 0, 0)] * len(spans)
    for index, *counts in db.read(
        visited_over_stmt(filters, visible_users(filters, scope), facts.materialised(), spans)
    ):
        out[index] = (int(counts[0] or 0), int(counts[1] or 0), int(counts[2] or 0))
    return out
