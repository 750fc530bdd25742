"""Layout pieces of a page: KPI cards and chart cards (title, unit, loading, CSV button)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import figures, ids


def kpi_card(page: str, name: str, title: str) -> dbc.Col:
    """A KPI card whose value (``ids.kpi(page, name)``) and detail line are filled by a callback."""
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="kpi-title"),
                    html.Div("…", id=ids.kpi(page, name), className="kpi-value"),
                    html.Div("", id=ids.kpi(page, name) + "-detail", className="kpi-detail"),
                ]
            ),
            className="kpi-card h-100",
        ),
        xs=6,
        lg=True,
        className="mb-3",
    )


def chart_card(page: str, name: str, title: str, tools: list[Any] | None = None, width: int = 6) -> dbc.Col:
    """A card holding one chart in ``dcc.Loading``, with its title, optional tools and a CSV button."""
    header = dbc.CardHeader(
        [
            html.Span(title, className="chart-title", id=ids.title(page, name)),
            html.Div(
                [
                    *(tools or []),
                    dbc.Button(
                        "CSV",
                        id=ids.csv_button(page, name),
                        size="sm",
                        color="light",
                        title="Télécharger les données de ce graphique (CSV)",
                        className="csv-button",
                    ),
                ],
                className="chart-tools",
            ),
        ],
        className="chart-header",
    )
    body = dbc.CardBody(
        dcc.Loading(
            dcc.Graph(
                id=ids.graph(page, name),
                figure=figures.message("Chargement…"),
                config={"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"], "locale": "fr"},
            ),
            type="default",
            delay_show=150,
        )
    )
    return dbc.Col(dbc.Card([header, body], className="chart-card h-100"), lg=width, className="mb-3")
