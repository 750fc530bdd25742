"""Tables and figures of one rep's page (issue 13), from ``data.metrics.delegue_report``."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html

from components import fmt
from data.app import settings
from data.metrics import codes, delegue_report, equipe_report, performance_report, periods, visites
from data.metrics.filters import Filters
from data.metrics.investissements_report import STATUTS
from data.metrics.scope import Scope

KPIS = {
    "visites": "Visites",
    "visites_par_jour_terrain": "Visites / jour terrain",
    "part_visites_potentiel_fort": "Part des visites A+ / A",
    "couverture": "Couverture du portefeuille",
    "atteinte_potentiel_fort": "A+ / A à la cible",
    "respect_planning": "Respect du planning",
}
UP_GOOD: dict[str, bool | None] = dict.fromkeys(KPIS, True)
DECIMALS = {"visites_par_jour_terrain": 2, "part_visites_potentiel_fort": 1, "couverture": 1}
DECIMALS |= {"atteinte_potentiel_fort": 1, "respect_planning": 1}
PERCENTS = ("part_visites_potentiel_fort", "couverture", "atteinte_potentiel_fort", "respect_planning")
TITLES = {
    "semaines": "Visites par semaine",
    "potentiel": "Visites par potentiel du partenaire",
    "issues": "Visites par issue",
    "relance": "Comptes à relancer",
    "evaluations": "Historique des évaluations",
    "business_cases": "Business cases",
}


def kpi_values(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The numbers of the KPI cards (the rep's scorecard row)."""
    row = delegue_report.rep_row(filters, scope, settings.current())
    return {key: row[key] for key in KPIS}


def values_over(filters: Filters, scope: Scope, asked: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """The KPI cards' numbers over the earlier periods ``asked``, counted with the period's portfolio."""
    earlier = delegue_report.earlier_rows(filters, scope, settings.current())
    by_period = {period: {name: row[name] for name in KPIS} for period, row in earlier.values()}
    return [by_period[period] for period in asked]


def _shown(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    text = fmt.number(value, DECIMALS.get(key, 0))
    return f"{text} %" if key in PERCENTS else text


def header(filters: Filters) -> tuple[str, str]:
    """The page's title and the rep's line (role, manager)."""
    rep = delegue_report.rep_of(filters)
    state = " · désactivé" if rep["statut"] != "ACTI" else ""
    boss = f" · équipe de {rep['responsable']}" if rep["responsable"] else ""
    return str(rep["nom"]), f"{rep['role'] or ''}{boss}{state}"


def kpi_texts(filters: Filters, scope: Scope) -> list[str]:
    """Values then detail lines (the team's average) of the KPI cards, in ``KPIS`` order."""
    targets = settings.current()
    row = delegue_report.rep_row(filters, scope, targets)
    rep = delegue_report.rep_of(filters)
    average = delegue_report.team_average(filters, scope, targets, rep["id_responsable"])
    values = [_shown(key, row[key]) for key in KPIS]
    if average is None:
        return values + ["pas d'équipe au-dessus de ce délégué"] * len(KPIS)
    details = [f"moyenne de l'équipe : {_shown(key, average[key])}" for key in KPIS]
    return values + details


def chart_table(name: str, filters: Filters, scope: Scope, state: dict[str, Any] | None = None) -> pd.DataFrame:
    """The table of a part of the page (CSV and Excel exports)."""
    targets = settings.current()
    if name == "semaines":
        return visites.calendar(filters, scope, "semaine")[["periode", "visites"]].rename(
            columns={"visites": "Visites"}
        )
    if name == "potentiel":
        return performance_report.category_table(filters, scope, "potentiel").rename(columns={"visites": "Visites"})
    if name == "issues":
        table = pd.DataFrame(delegue_report.outcomes(filters, scope))
        return table.rename(columns={"code_statut_visite": "code", "visites": "Visites"})
    if name == "relance":
        cities = codes.labels("VILL")
        revisit = delegue_report.to_revisit(filters, scope, targets)
        return pd.DataFrame(
            [
                {
                    "Partenaire": r["partenaire"],
                    "Potentiel": r["potentiel"] or "Non renseigné",
                    "Ville": cities.get(r["code_ville_partenaire"], r["code_ville_partenaire"]),
                    "Dernière visite": r["derniere_visite"],
                    "Jours sans visite": r["jours_sans_visite"],
                    "Visites sur la fenêtre": r["visites_fenetre"],
                    "N° partenaire": r["id_partenaire"],
                }
                for r in revisit
            ],
            columns=[
                "Partenaire",
                "Potentiel",
                "Ville",
                "Dernière visite",
                "Jours sans visite",
                "Visites sur la fenêtre",
                "N° partenaire",
            ],
        )
    if name == "evaluations":
        known = equipe_report.people()
        rows = delegue_report.evaluation_rows(filters, scope)
        return pd.DataFrame(
            [
                (day, points, total, known[by][0] if by in known else f"Utilisateur {by}")
                for _, day, points, total, by in rows
            ],
            columns=["Date", "Points", "Sur", "Évaluateur"],
        )
    kinds = codes.labels("TYIN")
    rows = delegue_report.business_case_rows(filters, scope)
    return pd.DataFrame(
        [
            (
                day,
                " ".join(p for p in (nom, prenom) if p) or f"Partenaire {pid}",
                kinds.get(kind, kind),
                STATUTS.get(status, status),
                budget,
            )
            for _, day, pid, nom, prenom, kind, status, budget in rows
        ],
        columns=["Date", "Partenaire", "Type", "Statut", "Budget (MAD)"],
    )


def html_table(table: pd.DataFrame, caption: str, empty: str) -> Any:
    """A small table as HTML (dates in French), or a line saying there is nothing."""
    if table.empty:
        return html.P(empty, className="text-muted mb-0")

    def cell(value: Any) -> str:
        if hasattr(value, "isoformat") and not isinstance(value, str):
            return fmt.date(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return fmt.number(value)
        return "" if value is None else str(value)

    return html.Table(
        [
            html.Caption(caption, className="visually-hidden"),
            html.Thead(html.Tr([html.Th(c, scope="col") for c in table.columns])),
            html.Tbody([html.Tr([html.Td(cell(v)) for v in row]) for row in table.itertuples(index=False)]),
        ],
        className="table table-sm mb-0",
    )
