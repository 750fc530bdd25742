"""The Investissements page (legacy ``/invest``): business-case budgets (MAD) per dimension, with drill-downs."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html

from components import ids, inputs
from components.cards import chart_card, kpi_card
from data.metrics import codes, investissements
from data.metrics.filters import Filters
from data.metrics.scope import Scope, request_scope
from pages import _compare, _view
from pages import _investissements as inv
from pages._common import (
    DRILL_TARGETS,
    drill_tools,
    invalid_figure,
    page_header,
    register_csv,
    register_drill,
    store_filters,
)

PAGE = "investissements"
dash.register_page(
    __name__, path="/investissements", name="Investissements", order=5, title="Investissements · Mediviz"
)

TYPES = f"{PAGE}-types"
PARTNER = f"{PAGE}-partenaire"
PAGE_INPUTS = [Input(TYPES, "value"), Input(PARTNER, "value")]


def _controls(types: list[str], partner: int | None) -> list[Any]:
    """The page's own filters: investment types (several allowed) and one partner, searched by name or number."""
    return [
        dcc.Dropdown(
            id=TYPES,
            options=[{"label": t, "value": t} for t in types],
            value=types,
            multi=True,
            placeholder="Tous les types d'investissement",
            style={"minWidth": "320px"},
        ),
        dcc.Dropdown(
            id=PARTNER,
            options=[] if partner is None else [{"label": f"n° {partner}", "value": partner}],
            value=partner,
            placeholder="Tous les partenaires (nom ou n°)",
            searchable=True,
            clearable=True,
            style={"minWidth": "280px"},
        ),
    ]


PARAMS = [
    _view.Param("code_type_investissement", TYPES, kind="codes", default=[]),
    _view.Param("id_partenaire", PARTNER, kind="int"),
    *(_view.Param(f"detail_{n}", ids.drill_store(PAGE, n), "data", "code") for n in inv.DRILL_CHARTS),
]


def layout(**query: Any) -> html.Div:
    """Static structure, in the state the URL gives (the page's own filters, drill levels); every number arrives
    through callbacks. Types may be repeated (or comma-separated), a partner may not."""
    state = _view.initial(PARAMS, query)
    types, partner = state["code_type_investissement"], state["id_partenaire"]
    wide = {"visites", "specialite"}
    titles: dict[str, Any] = {n: s[0] for n, s in inv.CHARTS.items()}
    titles["type"] = [titles["type"], html.Small("Cliquez sur un type pour filtrer la page", className="chart-hint")]
    charts = {n: chart_card(PAGE, n, titles[n], width=12 if n in wide else 6) for n in inv.CHARTS}
    drills = {
        n: chart_card(PAGE, n, s[0], tools=drill_tools(PAGE, n, state[f"detail_{n}"]))
        for n, s in inv.DRILL_CHARTS.items()
    }
    rows = [("statut", "type"), ("gamme", "region"), ("potentiel", "categorie"), ("visites",), ("specialite",)]
    return html.Div(
        [
            page_header(
                "Investissements",
                "Budgets des business cases accordés aux partenaires, en MAD : chaque business case compte.",
                _controls(types, partner),
                page=PAGE,
            ),
            *_view.stores(PAGE, crossing=False),
            dbc.Row([kpi_card(PAGE, name, title) for name, title in inv.KPIS.items()], className="g-3"),
            *[dbc.Row([{**charts, **drills}[name] for name in row], className="g-3") for row in rows],
            dcc.Download(id=ids.download(PAGE)),
        ]
    )


@callback(Output(TYPES, "options"), Input(ids.FILTERS_STORE, "data"), State(TYPES, "value"))
def update_type_options(_store: Any, chosen: list[str] | None) -> list[dict[str, str]]:
    """Every investment type (TYIN) by label; a chosen code the catalogue lacks stays, labelled by its code."""
    frame = codes.codes("TYIN")
    options = [{"label": lib, "value": code} for code, lib in zip(frame["code"], frame["libelle"], strict=True)]
    known = set(frame["code"])
    return options + [{"label": c, "value": c} for c in inputs.codes(chosen, "investment types") if c not in known]


@callback(Output(PARTNER, "options"), Input(ids.FILTERS_STORE, "data"), State(PARTNER, "value"))
def update_partner_options(store: Any, chosen: Any) -> list[dict[str, Any]]:
    """The partners funded in the sidebar's slice, by name; a chosen one outside it stays, by its number."""
    filters = store_filters(store)
    rows = [] if isinstance(filters, str) else investissements.funded_partner_rows(filters, request_scope())
    options = [{"label": label, "value": pid} for pid, label in rows]
    if isinstance(chosen, int) and chosen not in {pid for pid, _ in rows}:
        options.append({"label": f"n° {chosen}", "value": chosen})
    return options


@callback(
    [Output(ids.kpi(PAGE, n), "children") for n in inv.KPIS]
    + [Output(ids.kpi(PAGE, n) + "-detail", "children") for n in inv.KPIS],
    [Output(ids.graph(PAGE, n), "figure") for n in inv.CHARTS],
    Input(ids.FILTERS_STORE, "data"),
    *PAGE_INPUTS,
)
def update_charts(store: dict[str, Any] | None, types: list[str] | None, partner: Any) -> list[Any]:
    """KPI cards and the charts without drill-down, from one grouped query."""
    filters = store_filters(store)
    if not isinstance(filters, str):
        filters = inv.with_page_filters(filters, types, partner)
    if isinstance(filters, str):
        return ["–"] * len(inv.KPIS) + [""] * len(inv.KPIS) + [invalid_figure(filters)] * len(inv.CHARTS)
    scope = request_scope()
    charts = [inv.chart_figure(n, inv.chart_table(n, filters, scope)) for n in inv.CHARTS]
    return [*inv.kpi_texts(filters, scope), *charts]


def _drill_figure(name: str) -> Any:
    """The figure builder of a drill-down chart (the page's own filters arrive as extra inputs)."""

    def figure_of(filters: Filters, scope: Scope, drill: str | None, types: Any, partner: Any) -> go.Figure:
        merged = inv.with_page_filters(filters, types, partner)
        if isinstance(merged, str):
            return invalid_figure(merged)
        return inv.chart_figure(name, inv.chart_table(name, merged, scope, drill))

    return figure_of


for _name in inv.DRILL_CHARTS:
    register_drill(PAGE, _name, _drill_figure(_name), inv.drill_title(_name), PAGE_INPUTS, DRILL_TARGETS[_name])
_view.register(PAGE, PARAMS)


@callback(
    Output(TYPES, "value", allow_duplicate=True),
    Input(ids.graph(PAGE, "type"), "clickData"),
    prevent_initial_call=True,
)
def filter_on_type(click: Any) -> Any:
    """A click on an investment type's bar filters the page on that type (the page's own type filter)."""
    code = _view.clicked_code(click)
    return [code] if code is not None and code.startswith("TI") else dash.no_update


def _csv_table(name: str, filters: Filters, scope: Scope, state: dict[str, Any]) -> pd.DataFrame:
    """The table behind a chart's CSV button, with the page's own filters and drill-down state."""
    merged = inv.with_page_filters(filters, state["types"], state["partner"])
    if isinstance(merged, str):
        return pd.DataFrame({"erreur": [merged]})
    return inv.chart_table(name, merged, scope, state.get(f"drill_{name}"))


register_csv(
    PAGE,
    [*inv.CHARTS, *inv.DRILL_CHARTS],
    _csv_table,
    {"types": State(TYPES, "value"), "partner": State(PARTNER, "value")},
    inv.DRILL_CHARTS,
    {**{n: spec[0] for n, spec in inv.CHARTS.items()}, **{n: spec[0] for n, spec in inv.DRILL_CHARTS.items()}},
)


def _page_filters(store: Any, types: Any, partner: Any) -> Any:
    filters = store_filters(store)
    return filters if isinstance(filters, str) else inv.with_page_filters(filters, types, partner)


_compare.register(
    PAGE, list(inv.KPIS), inv.kpi_values, inv.UP_GOOD, None, PAGE_INPUTS, _page_filters, inv.kpi_values_over
)
