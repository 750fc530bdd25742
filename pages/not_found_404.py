"""The page for an unknown address (Dash Pages shows it for any path no page claims)."""

from __future__ import annotations

import dash
from dash import html

dash.register_page(__name__, title="Page introuvable · Mediviz")


def layout(**_query: object) -> html.Div:
    return html.Div(
        [
            html.H1("Page introuvable", className="page-title"),
            html.P("Cette adresse ne correspond à aucune page de Mediviz.", className="page-subtitle"),
            html.A("Aller à la page Visites", href="/visites", className="btn btn-primary mt-3", id="not-found-home"),
        ],
        className="py-4",
    )
