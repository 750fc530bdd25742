"""One rep's page (issue 13, ``/delegue?id_utilisateur=…``, ``/api/v1/delegue``): the rep's scorecard numbers
against their team's average and the previous period, weekly visits, visits by potential and by outcome, the
"comptes à relancer", the evaluation history and the business cases.

The rep's team is their current manager's (the sidebar's team filter on that manager), within the caller's
scope; its average is the mean over its reps of each number (rates: the mean of the reps' rates). The rep must
be inside the caller's scope, as any ``id_utilisateur`` (403 otherwise, checked by the API and the page).
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import sqlalchemy as sa

from data import side_by_side
from data.app import settings
from data.app.settings import TIERS, Targets
from data.cache import memoized, reference
from data.metrics import equipe, equipe_report, performance_report, periods, visites
from data.metrics.evaluations import E
from data.metrics.filters import VISIT_V1_FIELDS, FilterError, Filters, UnknownError
from data.metrics.investissements import BC, P, invest_conditions
from data.metrics.investissements_report import STATUTS
from data.metrics.scope import Scope, users, visible_users
from data.source import db

FIELDS = VISIT_V1_FIELDS
V1_FIELDS = VISIT_V1_FIELDS
#: Filters the route cannot do without.
REQUIRED = ("id_utilisateur",)
#: The OpenAPI document's summary of the route.
SUMMARY = "Un délégué (id_utilisateur requis) : indicateurs, moyenne de l'équipe, comptes à relancer, historique"
#: Average over the team for these scorecard numbers.
AVERAGED = equipe_report.COMPARED


def rep_of(filters: Filters) -> dict[str, Any]:
    """The rep the filters name: ``id_utilisateur, nom, role, statut, id_responsable, responsable``."""
    if filters.id_utilisateur is None:
        raise FilterError("id_utilisateur", "choisissez un délégué (id_utilisateur)")
    uid, known, bosses = filters.id_utilisateur, equipe_report.people(), managers()
    if uid not in known:
        raise UnknownError("id_utilisateur", f"utilisateur inconnu ({uid})")
    nom, role, statut = known[uid]
    boss = bosses.get(uid)
    return {
        "id_utilisateur": uid,
        "nom": nom,
        "role": role,
        "statut": statut,
        "id_responsable": boss,
        "responsable": known[boss][0] if boss in known else None,
    }


@reference
def managers() -> dict[int, int]:
    """Each CRM user's current manager, by id (users without one are left out)."""
    frame = users()
    pairs = zip(frame["id_utilisateur"], frame["id_responsable"], strict=True)
    return {int(uid): int(boss) for uid, boss in pairs if boss == boss}  # NaN: no manager


def team_of(filters: Filters, manager: int | None) -> Filters | None:
    """The filters of the rep's team: their current manager's (None without a manager)."""
    return None if manager is None else filters.replace(id_utilisateur=None, id_responsable=manager)


def source(filters: Filters, scope: Scope) -> Filters:
    """The filters whose per-rep rows hold the rep's: their team's when the rep is one of the team's users the
    caller sees and the period's days are the same for both (the rep's numbers and the team average are then one
    count: at 1M visits, five statements fewer), else the rep's own. An unbounded period runs from the slice's first
    to its last visit day, which may differ between the rep and the team."""
    team = team_of(filters, rep_of(filters)["id_responsable"])
    uid = filters.id_utilisateur
    if team is None or visible_users(filters, scope) != (uid,) or uid not in (visible_users(team, scope) or ()):
        return filters
    return team if equipe.span(filters, scope) == equipe.span(team, scope) else filters


def rep_row(filters: Filters, scope: Scope, targets: Targets) -> dict[str, Any]:
    """The rep's scorecard numbers (whatever their role: a manager who visits has a page too)."""
    uid, counted = _uid(filters), source(filters, scope)
    reach = equipe.reach_rows(counted, scope, targets)
    return _row(
        uid, counted, scope, targets, reach[0]["reps"] if reach else [], equipe.activity_rows(counted, scope), True,
        equipe.budget_rows(counted, scope),
    )  # fmt: skip


def _uid(filters: Filters) -> int:
    assert filters.id_utilisateur is not None
    return filters.id_utilisateur


def _row(
    uid: int,
    counted: Filters,
    scope: Scope,
    targets: Targets,
    rep_tiers: list[tuple[Any, ...]],
    activity_rows: list[tuple[int, ...]],
    evaluated: bool,
    budgets: dict[int, int],
) -> dict[str, Any]:
    """Rep ``uid``'s row among the per-rep rows counted over ``counted`` (the rep's filters or their team's)."""
    reps = [(uid, False, 0)]
    return equipe_report.scorecard(counted, scope, targets, reps, rep_tiers, activity_rows, evaluated, budgets)[0]


def earlier_rows(filters: Filters, scope: Scope, targets: Targets) -> dict[str, tuple[periods.Period, dict[str, Any]]]:
    """The rep's compared numbers over the previous period and the same period a year earlier (their portfolio
    counted with the period's; their evaluation is not compared)."""
    uid, counted = _uid(filters), source(filters, scope)
    found = equipe.spans(counted, scope)
    reach = equipe.reach_rows(counted, scope, targets)
    activity = equipe_report.earlier_activity(counted, scope)
    budgets = equipe_report.earlier_budgets(counted, scope)
    out = {}
    for k, (key, period) in enumerate(zip(equipe_report.EARLIER, found[1:], strict=False), start=1):
        over = periods.over(counted, period)
        row = _row(uid, over, scope, targets, reach[k]["reps"], activity[period], False, budgets[period])
        out[key] = (period, {name: row[name] for name in AVERAGED})
    return out


def outcomes(filters: Filters, scope: Scope) -> list[dict[str, Any]]:
    """The rep's visits per outcome, from the activity their numbers are counted with (``source``)."""
    uid = _uid(filters)
    mine = [row for row in equipe.activity_rows(source(filters, scope), scope) if row[0] == uid]
    return equipe_report.outcomes(filters, scope, mine)


def team_average(filters: Filters, scope: Scope, targets: Targets, manager: int | None) -> dict[str, Any] | None:
    """The mean of each ``AVERAGED`` number over the reps of ``manager``'s team (None without a manager), counted
    with the rep's numbers when they are read from the team's (``source``)."""
    team = team_of(filters, manager)
    if team is None:
        return None
    reach = equipe.reach_rows(team, scope, targets)
    rows = equipe_report.scorecard(team, scope, targets, rep_tiers=reach[0]["reps"] if reach else [], evaluated=False)
    out: dict[str, Any] = {"delegues": len(rows)}
    for key in AVERAGED:
        values = [row[key] for row in rows if row[key] is not None]
        out[key] = round(statistics.fmean(values), 2) if values else None
    return out


def to_revisit(filters: Filters, scope: Scope, targets: Targets) -> list[dict[str, Any]]:
    """Portfolio accounts not seen for ``relance_jours`` days, most valuable first: by potential, then by the
    visits they had in the window (a regular account gone silent before a partner seen once), then the longest
    silent."""
    period = equipe.span(filters, scope)
    if period is None:
        return []
    reference = equipe.reference_day(period)
    rank = {tier: i for i, tier in enumerate(TIERS)}
    rows = []
    for pid, tier, last, seen, nom, prenom, ville in equipe.silent_rows(filters, scope, targets):
        rows.append(
            {
                "id_partenaire": pid,
                "partenaire": " ".join(part for part in (nom, prenom) if part) or f"Partenaire {pid}",
                "potentiel": tier or None,
                "code_ville_partenaire": ville,
                "derniere_visite": None if last is None else last.isoformat(),
                "jours_sans_visite": None if last is None else (reference - last).days,
                "visites_fenetre": seen,
            }
        )
    return sorted(
        rows,
        key=lambda r: (rank.get(r["potentiel"] or "", 99), -r["visites_fenetre"], -(r["jours_sans_visite"] or 10**6)),
    )


@memoized
def evaluation_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """The rep's evaluations up to the period's end, the latest first: ``(id, jour, points, sur, evaluateur)``."""
    assert filters.id_utilisateur is not None and scope.allows(filters.id_utilisateur)
    where = [E.c.id_utilisateur_evalue == filters.id_utilisateur]
    end = equipe.period_end(filters)
    if end is not None:
        where.append(E.c.date_integration < dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    stmt = sa.select(E.c.id, E.c.date_integration, E.c.points_obtenu, E.c.points_total, E.c.id_createur).where(*where)
    rows = db.read(stmt.order_by(E.c.date_integration.desc(), E.c.id.desc()))
    return [(int(i), equipe.day_of(when), int(points), int(total), int(by)) for i, when, points, total, by in rows]


@memoized
def business_case_rows(filters: Filters, scope: Scope) -> list[tuple[Any, ...]]:
    """The rep's business cases in the slice: ``(id, jour, partenaire, nom, prenom, type, statut, budget)``."""
    uid = filters.id_utilisateur
    assert uid is not None and scope.allows(uid)
    when = sa.func.coalesce(BC.c.date_realisation, BC.c.date_creation, type_=sa.DateTime)
    stmt = (
        sa.select(BC.c.id_business_case, when, BC.c.id_partenaire, P.c.nom_partenaire, P.c.prenom_partenaire)
        .add_columns(BC.c.code_type_investissement, BC.c.code_statut_bc, BC.c.budget)
        .select_from(BC.outerjoin(P, P.c.id_partenaire == BC.c.id_partenaire))
        .where(*invest_conditions(filters, (uid,)), BC.c.id_utilisateur == uid)
        .order_by(when.desc(), BC.c.id_business_case.desc())
    )
    return [
        (int(i), equipe.day_of(w), pid, nom, prenom, kind, status, int(budget or 0))
        for i, w, pid, nom, prenom, kind, status, budget in db.read(stmt)
    ]


def statements(filters: Filters, scope: Scope, targets: Targets) -> list[side_by_side.Call]:
    """The query functions of the page's answer, independent of each other (``side_by_side``), the longest first:
    the rep's numbers (their team's count, or their own: ``source``), their team's for the average, and the
    rep's weekly visits, potentials, accounts to revisit, evaluations and business cases."""
    counted, team = source(filters, scope), team_of(filters, rep_of(filters)["id_responsable"])
    calls: list[side_by_side.Call] = []
    for over in (counted, team):
        if over is not None:
            calls += [
                (equipe.reach_rows, (over, scope, targets)),
                (equipe.activity_rows, (over, scope)),
                (equipe.budget_rows, (over, scope)),
            ]
    calls += [
        (equipe.silent_rows, (filters, scope, targets)),
        (visites.calendar_rows, (filters, scope, "semaine")),
        (performance_report.category_rows, (filters, scope, "potentiel")),
        (equipe.last_evaluations, (counted, scope)),
        (evaluation_rows, (filters, scope)),
        (business_case_rows, (filters, scope)),
    ]
    return list(dict.fromkeys(calls))  # the team's count is the rep's when it is their source


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body of one rep (``id_utilisateur`` required)."""
    rep = rep_of(filters)
    targets = settings.current()
    known = equipe_report.people()
    side_by_side.compute(*statements(filters, scope, targets))
    out: dict[str, Any] = {"filtres": filters.to_dict(), "delegue": rep, "reglages": targets.to_dict()}
    period = equipe.span(filters, scope)
    out["periode"] = None if period is None else period.to_dict()
    out["indicateurs"] = rep_row(filters, scope, targets)
    earlier = earlier_rows(filters, scope, targets)
    for key in equipe_report.EARLIER:
        period, numbers = earlier.get(key, (None, None))
        out[key] = None if period is None else {**period.to_dict(), "indicateurs": numbers}
    out["moyenne_equipe"] = team_average(filters, scope, targets, rep["id_responsable"])
    out["visites_par_semaine"] = [
        {"semaine": week.isoformat(), "visites": n} for week, _, n in visites.calendar_rows(filters, scope, "semaine")
    ]
    out["visites_par_potentiel"] = [
        {"code_potentiel": code, "nombre_visites": n}
        for code, _, n in performance_report.category_rows(filters, scope, "potentiel")
    ]
    out["visites_par_issue"] = outcomes(filters, scope)
    out["comptes_a_relancer"] = to_revisit(filters, scope, targets)
    out["evaluations"] = [
        {
            "id": i,
            "date": day.isoformat(),
            "points": points,
            "sur": total,
            "id_createur": by,
            "evaluateur": known[by][0] if by in known else None,
        }
        for i, day, points, total, by in evaluation_rows(filters, scope)
    ]
    out["business_cases"] = [
        {
            "id_business_case": i,
            "date": day.isoformat() if day else None,
            "id_partenaire": pid,
            "partenaire": " ".join(part for part in (nom, prenom) if part) or None,
            "code_type_investissement": kind,
            "code_statut_bc": status,
            "statut": STATUTS.get(status, status),
            "budget": budget,
        }
        for i, day, pid, nom, prenom, kind, status, budget in business_case_rows(filters, scope)
    ]
    return out
