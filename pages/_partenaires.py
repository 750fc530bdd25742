"""Tables and figures of the Partenaires page, shared by its chart callbacks and its CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components import figures, fmt, partenaires_figures
from data.metrics import partenaires_report, periods
from data.metrics.filters import Filters
from data.metrics.scope import Scope
from pages import _common

OVERVIEW_CHARTS = {
    "couverture": "Couverture du portefeuille par potentiel",
    "potentiel": "Comptes visités par potentiel",
    "etablissement": "Comptes visités par établissement",
}
DRILL_CHARTS = {
    "region": ("Comptes visités par région", "Villes de la région", "Cliquez sur une région pour voir ses villes"),
    "gamme": (
        "Comptes visités par gamme",
        "Spécialités de la gamme",
        "Cliquez sur une gamme pour voir ses spécialités",
    ),
}
KPIS = {
    "comptes_visites": "Comptes visités",
    "visites_moyennes": "Visites moyennes par compte",
    "couverture": "Couverture du portefeuille",
    "comptes_non_visites": "Comptes non visités",
}
CHARTS = [*OVERVIEW_CHARTS, *DRILL_CHARTS]
#: Chart -> the cross-filter a click on one of its bars sets (an établissement is no filter: its kind is).
CROSS = {"couverture": "potentiel", "potentiel": "potentiel"}
VISITED = "Comptes visités"
ESTABLISHMENT_KINDS = {"ETPR": "privé", "ETPU": "public"}


def kpi_texts(filters: Filters, scope: Scope) -> list[str]:
    """Values then detail lines of the KPI cards, in ``KPIS`` order."""
    k = partenaires_report.kpis(filters, scope)
    base, covered = k["comptes_portefeuille"], k["comptes_portefeuille_visites"]
    values = [
        fmt.number(k["comptes_visites"]),
        fmt.number(k["visites_moyennes"], 2),
        fmt.percent(covered, base),
        fmt.number(k["comptes_non_visites"]),
    ]
    details = [
        "partenaires distincts vus au moins une fois",
        "visites distinctes par compte visité",
        f"{fmt.number(covered)} sur {fmt.number(base)} comptes du portefeuille",
        "comptes du portefeuille sans visite",
    ]
    return values + details


def chart_table(name: str, filters: Filters, scope: Scope, drill: str | None = None) -> pd.DataFrame:
    """The table a chart shows (and its CSV download holds)."""
    if name == "couverture":
        table = partenaires_report.coverage(filters, scope).rename(columns={"code": "potentiel"})
        table["couverture_pct"] = (100 * table.pop("couverture")).round(1)
        return table
    if name == "potentiel":
        table = _common.cross_only(partenaires_report.potentials(filters, scope), "potentiel", filters)
        return table.rename(columns={"n": VISITED})
    if name == "etablissement":
        table = partenaires_report.etablissements(filters, scope)
        table["type"] = table["type"].map(ESTABLISHMENT_KINDS).fillna("")
        return table.rename(columns={"n": VISITED})
    builder = partenaires_report.regions if name == "region" else partenaires_report.gammes
    parents, children = builder(filters, scope)
    table = parents if drill is None else children[children["code_parent"] == drill]
    return _common.chosen_only(table, name, filters, drill).rename(columns={"n": VISITED})


def chart_figure(name: str, table: pd.DataFrame) -> go.Figure:
    """The figure of a chart from its table."""
    if name == "couverture":
        counts = table.rename(columns={"potentiel": "code"})
        return partenaires_figures.coverage_bars(counts, "code", "Potentiel")
    if name == "potentiel":
        return figures.grouped_bars(table, "libelle", [VISITED], VISITED)
    if name == "etablissement":
        kinds = zip(table["libelle"], table["type"], strict=True)
        table = table.assign(libelle=[f"{label} ({kind})" if kind else label for label, kind in kinds])
    return figures.ranked_bars(table, "libelle", VISITED, VISITED)


def drill_title(name: str) -> Callable[[str | None], list[Any]]:
    """A drill chart's title: the top level with a hint, or the children of the chosen parent."""
    return _common.drill_title(*DRILL_CHARTS[name], "REGI" if name == "region" else "GAMM")


#: Comparisons (issue 13): more accounts seen is better, more left unseen is worse.
UP_GOOD = {"comptes_visites": True, "visites_moyennes": True, "couverture": True, "comptes_non_visites": False}
DECIMALS = {"visites_moyennes": 2, "couverture": 1}


def kpi_values(filters: Filters, scope: Scope) -> dict[str, Any]:
    """The numbers of the KPI cards (coverage in %)."""
    return _values(partenaires_report.kpis(filters, scope))


def kpi_values_over(filters: Filters, scope: Scope, spans: tuple[periods.Period, ...]) -> list[dict[str, Any]]:
    """``kpi_values`` over each span of days (the comparisons), in one statement."""
    return [_values(k) for k in partenaires_report.kpis_over(filters, scope, spans)]


def _values(k: dict[str, Any]) -> dict[str, Any]:
    """The cards' numbers of the area's KPIs."""
    base, covered = k["comptes_portefeuille"], k["comptes_portefeuille_visites"]
    return {
        "comptes_visites": k["comptes_visites"], "visites_moyennes": k["visites_moyennes"],
        "couverture": 100 * covered / base if base else None, "comptes_non_visites": k["comptes_non_visites"],
    }  # fmt: skip
