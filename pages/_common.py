"""Helpers shared by the pages: filters from the shell's store, drill-down charts, CSV downloads, headers."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from components import export, figures, fmt, ids, inputs, tables
from data.metrics import codes
from data.metrics.filters import FilterError, Filters, is_code
from data.metrics.scope import OUTSIDE, Scope, outside, request_scope, users
from pages._view import CROSS_LABELS

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


def cross_only(table: pd.DataFrame, field: str, filters: Filters, column: str = "code") -> pd.DataFrame:
    """A chart's rows whose ``column`` a set cross-filter ``field`` keeps (all when it is not set): the values a
    click excluded are not drawn as zeros."""
    chosen = getattr(filters, field)
    if not chosen or column not in table:
        return table
    return table[table[column].isin(chosen)].reset_index(drop=True)


def invalid_figure(reason: str) -> go.Figure:
    """The figure shown when there is nothing to compute (loading, invalid filters)."""
    return figures.message(reason)


def csv_download(table: pd.DataFrame, area: str, name: str) -> dict[str, Any]:
    """A ``dcc.Download`` payload: the table as CSV for Excel (French headers, labels first, a dated name), no
    text cell read as a formula (``tables.csv_text``)."""
    content = tables.csv_text(export.presentable(table, reorder=False))
    return dcc.send_string(content, export.dated(area, "csv", name))


def page_header(title: str, subtitle: str, tools: list[Any] | None = None, page: str | None = None) -> html.Div:
    """The page title, a one-line explanation and page-wide tools (unit toggle…); with ``page``, its
    "Exporter (Excel)" and "Imprimer" buttons (``register_csv`` with titles serves the first)."""
    actions: list[Any] = []
    if page is not None:
        actions = [
            html.Div(
                [
                    dbc.Button(
                        "Exporter (Excel)",
                        id=ids.excel_button(page),
                        size="sm",
                        color="primary",
                        outline=True,
                        title="Toute la page dans un classeur Excel : filtres, puis un onglet par graphique",
                    ),
                    dbc.Button("Imprimer", id=ids.print_button(page), size="sm", color="secondary", outline=True),
                    dcc.Download(id=ids.excel_download(page)),
                ],
                className="page-actions",
            )
        ]
    return html.Div(
        [
            html.Div([html.H1(title, className="page-title"), html.P(subtitle, className="page-subtitle")]),
            html.Div([*(tools or []), *actions], className="page-tools"),
        ],
        className="page-header",
    )


def drill_tools(page: str, name: str, drill: str | None = None) -> list[Any]:
    """The store of a drill-down chart's chosen parent (``drill``, from the URL), its back button and its
    "Filtrer la page sur …" button (both shown once drilled)."""
    hidden = {"display": "none"}
    back = dbc.Button("← Retour", id=ids.drill_back(page, name), size="sm", color="link", style=hidden)
    to_filter = dbc.Button(
        "", id=ids.drill_filter(page, name), size="sm", color="link", className="drill-filter", style=hidden
    )
    return [dcc.Store(id=ids.drill_store(page, name), data=drill), to_filter, back]


#: The sidebar filter a drilled région or gamme chart offers to set: (its multi-select, the codes' type).
DRILL_TARGETS = {"region": (ids.REGION, "REGI"), "gamme": (ids.GAMME, "GAMM")}


def drill_title(top: str, child: str, hint: str, code_type: str) -> Callable[[str | None], list[Any]]:
    """A drill chart's title: ``top`` with a ``hint``, or ``child : <label of the chosen parent>``."""

    def title_of(drill: str | None) -> list[Any]:
        if drill is None:
            return [top, html.Small(hint, className="chart-hint")]
        return [f"{child} : {codes.labels(code_type).get(drill, drill)}"]

    return title_of


def register_drill(
    page: str,
    name: str,
    figure_of: DrillFigure,
    title_of: Callable[[str | None], Any],
    extra: list[Input],
    target: tuple[str, str] | None = None,
) -> None:
    """Callbacks of a drill-down chart: its figure and title, and navigation by click and back button.

    The figure's points carry their code in ``customdata``; a click on a parent shows its children. ``target``:
    (the multi-select whose value the drilled parent may become, its codification type): once drilled, "Filtrer
    la page sur <parent>" sets that filter for the whole page and goes back to the top level.
    """

    @callback(
        Output(ids.graph(page, name), "figure"),
        Output(ids.title(page, name), "children"),
        Output(ids.drill_back(page, name), "style"),
        Output(ids.drill_filter(page, name), "children"),
        Output(ids.drill_filter(page, name), "style"),
        Input(ids.FILTERS_STORE, "data"),
        *extra,
        Input(ids.drill_store(page, name), "data"),
    )
    def update_drill_chart(store: dict[str, Any] | None, *values: Any) -> tuple[Any, ...]:
        *extra_values, drill = values
        drill = drill if isinstance(drill, str) else None  # the store holds a code; a forged one, anything
        filters = store_filters(store)
        back = {"display": "inline-block" if drill else "none"}
        offer = target is not None and is_code(drill)
        label = f"Filtrer la page sur {codes.labels(target[1]).get(drill, drill)}" if offer and target and drill else ""
        shown = {"display": "inline-block" if offer else "none"}
        if isinstance(filters, str):
            return invalid_figure(filters), title_of(drill), back, label, shown
        return figure_of(filters, request_scope(), drill, *extra_values), title_of(drill), back, label, shown

    if target is not None:

        @callback(
            Output(target[0], "value", allow_duplicate=True),
            Output(ids.drill_store(page, name), "data", allow_duplicate=True),
            Input(ids.drill_filter(page, name), "n_clicks"),
            State(ids.drill_store(page, name), "data"),
            prevent_initial_call=True,
        )
        def filter_page(clicks: int | None, drill: Any) -> tuple[Any, Any]:
            if not clicks or not is_code(drill):
                return dash.no_update, dash.no_update
            return [drill], None

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
    page: str,
    charts: Collection[str],
    table_of: ChartTable,
    states: dict[str, State],
    drills: Collection[str] = (),
    titles: Mapping[str, str] | None = None,
) -> None:
    """The page's CSV download: the table of the chart whose button was clicked, in its current state; with
    ``titles`` (chart -> title), its Excel export too: every chart of the page, each in its current state.

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
        return csv_download(table, page, name)

    if titles is None:
        return

    @callback(
        Output(ids.excel_download(page), "data"),
        Input(ids.excel_button(page), "n_clicks"),
        State(ids.FILTERS_STORE, "data"),
        *every_state.values(),
        prevent_initial_call=True,
    )
    def download_excel(clicks: int | None, store: dict[str, Any] | None, *values: Any) -> Any:
        filters = store_filters(store)
        if not clicks or isinstance(filters, str):
            return dash.no_update
        state = dict(zip(every_state, values, strict=True))
        state.update({key: inputs.text(state[key], key) for key in drill_states})
        scope = request_scope()
        sheets = []
        for name in charts:
            drill = state.get(f"drill_{name}")
            note = f"Détail : {_any_label(drill)}" if isinstance(drill, str) else ""
            sheets.append((titles.get(name, name), table_of(name, filters, scope, state), note))
        context = export_context(filters, scope, _state_rows(state, titles))
        content = export.workbook(f"Mediviz · {PAGE_NAMES.get(page, page)}", context, sheets)
        return dcc.send_bytes(content, export.dated(page, "xlsx"))

    dash.clientside_callback(
        """
        function(clicks) {
            if (clicks) { window.print(); }
            return window.dash_clientside.no_update;
        }
        """,
        Output(ids.print_button(page), "className"),
        Input(ids.print_button(page), "n_clicks"),
        prevent_initial_call=True,
    )


PAGE_NAMES = {
    "visites": "Visites", "performance": "Performance", "partenaires": "Partenaires", "evaluations": "Évaluations",
    "investissements": "Investissements", "utilisateurs": "Utilisateurs", "equipe": "Équipe", "delegue": "Délégué",
}  # fmt: skip
#: A page's own state (``register_csv``'s states) -> its name in an export.
STATE_LABELS = {
    "unit": "Unité", "granularity": "Pas de temps", "categories": "Catégories d'évaluation",
    "types": "Types d'investissement", "partner": "Partenaire financé (n°)", "view": "Vue", "every": "Voir tout",
}  # fmt: skip


def _any_label(code: Any) -> str:
    """The label of a code of a drillable type (région, gamme, catégorie), else the code."""
    for kind in ("REGI", "GAMM", "CAEV", "TYIN"):
        label = codes.labels(kind).get(code)
        if label:
            return f"{label} ({code})"
    return str(code)


def _state_rows(state: dict[str, Any], titles: Mapping[str, str]) -> list[tuple[str, str]]:
    """The page's own state, for an export's first sheet: unit, granularity, page filters, drill levels."""
    rows: list[tuple[str, str]] = []
    for key, value in state.items():
        if value in (None, [], ""):
            continue
        if key.startswith("drill_"):
            rows.append((f"Détail de « {titles.get(key[6:], key[6:])} »", _any_label(value)))
        elif isinstance(value, list):
            rows.append((STATE_LABELS.get(key, key), ", ".join(_any_label(v) for v in value)))
        else:
            rows.append((STATE_LABELS.get(key, key), str(value)))
    return rows


def filter_rows(filters: Filters) -> list[tuple[str, str]]:
    """The set filters as (name, value) in French, labels rather than codes (the sidebar's, then the page's)."""
    people = users()
    names = dict(zip(people["id_utilisateur"], people["nom"], strict=True))
    rows: list[tuple[str, str]] = []
    if filters.id_responsable is not None:
        rows.append(("Responsable (équipe)", str(names.get(filters.id_responsable, filters.id_responsable))))
    if filters.id_utilisateur is not None:
        rows.append(("Utilisateur", str(names.get(filters.id_utilisateur, filters.id_utilisateur))))
    if filters.annee is not None:
        rows.append(("Année", str(filters.annee)))
    if filters.mois is not None:
        rows.append(("Mois", fmt.MONTH_NAMES[filters.mois - 1]))
    for field, name, kind in (("gamme", "Gammes", "GAMM"), ("region", "Régions", "REGI"),
                              ("code_categorie", "Catégories d'évaluation", "CAEV"),
                              ("code_type_investissement", "Types d'investissement", "TYIN")):  # fmt: skip
        chosen = getattr(filters, field)
        if chosen:
            rows.append((name, ", ".join(codes.labels(kind).get(c, c) for c in chosen)))
    if filters.start_date or filters.end_date:
        start, end = fmt.date(filters.start_date) or "…", fmt.date(filters.end_date) or "…"
        rows.append(("Période", f"du {start} au {end}"))
    for field, values in filters.cross().items():
        name, labels = CROSS_LABELS[field]
        rows.append((name, ", ".join(labels.get(v, v) for v in values)))
    return rows


def filter_summary(filters: Filters) -> str:
    """The set filters on one line (a printed page's header)."""
    rows = filter_rows(filters)
    return " · ".join(f"{name} : {value}" for name, value in rows) if rows else "aucun filtre (toutes les données)"


def export_context(filters: Filters, scope: Scope, state: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An export's first sheet: the filters, the page's state, the caller's scope, the data's freshness, when and
    by whom."""
    from flask import g

    from dashboard.shell import freshness  # the footer's sentence

    account = g.get("mediviz_account")
    team = f"votre équipe ({len(scope.user_ids or ())} utilisateurs)"
    perimeter = "toute l'entreprise" if scope.is_global else team
    rows = filter_rows(filters) or [("Filtres", "aucun (toutes les données du périmètre)")]
    return [
        *rows,
        *state,
        ("Périmètre", perimeter),
        ("Données", freshness()),
        ("Exporté le", export.now_text()),
        ("Exporté par", account.username if account else ""),
    ]


def coming_soon(title: str) -> html.Div:
    """The placeholder of an area that is not built yet."""
    return html.Div(
        [
            page_header(title, "Cette analyse arrive bientôt."),
            dbc.Alert(f"La page « {title} » est bientôt disponible.", color="info"),
        ]
    )
