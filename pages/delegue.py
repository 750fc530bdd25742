"""One rep's page (issue 13, ``/delegue?id_utilisateur=…``): their numbers against the team's average and the
previous period, weekly visits, visits by potential and outcome, the accounts to revisit, evaluations and business
cases. Reached from a name on the Équipe page (not in the navbar); scoped like every page ("Accès refusé")."""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from components import figures, grids, ids
from components import performance_figures as pf
from components.cards import chart_card, kpi_card, table_card
from data.metrics.filters import Filters
from data.metrics.scope import Scope, request_scope
from pages import _compare
from pages import _delegue as d
from pages._common import invalid_figure, page_header, register_csv, store_filters

PAGE = "delegue"
dash.register_page(__name__, path="/delegue", name="Délégué", order=8, title="Délégué · Mediviz", nav=False)

HEADING = "delegue-heading"
SUBTITLE = "delegue-subtitle"
RELANCE = "delegue-relance"
EVALUATIONS = "delegue-evaluations"
CASES = "delegue-business-cases"
#: A day as the CRM gives it (2025-03-31) shown in French (31/03/2025); "jamais" for none.
LAST_SEEN = "params.value ? params.value.split('-').reverse().join('/') : 'jamais'"
#: A day as the CRM gives it (2025-03-31), shown in French (31/03/2025); "jamais" for none.
LAST_SEEN = "params.value ? params.value.split('-').reverse().join('/') : 'jamais'"
NUMBER = {"filter": "agNumberColumnFilter", "type": "rightAligned"}
NO_REP = "Choisissez un délégué : filtre « Délégué » à gauche, ou un nom sur la page Équipe."


def layout(**_query: Any) -> html.Div:
    """Static structure; every number arrives through the callbacks below."""
    grid = dag.AgGrid(
        id=RELANCE,
        columnDefs=[
            {"field": "Partenaire", "headerName": "Partenaire", "filter": "agTextColumnFilter", "minWidth": 180},
            {"field": "Potentiel", "headerName": "Potentiel", "filter": "agTextColumnFilter"},
            {"field": "Ville", "headerName": "Ville", "filter": "agTextColumnFilter"},
            {"field": "Dernière visite", "headerName": "Dernière visite", "valueFormatter": {"function": LAST_SEEN}},
            {"field": "Jours sans visite", "headerName": "Jours sans visite", **NUMBER},
            {"field": "Visites sur la fenêtre", "headerName": "Visites sur la fenêtre", **NUMBER},
        ],
        rowData=[],
        defaultColDef={"sortable": True, "resizable": True},
        dashGridOptions=grids.options(10, "Aucun compte à relancer"),
        columnSize="responsiveSizeToFit",
        className="ag-theme-alpine",
    )
    return html.Div(
        [
            page_header(
                "Délégué", "Ses chiffres face à la moyenne de son équipe et à la période précédente.", page=PAGE
            ),
            html.H2("", id=HEADING, className="h4"),
            html.P("", id=SUBTITLE, className="text-muted"),
            dbc.Row([kpi_card(PAGE, name, title) for name, title in d.KPIS.items()], className="g-3"),
            dbc.Row(
                [
                    chart_card(PAGE, "semaines", d.TITLES["semaines"], width=12),
                    chart_card(PAGE, "potentiel", d.TITLES["potentiel"]),
                    chart_card(PAGE, "issues", d.TITLES["issues"]),
                ],
                className="g-3",
            ),
            dbc.Row(
                table_card(PAGE, "relance", d.TITLES["relance"], dcc.Loading(grid, delay_show=150)), className="g-3"
            ),
            dbc.Row(
                [
                    table_card(
                        PAGE,
                        "evaluations",
                        d.TITLES["evaluations"],
                        html.Div(id=EVALUATIONS, className="table-responsive"),
                        6,
                    ),
                    table_card(
                        PAGE,
                        "business_cases",
                        d.TITLES["business_cases"],
                        html.Div(id=CASES, className="table-responsive"),
                        6,
                    ),
                ],
                className="g-3",
            ),
            dcc.Download(id=ids.download(PAGE)),
        ]
    )


def _rep_filters(store: dict[str, Any] | None) -> Filters | str:
    filters = store_filters(store)
    if isinstance(filters, Filters) and filters.id_utilisateur is None:
        return NO_REP
    return filters


@callback(
    [Output(ids.kpi(PAGE, n), "children") for n in d.KPIS]
    + [Output(ids.kpi(PAGE, n) + "-detail", "children") for n in d.KPIS],
    Output(HEADING, "children"),
    Output(SUBTITLE, "children"),
    [Output(ids.graph(PAGE, n), "figure") for n in ("semaines", "potentiel", "issues")],
    Output(RELANCE, "rowData"),
    Output(EVALUATIONS, "children"),
    Output(CASES, "children"),
    Input(ids.FILTERS_STORE, "data"),
)
def update_page(store: dict[str, Any] | None) -> list[Any]:
    """Everything on the page, for the rep the sidebar names."""
    filters = _rep_filters(store)
    if isinstance(filters, str):
        blank = ["–"] * len(d.KPIS) + [""] * len(d.KPIS)
        return [*blank, filters, "", *[invalid_figure(filters)] * 3, [], "", ""]
    scope = request_scope()
    title, subtitle = d.header(filters)
    weeks = figures.timeline(d.chart_table("semaines", filters, scope), "semaine", "Visites", "Visites")
    tiers = pf.category_bars(d.chart_table("potentiel", filters, scope), "libelle", "Visites", "Visites")
    outcomes = pf.category_bars(d.chart_table("issues", filters, scope), "libelle", "Visites", "Visites")
    revisit = d.chart_table("relance", filters, scope).to_dict("records")
    evaluations = d.html_table(d.chart_table("evaluations", filters, scope), "Évaluations", "Aucune évaluation.")
    cases = d.html_table(d.chart_table("business_cases", filters, scope), "Business cases", "Aucun business case.")
    return [*d.kpi_texts(filters, scope), title, subtitle, weeks, tiers, outcomes, revisit, evaluations, cases]


def _table(name: str, filters: Filters, scope: Scope, state: dict[str, Any]) -> Any:
    if filters.id_utilisateur is None:  # an export asked before a rep was chosen: the page's message
        return pd.DataFrame({"Message": [NO_REP]})
    return d.chart_table(name, filters, scope, state)


register_csv(PAGE, list(d.TITLES), _table, {}, (), d.TITLES)
_compare.register(
    PAGE,
    list(d.KPIS),
    d.kpi_values,
    d.UP_GOOD,
    d.DECIMALS,
    filters_of=lambda store: _rep_filters(store),
    values_over=d.values_over,
)
