"""Helpers shared by the pages: filters from the shell's store, figures for invalid filters, CSV export."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from components import figures
from data.filters import FilterError, Filters


def store_filters(store: dict[str, Any] | None) -> Filters | str:
    """The Filters in the shell's store, or the French message of why there are none."""
    if not store:
        return "Chargement…"
    if "error" in store:
        return f"Filtres invalides : {store['error']}"
    try:
        return Filters.from_mapping(store.get("filters", {}))
    except FilterError as exc:
        return f"Filtres invalides : {exc.message}"


def invalid_figure(reason: str) -> go.Figure:
    """The figure shown when there is nothing to compute (loading, invalid filters)."""
    return figures.message(reason)


def csv_download(table: pd.DataFrame, name: str) -> dict[str, Any]:
    """A ``dcc.Download`` payload: the table as CSV (UTF-8 with BOM so that Excel reads accents)."""
    return dcc.send_string("\ufeff" + table.to_csv(index=False, sep=";", decimal=","), f"mediviz-{name}.csv")


def page_header(title: str, subtitle: str, tools: list[Any] | None = None) -> html.Div:
    """The page title, a one-line explanation and page-wide tools (unit toggle…)."""
    return html.Div(
        [
            html.Div([html.H1(title, className="page-title"), html.P(subtitle, className="page-subtitle")]),
            html.Div(tools or [], className="page-tools"),
        ],
        className="page-header",
    )


def coming_soon(title: str) -> html.Div:
    """The placeholder of an area that is not built yet."""
    return html.Div(
        [
            page_header(title, "Cette analyse arrive bientôt."),
            dbc.Alert(f"La page « {title} » est bientôt disponible.", color="info"),
        ]
    )
