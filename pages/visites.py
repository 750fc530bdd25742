"""The Visites page (legacy ``/data``): KPIs, every counter, région → ville, gamme → spécialité, timeline."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from components import ids
from components.cards import chart_card, kpi_card
from data import codes
from data.scope import request_scope
from pages import _visites as v
from pages._common import csv_download, invalid_figure, page_header, store_filters

dash.register_page(__name__, path="/visites", name="Visites", order=1, title="Visites · Mediviz")

UNIT = "visites-unit"
GRANULARITY = "visites-granularity"


def _drill_tools(name: str) -> list[Any]:
    return [
        dcc.Store(id=f"drill-{name}"),
        dbc.Button("← Retour", id=f"back-{name}", size="sm", color="link", style={"display": "none"}),
    ]


def layout(**_query: Any) -> html.Div:
    """Static structure; every number arrives through the callbacks below."""
    unit = dbc.RadioItems(
        id=UNIT,
        value="contacts",
        inline=True,
        className="unit-toggle",
        options=[{"label": "Contacts", "value": "contacts"}, {"label": "Visites distinctes", "value": "visites"}],
    )
    granularity = dbc.RadioItems(
        id=GRANULARITY,
        value="semaine",
        inline=True,
        className="unit-toggle",
        options=[{"label": x.capitalize(), "value": x} for x in ("jour", "semaine", "mois")],
    )
    counters = [chart_card(name, title) for name, title in v.COUNTER_CHARTS.items()]
    drills = [chart_card(name, spec[0], tools=_drill_tools(name)) for name, spec in v.DRILL_CHARTS.items()]
    return html.Div(
        [
            page_header(
                "Visites",
                "Activité de la force de visite : un contact = un partenaire vu lors d'une visite.",
                [html.Span("Compter :", className="me-2"), unit],
            ),
            dbc.Row([kpi_card(name, title) for name, title in v.KPIS.items()], className="g-3"),
            dbc.Row(counters, className="g-3"),
            dbc.Row(drills, className="g-3"),
            dbc.Row(chart_card("timeline", "Évolution dans le temps", tools=[granularity], width=12)),
            dcc.Download(id=ids.DOWNLOAD),
        ]
    )


@callback(
    [Output(ids.kpi(n), "children") for n in v.KPIS] + [Output(ids.kpi(n) + "-detail", "children") for n in v.KPIS],
    [Output(ids.graph(n), "figure") for n in v.COUNTER_CHARTS],
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


def _register_drill(name: str, code_type: str) -> None:
    """The callbacks of one drill-down chart: the figure, and the click / back navigation."""

    @callback(
        Output(ids.graph(name), "figure"),
        Output(f"title-{name}", "children"),
        Output(f"back-{name}", "style"),
        Input(ids.FILTERS_STORE, "data"),
        Input(UNIT, "value"),
        Input(f"drill-{name}", "data"),
    )
    def update_drill_chart(store: dict[str, Any] | None, unit: str, drill: str | None) -> tuple[Any, ...]:
        filters = store_filters(store)
        title = [
            v.drill_title(name, drill, codes.labels(code_type)),
            html.Small(v.DRILL_CHARTS[name][2] if not drill else "", className="chart-hint"),
        ]
        back = {"display": "inline-block" if drill else "none"}
        if isinstance(filters, str):
            return invalid_figure(filters), title, back
        table = v.chart_table(name, filters, request_scope(), unit, drill)
        return v.chart_figure(name, table, unit, drill), title, back

    @callback(
        Output(f"drill-{name}", "data"),
        Input(ids.graph(name), "clickData"),
        Input(f"back-{name}", "n_clicks"),
        State(f"drill-{name}", "data"),
        prevent_initial_call=True,
    )
    def update_drill(click: dict[str, Any] | None, _back: int | None, drill: str | None) -> Any:
        if ctx.triggered_id == f"back-{name}":
            return None
        if drill is None and click:
            return str(click["points"][0]["customdata"][0])
        return dash.no_update


_register_drill("region", "REGI")
_register_drill("gamme", "GAMM")


@callback(
    Output(ids.graph("timeline"), "figure"),
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


@callback(
    Output(ids.DOWNLOAD, "data"),
    Input({"type": ids.CSV_BUTTON, "chart": ALL}, "n_clicks"),
    State(ids.FILTERS_STORE, "data"),
    State(UNIT, "value"),
    State("drill-region", "data"),
    State("drill-gamme", "data"),
    State(GRANULARITY, "value"),
    prevent_initial_call=True,
)
def download_csv(clicks: list[int | None], store: Any, unit: str, region: Any, gamme: Any, granularity: str) -> Any:
    """The table of the chart whose CSV button was clicked."""
    filters = store_filters(store)
    if not any(clicks) or isinstance(filters, str) or not isinstance(ctx.triggered_id, dict):
        return dash.no_update
    name = ctx.triggered_id["chart"]
    drill = {"region": region, "gamme": gamme}.get(name)
    return csv_download(v.chart_table(name, filters, request_scope(), unit, drill, granularity), name)
