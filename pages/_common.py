"""Helpers shared by the pages: filters from the shell's store, drill-down charts, CSV downloads, headers."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from components import figures, ids, inputs, tables
from data.metrics import codes
from data.metrics.filters import FilterError, Filters
from data.metrics.scope import OUTSIDE, Scope, outside, request_scope

#: (filters, scope, drill, *extra input values) -> figure
DrillFigure = Callable[..., go.Figure]
#: (chart name, filters, scope, {state name: value}) -> the chart's table
ChartTable = Callable[[str, Filters, Scope, dict[str, Any]], pd.DataFrame]


def store_filters(store: dict[str, Any] | None, **page_filters: Any) -> Filters | str:
    """The Filters in the shell's store (plus the page's own filters), or the French reason there are none.

    A store that is no dict, or whose filters are no dict, raises ``BadInputError`` (a forged request: 400).
    """
    store = inputs.mapping(store, "filters store")
    if not store:
        return "Chargement…"
    if "error" in store:
        return OUTSIDE if store["error"] == OUTSIDE else f"Filtres invalides : {store['error']}"
    try:
        filters = Filters.from_mapping({**inputs.mapping(store.get("filters"), "filters"), **page_filters})
    except FilterError as exc:
        return f"Filtres invalides : {exc.message}"
    if outside(filters, request_scope()):  # as the API's 403 (the sidebar says it too; a forged store ends here)
        return OUTSIDE
    return filters


def chosen_only(table: pd.DataFrame, name: str, filters: Filters, drill: str | None = None) -> pd.DataFrame:
    """A région or gamme chart's top level keeps only the codes the sidebar chose, if it chose any: the other
    regions are excluded by the filter, not zeros (drawn as 0 they said "no visits there", and misled)."""
    chosen = {"region": filters.region, "gamme": filters.gamme}.get(name, ())
    if drill is not None or not chosen or "code" not in table:
        return table
    return table[table["code"].isin(chosen)].reset_index(drop=True)


def invalid_figure(reason: str) -> go.Figure:
    """The figure shown when there is nothing to compute (loading, invalid filters)."""
    return figures.message(reason)


def csv_download(table: pd.DataFrame, name: str) -> dict[str, Any]:
    """A ``dcc.Download`` payload: the table as CSV for Excel, no text cell read as a formula (``tables.csv_text``)."""
    return dcc.send_string(tables.csv_text(table), f"mediviz-{name}.csv")


def page_header(title: str, subtitle: str, tools: list[Any] | None = None) -> html.Div:
    """The page title, a one-line explanation and page-wide tools (unit toggle…)."""
    return html.Div(
        [
            html.Div([html.H1(title, className="page-title"), html.P(subtitle, className="page-subtitle")]),
            html.Div(tools or [], className="page-tools"),
        ],
        className="page-header",
    )


def drill_tools(page: str, name: str) -> list[Any]:
    """The store of a drill-down chart's chosen parent and its back button (shown once drilled)."""
    back = dbc.Button("← Retour", id=ids.drill_back(page, name), size="sm", color="link", style={"display": "none"})
    return [dcc.Store(id=ids.drill_store(page, name)), back]


def drill_title(top: str, child: str, hint: str, code_type: str) -> Callable[[str | None], list[Any]]:
    """A drill chart's title: ``top`` with a ``hint``, or ``child : <label of the chosen parent>``."""

    def title_of(drill: str | None) -> list[Any]:
        if drill is None:
            return [top, html.Small(hint, className="chart-hint")]
        return [f"{child} : {codes.labels(code_type).get(drill, drill)}"]

    return title_of


def register_drill(
    page: str, name: str, figure_of: DrillFigure, title_of: Callable[[str | None], Any], extra: list[Input]
) -> None:
    """Callbacks of a drill-down chart: its figure and title, and navigation by click and back button.

    The figure's points carry their code in ``customdata``; a click on a parent shows its children.
    """

    @callback(
        Output(ids.graph(page, name), "figure"),
        Output(ids.title(page, name), "children"),
        Output(ids.drill_back(page, name), "style"),
        Input(ids.FILTERS_STORE, "data"),
        *extra,
        Input(ids.drill_store(page, name), "data"),
    )
    def update_drill_chart(store: dict[str, Any] | None, *values: Any) -> tuple[Any, ...]:
        *extra_values, drill = values
        drill = drill if isinstance(drill, str) else None  # the store holds a code; a forged one, anything
        filters = store_filters(store)
        back = {"display": "inline-block" if drill else "none"}
        if isinstance(filters, str):
            return invalid_figure(filters), title_of(drill), back
        return figure_of(filters, request_scope(), drill, *extra_values), title_of(drill), back

    @callback(
        Output(ids.drill_store(page, name), "data"),
        Input(ids.graph(page, name), "clickData"),
        Input(ids.drill_back(page, name), "n_clicks"),
        State(ids.drill_store(page, name), "data"),
        prevent_initial_call=True,
    )
    def update_drill(click: dict[str, Any] | None, _back: int | None, drill: str | None) -> Any:
        if ctx.triggered_id == ids.drill_back(page, name):
            return None
        points = click.get("points") if isinstance(click, dict) else None  # a forged click may hold anything
        point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
        custom = point.get("customdata")
        if drill is None and isinstance(custom, list) and custom:
            return str(custom[0])
        return dash.no_update


def register_csv(
    page: str, charts: Collection[str], table_of: ChartTable, states: dict[str, State], drills: Collection[str] = ()
) -> None:
    """The page's CSV download: the table of the chart whose button was clicked, in its current state.

    ``charts`` are the names of the page's charts; ``drills`` those of its drill-down charts, whose chosen parent
    reaches ``table_of`` as ``drill_<name>``. An unknown chart, or a drill state that is no code, raises
    ``BadInputError`` (a forged request: 400).
    """
    drill_states = {f"drill_{name}": State(ids.drill_store(page, name), "data") for name in drills}
    every_state = {**states, **drill_states}

    @callback(
        Output(ids.download(page), "data"),
        Input({"type": "csv-button", "page": page, "chart": ALL}, "n_clicks"),
        State(ids.FILTERS_STORE, "data"),
        *every_state.values(),
        prevent_initial_call=True,
    )
    def download_csv(clicks: list[int | None], store: dict[str, Any] | None, *values: Any) -> Any:
        filters = store_filters(store)
        if not any(clicks) or isinstance(filters, str) or not isinstance(ctx.triggered_id, dict):
            return dash.no_update
        name = inputs.one_of(ctx.triggered_id.get("chart"), charts, "CSV button's chart")
        state = dict(zip(every_state, values, strict=True))
        state.update({key: inputs.text(state[key], key) for key in drill_states})
        table = table_of(name, filters, request_scope(), state)
        return csv_download(table, f"{page}-{name}")


def coming_soon(title: str) -> html.Div:
    """The placeholder of an area that is not built yet."""
    return html.Div(
        [
            page_header(title, "Cette analyse arrive bientôt."),
            dbc.Alert(f"La page « {title} » est bientôt disponible.", color="info"),
        ]
    )
