"""Tables and figures of the Visites page, shared by its chart callbacks and its CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components import figures, fmt
from data.metrics import periods, shapes, visites, visites_report
from data.metrics.filters import Filters
from data.metrics.scope import Scope
from pages import _common

COUNTER_CHARTS = {
    "type_partenaire": "Par type de partenaire",
    "etablissement": "Médecins, par type d'établissement",
    "forme": "Simples ou de groupe",
    "accompagnement": "Individuelles ou en double (accompagnées)",
}
DRILL_CHARTS = {
    "region": ("Par région", "Villes de la région", "Cliquez sur une région pour voir ses villes"),
    "gamme": ("Par gamme", "Spécialités de la gamme", "Cliquez sur une gamme pour voir ses spécialités"),
}
KPIS = {
    "visites": "Visites",
    "contacts": "Contacts",
    "visites_planifiees": "Planifiées",
    "visites_non_planifiees": "Non planifiées",
    "visites_groupe": "De groupe",
    "visites_en_double": "En double",
}
CHARTS = [*COUNTER_CHARTS, *DRILL_CHARTS, "timeline"]
#: Chart -> the cross-filter a click on one of its bars sets (each counter is a filter of the whole page).
CROSS = {"type_partenaire": "type_partenaire", "etablissement": "etablissement", "forme": "forme",
         "accompagnement": "accompagnement"}  # fmt: skip


def kpi_texts(filters: Filters, scope: Scope) -> list[str]:
    """Values then detail lines of the KPI cards, in ``KPIS`` order."""
    values = visites_report.kpis(visites.counter_rows(filters, scope))
    total = values["visites"]
    details = {
        "contacts": "partenaires vus (une visite de groupe en voit plusieurs)",
        "visites": "visites distinctes, hors supprimées",
    }
    texts = [fmt.number(values[name]) for name in KPIS]
    texts += [details.get(name, f"{fmt.percent(values[name], total)} des visites") for name in KPIS]
    return texts


def chart_table(
    name: str, filters: Filters, scope: Scope, unit: str, drill: str | None = None, granularity: str = "semaine"
) -> pd.DataFrame:
    """The table a chart shows (and its CSV download holds)."""
    unit, granularity = shapes.known_unit(unit), shapes.known_granularity(granularity)
    if name in COUNTER_CHARTS:
        table = visites_report.dimension_table(visites.counter_rows(filters, scope), name, unit)
        return _common.cross_only(table, CROSS[name], filters)
    if name in DRILL_CHARTS:
        builder = visites_report.regions if name == "region" else visites_report.gammes
        parents, children = builder(filters, scope, unit)
        table = parents if drill is None else children[children["code_parent"] == drill]
        return _common.chosen_only(table, name, filters, drill).rename(columns={"n": shapes.UNITS[unit]})
    table = visites.calendar(filters, scope, granularity)
    return table[["periode", unit]].rename(columns={unit: shapes.UNITS[unit]})


def chart_figure(
    name: str, table: pd.DataFrame, unit: str, drill: str | None = None, granularity: str = ""
) -> go.Figure:
    """The figure of a chart from its table."""
    label = shapes.UNITS[shapes.known_unit(unit)]
    if name in COUNTER_CHARTS:
        return figures.grouped_bars(table, "categorie", ["Planifiées", "Non planifiées"], label)
    if name in DRILL_CHARTS:
        return figures.ranked_bars(table, "libelle", label, label)
    return figures.timeline(table, shapes.known_granularity(granularity), label, label)


def drill_title(name: str) -> Callable[[str | None], list[Any]]:
    """A drill chart's title: the top level with a hint, or the children of the chosen parent."""
    return _common.drill_title(*DRILL_CHARTS[name], "REGI" if name == "region" else "GAMM")


#: Comparisons (issue 13): which KPIs are better up; the others (how visits split) are neither.
UP_GOOD = {"visites": True, "contacts": True, "visites_planifiees": True}


def kpi_values(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The numbers of the KPI cards."""
    return visites_report.kpis(visites.counter_rows(filters, scope))


def kpi_values_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpi_values`` over each span of days (the comparisons), in one statement."""
    return list(visites.kpi_rows_over(filters, scope, spans))
