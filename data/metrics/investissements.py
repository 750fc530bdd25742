"""Investissements aggregates (the legacy ``/invest``): business-case budgets per dimension, in one statement.

Units: ``budget`` is a sum of ``tab_partenaire_bc.budget`` in whole MAD, ``business_cases`` a number of
business cases, ``partenaires`` a number of distinct funded partners. Every business case counts (the legacy
kept only the first one per partner). A business case belongs to the visible users through its requester
(``id_utilisateur``), or, when the requester is unknown, through its ``id_responsable``. Partner attributes
(gamme, spécialité, région, ville, potentiel) are the partner's current ones, from ``tab_partenaire``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa

from data.cache import memoized
from data.metrics import facts
from data.metrics.facts import period_conditions
from data.metrics.filters import Filters
from data.metrics.periods import Period, over
from data.metrics.scope import Scope, visible_users
from data.source import db
from data.source.schema import partenaire, partenaire_bc

BC = partenaire_bc.alias("bc")
P = partenaire.alias("p")
CODE = sa.String(12)


def _visit_counts(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.Subquery:
    """Non-deleted visits of each funded partner of the slice (only those: a scan of every contact costs
    0.2 s at a million visits, for the few hundred partners a slice funds), from the contact fact: a visit
    names a partner once (``uq_pv``), so its contacts are its visits."""
    bc = partenaire_bc.alias("bc_slice")
    funded = (
        sa.select(bc.c.id_partenaire)
        .select_from(bc.outerjoin(P, P.c.id_partenaire == bc.c.id_partenaire))
        .where(*invest_conditions(filters, users, bc))
        .correlate(None)
    )
    f = facts.rows(Filters(), None, materialised)
    return (
        sa.select(f.c.id_partenaire, sa.func.count().label("visites"))
        .where(f.c.id_partenaire.in_(funded))
        .group_by(f.c.id_partenaire)
        .subquery("nv")
    )


#: Breakdown -> (parent column or None, column) of the slice (``_slice``). A NULL key is the "Non renseigné"
#: bucket; for ``visites`` it means a partner never visited (0), since the visit count comes from a left join.
DIMENSIONS: dict[str, tuple[str | None, str]] = {
    "visites": (None, "visites"),  # the visit count of the partner (from _visit_counts), as a code
    "gamme": (None, "code_gamme"),
    "statut": (None, "code_statut_bc"),
    "potentiel": (None, "potentiel"),
    "specialite": (None, "code_specialite"),
    "region": (None, "code_region_partenaire"),
    "type": (None, "code_type_investissement"),
    "categorie": (None, "code_categorie_investissement"),
    "gamme_specialite": ("code_gamme", "code_specialite"),
    "region_ville": ("code_region_partenaire", "code_ville_partenaire"),
}
COLUMNS = ["dimension", "code_parent", "code", "budget", "business_cases", "partenaires"]


def invest_conditions(
    filters: Filters, users: tuple[int, ...] | None, bc: sa.FromClause = BC
) -> list[sa.ColumnElement[bool]]:
    """WHERE conditions of the area's filters on business cases (dates: réalisation, else création)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if users is not None:
        requester = bc.c.id_utilisateur
        conditions.append(sa.or_(requester.in_(users), sa.and_(requester.is_(None), bc.c.id_responsable.in_(users))))
    when = sa.func.coalesce(bc.c.date_realisation, bc.c.date_creation, type_=sa.DateTime)
    conditions += period_conditions(filters, when)
    if filters.gamme:
        conditions.append(P.c.code_gamme.in_(filters.gamme))
    if filters.region:
        conditions.append(P.c.code_region_partenaire.in_(filters.region))
    if filters.code_type_investissement:
        conditions.append(bc.c.code_type_investissement.in_(filters.code_type_investissement))
    if filters.id_partenaire is not None:
        conditions.append(bc.c.id_partenaire == filters.id_partenaire)
    if filters.id_business_case is not None:
        conditions.append(bc.c.id_business_case == filters.id_business_case)
    return conditions


def _slice(filters: Filters, users: tuple[int, ...] | None, materialised: bool) -> sa.CTE:
    """The business cases of the slice with their partner's attributes and visit count, joined once (a CTE)
    for every breakdown: each of the eleven branches re-joined ``tab_partenaire`` (4-5 ms each at 1M visits)."""
    visits = _visit_counts(filters, users, materialised)
    columns: list[sa.ColumnElement[Any]] = [
        BC.c[name] for name in ("budget", "id_business_case", "id_partenaire", "code_statut_bc")
    ]
    columns += [BC.c.code_type_investissement, BC.c.code_categorie_investissement]
    columns += [P.c[name] for name in ("code_gamme", "code_specialite", "code_region_partenaire")]
    columns += [P.c.code_ville_partenaire, sa.func.trim(P.c.code_potentiel).label("potentiel")]
    columns.append(sa.cast(visits.c.visites, CODE).label("visites"))
    return (
        sa.select(*columns)
        .select_from(
            BC.outerjoin(P, P.c.id_partenaire == BC.c.id_partenaire).outerjoin(
                visits, visits.c.id_partenaire == BC.c.id_partenaire
            )
        )
        .where(*invest_conditions(filters, users))
        .cte("financements")
    )


def _measures(bc: sa.CTE) -> list[sa.ColumnElement[int]]:
    """Budget (MAD), business cases and distinct partners of a group."""
    return [
        sa.func.sum(bc.c.budget).label("budget"),
        sa.func.count(bc.c.id_business_case).label("business_cases"),
        sa.func.count(sa.distinct(bc.c.id_partenaire)).label("partenaires"),
    ]


def breakdowns_stmt(filters: Filters, users: tuple[int, ...] | None, materialised: bool = False) -> sa.CompoundSelect:
    """``COLUMNS`` for the whole slice (``dimension`` = "total") and per key of every ``DIMENSIONS`` entry."""
    bc = _slice(filters, users, materialised)
    null = sa.cast(sa.null(), CODE)
    selects = [
        sa.select(
            sa.literal("total", sa.String()).label("dimension"), null.label("code_parent"), null.label("code")
        ).add_columns(*_measures(bc))
    ]
    for name, (parent_name, key_name) in DIMENSIONS.items():
        parent = None if parent_name is None else bc.c[parent_name]
        key = bc.c[key_name]
        keys = [key] if parent is None else [parent, key]
        selects.append(
            sa.select(sa.literal(name, sa.String()), null if parent is None else parent, key, *_measures(bc)).group_by(
                *keys
            )
        )
    return sa.union_all(*selects)


def kpis_over_stmt(filters: Filters, users: tuple[int, ...] | None, spans: tuple[Period, ...]) -> sa.CompoundSelect:
    """Per span of days instead of the filters' period: ``periode`` (the span's index), then ``COLUMNS`` of
    ``breakdowns_stmt``'s ``total`` and ``statut`` rows, what the headline numbers and the engagement read."""
    null = sa.cast(sa.null(), CODE)
    source = BC.outerjoin(P, P.c.id_partenaire == BC.c.id_partenaire)
    branches = []
    for index, span in enumerate(spans):
        where = invest_conditions(over(filters, span), users)
        for name, key in (("total", None), ("statut", BC.c.code_statut_bc)):
            stmt = sa.select(
                sa.literal(index, sa.Integer).label("periode"),
                sa.literal(name, sa.String()).label("dimension"),
                null.label("code_parent"),
                (null if key is None else key).label("code"),
                sa.func.sum(BC.c.budget).label("budget"),
                sa.func.count(BC.c.id_business_case).label("business_cases"),
                sa.func.count(sa.distinct(BC.c.id_partenaire)).label("partenaires"),
            )
            stmt = stmt.select_from(source).where(*where)
            branches.append(stmt if key is None else stmt.group_by(key))
    return sa.union_all(*branches)


@memoized
def breakdown_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """``COLUMNS`` rows: one "total" row, then budget, business cases and partners per key of each dimension
    (codes as they are, None for a missing one; measures as ints)."""
    rows = db.read(breakdowns_stmt(filters, visible_users(filters, scope), facts.materialised()))
    return [(*row[:3], *(int(value or 0) for value in row[3:])) for row in rows]


def breakdowns(filters: Filters, scope: Scope) -> list[dict[str, Any]]:
    """``breakdown_rows`` as dicts keyed by ``COLUMNS`` (fresh ones: the caller may change them)."""
    return [dict(zip(COLUMNS, row, strict=True)) for row in breakdown_rows(filters, scope)]


@memoized
def kpi_rows_over(filters: Filters, scope: Scope, spans: tuple[Period, ...]) -> list[list[dict[str, Any]]]:
    """Over each span of days instead of the filters' period (the comparisons), in one statement: the
    ``breakdowns`` rows the headline numbers and the engagement read (dimensions ``total`` and ``statut``)."""
    out: list[list[dict[str, Any]]] = [[] for _ in spans]
    for index, *row in db.read(kpis_over_stmt(filters, visible_users(filters, scope), spans)):
        out[index].append(dict(zip(COLUMNS, (*row[:3], *(int(value or 0) for value in row[3:])), strict=True)))
    return out


def funded_partners_stmt(filters: Filters, users: tuple[int, ...] | None) -> sa.Select:
    """The partners funded in the slice (the partner filter itself set aside): ``id_partenaire, nom, prenom``,
    by name: what the page's partner filter offers."""
    wider = dataclasses.replace(filters, id_partenaire=None, id_business_case=None)
    return (
        sa.select(BC.c.id_partenaire, P.c.nom_partenaire, P.c.prenom_partenaire)
        .select_from(BC.outerjoin(P, P.c.id_partenaire == BC.c.id_partenaire))
        .where(BC.c.id_partenaire.is_not(None), *invest_conditions(wider, users))
        .group_by(BC.c.id_partenaire, P.c.nom_partenaire, P.c.prenom_partenaire)
        .order_by(P.c.nom_partenaire, P.c.prenom_partenaire, BC.c.id_partenaire)
    )


@memoized
def funded_partner_rows(filters: Filters, scope: Scope) -> list[tuple[int, str]]:
    """``(id_partenaire, label)`` of the partners funded in the slice, by name ("NOM Prénom (n° 12)")."""
    rows = db.read(funded_partners_stmt(filters, visible_users(filters, scope)))
    return [(int(pid), partner_label(pid, nom, prenom)) for pid, nom, prenom in rows]


def partner_label(pid: int, nom: str | None, prenom: str | None) -> str:
    """A partner as a manager names it: its name, then its number (two partners may share a name)."""
    name = " ".join(part.strip() for part in (nom, prenom) if part and part.strip())
    return f"{name or 'Partenaire sans nom'} (n° {pid})"
