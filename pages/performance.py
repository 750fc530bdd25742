"""The Performance page (legacy ``/performance``): visits per partner attribute, per region, per rep, per day."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from components import ids
from components.cards import chart_card, kpi_card
from data.metrics.filters import Filters
from data.metrics.scope import Scope, request_scope
from pages import _compare, _view
from pages import _performance as p
from pages._common import (
    DRILL_TARGETS,
    drill_tools,
    invalid_figure,
    page_header,
    register_csv,
    register_drill,
    store_filters,
)

PAGE = "performance"
dash.register_page(__name__, path="/performance", name="Performance", order=2, title="Performance · Mediviz")

GRANULARITY = "performance-granularity"
OVERVIEW_CHARTS = [*p.CATEGORY_CHARTS, *p.REP_CHARTS]


PARAMS = [
    _view.Param("pas", GRANULARITY, default="semaine", choices=("jour", "semaine", "mois")),
    _view.Param("detail_region", ids.drill_store(PAGE, "region"), "data", "code"),
    _view.Param("filtres_croises", ids.cross_store(PAGE), "data", "cross"),
]
HINT = "Cliquez sur une barre pour filtrer la page"


def layout(**query: Any) -> html.Div:
    """Static structure, in the state the URL gives; every number arrives through the callbacks below."""
    state = _view.initial(PARAMS, query)
    granularity = dbc.RadioItems(
        id=GRANULARITY,
        value=state["pas"],
        inline=True,
        className="unit-toggle",
        options=[{"label": x.capitalize(), "value": x} for x in ("jour", "semaine", "mois")],
    )
    titles = {**p.CATEGORY_CHARTS, **p.REP_CHARTS}
    return html.Div(
        [
            page_header(
                "Performance",
                "Visites distinctes, hors supprimées : une visite auprès de plusieurs partenaires compte une fois "
                "dans chaque catégorie.",
                page=PAGE,
            ),
            *_view.stores(PAGE, state["filtres_croises"]),
            dbc.Row([kpi_card(PAGE, name, title) for name, title in p.KPIS.items()], className="g-3"),
            dbc.Row(
                [
                    *(
                        chart_card(PAGE, name, [titles[name], html.Small(HINT, className="chart-hint")])
                        for name in p.CATEGORY_CHARTS
                    ),
                    chart_card(
                        PAGE, "region", p.REGION_TITLES[0], tools=drill_tools(PAGE, "region", state["detail_region"])
                    ),
                ],
                className="g-3",
            ),
            dbc.Row([chart_card(PAGE, name, titles[name]) for name in p.REP_CHARTS], className="g-3"),
            dbc.Row(chart_card(PAGE, "timeline", p.TIMELINE, tools=[granularity], width=12)),
            dcc.Download(id=ids.download(PAGE)),
        ]
    )


@callback(
    [Output(ids.kpi(PAGE, n), "children") for n in p.KPIS]
    + [Output(ids.kpi(PAGE, n) + "-detail", "children") for n in p.KPIS],
    [Output(ids.graph(PAGE, n), "figure") for n in OVERVIEW_CHARTS],
    Input(ids.FILTERS_STORE, "data"),
)
def update_overview(store: dict[str, Any] | None) -> list[Any]:
    """KPI cards, the partner breakdowns and the most and least active reps."""
    filters = store_filters(store)
    if isinstance(filters, str):
        return ["–"] * len(p.KPIS) + [""] * len(p.KPIS) + [invalid_figure(filters)] * len(OVERVIEW_CHARTS)
    scope = request_scope()
    charts = [p.chart_figure(n, p.chart_table(n, filters, scope)) for n in OVERVIEW_CHARTS]
    return [*p.kpi_texts(filters, scope), *charts]


def _region_figure(filters: Filters, scope: Scope, drill: str | None) -> go.Figure:
    return p.chart_figure("region", p.chart_table("region", filters, scope, drill))


register_drill(PAGE, "region", _region_figure, p.region_title, [], DRILL_TARGETS["region"])
_view.register(PAGE, PARAMS, p.CROSS)


@callback(
    Output(ids.graph(PAGE, "timeline"), "figure"),
    Input(ids.FILTERS_STORE, "data"),
    Input(GRANULARITY, "value"),
)
def update_timeline(store: dict[str, Any] | None, granularity: str) -> go.Figure:
    """Visits per day, week (from Monday) or month, periods without visits at 0."""
    filters = store_filters(store)
    if isinstance(filters, str):
        return invalid_figure(filters)
    table = p.chart_table("timeline", filters, request_scope(), granularity=granularity)
    return p.chart_figure("timeline", table, granularity)


def _csv_table(name: str, filters: Filters, scope: Scope, state: dict[str, Any]) -> Any:
    return p.chart_table(name, filters, scope, state.get("drill_region"), state["granularity"])


TITLES = {**p.CATEGORY_CHARTS, "region": p.REGION_TITLES[0], **p.REP_CHARTS, "timeline": p.TIMELINE}
register_csv(PAGE, p.CHARTS, _csv_table, {"granularity": State(GRANULARITY, "value")}, ["region"], TITLES)
_compare.register(PAGE, list(p.KPIS), p.kpi_values, p.UP_GOOD, p.DECIMALS, values_over=p.kpi_values_over)
