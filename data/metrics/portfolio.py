"""The portfolio, its coverage and reach × frequency by potential (issue 13).

Partners are not assigned to reps in the CRM, so a rep's **portfolio** is the partners they visited in the
``portefeuille_mois`` months (12 by default) up to the period's end; a selection's (team, rep, role) is the
union of its reps'. For the whole company (no selection of people) it is the partner base: every partner not
rejected, in the filtered régions and gammes, as the Partenaires page counts it.

* **coverage**: portfolio partners visited in the period / portfolio partners;
* **frequency**: a partner's visits in the period (its contacts: a visit names a partner once) by the
  selection's reps, in buckets 0, 1, 2, 3, 4+, per potential tier (A+, A, B, C, D, non renseigné);
* **at target**: visits ≥ the tier's target per month × the period's months (``Targets.required``);
  **attainment** = partners at target / portfolio partners of the tier.

``pairs`` is the one statement underneath: the (rep, partner) pairs of the window and the period, with the
partner's current potential, its visits in the period and the last visit day up to the reference day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from data.app.settings import Targets
from data.metrics import facts, periods
from data.metrics.filters import Filters
from data.metrics.partenaires import REJECTED, base_conditions, potential, visited_accounts
from data.metrics.periods import Period
from data.source.fact import HIGH_POTENTIAL
from data.source.schema import partenaire

#: The frequency buckets: partners with 0, 1, 2, 3 and 4 or more visits in the period.
BUCKETS = ("0", "1", "2", "3", "4+")


def window_start(end: dt.date, months: int) -> dt.date:
    """The first day of the ``months`` months ending on ``end`` (12 months to 2025-03-31: from 2024-04-01)."""
    month_index = end.year * 12 + end.month - 1 - months
    year, month = divmod(month_index, 12)
    try:
        before = end.replace(year=year, month=month + 1)
    except ValueError:  # 31 March minus one month: the last day of February
        before = dt.date(year, month + 2, 1) - dt.timedelta(days=1) if month < 11 else dt.date(year, 12, 31)
    return before + dt.timedelta(days=1)


def months_in(period: Period) -> float:
    """The period's length in months of average length (a 30- or 31-day month: about 1)."""
    return period.days / (365.25 / 12)


def pairs(
    filters: Filters,
    users: tuple[int, ...] | None,
    materialised: bool,
    spans: list[Period],
    months: int,
    reference: dt.date | None = None,
) -> sa.CTE:
    """``pairs``: one row per (rep, partner) visited in a window or a period of ``spans`` (the period first, then
    the earlier ones it is compared with, all read in one pass): ``id_utilisateur, id_partenaire, potentiel``,
    per span ``k`` ``portefeuille_k`` (the visits in its window) and ``visites_k`` (the visits in it), and
    with a ``reference`` day, ``derniere_visite`` (the last visit's time up to it, included) and
    ``visites_fenetre`` (the visits in the first span's window up to it)."""
    starts = [window_start(span.end, months) for span in spans]
    reach = periods.over(filters, Period(min(*starts, *(span.start for span in spans)), max(s.end for s in spans)))
    f = facts.rows(reach, users, materialised, by_rep=True)
    measures = []
    for k, (span, start) in enumerate(zip(spans, starts, strict=True)):
        # the period's own conditions (a month of every year included); the earlier ones are plain ranges
        inside = facts.period_conditions(filters if k == 0 else periods.over(filters, span), f.c.date_visite)
        window = sa.and_(f.c.date_visite >= _at(start), f.c.date_visite < _at(span.end + dt.timedelta(days=1)))
        measures.append(_count(window, materialised).label(f"portefeuille_{k}"))
        measures.append(_count(sa.and_(*inside) if inside else sa.true(), materialised).label(f"visites_{k}"))
    return (
        sa.select(
            f.c.id_utilisateur,
            f.c.id_partenaire,
            f.c.potentiel,
            *measures,
            *([] if reference is None else _last_visit(f, starts[0], reference)),
        )
        .where(f.c.id_partenaire.is_not(None))
        .group_by(f.c.id_utilisateur, f.c.id_partenaire, f.c.potentiel)
        .cte("pairs")
    )


def _count(condition: sa.ColumnElement[bool], materialised: bool) -> sa.ColumnElement[int]:
    """The rows matching ``condition``: ``count(*) FILTER`` on the replica (DuckDB: the pairs of a month at 1M
    visits, 24 -> 19 ms), a sum of cases elsewhere (MariaDB has no FILTER clause)."""
    if materialised:
        return sa.func.count().filter(condition)
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _last_visit(f: sa.FromClause, start: dt.date, reference: dt.date) -> list[sa.ColumnElement[Any]]:
    up_to = _at(reference + dt.timedelta(days=1))
    seen = sa.and_(f.c.date_visite >= _at(start), f.c.date_visite < up_to)
    return [
        sa.func.max(sa.case((f.c.date_visite < up_to, f.c.date_visite))).label("derniere_visite"),
        sa.func.sum(sa.case((seen, 1), else_=0)).label("visites_fenetre"),
    ]


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _capped(column: sa.ColumnElement[Any], cap: int) -> sa.ColumnElement[int]:
    """``column`` capped at ``cap`` (counts above every tier's requirement need not be told apart)."""
    return sa.case((column > cap, cap), else_=column)


def _partners(pair_rows: sa.CTE, least: int, *measures: sa.ColumnElement[Any]) -> sa.Subquery:
    """The selection's portfolio partners of the first span (visited ``least`` times in its window by one of its
    reps): ``id_partenaire, potentiel`` and ``measures`` over their pairs."""
    return (
        sa.select(pair_rows.c.id_partenaire, pair_rows.c.potentiel, *measures)
        .group_by(pair_rows.c.id_partenaire, pair_rows.c.potentiel)
        .having(sa.func.max(pair_rows.c.portefeuille_0) >= least)
        .subquery("partners")
    )


#: The measures of a rep's own portfolio per span, in ``reach_stmt``'s rep rows.
REP_MEASURES = ("partenaires", "vus", "fort", "fort_cible")


def reach_stmt(
    pair_rows: sa.CTE, caps: list[int], required: list[dict[str, int]], team: bool, least: int = 1
) -> sa.Select | sa.CompoundSelect:
    """Every span ``k`` at once, the pairs read by two groupings (not one per span: a team's month and its two
    comparisons at 1M visits, 29 -> 22 ms). Columns: ``k, id_utilisateur, potentiel, visites, partenaires``, then
    ``REP_MEASURES`` per span:

    * one row per rep (``k`` -1): per span, their portfolio's ``partenaires`` (the partners they visited at least
      ``least`` times in its window), those ``vus`` in the span, those of high potential (``fort``) and those of them
      at target (``fort_cible``: ``required[k]``, visits needed per high tier);
    * with ``team``, the selection's portfolio per (``k``, ``potentiel``, visits in the span capped at ``caps[k]``):
      a partner of several reps counts once, with the visits of all of them (``id_utilisateur`` null).
    """
    high = pair_rows.c.potentiel.in_(HIGH_POTENTIAL)
    measures = []
    for k, needed in enumerate(required):
        visits, mine = pair_rows.c[f"visites_{k}"], pair_rows.c[f"portefeuille_{k}"] >= least
        tiers = [sa.and_(pair_rows.c.potentiel == tier, visits >= n) for tier, n in needed.items()]
        at_target = sa.or_(*tiers) if tiers else sa.false()
        conditions = (mine, sa.and_(mine, visits > 0), sa.and_(mine, high), sa.and_(mine, at_target))
        named = zip(REP_MEASURES, conditions, strict=True)
        measures += [_sum(condition).label(f"{name}_{k}") for name, condition in named]
    reps = sa.select(
        sa.literal(-1, sa.Integer).label("k"),
        pair_rows.c.id_utilisateur,
        sa.cast(sa.null(), sa.String(8)).label("potentiel"),
        *_nulls(2, ("visites", "n")),
        *measures,
    ).group_by(pair_rows.c.id_utilisateur)
    if not team:
        return reps
    return sa.union_all(reps, _team_reach(pair_rows, caps, least, len(measures)))


def _team_reach(pair_rows: sa.CTE, caps: list[int], least: int, width: int) -> sa.Select:
    """The selection's portfolio per (span ``k``, potentiel, visits capped): its partners once each (the pairs
    summed per partner), crossed with the spans."""
    spans = range(len(caps))
    per_partner = (
        sa.select(
            pair_rows.c.id_partenaire,
            pair_rows.c.potentiel,
            *(sa.func.max(pair_rows.c[f"portefeuille_{k}"]).label(f"portefeuille_{k}") for k in spans),
            *(sa.func.sum(pair_rows.c[f"visites_{k}"]).label(f"visites_{k}") for k in spans),
        )
        .group_by(pair_rows.c.id_partenaire, pair_rows.c.potentiel)
        .subquery("partners")
    )
    ks = sa.union_all(*(sa.select(sa.literal(k, sa.Integer).label("k")) for k in spans)).subquery("ks")
    in_window = sa.case(*((ks.c.k == k, per_partner.c[f"portefeuille_{k}"]) for k in spans))
    capped = sa.case(*((ks.c.k == k, _capped(per_partner.c[f"visites_{k}"], cap)) for k, cap in enumerate(caps)))
    return (
        sa.select(ks.c.k, *_nulls(1, ("id_utilisateur",)), per_partner.c.potentiel, capped, sa.func.count())
        .add_columns(*_nulls(width))
        .select_from(per_partner.join(ks, sa.true()))
        .where(in_window >= least)
        .group_by(ks.c.k, per_partner.c.potentiel, capped)
    )


def _nulls(count: int, names: tuple[str, ...] = ()) -> list[sa.ColumnElement[Any]]:
    """``count`` null integer columns, each its own (a select keeps one of identical columns)."""
    return [sa.cast(sa.null(), sa.Integer).label(names[i] if i < len(names) else f"vide_{i}") for i in range(count)]


def _sum(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def base_reach_stmt(spans: list[Filters], materialised: bool, caps: list[int], width: int) -> sa.CompoundSelect:
    """The company's portfolio, the partner base (not rejected, in the filtered régions and gammes, under the
    partner cross-filters), per (span ``k``, potentiel, visits in the span capped at ``caps[k]``), as
    ``reach_stmt``'s team rows: ``k``, null, ``potentiel, visites, partenaires``, ``width`` nulls; ``spans``: the
    filters over each span."""
    branches = []
    for k, (filters, cap) in enumerate(zip(spans, caps, strict=True)):
        vp = visited_accounts(filters, None, materialised)
        p = partenaire.alias(f"p{k}")
        where = [p.c.code_statut_partenaire != REJECTED, *base_conditions(p, filters)]
        if filters.region:
            where.append(p.c.code_region_partenaire.in_(filters.region))
        if filters.gamme:
            where.append(p.c.code_gamme.in_(filters.gamme))
        tier = potential(p.c.code_potentiel)
        visits = _capped(sa.func.coalesce(vp.c.visites, 0), cap)
        branches.append(
            sa.select(sa.literal(k), *_nulls(1, ("id_utilisateur",)), tier, visits, sa.func.count())
            .add_columns(*_nulls(width))
            .select_from(p.outerjoin(vp, vp.c.id_partenaire == p.c.id_partenaire))
            .where(*where)
            .group_by(tier, visits)
        )
    return sa.union_all(*branches)


def silent_stmt(pair_rows: sa.CTE, before: dt.date, least: int = 1) -> sa.Select:
    """Portfolio partners whose last visit by the selection is before ``before``: ``id_partenaire, potentiel,
    derniere_visite, visites_fenetre, nom, prenom, ville`` (code), with the partner's current name and city."""
    p = partenaire.alias("p")
    last = _partners(
        pair_rows,
        least,
        sa.func.max(pair_rows.c.derniere_visite).label("derniere_visite"),
        sa.func.sum(pair_rows.c.visites_fenetre).label("visites_fenetre"),
    )
    cutoff = dt.datetime.combine(before, dt.time())
    return (
        sa.select(
            last.c.id_partenaire,
            last.c.potentiel,
            last.c.derniere_visite,
            last.c.visites_fenetre,
            p.c.nom_partenaire,
            p.c.prenom_partenaire,
            p.c.code_ville_partenaire,
        )
        .select_from(last.outerjoin(p, p.c.id_partenaire == last.c.id_partenaire))
        .where(sa.or_(last.c.derniere_visite.is_(None), last.c.derniere_visite < cutoff))
    )


def cap_of(targets: Targets, months: float) -> int:
    """The count above which buckets and targets no longer tell partners apart."""
    required = [targets.required(tier, months) or 0 for tier, _ in targets.frequences]
    return max(4, *required)


def required_high(targets: Targets, months: float) -> dict[str, int]:
    """The visits each high tier (A+, A) needs over ``months``, for the tiers that have a target."""
    needed = {tier: targets.required(tier, months) for tier in HIGH_POTENTIAL}
    return {tier: n for tier, n in needed.items() if n is not None}
