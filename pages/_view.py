"""The whole view in the URL, and cross-filtering (issue 12).

A page's own state (unit, granularity, a chart's view, "Voir tout", drill levels, its own filters) is a list of
``Param``: each a control's property and the query parameter that holds it. ``initial`` reads them from the URL
when the page is drawn (a reload, a shared link); ``register`` writes them to the page's view store, which the
shell adds to the URL next to the sidebar's filters (``dashboard.shell``), and sets them again from the URL when
the browser goes back or forward. A value the URL gives that a control cannot take is its default: a page is
never drawn broken by a hand-edited link.

Cross-filters: a click on a bar of a categorical chart sets the matching filter for the whole page (``CROSS``:
chart -> field). They live in the page's cross store, which the shell merges into the filters (so that every
chart, KPI and download of the page obeys them), and in the URL as ``potentiel=A``…; a line under the page's
title names them, each with a button that removes it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import parse_qs

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from components import ids
from data.metrics import codes
from data.metrics.filters import CROSS_FIELDS
from data.metrics.utilisateurs_report import ROLES, STATUTS

#: The URL's value of a switch that is on.
ON = "oui"
_CODE = re.compile(r"[A-Za-z0-9_+-]{1,24}")
_INT = re.compile(r"[0-9]{1,9}")
#: Cross-filter -> (its name on the page, {value: label}); a value without label is shown as it is.
CROSS_LABELS: dict[str, tuple[str, dict[str, str]]] = {
    "type_partenaire": ("Type de partenaire", codes.TYPE_PARTENAIRE),
    "etablissement": ("Établissement", {"ETPR": "Privé", "ETPU": "Public"}),
    "statut_partenaire": ("Statut du partenaire", STATUTS),
    "potentiel": ("Potentiel", {}),
    "code_type_visite": ("Visites", codes.TYPE_VISITE),
    "forme": ("Forme", codes.FORME_VISITE),
    "accompagnement": ("Accompagnement", codes.ACCOMPAGNEMENT),
    "role": ("Rôle", ROLES),
}
Query = Mapping[str, list[str]]


@dataclasses.dataclass(frozen=True)
class Param:
    """One piece of a page's state: ``component``'s ``prop``, kept in the URL under ``key``.

    ``kind``: ``choice`` (one of ``choices``), ``bool`` (a switch: ``key=oui``), ``code`` (one code, a drill
    level), ``codes`` (several, repeated or comma-separated), ``int`` (one number), ``cross`` (the page's
    cross-filters: one key per field of ``CROSS_FIELDS``).
    """

    key: str
    component: Any
    prop: str = "value"
    kind: str = "choice"
    default: Any = None
    choices: tuple[str, ...] = ()

    def parse(self, query: Query) -> Any:
        """The control's value from the URL's query (lists of texts per key); the default when it is no value."""
        if self.kind == "cross":
            return cross_from(query)
        given = [part for item in query.get(self.key, []) for part in item.split(",") if part]
        if self.kind == "codes":
            return [code for code in given if _CODE.fullmatch(code)][:50]
        if len(given) != 1:  # none, or a single-valued parameter repeated: which one was meant is unknown
            return self.default
        one = given[0]
        if self.kind == "bool":
            return one == ON
        if self.kind == "choice":
            return one if one in self.choices else self.default
        if self.kind == "int":
            return int(one) if _INT.fullmatch(one) else self.default
        return one if _CODE.fullmatch(one) else self.default  # code

    def pairs(self, value: Any) -> list[tuple[str, str]]:
        """The query pairs of the control's value (none for the default)."""
        if self.kind == "cross":
            items = value.items() if isinstance(value, dict) else []
            return [(field, str(v)) for field, values in items if field in CROSS_FIELDS for v in values or []]
        if value is None or value == self.default or value == [] or value is False:
            return []
        if self.kind == "codes":
            return [(self.key, str(v)) for v in (value if isinstance(value, list) else [value])]
        if self.kind == "bool":
            return [(self.key, ON)] if value is True else []
        return [(self.key, str(value))]


def query_of(search: str | None) -> dict[str, list[str]]:
    """A URL query string as lists of texts per key."""
    return parse_qs((search or "").lstrip("?"))


def initial(params: Collection[Param], query: Mapping[str, Any]) -> dict[str, Any]:
    """Each param's value from the query Dash Pages gives a layout (a text, or a list for a repeated key)."""
    lists = {key: value if isinstance(value, list) else [value] for key, value in query.items()}
    texts = {key: [str(item) for item in values if isinstance(item, str)] for key, values in lists.items()}
    return {param.key: param.parse(texts) for param in params}


def cross_from(query: Query) -> dict[str, list[str]]:
    """The cross-filters the URL names (values checked by the filters, as every filter's)."""
    out: dict[str, list[str]] = {}
    for field in CROSS_FIELDS:
        values = [part.strip() for item in query.get(field, []) for part in item.split(",") if part.strip()]
        if values:
            out[field] = sorted(set(values))[:50]
    return out


def stores(page: str, cross: dict[str, list[str]] | None = None, crossing: bool = True) -> list[Any]:
    """The page's view store, and (``crossing``) its cross store holding ``cross`` (from the URL) with the line
    naming them."""
    if not crossing:
        return [dcc.Store(id=ids.view_store(page))]
    return [
        dcc.Store(id=ids.view_store(page)),
        dcc.Store(id=ids.cross_store(page), data=cross or {}),
        html.Div(cross_line(page, cross or {}), id=ids.cross_bar(page), className="cross-bar"),
    ]


def cross_line(page: str, cross: Any) -> list[Any]:
    """ "Filtré sur : Potentiel A ✕ …" for the set cross-filters (nothing when there is none)."""
    if not isinstance(cross, dict) or not any(cross.get(field) for field in CROSS_FIELDS):
        return []
    chips: list[Any] = [html.Span("Filtré sur :", className="cross-title")]
    for field, (name, labels) in CROSS_LABELS.items():
        values = cross.get(field) or []
        if not isinstance(values, list) or not values:
            continue
        shown = ", ".join(labels.get(str(v), str(v)) for v in values)
        chips.append(
            dbc.Button(
                [
                    f"{name} : {shown} ",
                    html.Span("✕", className="cross-x", **{"aria-hidden": "true"}),  # type: ignore[arg-type]
                    html.Span(" (retirer ce filtre)", className="visually-hidden"),
                ],
                id={"type": ids.CROSS_REMOVE, "page": page, "field": field},
                size="sm",
                color="primary",
                outline=True,
                className="cross-chip",
                title=f"Retirer le filtre « {name} : {shown} »",
            )
        )
    return chips


def register(page: str, params: list[Param], cross_charts: Mapping[str, str] | None = None) -> None:
    """The callbacks that keep the page's state and the URL together, and its cross-filtering.

    ``cross_charts``: chart name -> the cross-filter a click on one of its bars sets (the clicked point's code is
    its ``customdata[0]``). The cross store must be among ``params`` when there is any.
    """
    outputs = [Output(p.component, p.prop, allow_duplicate=True) for p in params]

    @callback(Output(ids.view_store(page), "data"), *(Input(p.component, p.prop) for p in params))
    def write_view(*values: Any) -> list[tuple[str, str]]:
        return [pair for param, value in zip(params, values, strict=True) for pair in param.pairs(value)]

    @callback(
        *outputs,
        Input(ids.URL_IN, "data"),
        *(State(p.component, p.prop) for p in params),
        prevent_initial_call=True,  # the layout drew the URL's state; this follows back and forward
    )
    def read_view(search: Any, *current: Any) -> list[Any]:
        query = query_of(search if isinstance(search, str) else "")
        wanted = [param.parse(query) for param in params]
        return [dash.no_update if new == old else new for new, old in zip(wanted, current, strict=True)]

    if not cross_charts:
        return
    charts = list(cross_charts)

    @callback(
        Output(ids.cross_store(page), "data", allow_duplicate=True),
        *(Input(ids.graph(page, name), "clickData") for name in charts),
        Input({"type": ids.CROSS_REMOVE, "page": page, "field": ALL}, "n_clicks"),
        State(ids.cross_store(page), "data"),
        prevent_initial_call=True,
    )
    def update_cross(*values: Any) -> Any:
        *clicks, removes, cross = values
        cross = dict(cross) if isinstance(cross, dict) else {}
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") == ids.CROSS_REMOVE:
            if not any(removes or []):  # the line was drawn again: no click
                return dash.no_update
            cross.pop(str(trigger.get("field")), None)
            return cross
        graphs = [ids.graph(page, name) for name in charts]
        if trigger not in graphs:
            return dash.no_update
        name = charts[graphs.index(trigger)]
        code = clicked_code(clicks[charts.index(name)])
        if code is None:
            return dash.no_update
        cross[cross_charts[name]] = [code]
        return cross

    @callback(Output(ids.cross_bar(page), "children"), Input(ids.cross_store(page), "data"))
    def show_cross(cross: Any) -> list[Any]:
        return cross_line(page, cross)


def clicked_code(click: Any) -> str | None:
    """The code in ``customdata[0]`` of a click's point, if it holds one (a forged click may hold anything)."""
    points = click.get("points") if isinstance(click, dict) else None
    point = points[0] if isinstance(points, list) and points and isinstance(points[0], dict) else {}
    custom = point.get("customdata")
    code = custom[0] if isinstance(custom, list) and custom else custom
    return code if isinstance(code, str) and _CODE.fullmatch(code) else None
