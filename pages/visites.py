"""The Visites page (legacy ``/data``): KPIs, every counter, région → ville, gamme → spécialité, timeline."""

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
from pages import _visites as v
from pages._common import (
    DRILL_TARGETS,
    drill_tools,
    invalid_figure,
    page_header,
    register_csv,
    register_drill,
    store_filters,
)

PAGE = "visites"
dash.register_page(__name__, path="/visites", name="Visites", order=1, title="Visites · Mediviz")

UNIT = "visites-unit"
GRANULARITY = "visites-granularity"
TIMELINE = "Évolution dans le temps"


PARAMS = [
    # managers count visits; contacts (partners seen) are one click away
    _view.Param("unite", UNIT, default="visites", choices=("visites", "contacts")),
    _view.Param("pas", GRANULARITY, default="semaine", choices=("jour", "semaine", "mois")),
    *(_view.Param(f"detail_{n}", ids.drill_store(PAGE, n), "data", "code") for n in v.DRILL_CHARTS),
    _view.Param("filtres_croises", ids.cross_store(PAGE), "data", "cross"),
]


def layout(**query: Any) -> html.Div:
    """Static structure, in the state the URL gives; every number arrives through the callbacks below."""
    state = _view.initial(PARAMS, query)
    unit = dbc.RadioItems(
        id=UNIT,
        value=state["unite"],
        inline=True,
        className="unit-toggle",
        options=[
            {"label": "Visites", "value": "visites"},
            {"label": "Contacts (partenaires vus)", "value": "contacts"},
        ],
    )
    granularity = dbc.RadioItems(
        id=GRANULARITY,
        value=state["pas"],
        inline=True,
        className="unit-toggle",
        options=[{"label": x.capitalize(), "value": x} for x in ("jour", "semaine", "mois")],
    )
    drills = [
        chart_card(PAGE, name, spec[0], tools=drill_tools(PAGE, name, state[f"detail_{name}"]))
        for name, spec in v.DRILL_CHARTS.items()
    ]
    hint = "Cliquez sur une barre pour filtrer la page"
    counters = [
        chart_card(PAGE, name, [title, html.Small(hint, className="chart-hint")])
        for name, title in v.COUNTER_CHARTS.items()
    ]
    return html.Div(
        [
            page_header(
                "Visites",
                "Activité de la force de visite : un contact = un partenaire vu lors d'une visite.",
                [html.Span("Compter :", className="me-2"), unit],
                page=PAGE,
            ),
            *_view.stores(PAGE, state["filtres_croises"]),
            dbc.Row([kpi_card(PAGE, name, title) for name, title in v.KPIS.items()], className="g-3"),
            dbc.Row(counters, className="g-3"),
            dbc.Row(drills, className="g-3"),
            dbc.Row(chart_card(PAGE, "timeline", TIMELINE, tools=[granularity], width=12)),
            dcc.Download(id=ids.download(PAGE)),
        ]
    )


@callback(
    [Output(ids.kpi(PAGE, n), "children") for n in v.KPIS]
    + [Output(ids.kpi(PAGE, n) + "-detail", "children") for n in v.KPIS],
    [Output(ids.graph(PAGE, n), "figure") for n in v.COUNTER_CHARTS],
    Input(ids.FILTERS_STORE, "data"),
    Input(UNIT, "value"),
)
def update_counters(store: dict[str, Any] | None, unit: str) -> list[Any]:
    """KPI cards and the four counter charts, from one grouped query."""
    filters = store_filters(store)
    if isinstance(filters, str):
        return ["–"] * len(v.KPIS) + [""] * len(v.KPIS) + [invalid_figure(filters)] * len(v.COUNTER_CHARTS)
    scope = request_scope()
    charts = [v.chart_figure(n, v.chart_table(n, filters, scope, unit), unit) for n in v.COUNTER_CHARTS]
    return [*v.kpi_texts(filters, scope), *charts]


def _drill_figure(name: str) -> Any:
    def figure_of(filters: Filters, scope: Scope, drill: str | None, unit: str) -> go.Figure:
        return v.chart_figure(name, v.chart_table(name, filters, scope, unit, drill), unit, drill)

    return figure_of


for _name in v.DRILL_CHARTS:
    register_drill(
        PAGE, _name, _drill_figure(_name), v.drill_title(_name), [Input(UNIT, "value")], DRILL_TARGETS[_name]
    )
_view.register(PAGE, PARAMS, v.CROSS)


@callback(
    Output(ids.graph(PAGE, "timeline"), "figure"),
    Input(ids.FILTERS_STORE, "data"),
    Input(UNIT, "value"),
    Input(GRANULARITY, "value"),
)
def update_timeline(store: dict[str, Any] | None, unit: str, granularity: str) -> go.Figure:
    """Visits (or contacts) per day, week or month, periods without visits at 0."""
    filters = store_filters(store)
    if isinstance(filters, str):
        return invalid_figure(filters)
    table = v.chart_table("timeline", filters, request_scope(), unit, granularity=granularity)
    return v.chart_figure("timeline", table, unit, granularity=granularity)


def _csv_table(name: str, filters: Filters, scope: Scope, state: dict[str, Any]) -> Any:
    drill = state.get(f"drill_{name}")
    return v.chart_table(name, filters, scope, state["unit"], drill, state["granularity"])


register_csv(
    PAGE,
    v.CHARTS,
    _csv_table,
    {"unit": State(UNIT, "value"), "granularity": State(GRANULARITY, "value")},
    v.DRILL_CHARTS,
    titles={**v.COUNTER_CHARTS, **{n: spec[0] for n, spec in v.DRILL_CHARTS.items()}, "timeline": TIMELINE},
)
_compare.register(PAGE, list(v.KPIS), v.kpi_values, v.UP_GOOD, values_over=v.kpi_values_over)
