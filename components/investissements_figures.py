"""Figure builders of the Investissements page: budgets in MAD, pure ``DataFrame -> go.Figure``.

Tables hold ``code, libelle`` and the columns named by ``BUDGET`` and ``CASES``. A missing code (the
"Non renseigné" bucket) is carried in ``customdata`` as ``NULL_KEY`` so that a click on it can drill down.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components import fmt
from components.figures import COLORS, NO_DATA, TEMPLATE, label_room, message

BUDGET = "Budget (MAD)"
CASES = "Business cases"
NULL_KEY = "null"


def _hover(table: pd.DataFrame) -> list[str]:
    """``12 345 MAD · 3 business cases`` per row."""
    out = []
    for budget, cases in zip(table[BUDGET], table[CASES], strict=True):
        plural = "s" if cases > 1 else ""
        out.append(f"{fmt.number(budget)} MAD · {fmt.number(cases)} business case{plural}")
    return out


def _customdata(table: pd.DataFrame) -> list[list[Any]]:
    """``[code (NULL_KEY when missing), hover text]`` per row."""
    keys = [NULL_KEY if pd.isna(code) else str(code) for code in table["code"]]
    return [list(pair) for pair in zip(keys, _hover(table), strict=True)]


def _empty(table: pd.DataFrame) -> bool:
    """No budget at all to draw."""
    return table.empty or not table[BUDGET].any()


def budget_ranked(table: pd.DataFrame) -> go.Figure:
    """Horizontal budget bars sorted from the largest at the top (for nominal dimensions, drillable)."""
    if _empty(table):
        return message(NO_DATA)
    ordered = table.sort_values([BUDGET, "libelle"], ascending=[True, False])
    figure = go.Figure(layout={"template": TEMPLATE, "height": max(260, 28 * len(ordered) + 70)})
    figure.add_bar(
        x=ordered[BUDGET],
        y=ordered["libelle"],
        orientation="h",
        text=[fmt.number(v) for v in ordered[BUDGET]],
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[0],
        customdata=_customdata(ordered),
        hovertemplate="%{y} : %{customdata[1]}<extra></extra>",
    )
    figure.update_xaxes(title_text=BUDGET, tickformat=",d", nticks=4)  # budgets are long: fewer labels
    figure.update_yaxes(gridcolor="rgba(0,0,0,0)")
    return label_room(figure, ordered[BUDGET])


def budget_columns(table: pd.DataFrame, axis_title: str) -> go.Figure:
    """Horizontal budget bars in the table's order, the first at the top (for ordered dimensions: statut,
    potentiel). Vertical ones put their value labels side by side: on a phone they ran into each other."""
    if _empty(table):
        return message(NO_DATA)
    ordered = table.iloc[::-1]  # Plotly draws the first category at the bottom
    figure = go.Figure(layout={"template": TEMPLATE, "height": max(260, 28 * len(ordered) + 70)})
    figure.add_bar(
        x=ordered[BUDGET],
        y=ordered["libelle"],
        orientation="h",
        text=[fmt.number(v) for v in ordered[BUDGET]],
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[0],
        customdata=_customdata(ordered),
        hovertemplate="%{y} : %{customdata[1]}<extra></extra>",
    )
    figure.update_xaxes(title_text=BUDGET, tickformat=",d", nticks=4)
    figure.update_yaxes(title_text=axis_title, type="category", gridcolor="rgba(0,0,0,0)")
    return label_room(figure, ordered[BUDGET])


def budget_by_count(table: pd.DataFrame, axis_title: str) -> go.Figure:
    """Vertical budget bars over a numeric axis (``code`` is a count, e.g. the partner's number of visits)."""
    if _empty(table):
        return message(NO_DATA)
    figure = go.Figure(layout={"template": TEMPLATE, "height": 300, "bargap": 0.15})
    figure.add_bar(
        x=table["code"],
        y=table[BUDGET],
        text=[fmt.number(v) for v in table[BUDGET]] if len(table) <= 15 else None,
        textposition="outside",
        cliponaxis=False,
        marker_color=COLORS[0],
        customdata=_customdata(table),
        hovertext=table["libelle"],
        hovertemplate="%{hovertext} : %{customdata[1]}<extra></extra>",
    )
    figure.update_xaxes(title_text=axis_title, tickformat=",d", rangemode="tozero")
    figure.update_yaxes(title_text=BUDGET, tickformat=",d", range=[0, float(table[BUDGET].max()) * 1.18])
    return figure
