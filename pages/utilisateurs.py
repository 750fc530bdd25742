"""The Utilisateurs page (legacy ``/users``): active users per month, région, gamme, status, role and manager."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, callback, dcc, html

from components import ids
from components.cards import chart_card, kpi_card
from data.metrics.filters import Filters
from data.metrics.scope import Scope, request_scope
from pages import _compare, _view
from pages import _utilisateurs as u
from pages._common import (
    DRILL_TARGETS,
    drill_tools,
    invalid_figure,
    page_header,
    register_csv,
    register_drill,
    store_filters,
)

PAGE = "utilisateurs"
dash.register_page(__name__, path="/utilisateurs", name="Utilisateurs", order=6, title="Utilisateurs · Mediviz")

VIEW = f"{PAGE}-manager-view"
EVERY_TEAM = f"{PAGE}-voir-tout"


PARAMS = [
    _view.Param("vue", VIEW, default="nombre", choices=tuple(u.VIEWS)),
    _view.Param("tout", EVERY_TEAM, kind="bool", default=False),
    *(_view.Param(f"detail_{n}", ids.drill_store(PAGE, n), "data", "code") for n in u.DRILL_CHARTS),
    _view.Param("filtres_croises", ids.cross_store(PAGE), "data", "cross"),
]
HINT = "Cliquez sur une barre pour filtrer la page"


def layout(**query: Any) -> html.Div:
    """Static structure, in the state the URL gives; every number arrives through the callbacks below."""
    state = _view.initial(PARAMS, query)
    view = dbc.RadioItems(
        id=VIEW,
        value=state["vue"],
        inline=True,
        className="unit-toggle",
        options=[{"label": label, "value": value} for value, label in u.VIEWS.items()],
    )
    every_team = dbc.Switch(id=EVERY_TEAM, label="Voir tout", value=state["tout"], className="mb-0")
    drills = [
        chart_card(PAGE, name, spec[0], tools=drill_tools(PAGE, name, state[f"detail_{name}"]), width=4)
        for name, spec in u.DRILL_CHARTS.items()
    ]
    role_title = [u.CHARTS["role"], html.Small(HINT, className="chart-hint")]
    statut_title = [u.CHARTS["statut"], html.Small(HINT, className="chart-hint")]
    return html.Div(
        [
            page_header(
                "Utilisateurs",
                "Utilisateurs actifs : ceux qui ont au moins une visite (hors supprimées) dans la sélection.",
                page=PAGE,
            ),
            *_view.stores(PAGE, state["filtres_croises"]),
            dbc.Row([kpi_card(PAGE, name, title) for name, title in u.KPIS.items()], className="g-3"),
            dbc.Row(chart_card(PAGE, u.MONTHS, u.MONTHS_TITLE, width=12)),
            dbc.Row(
                [
                    chart_card(PAGE, u.MANAGERS, u.TEAMS_TITLE, tools=[view, every_team], note=u.TEAMS_NOTE),
                    chart_card(PAGE, "role", role_title),
                ],
                className="g-3",
            ),
            dbc.Row([*drills, chart_card(PAGE, "statut", statut_title, width=4)], className="g-3"),
            dcc.Download(id=ids.download(PAGE)),
        ]
    )


@callback(
    [Output(ids.kpi(PAGE, n), "children") for n in u.KPIS]
    + [Output(ids.kpi(PAGE, n) + "-detail", "children") for n in u.KPIS],
    [Output(ids.graph(PAGE, n), "figure") for n in (u.MONTHS, *u.CHARTS)],
    Input(ids.FILTERS_STORE, "data"),
)
def update_overview(store: dict[str, Any] | None) -> list[Any]:
    """KPI cards, active users per month, per partner status and per role."""
    filters = store_filters(store)
    names = (u.MONTHS, *u.CHARTS)
    if isinstance(filters, str):
        return ["–"] * len(u.KPIS) + [""] * len(u.KPIS) + [invalid_figure(filters)] * len(names)
    scope = request_scope()
    charts = [u.chart_figure(n, u.chart_table(n, filters, scope)) for n in names]
    return [*u.kpi_texts(filters, scope), *charts]


@callback(
    Output(ids.graph(PAGE, u.MANAGERS), "figure"),
    Input(ids.FILTERS_STORE, "data"),
    Input(VIEW, "value"),
    Input(EVERY_TEAM, "value"),
)
def update_managers(store: dict[str, Any] | None, view: str, every: Any = False) -> go.Figure:
    """Visits per team of the current hierarchy, as counts or shares of the slice's visits."""
    filters = store_filters(store)
    if isinstance(filters, str):
        return invalid_figure(filters)
    table = u.chart_table(u.MANAGERS, filters, request_scope())
    return u.chart_figure(u.MANAGERS, table, view, every=every is True)


def _drill_figure(name: str) -> Any:
    def figure_of(filters: Filters, scope: Scope, drill: str | None) -> go.Figure:
        return u.chart_figure(name, u.chart_table(name, filters, scope, drill))

    return figure_of


for _name in u.DRILL_CHARTS:
    register_drill(PAGE, _name, _drill_figure(_name), u.drill_title(_name), [], DRILL_TARGETS[_name])
_view.register(PAGE, PARAMS, u.CROSS)


def _csv_table(name: str, filters: Filters, scope: Scope, state: dict[str, Any]) -> Any:
    return u.chart_table(name, filters, scope, state.get(f"drill_{name}"))


TITLES = {
    u.MONTHS: u.MONTHS_TITLE,
    u.MANAGERS: u.TEAMS_TITLE,
    **u.CHARTS,
    **{n: s[0] for n, s in u.DRILL_CHARTS.items()},
}
register_csv(PAGE, [u.MONTHS, u.MANAGERS, *u.CHARTS, *u.DRILL_CHARTS], _csv_table, {}, u.DRILL_CHARTS, TITLES)
_compare.register(PAGE, list(u.KPIS), u.kpi_values, u.UP_GOOD, u.DECIMALS, values_over=u.kpi_values_over)
