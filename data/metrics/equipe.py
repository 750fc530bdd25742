"""The team's numbers per rep (issue 13): activity and visit outcomes, portfolio and reach, last evaluation, budget.

Every function takes the normalised ``Filters`` and the caller's ``Scope`` (and, for the portfolio, the
``Targets`` in force); the rows are per user id, small, and shaped by ``data.metrics.equipe_report``.

* visits are distinct non-deleted visits (as everywhere); a **field day** is a day on which the rep made at
  least one visit;
* **outcomes** (``code_statut_visite``): réalisée (REAL), médecin absent (ABSE), replanifiée (REPL), en attente
  (ENAT); SUPP never counts;
* **plan adherence**: planned visits (PLAN) done (REAL) / planned visits dated in the period up to today
  (included): a visit planned for later is not due yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from data.app.settings import Targets
from data.cache import memoized
from data.metrics import facts, periods, portfolio
from data.metrics import filters as filter_module
from data.metrics.evaluations import E
from data.metrics.filters import Filters
from data.metrics.investissements import BC, P, invest_conditions
from data.metrics.investissements_report import NOT_ENGAGED
from data.metrics.scope import Scope, visible_users
from data.metrics.visites import timeline_rows
from data.source import db
from data.source.fact import OUTCOME_CODES, day

#: Visit outcomes, in the order shown, with their French labels.
OUTCOMES = dict(zip(OUTCOME_CODES, ("Réalisée", "Médecin absent", "Replanifiée", "En attente"), strict=True))
ACTIVITY_COLUMNS = [
    "id_utilisateur", "visites", "jours_terrain", "visites_potentiel_fort", "planifiees_dues",
    "planifiees_realisees", *(f"issue_{code}" for code in OUTCOMES),
]  # fmt: skip


def activity_stmt(
    filters: Filters, users: tuple[int, ...] | None, today: dt.date, materialised: bool = False
) -> sa.Select:
    """Per visiting user: ``ACTIVITY_COLUMNS`` (distinct visits, field days, A+/A visits, planned visits due by
    ``today`` and done, visits per outcome)."""
    if facts.by_day(filters, materialised):
        d = facts.days(filters, users)
        return sa.select(d.c.id_utilisateur, *_day_activity(d, today)).group_by(d.c.id_utilisateur)
    f = facts.rows(filters, users, materialised)
    return sa.select(f.c.id_utilisateur, *_activity(f, filters, today)).group_by(f.c.id_utilisateur)


def activity_over_stmt(
    filters: Filters,
    users: tuple[int, ...] | None,
    today: dt.date,
    spans: tuple[periods.Period, ...],
    materialised: bool,
) -> sa.Select:
    """``activity_stmt`` over each span at once: ``periode`` (the span's index), then ``ACTIVITY_COLUMNS``."""
    if facts.by_day(filters, materialised):
        d = facts.days(filters, users, spans)
        return sa.select(d.c.periode, d.c.id_utilisateur, *_day_activity(d, today)).group_by(
            d.c.periode, d.c.id_utilisateur
        )
    f = facts.spanned(filters, users, materialised, spans)
    keys = (f.c.periode, f.c.id_utilisateur)
    return sa.select(*keys, *_activity(f, filters, today)).group_by(*keys)


def _tomorrow(today: dt.date) -> dt.datetime:
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time())


def _day_activity(d: sa.FromClause, today: dt.date) -> list[sa.ColumnElement[Any]]:
    """``_activity`` over the sums per rep and day (each row a field day: it sums at least one visit)."""
    due = d.c.date_visite < _tomorrow(today)

    def total(column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(column), 0)

    return [
        total(d.c.visites).label("visites"),
        sa.func.count().label("jours_terrain"),
        total(d.c.visites_potentiel_fort).label("visites_potentiel_fort"),
        total(sa.case((due, d.c.planifiees), else_=0)).label("planifiees_dues"),
        total(sa.case((due, d.c.planifiees_realisees), else_=0)).label("planifiees_realisees"),
        *(total(d.c[f"issue_{code}"]).label(f"issue_{code}") for code in OUTCOMES),
    ]


def _activity(f: sa.FromClause, filters: Filters, today: dt.date) -> list[sa.ColumnElement[Any]]:
    due = sa.and_(f.c.code_type_visite == "PLAN", f.c.date_visite < _tomorrow(today))
    measures: list[sa.ColumnElement[Any]] = [
        facts.visits(f, filters).label("visites"),
        sa.func.count(sa.distinct(day(f.c.date_visite))).label("jours_terrain"),
        facts.visits(f, filters, "p_fort", f.c.potentiel_fort == 1).label("visites_potentiel_fort"),
        facts.visits(f, filters, when=due).label("planifiees_dues"),
        facts.visits(f, filters, when=sa.and_(due, f.c.code_statut_visite == "REAL")).label("planifiees_realisees"),
    ]
    measures += [
        facts.visits(f, filters, when=f.c.code_statut_visite == code).label(f"issue_{code}") for code in OUTCOMES
    ]
    return measures


def activity_rows(filters: Filters, scope: Scope) -> list[tuple[int, ...]]:
    """``ACTIVITY_COLUMNS`` rows, one per user with a visit in the slice (planned visits due by today). A bounded
    period is counted with the periods it is compared with, in one statement (``compared``)."""
    found = compared(filters, scope)
    if len(found) > 1:
        return activity_over(filters, scope, found)[0]
    return _activity_rows(filters, scope, filter_module.today())


def compared(filters: Filters, scope: Scope) -> tuple[periods.Period, ...]:
    """The period and the distinct earlier ones it is compared with (``spans``): the activity's one statement."""
    return tuple(dict.fromkeys(spans(filters, scope)))


@memoized
def _activity_rows(filters: Filters, scope: Scope, today: dt.date) -> list[tuple[int, ...]]:
    stmt = activity_stmt(filters, visible_users(filters, scope), today, facts.materialised())
    return [tuple(int(value or 0) for value in row) for row in db.read(stmt)]


def activity_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[list[tuple[int, ...]]]:
    """``activity_rows`` over each span (the filters' own period replaced), counted in one statement."""
    return _activity_over(filters, scope, spans, filter_module.today())


@memoized
def _activity_over(
    filters: Filters, scope: Scope, spans: tuple[periods.Period, ...], today: dt.date
) -> list[list[tuple[int, ...]]]:
    out: list[list[tuple[int, ...]]] = [[] for _ in spans]
    if spans:
        stmt = activity_over_stmt(filters, visible_users(filters, scope), today, spans, facts.materialised())
        for index, *row in db.read(stmt):
            out[int(index)].append(tuple(int(value or 0) for value in row))
    return out


def span(filters: Filters, scope: Scope) -> periods.Period | None:
    """The period's days: its bounds, else from the slice's first to its last visit day (None: no visit)."""
    bounded = periods.bounds(filters)
    if bounded is not None:
        return bounded
    seen = timeline_rows(filters, scope)
    first = filters.start_date or (seen[0][0] if seen else None)
    last = filters.end_date or (seen[-1][0] if seen else None)
    return periods.Period(first, last) if first and last and first <= last else None


def reference_day(period: periods.Period, today: dt.date | None = None) -> dt.date:
    """The day "not visited for N days" counts from: the period's end, or today if it ends later."""
    return min(period.end, today or filter_module.today())


def spans(filters: Filters, scope: Scope) -> list[periods.Period]:
    """The period, then, when it is bounded, the previous one and the same one a year earlier."""
    period = span(filters, scope)
    if period is None:
        return []
    before = [periods.previous(filters), periods.year_earlier(filters)]
    return [period, *(p for p in before if p is not None)]


Reach = list[dict[str, list[tuple[Any, ...]]]]


@memoized
def reach_rows(filters: Filters, scope: Scope, targets: Targets) -> Reach:
    """Per span of ``spans`` (the period first): ``reps``, each rep's own portfolio as ``(id_utilisateur,
    partenaires, vus, fort, fort_cible)`` rows (see ``portfolio.reach_stmt``), and ``team``, the selection's as
    ``(potentiel, visites capped, partenaires)`` rows ("" for no potential); the company's (no selection of
    people) is the partner base. The spans are counted together: the comparisons cost no pass of their own."""
    found = spans(filters, scope)
    if not found:
        return []
    users = visible_users(filters, scope)
    caps = [portfolio.cap_of(targets, portfolio.months_in(period)) for period in found]
    materialised = facts.materialised()
    # the reps' own portfolios are compared with the previous period only (the scorecard's rows); the selection's
    # with both: for the company it is the partner base, so its pairs need not reach a year back
    paired = found if users is not None else found[:2]
    pair_rows = portfolio.pairs(filters, users, materialised, paired, targets.portefeuille_mois)
    required = [portfolio.required_high(targets, portfolio.months_in(period)) for period in paired]
    least = targets.portefeuille_visites_min
    stmt = portfolio.reach_stmt(pair_rows, caps[: len(paired)], required, users is not None, least)
    if users is None:
        over = [filters, *(periods.over(filters, period) for period in found[1:])]
        width = len(portfolio.REP_MEASURES) * len(paired)
        base = portfolio.base_reach_stmt(over, materialised, caps, width)
        stmt = sa.union_all(stmt, *base.selects)
    out: Reach = [{"reps": [], "team": []} for _ in found]
    size = len(portfolio.REP_MEASURES)
    for k, uid, tier, visits, n, *measures in db.read(sa.select(stmt.subquery())):
        if int(k) >= 0:
            out[int(k)]["team"].append((tier or "", int(visits), int(n)))
            continue
        for span in range(len(paired)):
            partners, seen, high, at_target = (int(value or 0) for value in measures[span * size : (span + 1) * size])
            if partners:
                out[span]["reps"].append((int(uid), partners, seen, high, at_target))
    return out


def tier_rows(filters: Filters, scope: Scope, targets: Targets) -> list[tuple[Any, ...]]:
    """The selection's portfolio over the period: ``(potentiel, visites capped, partenaires)``."""
    reach = reach_rows(filters, scope, targets)
    return reach[0]["team"] if reach else []


def rep_tier_rows(filters: Filters, scope: Scope, targets: Targets) -> list[tuple[Any, ...]]:
    """Each rep's own portfolio over the period: ``(id_utilisateur, partenaires, vus, fort, fort_cible)``."""
    reach = reach_rows(filters, scope, targets)
    return reach[0]["reps"] if reach else []


def silent_rows(filters: Filters, scope: Scope, targets: Targets) -> list[tuple[Any, ...]]:
    """Portfolio partners not visited for ``relance_jours`` days up to the reference day: ``(id_partenaire,
    potentiel, derniere_visite (day), visites_fenetre, nom, prenom, code_ville)``."""
    return _silent_rows(filters, scope, targets, filter_module.today())


@memoized
def _silent_rows(filters: Filters, scope: Scope, targets: Targets, today: dt.date) -> list[tuple[Any, ...]]:
    period = span(filters, scope)
    if period is None:
        return []
    reference = reference_day(period, today)
    users = visible_users(filters, scope)
    pair_rows = portfolio.pairs(filters, users, facts.materialised(), [period], targets.portefeuille_mois, reference)
    before = reference - dt.timedelta(days=targets.relance_jours - 1)
    rows = db.read(sa.select(portfolio.silent_stmt(pair_rows, before, targets.portefeuille_visites_min).subquery()))
    return [
        (int(pid), tier or "", day_of(last), int(seen or 0), nom, prenom, ville)
        for pid, tier, last, seen, nom, prenom, ville in rows
    ]


def day_of(value: Any) -> dt.date | None:
    """A day from any engine's DATETIME (a datetime, or text on SQLite)."""
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value)[:10])


def period_end(filters: Filters) -> dt.date | None:
    """The period's last day, if it has one."""
    bounded = periods.bounds(filters)
    return bounded.end if bounded is not None else filters.end_date


@memoized
def last_evaluations(filters: Filters, scope: Scope) -> dict[int, tuple[int, int, dt.date]]:
    """Each evaluated rep's last evaluation up to the period's end: ``{id: (points, points_total, day)}``."""
    users = visible_users(filters, scope)
    where: list[sa.ColumnElement[bool]] = [] if users is None else [E.c.id_utilisateur_evalue.in_(users)]
    end = period_end(filters)
    if end is not None:
        where.append(E.c.date_integration < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    stmt = (
        sa.select(E.c.id_utilisateur_evalue, E.c.points_obtenu, E.c.points_total, E.c.date_integration)
        .where(*where)
        .order_by(E.c.date_integration, E.c.id)
    )
    return {int(uid): (int(points), int(total), _known(day_of(when))) for uid, points, total, when in db.read(stmt)}


def _known(day: dt.date | None) -> dt.date:
    assert day is not None  # date_integration is NOT NULL
    return day


def budget_rows(filters: Filters, scope: Scope) -> dict[int, int]:
    """Budget engaged (MAD) per requesting rep in the slice (the Investissements page's definition). A bounded
    period is counted with the periods it is compared with, in one statement (``budget_over``)."""
    found = compared(filters, scope)
    return budget_over(filters, scope, found if len(found) > 1 else ())[0]


@memoized
def budget_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[int, int]]:
    """``budget_rows`` over each span (the filters' own period replaced; no span: the filters as they are), in
    one statement."""
    users = visible_users(filters, scope)
    sliced = [periods.over(filters, span) for span in spans] or [filters]
    source = BC.outerjoin(P, P.c.id_partenaire == BC.c.id_partenaire) if filters.gamme or filters.region else BC
    branches = [  # the partner joined only for its gamme or région
        sa.select(sa.literal(index, sa.Integer).label("periode"), BC.c.id_utilisateur, sa.func.sum(BC.c.budget))
        .select_from(source)
        .where(
            *invest_conditions(over, users),
            BC.c.code_statut_bc.not_in(NOT_ENGAGED),
            BC.c.id_utilisateur.is_not(None),
        )
        .group_by(BC.c.id_utilisateur)
        for index, over in enumerate(sliced)
    ]
    stmt = branches[0] if len(branches) == 1 else sa.union_all(*branches)
    out: list[dict[int, int]] = [{} for _ in sliced]
    for index, uid, total in db.read(stmt):
        out[int(index)][int(uid)] = int(total or 0)
    return out
