"""The Équipe area (issue 13): the team scorecard, its headline numbers, reach × frequency and visit outcomes, as
the page shows them and ``/api/v1/equipe`` returns them.

The reps of the selection are the Performance page's (DEL and KAM the filters and the scope allow: every enabled
one, visits or not, and the disabled ones who made visits, marked). Rates are in % with one decimal, ``None``
when their denominator is 0. Definitions: ``data.metrics.equipe`` and ``data.metrics.portfolio``.
"""

from __future__ import annotations

from typing import Any

from data import side_by_side
from data.app import settings
from data.app.settings import TIER_LABELS, TIERS, Targets
from data.cache import reference
from data.metrics import equipe, performance_report, periods, portfolio
from data.metrics.filters import VISIT_V1_FIELDS, Filters
from data.metrics.scope import ACTIVE, Scope, users

#: The v1 route's filters: the sidebar's, the presets and the cross-filters.
FIELDS = VISIT_V1_FIELDS
V1_FIELDS = VISIT_V1_FIELDS
#: The OpenAPI document's summary of the route.
SUMMARY = "Équipe : une ligne par délégué, portefeuille et fréquence par potentiel, issues des visites"
HIGH = ("A+", "A")


def rate(part: float, whole: float, decimals: int = 1) -> float | None:
    """``part / whole`` in %, ``None`` when ``whole`` is 0."""
    return round(100 * part / whole, decimals) if whole else None


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 2) if whole else None


def reach(rows: list[tuple[str, int, int]], targets: Targets, months: float) -> dict[str, dict[str, int]]:
    """Per tier: ``portefeuille``, ``visites`` (visited at least once), ``a_la_cible`` and the bucket counts."""
    out: dict[str, dict[str, int]] = {}
    for tier, visits, n in rows:
        row = out.setdefault(
            tier, {"portefeuille": 0, "visites": 0, "a_la_cible": 0, **dict.fromkeys(portfolio.BUCKETS, 0)}
        )
        required = targets.required(tier, months)
        row["portefeuille"] += n
        row["visites"] += n if visits > 0 else 0
        row["a_la_cible"] += n if required is not None and visits >= required else 0
        row[portfolio.BUCKETS[min(visits, 4)]] += n
    return out


Activity = list[tuple[int, ...]]


def team(filters: Filters, scope: Scope, activity: Activity | None = None) -> list[tuple[int, bool, int]]:
    """Performance's reps of the selection, counted from the activity rows (no statement of their own)."""
    rows = equipe.activity_rows(filters, scope) if activity is None else activity
    counts = {row[0]: row[1] for row in rows}
    return performance_report.team_reps(filters, scope, counts)


def _months(filters: Filters, scope: Scope) -> float:
    period = equipe.span(filters, scope)
    return portfolio.months_in(period) if period is not None else 0.0


def scorecard(
    filters: Filters,
    scope: Scope,
    targets: Targets,
    reps: list[tuple[int, bool, int]] | None = None,
    rep_tiers: list[tuple[Any, ...]] | None = None,
    activity_rows: Activity | None = None,
    evaluated: bool = True,
    budgets: dict[int, int] | None = None,
) -> list[dict[str, Any]]:
    """One row per rep of the selection (``reps``: ``team_reps`` by default), in name order; ``rep_tiers`` and
    ``activity_rows``: the reps' portfolios and activity if the caller counted them already; ``evaluated``
    False: no last evaluation (an earlier period's rows, whose evaluation is not compared)."""
    counted = equipe.activity_rows(filters, scope) if activity_rows is None else activity_rows
    activity = {row[0]: row for row in counted}
    tiers_of = equipe.rep_tier_rows(filters, scope, targets) if rep_tiers is None else rep_tiers
    per_rep = {row[0]: row[1:] for row in tiers_of}
    evaluations = equipe.last_evaluations(filters, scope) if evaluated else {}
    budgets = equipe.budget_rows(filters, scope) if budgets is None else budgets
    known = people()
    rows = []
    for uid, disabled, _ in team(filters, scope, counted) if reps is None else reps:
        act = activity.get(uid, (uid, *[0] * (len(equipe.ACTIVITY_COLUMNS) - 1)))
        counts = dict(zip(equipe.ACTIVITY_COLUMNS, act, strict=True))
        last = evaluations.get(uid)
        nom, role, statut = known.get(uid, (f"Utilisateur {uid}", None, None))
        rows.append(
            {
                "id_utilisateur": uid,
                "delegue": nom,
                "role": role,
                "desactive": disabled or statut != ACTIVE,
                **_measures(counts, per_rep.get(uid, (0, 0, 0, 0))),
                "derniere_evaluation": None
                if last is None
                else {"points": last[0], "sur": last[1], "date": last[2].isoformat()},
                "budget_engage": budgets.get(uid, 0),
            }
        )
    return rows


@reference
def people() -> dict[int, tuple[Any, Any, Any]]:
    """Every CRM user's ``(nom, role, statut)`` by id."""
    frame = users()
    columns = (frame["id_utilisateur"], frame["nom"], frame["role"], frame["statut"])
    return {int(uid): (nom, role, statut) for uid, nom, role, statut in zip(*columns, strict=True)}


def summary(tiers: dict[str, dict[str, int]]) -> tuple[int, int, int, int]:
    """A portfolio's ``(partenaires, vus, fort, fort_cible)`` from its reach per tier (``reach``)."""
    return (
        sum(row["portefeuille"] for row in tiers.values()),
        sum(row["visites"] for row in tiers.values()),
        sum(tiers.get(tier, {}).get("portefeuille", 0) for tier in HIGH),
        sum(tiers.get(tier, {}).get("a_la_cible", 0) for tier in HIGH),
    )


def _measures(counts: dict[str, int], portfolio_of: tuple[int, ...]) -> dict[str, Any]:
    """The scorecard's numbers of one rep (or of the team) from its activity counts and its portfolio's
    ``(partenaires, vus, fort, fort_cible)``."""
    partners, seen, high, high_at_target = portfolio_of
    return {
        "visites": counts["visites"],
        "jours_terrain": counts["jours_terrain"],
        "visites_par_jour_terrain": _ratio(counts["visites"], counts["jours_terrain"]),
        "part_visites_potentiel_fort": rate(counts["visites_potentiel_fort"], counts["visites"]),
        "portefeuille": partners,
        "portefeuille_visites": seen,
        "couverture": rate(seen, partners),
        "portefeuille_potentiel_fort": high,
        "potentiel_fort_a_la_cible": high_at_target,
        "atteinte_potentiel_fort": rate(high_at_target, high),
        "planifiees_dues": counts["planifiees_dues"],
        "planifiees_realisees": counts["planifiees_realisees"],
        "respect_planning": rate(counts["planifiees_realisees"], counts["planifiees_dues"]),
        "issues": {code: counts[f"issue_{code}"] for code in equipe.OUTCOMES},
    }


def kpis(
    filters: Filters,
    scope: Scope,
    targets: Targets,
    team_tiers: list[tuple[Any, ...]] | None = None,
    activity_rows: Activity | None = None,
    budgets: dict[int, int] | None = None,
) -> dict[str, Any]:
    """The team's headline numbers: every user's visits in the slice (as Performance counts them), the
    selection's portfolio (the partner base for the whole company), the reps and the budget they engaged;
    ``team_tiers`` and ``activity_rows``: the portfolio and the activity if the caller counted them already."""
    activity = equipe.activity_rows(filters, scope) if activity_rows is None else activity_rows
    counts = {name: sum(row[i] for row in activity) for i, name in enumerate(equipe.ACTIVITY_COLUMNS) if i}
    portfolio_rows = equipe.tier_rows(filters, scope, targets) if team_tiers is None else team_tiers
    tiers = reach(portfolio_rows, targets, _months(filters, scope))
    reps = team(filters, scope, activity)
    return {
        "delegues": len(reps),
        "delegues_sans_visite": sum(1 for _, _, n in reps if n == 0),
        **_measures(counts, summary(tiers)),
        "budget_engage": sum((equipe.budget_rows(filters, scope) if budgets is None else budgets).values()),
    }


EARLIER = ("precedent", "annee_precedente")


def earlier_kpis(filters: Filters, scope: Scope, targets: Targets) -> dict[str, tuple[periods.Period, dict[str, Any]]]:
    """The headline numbers over the previous period and the same period a year earlier (none when the period is
    unbounded), their portfolios counted with the period's (``equipe.reach_rows``)."""
    found = equipe.spans(filters, scope)
    reach_of = equipe.reach_rows(filters, scope, targets)
    activity, budgets = earlier_activity(filters, scope), earlier_budgets(filters, scope)
    return {
        key: (
            period,
            kpis(periods.over(filters, period), scope, targets, reach_of[k]["team"], activity[period], budgets[period]),
        )
        for k, (key, period) in enumerate(zip(EARLIER, found[1:], strict=False), start=1)
    }


def earlier_activity(filters: Filters, scope: Scope) -> dict[periods.Period, Activity]:
    """The activity over the earlier spans, counted with the period's (``equipe.activity_rows``); none without."""
    unique = equipe.compared(filters, scope)
    if len(unique) < 2:  # an unbounded period is not compared: no statement
        return {}
    return dict(zip(unique[1:], equipe.activity_over(filters, scope, unique)[1:], strict=True))


def earlier_budgets(filters: Filters, scope: Scope) -> dict[periods.Period, dict[int, int]]:
    """The budgets over the earlier spans, counted with the period's (``equipe.budget_rows``); none without."""
    unique = equipe.compared(filters, scope)
    if len(unique) < 2:
        return {}
    return dict(zip(unique[1:], equipe.budget_over(filters, scope, unique)[1:], strict=True))


def scorecards(
    filters: Filters, scope: Scope, targets: Targets
) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]] | None]:
    """The scorecard, and each rep's row over the previous period by id (None when the period is unbounded)."""
    found = equipe.spans(filters, scope)
    if len(found) < 2:
        return scorecard(filters, scope, targets), None
    reps = equipe.reach_rows(filters, scope, targets)[1]["reps"]
    activity = earlier_activity(filters, scope)[found[1]]
    over = periods.over(filters, found[1])
    budgets = earlier_budgets(filters, scope)[found[1]]
    before = scorecard(over, scope, targets, rep_tiers=reps, activity_rows=activity, evaluated=False, budgets=budgets)
    return scorecard(filters, scope, targets), {row["id_utilisateur"]: row for row in before}


def matrix(filters: Filters, scope: Scope, targets: Targets) -> list[dict[str, Any]]:
    """Reach × frequency: one row per tier (A+ … D, then non renseigné), zeros included."""
    months = _months(filters, scope)
    tiers = reach(equipe.tier_rows(filters, scope, targets), targets, months)
    rows = []
    for tier in TIERS:
        row = tiers.get(tier, {"portefeuille": 0, "visites": 0, "a_la_cible": 0, **dict.fromkeys(portfolio.BUCKETS, 0)})
        rows.append(
            {
                "potentiel": tier or None,
                "libelle": TIER_LABELS[tier],
                "portefeuille": row["portefeuille"],
                "visites_par_nombre": {bucket: row[bucket] for bucket in portfolio.BUCKETS},
                "cible_par_mois": targets.per_month(tier),
                "visites_requises": targets.required(tier, months),
                "a_la_cible": row["a_la_cible"] if targets.required(tier, months) is not None else None,
                "atteinte": rate(row["a_la_cible"], row["portefeuille"])
                if targets.required(tier, months) is not None
                else None,
            }
        )
    return rows


def outcomes(filters: Filters, scope: Scope, activity: Activity | None = None) -> list[dict[str, Any]]:
    """Visits per outcome (every user of the slice, or of the ``activity`` rows given), in ``OUTCOMES`` order."""
    activity = equipe.activity_rows(filters, scope) if activity is None else activity
    index = {f"issue_{code}": equipe.ACTIVITY_COLUMNS.index(f"issue_{code}") for code in equipe.OUTCOMES}
    return [
        {"code_statut_visite": code, "libelle": label, "visites": sum(row[index[f"issue_{code}"]] for row in activity)}
        for code, label in equipe.OUTCOMES.items()
    ]


def statements(filters: Filters, scope: Scope, targets: Targets) -> list[side_by_side.Call]:
    """The query functions of the area's answer, independent of each other (``side_by_side``), the longest first:
    the portfolios, the activity, the budgets and the last evaluations, each over the period and its comparisons."""
    return [
        (equipe.reach_rows, (filters, scope, targets)),
        (equipe.activity_rows, (filters, scope)),
        (equipe.budget_rows, (filters, scope)),
        (equipe.last_evaluations, (filters, scope)),
    ]


def payload(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The v1 body: filters, settings, headline numbers with their comparisons, scorecard rows (each with its
    previous period's numbers), reach × frequency and outcomes."""
    targets = settings.current()
    period = equipe.span(filters, scope)
    side_by_side.compute(*statements(filters, scope, targets))
    out: dict[str, Any] = {
        "filtres": filters.to_dict(),
        "periode": None if period is None else period.to_dict(),
        "reglages": targets.to_dict(),
        "indicateurs": kpis(filters, scope, targets),
    }
    earlier = earlier_kpis(filters, scope, targets)
    for key in EARLIER:
        period, numbers = earlier.get(key, (None, None))
        out[key] = None if period is None else {**period.to_dict(), "indicateurs": numbers}
    rows, before = scorecards(filters, scope, targets)
    out["delegues"] = [
        {**row, "precedent": None if before is None else _comparable(before.get(row["id_utilisateur"]))} for row in rows
    ]
    out["portefeuille_par_potentiel"] = matrix(filters, scope, targets)
    out["visites_par_issue"] = outcomes(filters, scope)
    return out


#: The scorecard numbers compared with the previous period.
COMPARED = (
    "visites", "jours_terrain", "visites_par_jour_terrain", "part_visites_potentiel_fort", "couverture",
    "atteinte_potentiel_fort", "respect_planning", "budget_engage",
)  # fmt: skip


def _comparable(row: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if row is None else {key: row[key] for key in COMPARED}
