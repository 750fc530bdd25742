"""The Partenaires page (legacy ``/partenaire``): visited accounts, coverage of the base, région and gamme drills."""

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
from pages import _partenaires as p
from pages._common import (
    DRILL_TARGETS,
    drill_tools,
    invalid_figure,
    page_header,
    register_csv,
    register_drill,
    store_filters,
)

PAGE = "partenaires"
dash.register_page(__name__, path="/partenaires", name="Partenaires", order=3, title="Partenaires · Mediviz")


PARAMS = [
    *(_view.Param(f"detail_{n}", ids.drill_store(PAGE, n), "data", "code") for n in p.DRILL_CHARTS),
    _view.Param("filtres_croises", ids.cross_store(PAGE), "data", "cross"),
]
HINT = "Cliquez sur un potentiel pour filtrer la page"


def layout(**query: Any) -> html.Div:
    """Static structure, in the state the URL gives; every number arrives through the callbacks below."""
    state = _view.initial(PARAMS, query)
    # Coverage and potential side by side; establishments (long labels) get a full row.
    widths = {"couverture": 6, "potentiel": 6, "etablissement": 12}
    overview = [
        chart_card(
            PAGE,
            name,
            [title, html.Small(HINT, className="chart-hint")] if name in p.CROSS else title,
            width=widths[name],
        )
        for name, title in p.OVERVIEW_CHARTS.items()
    ]
    drills = [
        chart_card(PAGE, name, spec[0], tools=drill_tools(PAGE, name, state[f"detail_{name}"]))
        for name, spec in p.DRILL_CHARTS.items()
    ]
    return html.Div(
        [
            page_header(
                "Partenaires",
                "Comptes visités : partenaires distincts vus au moins une fois sur la période, "
                "décrits par leur fiche actuelle. Couverture : part du portefeuille visitée (pour une équipe ou un "
                "délégué, les partenaires vus dans la fenêtre du portefeuille, 12 mois par défaut ; sinon toute la "
                "base, hors rejetés).",
                page=PAGE,
            ),
            *_view.stores(PAGE, state["filtres_croises"]),
            dbc.Row([kpi_card(PAGE, name, title) for name, title in p.KPIS.items()], className="g-3"),
            dbc.Row(overview, className="g-3"),
            dbc.Row(drills, className="g-3"),
            dcc.Download(id=ids.download(PAGE)),
        ]
    )


@callback(
    [Output(ids.kpi(PAGE, n), "children") for n in p.KPIS]
    + [Output(ids.kpi(PAGE, n) + "-detail", "children") for n in p.KPIS],
    [Output(ids.graph(PAGE, n), "figure") for n in p.OVERVIEW_CHARTS],
    Input(ids.FILTERS_STORE, "data"),
)
def update_overview(store: dict[str, Any] | None) -> list[Any]:
    """KPI cards, coverage, potentiel and établissement charts (two grouped queries, memoized)."""
    filters = store_filters(store)
    if isinstance(filters, str):
        return ["–"] * len(p.KPIS) + [""] * len(p.KPIS) + [invalid_figure(filters)] * len(p.OVERVIEW_CHARTS)
    scope = request_scope()
    charts = [p.chart_figure(n, p.chart_table(n, filters, scope)) for n in p.OVERVIEW_CHARTS]
    return [*p.kpi_texts(filters, scope), *charts]


def _drill_figure(name: str) -> Any:
    def figure_of(filters: Filters, scope: Scope, drill: str | None) -> go.Figure:
        return p.chart_figure(name, p.chart_table(name, filters, scope, drill))

    return figure_of


for _name in p.DRILL_CHARTS:
    register_drill(PAGE, _name, _drill_figure(_name), p.drill_title(_name), [], DRILL_TARGETS[_name])
_view.register(PAGE, PARAMS, p.CROSS)


def _csv_table(name: str, filters: Filters, scope: Scope, state: dict[str, Any]) -> Any:
    return p.chart_table(name, filters, scope, state.get(f"drill_{name}"))


TITLES = {**p.OVERVIEW_CHARTS, **{n: spec[0] for n, spec in p.DRILL_CHARTS.items()}}
register_csv(PAGE, p.CHARTS, _csv_table, {}, p.DRILL_CHARTS, TITLES)
_compare.register(PAGE, list(p.KPIS), p.kpi_values, p.UP_GOOD, p.DECIMALS, values_over=p.kpi_values_over)
