"""Figure builders of the Performance page: categories in their own order, and ranked lists of reps."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components import fmt
from components.figures import COLORS, NO_DATA, TEMPLATE, label_room, message, whole_ticks

NO_REP = "Aucun délégué actif dans ce périmètre"


def category_bars(table: pd.DataFrame, label: str, value: str, unit: str) -> go.Figure:
    """Vertical bars in the table's order (an ordinal scale such as the potential), zeros shown."""
    if table.empty or not table[value].any():
        return message(NO_DATA)
    figure = go.Figure(layout={"template": TEMPLATE, "height": 280})
    figure.add_bar(
        x=table[label],
        y=table[value],
        text=[fmt.number(v) for v in table[value]],
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[0],
        customdata=table[["code"]] if "code" in table else None,  # what a click filters the page on
        hovertemplate=f"%{{x}} : %{{y:,}} {unit.lower()}<extra></extra>",
    )
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text=unit, tickformat=",d", range=[0, float(table[value].max()) * 1.18])
    return figure


def rep_bars(table: pd.DataFrame, label: str, value: str, unit: str, empty: str = NO_DATA) -> go.Figure:
    """Horizontal bars, the table's first row at the top; reps at 0 keep their row (a "0" label, no bar)."""
    if table.empty:
        return message(empty)
    figure = go.Figure(layout={"template": TEMPLATE, "height": max(220, 40 * len(table) + 70)})
    ordered = table.iloc[::-1]
    figure.add_bar(
        x=ordered[value],
        y=_distinct_labels(ordered, label),
        orientation="h",
        text=[fmt.number(v) for v in ordered[value]],
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[0] if ordered[value].sum() else COLORS[4],
        hovertemplate=f"%{{y}} : %{{x:,}} {unit.lower()}<extra></extra>",
    )
    # Room on the right for the largest bar's label; a visible axis even when every rep is at 0 (0 and 1 only:
    # automatic ticks read "0, 1, 1" there).
    figure.update_xaxes(title_text=unit, tickformat=",d", rangemode="tozero")
    figure.update_yaxes(type="category", gridcolor="rgba(0,0,0,0)")
    label_room(figure, ordered[value])
    return whole_ticks(figure, "x", max(float(ordered[value].max()), 1.0))


def _distinct_labels(table: pd.DataFrame, label: str) -> list[str]:
    """Labels of the rows; homonyms get their user id appended so that they keep a bar each."""
    names = table[label].astype(str)
    twins = names.duplicated(keep=False)
    if "id_utilisateur" not in table or not twins.any():
        return list(names)
    return [
        f"{n} (n° {uid})" if twin else n for n, uid, twin in zip(names, table["id_utilisateur"], twins, strict=True)
    ]
