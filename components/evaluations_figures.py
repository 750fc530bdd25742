"""Figure builders of the Évaluations page: pure ``DataFrame -> go.Figure`` on the shared French template."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components import figures, fmt
from components.figures import COLORS, NO_DATA, TEMPLATE, message


def column_bars(table: pd.DataFrame, x: str, y: str, x_title: str, y_title: str) -> go.Figure:
    """Vertical bars of ``y`` per ``x`` value (kept in table order, as categories)."""
    if table.empty or not table[y].any():
        return message(NO_DATA)
    figure = go.Figure(layout={"template": TEMPLATE, "height": 300})
    figure.add_bar(
        x=[str(value) for value in table[x]],
        y=table[y],
        text=[fmt.number(v) for v in table[y]] if len(table) <= 20 else None,
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[0],
        hovertemplate=f"{x_title} %{{x}} : %{{y:,}} {y_title.lower()}<extra></extra>",
    )
    figure.update_xaxes(title_text=x_title, type="category")
    figure.update_yaxes(title_text=y_title, tickformat=",d", range=[0, float(table[y].max()) * 1.15])
    return figures.whole_ticks(figure, "y", float(table[y].max()))


def share_bars(table: pd.DataFrame, label: str, value: str, share: str, unit: str) -> go.Figure:
    """Horizontal bars, the largest at the top, each labelled with its count and its share (``12 (25,0 %)``)."""
    if table.empty or not table[value].any():
        return message(NO_DATA)
    ordered = table.sort_values([value, label], ascending=[True, False])
    figure = go.Figure(layout={"template": TEMPLATE, "height": max(240, 32 * len(ordered) + 80)})
    figure.add_bar(
        x=ordered[value],
        y=ordered[label],
        orientation="h",
        text=[f"{fmt.number(n)} ({fmt.number(p, 1)} %)" for n, p in zip(ordered[value], ordered[share], strict=True)],
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[0],
        hovertemplate=f"%{{y}} : %{{x:,}} {unit.lower()}<extra></extra>",
    )
    figure.update_xaxes(title_text=unit, tickformat=",d", range=[0, float(ordered[value].max()) * 1.5])
    figure.update_yaxes(gridcolor="rgba(0,0,0,0)")
    return figures.whole_ticks(figure, "x", float(ordered[value].max()))


def average_bars(
    table: pd.DataFrame, label: str, value: str, maximum: float, unit: str, count: str, count_unit: str
) -> go.Figure:
    """Horizontal bars of an average on a fixed ``0..maximum`` scale, the best at the top.

    Rows without an average show "–"; the hover gives the number of rated ``count_unit``; a ``code``
    column, if any, goes first in ``customdata`` (a click on a bar drills into it).
    """
    if table.empty or table[value].isna().all():
        return message(NO_DATA)
    ordered = table.assign(_v=table[value].astype("float64")).sort_values(
        ["_v", label], ascending=[True, False], na_position="first"
    )
    decimals = 1 if maximum > 10 else 2
    codes = ordered["code"] if "code" in ordered else ordered[label]
    figure = go.Figure(layout={"template": TEMPLATE, "height": max(240, 30 * len(ordered) + 80)})
    figure.add_bar(
        x=ordered["_v"],
        y=ordered[label],
        orientation="h",
        text=["–" if pd.isna(v) else fmt.number(v, decimals) for v in ordered["_v"]],
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[2],
        customdata=list(zip(codes, [fmt.number(n) for n in ordered[count]], strict=True)),
        hovertemplate=f"%{{y}} : %{{x:.{decimals}f}} {unit.lower()} (%{{customdata[1]}} {count_unit})<extra></extra>",
    )
    figure.update_xaxes(title_text=unit, range=[0, maximum * 1.08])
    figure.update_yaxes(gridcolor="rgba(0,0,0,0)", type="category")
    return figure
