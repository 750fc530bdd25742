"""Tables and figures of the Investissements page, shared by its chart callbacks and its CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import html

from components import fmt, inputs
from components import investissements_figures as figs
from data.metrics import codes, investissements, investissements_report, periods
from data.metrics.filters import FilterError, Filters
from data.metrics.scope import Scope
from pages import _common

#: Charts without drill-down: name -> (title, x-axis title for ordered dimensions, else None).
CHARTS = {
    "statut": ("Par statut du business case", "Statut"),
    "type": ("Par type d'investissement", None),
    "categorie": ("Par catégorie d'investissement", None),
    "potentiel": ("Par potentiel du partenaire", "Potentiel"),
    "specialite": ("Par spécialité du partenaire", None),
    "visites": ("Selon le nombre de visites du partenaire (depuis toujours)", "Visites du partenaire (nombre)"),
}
#: Drill-down charts: name -> (title, child title, hint, two-level dimension, parent code type).
DRILL_CHARTS = {
    "gamme": ("Par gamme", "Spécialités de la gamme", "Cliquez sur une gamme pour voir ses spécialités",
              "gamme_specialite", "GAMM"),
    "region": ("Par région", "Villes de la région", "Cliquez sur une région pour voir ses villes",
               "region_ville", "REGI"),
}  # fmt: skip
#: Display order of ordered dimensions (the API sorts by code).
ORDERS = {"statut": ("ENAT", "VALI", "REAL", "REJE", "REFU", "ANNU"), "potentiel": ("A+", "A", "B", "C", "D")}
KPIS = {
    "budget_engage": "Budget engagé",
    "budget_realise": "Budget réalisé",
    "business_cases": "Business cases",
    "partenaires": "Partenaires financés",
    "budget_total": "Budget total, tous statuts",
}
COLUMNS = {"budget": figs.BUDGET, "business_cases": figs.CASES, "partenaires": "Partenaires"}


def with_page_filters(filters: Filters, types: list[str] | None, partner: Any) -> Filters | str:
    """The sidebar's filters plus the page's own (types, partner), or the French reason they are invalid.

    Types that are no list of texts raise ``BadInputError`` (a forged value: the dropdown sends nothing else).
    """
    types = inputs.codes(types, "investment types")
    values = {**filters.to_dict(), "code_type_investissement": types, "id_partenaire": partner}
    try:
        return Filters.from_mapping(values, investissements_report.V1_FIELDS)  # the page's: the preset too
    except FilterError as exc:
        return f"Filtres invalides : {exc.message}"


def kpi_texts(filters: Filters, scope: Scope) -> list[str]:
    """Values then detail lines of the KPI cards, in ``KPIS`` order."""
    frame = investissements.breakdowns(filters, scope)
    values = {**investissements_report.kpis(frame), **investissements_report.engagement(frame)}
    total, cases, engaged = values["budget_total"], values["business_cases"], values["budget_engage"]
    texts = {
        "budget_engage": f"{fmt.number(engaged)} MAD",
        "budget_realise": f"{fmt.number(values['budget_realise'])} MAD",
        "business_cases": fmt.number(cases),
        "partenaires": fmt.number(values["partenaires"]),
        "budget_total": f"{fmt.number(total)} MAD",
    }
    dropped = values["business_cases_refuses_ou_annules"]
    details = {
        "budget_engage": "en attente, validés et réalisés (hors refusés et annulés)",
        "budget_realise": f"{fmt.percent(values['budget_realise'], engaged)} du budget engagé (statut Réalisé)",
        "business_cases": f"dont {fmt.number(dropped)} refusé(s) ou annulé(s)" if cases else "aucun business case",
        "partenaires": "partenaires distincts",
        "budget_total": f"dont {fmt.number(values['budget_refuse_ou_annule'])} MAD refusés ou annulés",
    }
    return [texts[name] for name in KPIS] + [details[name] for name in KPIS]


def chart_table(name: str, filters: Filters, scope: Scope, drill: str | None = None) -> pd.DataFrame:
    """The table a chart shows (and its CSV download holds): ``code, libelle`` and the measures."""
    frame = investissements.breakdowns(filters, scope)
    if name in DRILL_CHARTS and drill is not None:
        parent = None if drill == figs.NULL_KEY else drill
        table = investissements_report.children(frame, DRILL_CHARTS[name][3], parent, every=False).drop(
            columns="code_parent"
        )
    else:
        table = _common.chosen_only(investissements_report.table(frame, name), name, filters)
    if name in ORDERS and drill is None:
        rank = {code: i for i, code in enumerate(ORDERS[name])}
        table = table.sort_values("code", key=lambda s: s.map(rank).fillna(len(rank)), kind="stable")
    return table.rename(columns=COLUMNS).reset_index(drop=True)


def chart_figure(name: str, table: pd.DataFrame) -> go.Figure:
    """The figure of a chart from its table."""
    axis = CHARTS[name][1] if name in CHARTS else None
    if name == "visites":
        return figs.budget_by_count(table, str(axis))
    return figs.budget_ranked(table) if axis is None else figs.budget_columns(table, axis)


def drill_title(name: str) -> Callable[[str | None], list[Any]]:
    """A drill chart's title: the top level with a hint, or the children of the chosen parent."""
    top, child, hint, _, code_type = DRILL_CHARTS[name]

    def title_of(drill: str | None) -> list[Any]:
        if drill is None:
            return [top, html.Small(hint, className="chart-hint")]
        label = investissements_report.NOT_SET if drill == figs.NULL_KEY else codes.labels(code_type).get(drill, drill)
        return [f"{child} : {label}"]

    return title_of


#: Comparisons (issue 13): spending more is neither good nor bad.
UP_GOOD: dict[str, bool | None] = {}


def kpi_values(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The numbers of the KPI cards."""
    frame = investissements.breakdowns(filters, scope)
    return {**investissements_report.kpis(frame), **investissements_report.engagement(frame)}


def kpi_values_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpi_values`` over each span of days (the comparisons), in one statement."""
    frames = investissements.kpi_rows_over(filters, scope, spans)
    return [{**investissements_report.kpis(frame), **investissements_report.engagement(frame)} for frame in frames]
