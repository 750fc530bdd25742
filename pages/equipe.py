"""The Équipe page (issue 13): one row per rep of the selection, reach × frequency by potential, visit outcomes."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from components import grids, ids
from components.cards import chart_card, kpi_card, table_card
from data.app import settings
from data.metrics.filters import Filters
from data.metrics.scope import Scope, request_scope
from pages import _compare
from pages import _equipe as e
from pages._common import invalid_figure, page_header, register_csv, store_filters

PAGE = "equipe"
dash.register_page(__name__, path="/equipe", name="Équipe", order=7, title="Équipe · Mediviz")

GRID = "equipe-grid"
MATRIX = "equipe-matrix"
NOTE = "equipe-note"


def _column(key: str) -> dict[str, Any]:
    header, decimals = e.COLUMNS[key]
    if key == "delegue":
        return {
            "field": "lien", "headerName": header, "cellRenderer": "markdown", "pinned": "left", "minWidth": 190,
            "filter": "agTextColumnFilter", "filterValueGetter": {"function": "params.data.delegue"},
        }  # fmt: skip
    if key == "atteinte_potentiel_fort":  # the reps most behind first
        return {**_number(key, header, decimals or 0), "sort": "asc"}
    if decimals is None:
        return {"field": key, "headerName": header, "filter": "agTextColumnFilter", "minWidth": 150}
    return _number(key, header, decimals)


def _number(key: str, header: str, decimals: int) -> dict[str, Any]:
    return {
        "field": key, "headerName": header, "filter": "agNumberColumnFilter", "type": "rightAligned",
        "valueFormatter": {"function": f"medivizNumber(params, {decimals})"}, "minWidth": 120,
    }  # fmt: skip


def layout(**_query: Any) -> html.Div:
    """Static structure; every number arrives through the callbacks below."""
    grid = dag.AgGrid(
        id=GRID,
        columnDefs=[_column(key) for key in e.COLUMNS],
        rowData=[],
        defaultColDef={"sortable": True, "resizable": True, "floatingFilter": True, "wrapHeaderText": True},
        dashGridOptions=grids.options(25, "Aucun délégué dans cette sélection"),
        columnSize="autoSize",
        className="ag-theme-alpine scorecard-grid",
    )
    return html.Div(
        [
            page_header(
                "Équipe",
                "Un délégué par ligne : activité, portefeuille, fréquence des visites, planning, évaluation et budget, "
                "avec l'évolution sur la période précédente. Cliquez sur un nom pour ouvrir sa page.",
                page=PAGE,
            ),
            dbc.Row([kpi_card(PAGE, name, title) for name, title in e.KPIS.items()], className="g-3"),
            html.P("", id=NOTE, className="chart-note"),
            dbc.Row(
                table_card(PAGE, "delegues", e.TITLES["delegues"], dcc.Loading(grid, type="default", delay_show=150)),
                className="g-3",
            ),
            dbc.Row(
                [
                    table_card(
                        PAGE,
                        "matrice",
                        e.TITLES["matrice"],
                        dcc.Loading(html.Div(id=MATRIX, className="table-responsive"), delay_show=150),
                    ),
                    chart_card(PAGE, "issues", e.TITLES["issues"]),
                ],
                className="g-3",
            ),
            dcc.Download(id=ids.download(PAGE)),
        ]
    )


@callback(
    [Output(ids.kpi(PAGE, n), "children") for n in e.KPIS]
    + [Output(ids.kpi(PAGE, n) + "-detail", "children") for n in e.KPIS],
    Output(GRID, "rowData"),
    Output(MATRIX, "children"),
    Output(ids.graph(PAGE, "issues"), "figure"),
    Output(NOTE, "children"),
    Input(ids.FILTERS_STORE, "data"),
)
def update_page(store: dict[str, Any] | None) -> list[Any]:
    """KPI cards, the scorecard, reach × frequency and the outcomes."""
    filters = store_filters(store)
    if isinstance(filters, str):
        return ["–"] * len(e.KPIS) + [""] * len(e.KPIS) + [[], html.P(filters), invalid_figure(filters), ""]
    scope = request_scope()
    note = e.NOTE.format(mois=settings.current().portefeuille_mois)
    outcomes = e.outcome_figure(e.chart_table("issues", filters, scope))
    return [
        *e.kpi_texts(filters, scope),
        e.scorecard_rows(filters, scope),
        e.matrix_table(filters, scope),
        outcomes,
        note,
    ]


def _table(name: str, filters: Filters, scope: Scope, state: dict[str, Any]) -> Any:
    return e.chart_table(name, filters, scope, state)


register_csv(PAGE, list(e.TITLES), _table, {}, (), e.TITLES)
_compare.register(PAGE, list(e.KPIS), e.kpi_values, e.UP_GOOD, e.DECIMALS, values_over=e.values_over)
