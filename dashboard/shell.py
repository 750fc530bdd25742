"""The shell around every page: navbar, sidebar of filters, page container, footer, and their callbacks."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from flask import current_app, g, has_request_context

from components import fmt, ids, inputs
from components.sidebar import MONTH_OPTIONS, code_options, sidebar, user_options, with_values, year_options
from dashboard import outage, saved_views
from dashboard.auth import csrf_token
from data.metrics import codes, options
from data.metrics.filters import CODE_FIELDS, CROSS_FIELDS, FilterError, Filters
from data.metrics.scope import OUTSIDE, outside, request_scope
from data.source import db
from data.source import freshness as data_freshness
from data.source.monitor import STATE_MAX_AGE

VALUE_IDS = [*ids.SIDEBAR_FIELDS]
DATE_FIELDS = ("start_date", "end_date")


def navbar() -> dbc.Navbar:
    """The brand, one link per page (filters carried along) and the account menu."""
    links = [
        dbc.NavItem(
            dbc.NavLink(
                page["name"], href=page["path"], active="partial", id={"type": ids.NAV_LINK, "path": page["path"]}
            )
        )
        for page in dash.page_registry.values()
        if not page["module"].endswith("not_found_404") and page.get("nav", True)  # a rep's page: from a name
    ]
    account = g.get("mediviz_account") if has_request_context() else None
    token = csrf_token() if has_request_context() else ""
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=token, id="logout-csrf"),
            *(
                [
                    html.A("Comptes", href="/comptes", className="navbar-user me-3", id="accounts-link"),
                    html.A("Réglages", href="/reglages", className="navbar-user me-3", id="settings-link"),
                ]
                if account and account.is_admin
                else []
            ),
            html.A("Jetons d'API", href="/jetons", className="navbar-user me-3", id="tokens-link"),
            html.Span(account.username if account else "", className="navbar-user me-2"),
            dbc.Button("Se déconnecter", type="submit", size="sm", color="light", outline=True, id="logout"),
        ],
        action="/logout",
        method="POST",
        className="d-flex align-items-center ms-auto",
    )
    return dbc.Navbar(
        dbc.Container(
            [dbc.NavbarBrand("Mediviz", href="/visites"), dbc.Nav(links, navbar=True, className="me-auto"), logout],
            fluid=True,
        ),
        color="primary",
        dark=True,
        className="mb-0",
    )


def layout() -> html.Div:
    """Static structure only: values and options arrive through callbacks."""
    return html.Div(
        [
            dcc.Store(id=ids.FILTERS_STORE),
            dcc.Store(id=ids.URL_SYNC),
            dcc.Store(id=ids.URL_IN),
            dcc.Store(id=ids.OUTAGE_RELOAD),
            html.Div(id=ids.FLASH),
            navbar(),
            html.Div(
                [
                    html.Aside(sidebar(), className="sidebar-col"),
                    html.Main(
                        [html.Div(id=ids.PRINT_SUMMARY, className="print-summary"), dash.page_container],
                        className="main-col",
                        id="contenu",
                        tabIndex="-1",
                    ),
                ],
                className="shell-body",
            ),
            html.Footer(html.Small(id=ids.FRESHNESS), className="shell-footer"),
            dcc.Interval(id=ids.FRESHNESS_TICK, interval=60_000),
            outage.watcher(),
        ]
    )


def values_from_search(search: str | None) -> list[Any]:
    """Sidebar values (in ``VALUE_IDS`` order, then start and end dates) from a URL query string."""
    query = parse_qs((search or "").lstrip("?"))
    values: list[Any] = []
    for field in [*ids.SIDEBAR_FIELDS.values(), *DATE_FIELDS]:
        items = [part for item in query.get(field, []) for part in item.split(",") if part]
        if field in CODE_FIELDS:
            values.append(items)
        elif not items:
            values.append(None)
        else:
            # ASCII digits only: int() takes "١٣" (13) and fails on "²" or 5 000 digits; others stay text, for
            # the validation to refuse with its inline message
            values.append(int(items[0]) if re.fullmatch(r"[0-9]{1,10}", items[0]) else items[0][:100])
    return values


def search_from_values(values: list[Any]) -> str:
    """The URL query string of raw sidebar values (codes repeated), ``""`` when nothing is set."""
    pairs: list[tuple[str, str]] = []
    for field, value in zip([*ids.SIDEBAR_FIELDS.values(), *DATE_FIELDS], values, strict=True):
        items = value if isinstance(value, list) else [value]
        pairs += [
            (field, str(item)[:10] if field in DATE_FIELDS else str(item)) for item in items if item not in (None, "")
        ]
    return f"?{urlencode(pairs)}" if pairs else ""


def cross_values(crosses: Any) -> dict[str, Any]:
    """The cross-filters of the page's cross store (a list of 0 or 1 store values); a forged one raises
    ``BadInputError`` (400), an unknown field is left out."""
    merged: dict[str, Any] = {}
    if crosses is not None and not isinstance(crosses, list):
        raise inputs.BadInputError("cross-filters", crosses)
    for cross in crosses or []:
        for field, value in inputs.mapping(cross, "cross-filters").items():
            if field in CROSS_FIELDS:
                merged[field] = value
    return merged


def filters_from(*values: Any) -> tuple[dict[str, Any], Any, str]:
    """The filters store, the inline error and the URL query string of the sidebar's raw values, and of the
    page's cross-filters (the last value: the list of the page's cross stores).

    Validated into Filters; an invalid value gives an inline message, never an error.
    """
    fields = [*ids.SIDEBAR_FIELDS.values(), *DATE_FIELDS]
    sidebar_values, crosses = list(values[: len(fields)]), values[len(fields)] if len(values) > len(fields) else None
    raw = dict(zip(fields, sidebar_values, strict=True))
    search = search_from_values(sidebar_values)
    try:
        filters = Filters.from_inputs(**raw, **cross_values(crosses))
    except FilterError as exc:
        return {"error": exc.message, "field": exc.field}, dbc.Alert(exc.message, color="danger"), search
    field = outside(filters, request_scope())
    if field is not None:  # a link naming someone of another team: said, not shown as zeros
        return {"error": OUTSIDE, "field": field}, dbc.Alert(OUTSIDE, color="danger"), search
    return {"filters": filters.to_dict()}, None, search


def register_callbacks(app: dash.Dash) -> None:
    """The shell's callbacks: URL → sidebar, sidebar → filters and URL, options, freshness, outage retry."""
    value_states = [State(i, "value") for i in VALUE_IDS] + [
        State(ids.DATES, "start_date"),
        State(ids.DATES, "end_date"),
        State({"type": ids.CROSS, "page": ALL}, "data"),
    ]
    outage.register_callbacks(app, value_states, filters_from)
    value_outputs = [Output(i, "value") for i in VALUE_IDS] + [
        Output(ids.DATES, "start_date"),
        Output(ids.DATES, "end_date"),
    ]
    value_inputs = [Input(i, "value") for i in VALUE_IDS] + [
        Input(ids.DATES, "start_date"),
        Input(ids.DATES, "end_date"),
    ]

    # Dash's Location reports an empty search before the real one: read the browser's URL instead. Its href
    # changes on every back and forward, its search not when it comes back to the one Location last saw.
    app.clientside_callback(
        """
        function(_search, _href, previous) {
            const search = window.location.search;
            const moved = window.dash_clientside.callback_context.triggered.some(function(t) {
                return t.prop_id.endsWith(".href");
            });
            // what the page wrote since (pushState) is not in ``previous``: after back or forward, always say it
            return search === previous && !moved ? window.dash_clientside.no_update : search;
        }
        """,
        Output(ids.URL_IN, "data"),
        Input(ids.LOCATION, "search"),
        Input(ids.LOCATION, "href"),
        State(ids.URL_IN, "data"),
    )

    option_outputs = [
        Output(ids.RESPONSABLE, "options"),
        Output(ids.UTILISATEUR, "options"),
        Output(ids.ANNEE, "options"),
        Output(ids.MOIS, "options"),
        Output(ids.GAMME, "options"),
        Output(ids.REGION, "options"),
        Output(ids.DATES, "min_date_allowed"),
        Output(ids.DATES, "max_date_allowed"),
        Output(ids.DATES, "initial_visible_month"),  # the calendar opens on the last month with visits
    ]

    @app.callback(
        *value_outputs,
        *option_outputs,
        Input(ids.URL_IN, "data"),
        Input(ids.RESET, "n_clicks"),
        State(ids.URL_SYNC, "data"),
    )
    def update_sidebar(search: str | None, _reset: int | None, shown: str | None) -> list[Any]:
        """Reset, or show what the URL says (unless the URL is the one the sidebar just wrote).

        Options arrive with the values: a dropdown drops a value that its options do not hold yet.
        """
        if ctx.triggered_id == ids.RESET:
            values = values_from_search("")
        elif shown is not None and search_from_values(values_from_search(search)) == shown:
            # the sidebar's part of the URL is the one it wrote (the page's own part may differ)
            return [dash.no_update] * (len(value_outputs) + len(option_outputs))
        else:
            values = values_from_search(search)
        return [*values, *sidebar_options(values)]

    @app.callback(
        Output(ids.FILTERS_STORE, "data"),
        Output(ids.FILTER_ERROR, "children"),
        Output(ids.URL_SYNC, "data"),
        *value_inputs,
        Input({"type": ids.CROSS, "page": ALL}, "data"),  # the page's cross-filters (none on most)
        prevent_initial_call=True,
    )
    def update_filters(*values: Any) -> tuple[dict[str, Any], Any, str]:
        return filters_from(*values)

    # The URL: the sidebar's filters, then the page's own state (view store). A new state is a new history entry
    # (Back undoes it); the same parameters in another order, or what following Back or Forward writes, replace
    # the entry instead. Nav links carry the sidebar's filters only: the page's state is its own.
    app.clientside_callback(
        """
        function(search, views, linkIds) {
            const sidebar = search || "";
            if (search !== undefined && search !== null) {
                const params = new URLSearchParams(sidebar);
                (views || []).forEach(function(pairs) {
                    (pairs || []).forEach(function(pair) { params.append(pair[0], pair[1]); });
                });
                const text = params.toString();
                const wanted = text ? "?" + text : "";
                const current = window.location.search;
                if (current !== wanted) {
                    const sorted = function(q) {
                        return Array.from(new URLSearchParams(q)).map(String).sort().join("&");
                    };
                    const restoring = Date.now() - (window.mvPoppedAt || 0) < 1500;
                    const url = window.location.pathname + wanted;
                    if (sorted(current) === sorted(wanted) || restoring) {
                        window.history.replaceState({}, "", url);
                    } else {
                        window.history.pushState({}, "", url);
                    }
                }
            }
            return linkIds.map(function(id) { return id.path + sidebar; });
        }
        """,
        Output({"type": ids.NAV_LINK, "path": ALL}, "href"),
        Input(ids.URL_SYNC, "data"),
        Input({"type": ids.VIEW_STATE, "page": ALL}, "data"),
        State({"type": ids.NAV_LINK, "path": ALL}, "id"),
    )

    @app.callback(
        Output(ids.ANNEE, "value", allow_duplicate=True),
        Output(ids.MOIS, "value", allow_duplicate=True),
        Output(ids.DATES, "start_date", allow_duplicate=True),
        Output(ids.DATES, "end_date", allow_duplicate=True),
        Input(ids.PERIODE, "value"),
        prevent_initial_call=True,
    )
    def choose_preset(preset: Any) -> list[Any]:
        """A preset replaces the year, the month and the dates (they would be AND-ed with it)."""
        if not preset:
            return [dash.no_update] * 4
        return [None, None, None, None]

    @app.callback(
        Output(ids.PERIODE, "value", allow_duplicate=True),
        Input(ids.ANNEE, "value"),
        Input(ids.MOIS, "value"),
        Input(ids.DATES, "start_date"),
        Input(ids.DATES, "end_date"),
        State(ids.PERIODE, "value"),
        prevent_initial_call=True,
    )
    def leave_preset(year: Any, month: Any, start: Any, end: Any, preset: Any) -> Any:
        """A year, a month or a date chosen by hand replaces the preset."""
        chosen = any(value not in (None, "", []) for value in (year, month, start, end))
        return None if preset and chosen else dash.no_update

    @app.callback(
        Output(ids.UTILISATEUR, "options", allow_duplicate=True),
        Input(ids.RESPONSABLE, "value"),
        State(ids.UTILISATEUR, "value"),
        prevent_initial_call=True,
    )
    def update_rep_options(manager: Any, user: Any) -> list[dict[str, Any]]:
        """The rep list narrows to the chosen manager's team."""
        manager_id = manager if isinstance(manager, int) else None
        return with_values(user_options(options.members(manager_id, request_scope())), user)

    @app.callback(
        Output(ids.VIEWS_MENU, "options"),
        Output(ids.VIEWS_PATHS, "data"),
        Output(ids.VIEW_MESSAGE, "children"),
        Output(ids.VIEW_NAME, "value"),
        Output(ids.VIEWS_MENU, "value"),
        Input(ids.URL_IN, "data"),
        Input(ids.VIEW_SAVE, "n_clicks"),
        Input(ids.VIEW_DELETE, "n_clicks"),
        State(ids.VIEW_NAME, "value"),
        State(ids.VIEW_DEFAULT, "value"),
        State(ids.VIEWS_MENU, "value"),
        State(ids.LOCATION, "pathname"),
        State(ids.URL_SYNC, "data"),
        State({"type": ids.VIEW_STATE, "page": ALL}, "data"),
    )
    def update_saved_views(*values: Any) -> list[Any]:
        """The account's saved views; save the current view, or delete the chosen one."""
        return saved_views.answer(ctx.triggered_id, *values)

    # Opening a saved view: a full load of its URL (its page, filters and state).
    app.clientside_callback(
        """
        function(clicks, chosen, paths) {
            if (clicks && chosen && paths && paths[chosen]) { window.location.assign(paths[chosen]); }
            return window.dash_clientside.no_update;
        }
        """,
        Output(ids.VIEW_OPEN, "className"),
        Input(ids.VIEW_OPEN, "n_clicks"),
        State(ids.VIEWS_MENU, "value"),
        State(ids.VIEWS_PATHS, "data"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids.PRINT_SUMMARY, "children"), Input(ids.FILTERS_STORE, "data"))
    def update_print_summary(store: Any) -> str:
        """The filters on one line, shown above a printed page only (the sidebar is not printed)."""
        from pages._common import filter_summary, store_filters

        filters = store_filters(store)
        text = filters if isinstance(filters, str) else filter_summary(filters)
        return f"Mediviz · Filtres : {text} · imprimé le {fmt.datetime(dt.datetime.now())}"

    @app.callback(
        Output(ids.FRESHNESS, "children"), Input(ids.FILTERS_STORE, "data"), Input(ids.FRESHNESS_TICK, "n_intervals")
    )
    def update_freshness(_store: Any, _tick: Any) -> str:
        """How fresh the numbers are (checked again every minute)."""
        first, last = options.date_bounds()
        span = f"visites du {fmt.date(_iso(first))} au {fmt.date(_iso(last))}" if first else "aucune visite"
        return f"Mediviz · {span} · {freshness()}"


def freshness() -> str:
    """Where the numbers come from and when the CRM was last read (French, for the footer)."""
    config = current_app.config
    info = db.replica_info()
    if info is None:
        minutes = max(1, int(config["CACHE_DEFAULT_TIMEOUT"]) // 60)
        return f"lus dans la base CRM, mis en cache {minutes} min au plus"
    status = info["status"]
    checked = status.get("checked_at") or info["built_at"]
    text = f"données du CRM lues le {fmt.datetime(checked)}"
    seconds = float(config["REFRESH_SECONDS"])
    if seconds > 0:
        text += f", actualisées toutes les {seconds:g} s"
    monitor = db.monitor()
    monitor.watch(STATE_MAX_AGE)  # keeps the CRM's state fresh in the background (never waits)
    down = not monitor["crm"].answering()
    fresh = data_freshness.of(
        status, info["built_at"], seconds, int(config["STALE_PERIODS"]), dt.datetime.now(), source_down=down
    )
    if fresh.stale or (down and seconds > 0):  # the numbers no longer follow the CRM: said, with why
        text += f" · ⚠ actualisation en échec : {fresh.cause}"
    elif fresh.failed_at is not None:
        text += f" · ⚠ dernière actualisation échouée le {fmt.datetime(status['failed_at'])}"
    return text


def sidebar_options(values: list[Any]) -> list[Any]:
    """Options of every filter for these sidebar values, and the date limits.

    Options are narrowed to the caller's scope (reps: to the chosen manager's team). A value the options do
    not hold (a link to a year without data, a mistyped code) is added as its own option, so that the
    dropdown keeps it and the filters say what is wrong with it rather than dropping it silently.
    """
    scope = request_scope()
    manager, user, year, month, gammes, regions = values[:6]
    manager_id = manager if isinstance(manager, int) else None
    first, last = options.date_bounds()
    return [
        with_values(user_options(options.managers(scope)), manager),
        with_values(user_options(options.members(manager_id, scope)), user),
        with_values(year_options(options.years()), year),
        with_values(MONTH_OPTIONS, month),
        with_values(code_options(codes.codes("GAMM")), gammes),
        with_values(code_options(codes.codes("REGI")), regions),
        first,
        last,
        last,
    ]


def _iso(text: str | None) -> dt.date | None:
    """An ISO date string to a date."""
    return dt.date.fromisoformat(text) if text else None
