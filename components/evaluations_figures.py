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
    # The whole scale, every step labelled (0 to 5, or 0 to 100): 3,2 on a /5 scale must not look like 3,2 of 4.
    figure.update_xaxes(title_text=unit, range=[0, maximum * 1.08], tick0=0, dtick=maximum / 5)
    figure.update_yaxes(gridcolor="rgba(0,0,0,0)", type="category")
    rated = ordered["_v"].dropna()
    if len(rated) > 1:  # what varies, said in words: close averages look alike on the whole scale
        low, high = float(rated.min()), float(rated.max())
        spread = f"de {fmt.number(low, decimals)} à {fmt.number(high, decimals)} sur {fmt.number(maximum)}"
        spread += f" (écart {fmt.number(high - low, decimals)})"
        figure.add_annotation(
            text=spread, showarrow=False, x=0, y=1, xref="paper", yref="paper", yanchor="bottom", xanchor="left",
            font={"size": 12, "color": "#495057"},
        )  # fmt: skip
    return figure


def score_scatter(table: pd.DataFrame, name: str, x: str, y: str, maximum: float) -> go.Figure:
    """One point per rep: ``x`` (visits) against ``y`` (mean score on ``0..maximum``), the rep's name on hover."""
    rated = table.dropna(subset=[y])
    if rated.empty:
        return message(NO_DATA)
    figure = go.Figure(layout={"template": TEMPLATE, "height": 360})
    figure.add_scatter(
        x=rated[x],
        y=rated[y],
        mode="markers",
        marker={"color": COLORS[0], "size": 10, "opacity": 0.8},
        text=rated[name],
        hovertemplate=f"%{{text}} : %{{y:.1f}} /{fmt.number(maximum)}, %{{x:,}} {x.lower()}<extra></extra>",
    )
    figure.update_xaxes(title_text=x, tickformat=",d", rangemode="tozero")
    figure.update_yaxes(title_text=y, range=[0, maximum * 1.05], tick0=0, dtick=maximum / 5)
    return figure
