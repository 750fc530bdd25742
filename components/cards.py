"""Layout pieces of a page: KPI cards and chart cards (title, unit, loading, CSV button)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import figures, ids

#: Every chart's toolbar, in French. plotly.js 3 shows a "Share chart..." button by default that uploads the
#: chart (names, counts) to Plotly's cloud: off, and removed. The dictionary translates the toolbar's titles
#: and messages (plotly.js ships no French locale in this bundle; these are our own translations).
GRAPH_CONFIG: Any = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    # Two buttons, shown while the pointer or the keyboard focus is on the chart: each button is a tab stop
    # (plotly's default seven made a keyboard user cross 7 buttons per chart, 70 on the Visites page). Zooming
    # stays a drag of the mouse; double-click or "Réinitialiser les axes" goes back.
    # (a custom ``modeBarButtons`` list would lose plotly's hover mode: removing the others keeps it).
    "displayModeBar": "hover",
    "modeBarButtonsToRemove": [
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
        "hoverClosestPie",
        "sendChartToCloud",
        "sendDataToCloud",
    ],
    "toImageButtonOptions": {"format": "png", "filename": "mediviz-graphique"},
    "locale": "mediviz-fr",
    "locales": {
        "mediviz-fr": {
            "dictionary": {
                "Autoscale": "Échelle automatique",
                "Compare data on hover": "Comparer les valeurs au survol",
                "Double-click on legend to isolate one trace": "Double-cliquez sur la légende pour isoler une série",
                "Double-click to zoom back out": "Double-cliquez pour revenir au zoom initial",
                "Download plot": "Télécharger le graphique",
                "Download plot as a PNG": "Télécharger le graphique (PNG)",
                "Image download succeeded": "Image téléchargée",
                "Pan": "Déplacer",
                "Preparing image - this may take a few seconds": "Préparation de l'image…",
                "Reset": "Réinitialiser",
                "Reset axes": "Réinitialiser les axes",
                "Reset view": "Réinitialiser la vue",
                "Reset views": "Réinitialiser les vues",
                "Show closest data on hover": "Valeur la plus proche au survol",
                "Sorry, there was a problem downloading your image!": "Le téléchargement de l'image a échoué.",
                "Toggle Spike Lines": "Lignes de repère",
                "Toggle show closest data on hover": "Valeur la plus proche au survol",
                "Zoom": "Zoomer (sélection)",
                "Zoom in": "Zoom avant",
                "Zoom out": "Zoom arrière",
            },
            "format": {
                "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
                "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
                "months": [
                    "janvier",
                    "février",
                    "mars",
                    "avril",
                    "mai",
                    "juin",
                    "juillet",
                    "août",
                    "septembre",
                    "octobre",
                    "novembre",
                    "décembre",
                ],
                "shortMonths": [
                    "janv.",
                    "févr.",
                    "mars",
                    "avr.",
                    "mai",
                    "juin",
                    "juil.",
                    "août",
                    "sept.",
                    "oct.",
                    "nov.",
                    "déc.",
                ],
                "date": "%d/%m/%Y",
                "decimal": ",",
                "thousands": "\u202f",
            },
        }
    },
}


def kpi_card(page: str, name: str, title: str) -> dbc.Col:
    """A KPI card whose value (``ids.kpi(page, name)``) and detail line are filled by a callback."""
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(title, className="kpi-title"),
                    html.Div("…", id=ids.kpi(page, name), className="kpi-value"),
                    html.Div("", id=ids.kpi(page, name) + "-detail", className="kpi-detail"),
                    html.Div("", id=ids.kpi(page, name) + "-compare", className="kpi-compare"),
                ]
            ),
            className="kpi-card h-100",
        ),
        xs=6,
        md=4,
        xl=True,
        className="kpi-col mb-3",
    )


def card_header(page: str, name: str, title: Any, tools: list[Any] | None = None, what: str = "de ce graphique") -> Any:
    """A card's header: its title (``ids.title``), optional tools and its CSV button (``ids.csv_button``)."""
    return dbc.CardHeader(
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
                        title=f"Télécharger les données {what} (CSV)",
                        className="csv-button",
                    ),
                ],
                className="chart-tools",
            ),
        ],
        className="chart-header",
    )


def chart_card(
    page: str, name: str, title: Any, tools: list[Any] | None = None, width: int = 6, note: str | None = None
) -> dbc.Col:
    """A card holding one chart in ``dcc.Loading``, with its title, optional tools, a CSV button and an optional
    ``note`` under the chart (what its numbers mean)."""
    header = card_header(page, name, title, tools)
    body = dbc.CardBody(
        [
            dcc.Loading(
                dcc.Graph(
                    id=ids.graph(page, name),
                    figure=figures.message("Chargement…"),
                    config=GRAPH_CONFIG,
                ),
                type="default",
                delay_show=150,
            ),
            *([html.P(note, className="chart-note")] if note else []),
        ]
    )
    # full width below 1200 px: side by side, the charts of a 1024 px screen were squashed and their labels cut
    return dbc.Col(dbc.Card([header, body], className="chart-card h-100"), xl=width, className="mb-3")


def table_card(page: str, name: str, title: str, body: Any, width: int = 12) -> dbc.Col:
    """A card holding a grid or a table (``body``), with its title and its CSV button."""
    header = card_header(page, name, title, what="de ce tableau")
    return dbc.Col(dbc.Card([header, dbc.CardBody(body)], className="chart-card h-100"), lg=width, className="mb-3")
