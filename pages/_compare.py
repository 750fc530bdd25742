"""Each KPI card's comparison line (issue 13): the change against the previous period and against the same period
one year earlier (``data.metrics.periods``), ▲/▼ and %, green when the change is good, red when it is bad, the
compared values and days on hover; "–" when an earlier period is before the CRM's first visit, or its value is 0.

A page gives ``values_of(filters, scope) -> {kpi: number}`` (the numbers its cards show) and which KPIs are
better up (True), better down (False) or neither (None).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dash import Input, Output, callback, html

from components import fmt, ids
from data.metrics import options, periods
from data.metrics.filters import Filters
from data.metrics.scope import Scope, request_scope
from pages._common import store_filters

Values = Callable[[Filters, Scope], Mapping[str, float | None]]
#: The same numbers over each span of days instead of the filters' period, from one pass (``periods.compared_over``).
ValuesOver = Callable[[Filters, Scope, tuple[periods.Period, ...]], Sequence[Mapping[str, float | None]]]
#: The line of a card when the period is unbounded.
UNBOUNDED = "choisissez une période pour comparer"
LABELS = {"precedent": "vs période préc.", "annee_precedente": "vs N-1"}


def _first_day() -> dt.date | None:
    first, _ = options.date_bounds()
    return dt.date.fromisoformat(first) if first else None


def comparisons(
    values_of: Values, filters: Filters, scope: Scope, values_over: ValuesOver | None = None
) -> dict[str, tuple[periods.Period | None, Mapping[str, float | None] | None]]:
    """Each earlier period with the KPIs over it (``None`` when unbounded or before the CRM's first visit): from
    ``values_over`` in one call when the page has it, else from ``values_of`` per period."""
    first = _first_day()
    earlier = {"precedent": periods.previous(filters), "annee_precedente": periods.year_earlier(filters)}
    asked = tuple(dict.fromkeys(p for p in earlier.values() if p is not None and first is not None and p.end >= first))
    if values_over is not None:
        values = dict(zip(asked, values_over(filters, scope, asked) if asked else [], strict=True))
    else:
        values = {period: values_of(periods.over(filters, period), scope) for period in asked}
    return {key: (period, None if period is None else values.get(period)) for key, period in earlier.items()}


def line(
    name: str,
    current: float | None,
    earlier: dict[str, tuple[periods.Period | None, Mapping[str, float | None] | None]],
    up_good: bool | None,
    decimals: int,
) -> tuple[list[Any], str]:
    """A card's comparison lines (one per earlier period) and their hover text."""
    parts: list[Any] = []
    hover: list[str] = []
    for key, (period, values) in earlier.items():
        before = None if values is None else values.get(name)
        change = periods.change(current, before)
        if change is None:
            parts.append(html.Div(f"– {LABELS[key]}", className="kpi-delta"))
        else:
            arrow = "▲" if change > 0 else "▼" if change < 0 else "="
            good = None if up_good is None or change == 0 else (change > 0) == up_good
            tone = "kpi-delta" + ("" if good is None else " kpi-up" if good else " kpi-down")
            sign = "+" if change > 0 else ""
            parts.append(html.Div(f"{arrow} {sign}{fmt.number(change, 1)} % {LABELS[key]}", className=tone))
        if period is not None:
            shown = "pas de données" if before is None else fmt.number(before, decimals)
            span = f"{fmt.date(period.start)} – {fmt.date(period.end)}"
            hover.append(f"{'Période précédente' if key == 'precedent' else 'Un an plus tôt'} ({span}) : {shown}")
    return parts, " ; ".join(hover)  # one line each: side by side, six cards no longer fitted in a row


def register(
    page: str,
    names: list[str],
    values_of: Values,
    up_good: Mapping[str, bool | None],
    decimals: Mapping[str, int] | None = None,
    extra: list[Input] | None = None,
    filters_of: Callable[..., Filters | str] | None = None,
    values_over: ValuesOver | None = None,
) -> None:
    """The callback of the page's comparison lines (``filters_of(store, *extra values)``: the page's filters,
    its own included; default: the sidebar's; ``values_over``: both earlier periods' numbers at once)."""

    @callback(
        [Output(ids.kpi(page, n) + "-compare", "children") for n in names]
        + [Output(ids.kpi(page, n) + "-compare", "title") for n in names],
        Input(ids.FILTERS_STORE, "data"),
        *(extra or []),
    )
    def update_comparisons(store: Any, *values: Any) -> list[Any]:
        filters = filters_of(store, *values) if filters_of else store_filters(store)
        if isinstance(filters, str):
            return [""] * len(names) * 2
        if periods.bounds(filters) is None:
            return [UNBOUNDED] * len(names) + [""] * len(names)
        scope = request_scope()
        current = values_of(filters, scope)
        earlier = comparisons(values_of, filters, scope, values_over)
        lines = [line(n, current.get(n), earlier, up_good.get(n), (decimals or {}).get(n, 0)) for n in names]
        return [text for text, _ in lines] + [hover for _, hover in lines]
