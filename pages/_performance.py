"""Tables and figures of the Performance page, shared by its chart callbacks and its CSV downloads."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import html

from components import figures, fmt
from components import performance_figures as pf
from data.metrics import codes, performance_report, periods, shapes
from data.metrics.filters import Filters
from data.metrics.scope import Scope
from pages import _common

UNIT = "Visites"
CATEGORY_CHARTS = {
    "type": "Par type de partenaire",
    "statut": "Par statut du partenaire",
    "potentiel": "Par potentiel du partenaire",
}
REP_CHARTS = {
    "top": "Les 5 utilisateurs les plus actifs",
    "bottom": "Les 5 délégués les moins actifs (0 inclus)",
}
TIMELINE = "Visites dans le temps"
REGION_TITLES = ("Par région", "Villes de la région", "Cliquez sur une région pour voir ses villes")
KPIS = {
    "visites": "Visites",
    "par_jour": "Par jour ouvré",
    "delegues_actifs": "Délégués actifs (DEL, KAM)",
    "par_delegue": "Par délégué / jour",
    "potentiel_fort": "Visites A+ / A",
}
CHARTS = [*CATEGORY_CHARTS, "region", *REP_CHARTS, "timeline"]
#: Chart -> the cross-filter a click on one of its bars sets.
CROSS = {"type": "type_partenaire", "statut": "statut_partenaire", "potentiel": "potentiel"}


def kpi_texts(filters: Filters, scope: Scope) -> list[str]:
    """Values then detail lines of the KPI cards, in ``KPIS`` order."""
    k = performance_report.kpis(filters, scope)
    disabled = performance_report.disabled_active_reps(filters, scope)
    values = [
        fmt.number(k["visites"]),
        _rate(k["visites_par_jour_ouvre"]),
        fmt.number(k["delegues_actifs"]),
        _rate(k["visites_par_delegue_par_jour_ouvre"]),
        fmt.percent(k["visites_potentiel_fort"], k["visites"]),
    ]
    details = [
        "visites distinctes, hors supprimées",
        f"sur {fmt.number(k['jours_ouvres'])} jours ouvrés (lun.–ven.)",
        f"sur {fmt.number(k['delegues'])} délégués · {fmt.number(k['delegues_sans_visite'])} sans visite"
        + (f" · dont {fmt.number(disabled)} désactivé{'s' if disabled > 1 else ''}" if disabled else ""),
        f"{_rate(k['visites_par_delegue_actif'])} visites par délégué actif sur la période",
        f"{fmt.number(k['visites_potentiel_fort'])} visites à un partenaire A+ ou A",
    ]
    return values + details


def _rate(value: float | None) -> str:
    """A rate in French: one decimal, two below 1 (``0,07``), ``–`` when undefined."""
    if value is None:
        return "–"
    return fmt.number(value, 2 if value < 1 else 1)


def chart_table(
    name: str, filters: Filters, scope: Scope, drill: str | None = None, granularity: str = "semaine"
) -> pd.DataFrame:
    """The table a chart shows (and its CSV download holds); counts in distinct visits."""
    if name in CATEGORY_CHARTS:
        table = _common.cross_only(performance_report.category_table(filters, scope, name), CROSS[name], filters)
    elif name == "region":
        parents, children = performance_report.regions(filters, scope)
        table = parents if drill is None else children[children["code_parent"] == drill]
        table = _common.chosen_only(table, name, filters, drill)
    elif name == "top":
        table = performance_report.top_users(filters, scope)
    elif name == "bottom":
        table = performance_report.bottom_reps(filters, scope, working_there=filters.contact_level())
    else:
        table = performance_report.days(filters, scope, shapes.known_granularity(granularity))
    return table.rename(columns={"visites": UNIT})


def chart_figure(name: str, table: pd.DataFrame, granularity: str = "") -> go.Figure:
    """The figure of a chart from its table."""
    if name in CATEGORY_CHARTS:
        return pf.category_bars(table, "libelle", UNIT, UNIT)
    if name == "region":
        return figures.ranked_bars(table, "libelle", UNIT, UNIT)
    if name in REP_CHARTS:
        return pf.rep_bars(table, "delegue", UNIT, UNIT, figures.NO_DATA if name == "top" else pf.NO_REP)
    return figures.timeline(table, shapes.known_granularity(granularity), UNIT, UNIT)


def region_title(drill: str | None) -> list[Any]:
    """The région chart's title: the regions with a hint, or the cities of the chosen region."""
    top, child, hint = REGION_TITLES
    if drill is None:
        return [top, html.Small(hint, className="chart-hint")]
    return [f"{child} : {codes.labels('REGI').get(drill, drill)}"]


#: Comparisons (issue 13): every Performance KPI is better up.
UP_GOOD = dict.fromkeys(KPIS, True)
DECIMALS = {"par_jour": 1, "par_delegue": 2, "potentiel_fort": 1}


def kpi_values(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The numbers of the KPI cards (the share of visits to A+/A partners in %)."""
    return _values(performance_report.kpis(filters, scope))


def kpi_values_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpi_values`` over each span of days (the comparisons), in one statement."""
    return [_values(k) for k in performance_report.kpis_over(filters, scope, spans)]


def _values(k: dict[str, Any]) -> dict[str, Any]:
    """The cards' numbers of the area's KPIs."""
    share = 100 * k["visites_potentiel_fort"] / k["visites"] if k["visites"] else None
    return {
        "visites": k["visites"], "par_jour": k["visites_par_jour_ouvre"], "delegues_actifs": k["delegues_actifs"],
        "par_delegue": k["visites_par_delegue_par_jour_ouvre"], "potentiel_fort": share,
    }  # fmt: skip
