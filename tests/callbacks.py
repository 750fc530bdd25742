"""Callback requests as Dash's page posts them to ``/_dash-update-component``, for tests that post their own."""

from __future__ import annotations

import json
from typing import Any

#: The chart whose CSV button the requests click, per page.
CHART = {"visites": "region", "partenaires": "region", "performance": "region", "utilisateurs": "region",
         "evaluations": "categories", "investissements": "region"}  # fmt: skip


def _ident(text: str) -> Any:
    """A component id as the page sends it: a text, or the dict of a dict id (``{"type": …, "page": …}``)."""
    return json.loads(text) if text.startswith("{") else text


def _outputs(key: str) -> Any:
    """The ``outputs`` of a request, as the page sends them (a list for a multi-output callback)."""
    parts = [{"id": _ident(p.rsplit(".", 1)[0]), "property": p.rsplit(".", 1)[1]} for p in key.strip(".").split("...")]
    return parts if key.startswith("..") else parts[0]


def _item(dep: dict[str, str], value: Any, chart: Any = None) -> Any:
    """One input or state; a pattern-matching one (the CSV buttons) as the list of its one matching component."""
    if not dep["id"].startswith("{"):
        return {"id": dep["id"], "property": dep["property"], "value": value}
    pattern = json.loads(dep["id"])
    if ["ALL"] not in pattern.values():  # a dict id without wildcard: one component
        return {"id": pattern, "property": dep["property"], "value": value}
    if "chart" in pattern:
        pattern["chart"] = CHART.get(pattern["page"]) if chart is None else chart
    return [{"id": {k: "/visites" if v == ["ALL"] else v for k, v in pattern.items()}, "property": dep["property"],
             "value": value}]  # fmt: skip


def _prop_id(item: Any) -> str:
    one = item[0] if isinstance(item, list) else item
    ident = one["id"]
    return (json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) else ident) + (
        "." + one["property"]
    )


#: Values as the page sends them, by component property then by component (the rest: not set yet).
PAGE_VALUES: dict[str, Any] = {
    "_pages_location.pathname": "/visites",
    "_pages_location.search": "?annee=2025",
    "_pages_store": {"title": "Visites · Mediviz"},
    "url-in": "?annee=2025",
    "url-sync": "?annee=2025",
    "filters-store": {"filters": {"annee": 2025}},
    "f-annee": 2025,
    "outage-tick": 1,
    "clickData": {"points": [{"customdata": ["RE00001"]}]},
}


def _value(dep: dict[str, str], values: dict[str, Any]) -> Any:
    """The value of ``dep`` in ``values``, else the page's: by ``id.property``, then by id, then by property."""
    for source in (values, PAGE_VALUES):
        for key in (f"{dep['id']}.{dep['property']}", dep["id"], dep["property"]):
            if key in source:
                return source[key]
    return 1 if "csv-button" in dep["id"] else None


def callback_body(app: Any, key: str, forged: dict[str, Any] | None = None, chart: Any = None) -> dict[str, Any]:
    """The request for callback ``key``, its first input changed; ``forged`` replaces values (see ``_value``)."""
    declared = app.callback_map[key]
    values = forged or {}

    def items(kind: str) -> list[Any]:
        return [_item(d, _value(d, values), chart) for d in declared.get(kind, [])]

    body = {"output": key, "outputs": _outputs(key), "inputs": items("inputs"), "state": items("state")}
    return {**body, "changedPropIds": [_prop_id(body["inputs"][0])]}


def find(app: Any, start: str) -> str:
    """The callback whose first output starts with ``start``, else one whose other outputs do (``id.property``)."""
    keys = list(app.callback_map)
    first = [key for key in keys if key.strip(".").startswith(start)]
    return (first or [key for key in keys if any(p.startswith(start) for p in key.strip(".").split("..."))])[0]
