"""Figure builders of the Utilisateurs page that the shared ones do not cover: a share (donut) chart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components import figures, fmt


def share_donut(table: pd.DataFrame, label: str, value: str, unit: str) -> go.Figure:
    """Each ``label``'s share of the total of ``value``, largest first; the legend names them with their count."""
    if table.empty or not table[value].any():
        return figures.message(figures.NO_DATA)
    ordered = table[table[value] > 0].sort_values([value, label], ascending=[False, True])
    total = float(ordered[value].sum())
    names = [f"{name} · {fmt.number(n)}" for name, n in zip(ordered[label], ordered[value], strict=True)]
    shares = [fmt.percent(n, total) for n in ordered[value]]
    figure = go.Figure(layout={"template": figures.TEMPLATE, "height": max(320, 24 * len(ordered) + 80)})
    figure.add_pie(
        labels=names,
        values=ordered[value],
        text=shares,
        customdata=list(zip(ordered[label], shares, strict=True)),
        hole=0.45,
        sort=False,
        direction="clockwise",
        textinfo="text",
        textposition="inside",
        insidetextorientation="horizontal",
        hovertemplate=f"%{{customdata[0]}} : %{{value:,}} {unit.lower()} (%{{customdata[1]}})<extra></extra>",
    )
    figure.update_layout(
        uniformtext={"minsize": 11, "mode": "hide"},
        legend={"orientation": "v", "x": 1.02, "y": 0.5, "title": {"text": unit}},
        margin={"l": 10, "r": 10, "t": 20, "b": 20},
    )
    return figure
