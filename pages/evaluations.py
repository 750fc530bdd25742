"""The Évaluations page (legacy ``/evaluation``): KPIs, score distribution, counts, averages, catégorie → items."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from components import ids
from components.cards import chart_card, kpi_card
from components.sidebar import DROPDOWN_LABELS, code_options, with_values
from data.metrics import codes
from data.metrics.filters import Filters
from data.metrics.scope import Scope, request_scope
from pages import _compare, _view
from pages import _evaluations as ev
from pages._common import drill_tools, invalid_figure, page_header, register_csv, register_drill

PAGE = "evaluations"
dash.register_page(__name__, path="/evaluations", name="Évaluations", order=4, title="Évaluations · Mediviz")

CATEGORY = f"{PAGE}-code_categorie"
NOTE = f"{PAGE}-note"
EVERY_REP = f"{PAGE}-voir-tout"


PARAMS = [
    _view.Param("code_categorie", CATEGORY, kind="codes", default=[]),
    _view.Param("tout", EVERY_REP, kind="bool", default=False),
    _view.Param(f"detail_{ev.DRILL}", ids.drill_store(PAGE, ev.DRILL), "data", "code"),
]


def layout(**query: Any) -> html.Div:
    """Static structure, in the state the URL gives (category filter, "Voir tout", the drilled category);
    numbers arrive later."""
    state = _view.initial(PARAMS, query)
    chosen = state["code_categorie"]
    categories = dcc.Dropdown(
        id=CATEGORY,
        options=[{"label": code, "value": code} for code in chosen],
        value=chosen,
        multi=True,
        placeholder="Toutes les catégories",
        labels=DROPDOWN_LABELS,
        style={"minWidth": "300px"},
    )
    every_rep = dbc.Switch(id=EVERY_REP, label="Voir tout", value=state["tout"], className="mb-0")
    tools = {"delegues": [every_rep]}
    cards = {
        name: chart_card(PAGE, name, title, tools=tools.get(name), width=ev.WIDTHS.get(name, 6))
        for name, title in ev.SUMMARY_CHARTS.items()
    }
    drilled = state[f"detail_{ev.DRILL}"]
    cards[ev.DRILL] = chart_card(PAGE, ev.DRILL, ev.DRILL_TITLES[0], tools=drill_tools(PAGE, ev.DRILL, drilled))
    return html.Div(
        [
            page_header(
                "Évaluations",
                "Évaluations des délégués par leurs responsables : une note globale sur 100, des items notés sur 5.",
                [html.Label("Catégorie :", htmlFor=CATEGORY, className="me-2"), categories],
                page=PAGE,
            ),
            html.Div(ev.SCOPE_NOTE, id=NOTE, className="small text-muted mb-3"),
            *_view.stores(PAGE, crossing=False),
            dbc.Row([kpi_card(PAGE, name, title) for name, title in ev.KPIS.items()], className="g-3"),
            dbc.Row([cards[name] for name in ev.LAYOUT], className="g-3"),
            dcc.Download(id=ids.download(PAGE)),
        ]
    )


@callback(
    Output(CATEGORY, "options"),
    Output(NOTE, "children"),
    Input(ids.FILTERS_STORE, "data"),
    State(CATEGORY, "value"),
)
def update_controls(store: dict[str, Any] | None, chosen: list[str] | None) -> tuple[Any, Any]:
    """The category options (labels, codes kept in the URL) and the note on the filters that do not apply."""
    return with_values(code_options(codes.codes("CAEV")), ev.known_codes(chosen)), ev.note(store)


@callback(
    [Output(ids.kpi(PAGE, n), "children") for n in ev.KPIS]
    + [Output(ids.kpi(PAGE, n) + "-detail", "children") for n in ev.KPIS],
    [Output(ids.graph(PAGE, n), "figure") for n in ev.SUMMARY_CHARTS],
    Input(ids.FILTERS_STORE, "data"),
    Input(CATEGORY, "value"),
    Input(EVERY_REP, "value"),
)
def update_summary(store: dict[str, Any] | None, categories: list[str] | None, every_rep: Any = False) -> list[Any]:
    """KPI cards and the count charts, from one grouped query (the per-rep chart: the lowest averages, or all)."""
    filters = ev.page_filters(store, categories)
    if isinstance(filters, str):
        return ["–"] * len(ev.KPIS) + [""] * len(ev.KPIS) + [invalid_figure(filters)] * len(ev.SUMMARY_CHARTS)
    scope = request_scope()
    every = every_rep is True  # a forged value is not "all"
    charts = [ev.chart_figure(n, ev.chart_table(n, filters, scope), every=every) for n in ev.SUMMARY_CHARTS]
    return [*ev.kpi_texts(filters, scope), *charts]


def _drill_figure(filters: Filters, scope: Scope, drill: str | None, categories: list[str] | None) -> go.Figure:
    page_filters = ev.page_filters({"filters": filters.to_dict()}, categories)
    if isinstance(page_filters, str):
        return invalid_figure(page_filters)
    return ev.chart_figure(ev.DRILL, ev.chart_table(ev.DRILL, page_filters, scope, drill))


register_drill(PAGE, ev.DRILL, _drill_figure, ev.drill_title, [Input(CATEGORY, "value")], (CATEGORY, "CAEV"))
_view.register(PAGE, PARAMS)


def _csv_table(name: str, filters: Filters, scope: Scope, state: dict[str, Any]) -> Any:
    page_filters = ev.page_filters({"filters": filters.to_dict()}, state["categories"])
    if isinstance(page_filters, str):
        return pd.DataFrame()
    return ev.chart_table(name, page_filters, scope, state[f"drill_{ev.DRILL}"] if name == ev.DRILL else None)


TITLES = {**ev.SUMMARY_CHARTS, ev.DRILL: ev.DRILL_TITLES[0]}
register_csv(PAGE, ev.LAYOUT, _csv_table, {"categories": State(CATEGORY, "value")}, [ev.DRILL], TITLES)
_compare.register(
    PAGE,
    list(ev.KPIS),
    ev.kpi_values,
    ev.UP_GOOD,
    ev.DECIMALS,
    [Input(CATEGORY, "value")],
    ev.page_filters,
    ev.kpi_values_over,
)
